package nsthread

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// f always runs in the namespace given and never on the main thread,
// wherever the scheduler puts Do's goroutine; many calls at once give it
// the chance to pick the main thread.
func TestDoRunsOffTheMainThread(t *testing.T) {
	testenv.RequireRoot(t) // for setns
	self := fmt.Sprintf("/proc/%d/ns/net", os.Getpid())
	var want unix.Stat_t
	if err := unix.Stat(self, &want); err != nil {
		t.Fatal(err)
	}
	check := func() error {
		if unix.Gettid() == unix.Getpid() {
			return fmt.Errorf("f ran on the main thread")
		}
		var got unix.Stat_t
		if err := unix.Stat("/proc/thread-self/ns/net", &got); err != nil {
			return err
		}
		if got.Ino != want.Ino {
			return fmt.Errorf("f ran in namespace %d, want %d", got.Ino, want.Ino)
		}
		return nil
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Do(self, check); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestDoRefusesAMissingNamespace(t *testing.T) {
	if err := Do("/nonexistent/ns", func() error { return nil }); err == nil {
		t.Error("Do of a missing namespace succeeded")
	}
}
