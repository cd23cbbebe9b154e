package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// 50 runnc processes at once on one id, each a random create, start,
// kill, delete, state, pause or resume: none panics, each either succeeds
// or says why in one line, and what is left is one consistent container
// (or none), which delete --force removes without a trace.
func TestParallelOperationsOnOneID(t *testing.T) {
	e := newEnv(t)
	ops := [][]string{
		{"create", "--bundle", e.bundle}, {"create", "--bundle", e.bundle}, {"start"}, {"start"},
		{"kill", "--all"}, {"kill", "KILL"}, {"kill", "TERM"}, {"delete"}, {"delete", "--force"},
		{"state"}, {"state"}, {"pause"}, {"resume"}, {"ps"}, {"events", "--stats"},
	}
	rounds := envInt(t, "RUNNC_CONCURRENT_ROUNDS", 4)
	outcomes := map[string]int{}
	for r := 0; r < rounds; r++ {
		before := e.Snapshot(t, e.scope)
		id := e.scope.ID(fmt.Sprint(r))
		// A container exists at the start of every other round.
		if r%2 == 1 {
			e.create(t, id)
		}
		results := make([]testenv.Result, 50)
		var ready, done sync.WaitGroup
		gate := make(chan struct{})
		for i := range results {
			op := ops[rand.IntN(len(ops))]
			args := append(append([]string{}, op...), id)
			if op[0] == "create" {
				args = append([]string{"create", "--bundle", e.bundle}, id)
			}
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				// Killed if it hangs (a deadlock), which fails the round.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := e.CommandContext(ctx, args...)
				ready.Done()
				<-gate
				results[i] = e.RunCmd(cmd)
				if ctx.Err() != nil {
					results[i].Stderr += "runnc hung for 2 minutes\n"
				}
			}()
		}
		ready.Wait()
		close(gate)
		done.Wait()

		for _, res := range results {
			testenv.NoPanic(t, res)
			op := res.Args[len(e.GlobalArgs())+1]
			if res.Code == 0 {
				outcomes[op+" ok"]++
				continue
			}
			outcomes[op+" refused"]++
			msg := strings.TrimSuffix(res.Stderr, "\n")
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "runnc: ") {
				t.Errorf("runnc %v: exit %d, stderr not one line:\n%s", res.Args, res.Code, res.Stderr)
			}
		}
		checkConsistent(t, e, id)
		e.cleanUp(t, before, fmt.Sprintf("round %d of parallel operations", r), id)
	}
	t.Logf("%d rounds of 50 parallel operations: %v", rounds, outcomes)
}

// checkConsistent: the container is absent, or its state file is whole
// JSON, state reports one of the OCI statuses, a live status has a live
// pid, and list agrees.
func checkConsistent(t *testing.T, e *env, id string) {
	t.Helper()
	status, pid := e.State(t, id)
	listed := strings.Fields(e.must(t, "list", "--quiet").Stdout)
	if status == "" {
		if slices.Contains(listed, id) {
			t.Errorf("list shows %s, state says it does not exist", id)
		}
		return
	}
	if !slices.Contains(listed, id) {
		t.Errorf("state shows %s %s, list does not", id, status)
	}
	data, err := os.ReadFile(filepath.Join(e.Root, id, "state.json"))
	if err != nil || !json.Valid(data) {
		t.Errorf("state.json of %s is not whole JSON (%v): %q", id, err, data)
	}
	switch status {
	case "created", "running", "paused":
		if pid <= 0 || syscall.Kill(pid, 0) != nil {
			t.Errorf("%s is %s with pid %d, which is not alive", id, status, pid)
		}
	case "stopped":
	default:
		t.Errorf("%s has status %q", id, status)
	}
}

// 100 containers running at once, then all deleted: nothing left.
func TestHundredContainers(t *testing.T) {
	e := newEnv(t)
	before := e.Snapshot(t, e.scope)
	const n = 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.scope.ID(fmt.Sprint(i))
	}
	parallel(t, ids, func(id string) error {
		for _, args := range [][]string{{"create", "--bundle", e.bundle, id}, {"start", id}} {
			if res := e.Run(args...); res.Code != 0 {
				return fmt.Errorf("runnc %v: %s", args, res.Stderr)
			}
		}
		return nil
	})
	running := 0
	var list []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(e.must(t, "list", "--format", "json").Stdout), &list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Status == "running" {
			running++
		}
	}
	if running != n {
		t.Errorf("%d of %d containers are running: %+v", running, n, list)
	}
	parallel(t, ids, func(id string) error {
		if res := e.Run("delete", "--force", id); res.Code != 0 {
			return fmt.Errorf("delete --force %s: %s", id, res.Stderr)
		}
		return nil
	})
	e.cleanUp(t, before, fmt.Sprintf("%d containers", n))
}

// parallel runs f for every id, 8 at a time, and fails the test with
// every error.
func parallel(t *testing.T, ids []string, f func(id string) error) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = f(id)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
