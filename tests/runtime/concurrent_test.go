package runtime_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Twenty containers from separate runnc processes at once: every call
// succeeds, and a reader polling every state.json never sees a torn one.
func TestConcurrentContainers(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	const n = 20

	stop := make(chan struct{})
	torn := make(chan string, 1)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			paths, _ := filepath.Glob(filepath.Join(e.Root, "*", "state.json"))
			for _, p := range paths {
				data, err := os.ReadFile(p)
				if err != nil {
					continue // deleted meanwhile
				}
				if !json.Valid(data) {
					select {
					case torn <- p:
					default:
					}
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			for _, args := range [][]string{
				{"create", "--bundle", b, id},
				{"start", id},
				{"kill", id, "KILL"},
				{"delete", "--force", id},
			} {
				if _, stderr, code := e.runnc_(args...); code != 0 {
					errs <- fmt.Errorf("runnc %v: %s", args, stderr)
					return
				}
			}
		}(fmt.Sprintf("c%02d", i))
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	select {
	case p := <-torn:
		t.Errorf("saw a torn %s", p)
	default:
	}
}
