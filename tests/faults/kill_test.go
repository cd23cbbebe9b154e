package faults_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// killPoint is when to kill `runnc create`: as soon as cond holds (polled
// as fast as the test can), or after a delay.
type killPoint struct {
	name  string
	cond  func(e *env, id string, create *exec.Cmd) bool
	delay time.Duration
}

// childPid is a child of pid whose argv starts with args (create's
// genisoimage, or its init: runnc-init), 0 if there is none.
func childPid(pid int, args ...string) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, child := range strings.Fields(string(data)) {
		cmdline, _ := os.ReadFile("/proc/" + child + "/cmdline")
		if strings.HasPrefix(string(cmdline), strings.Join(args, "\x00")+"\x00") {
			n, _ := strconv.Atoi(child)
			return n
		}
	}
	return 0
}

func hasChild(pid int, args ...string) bool { return childPid(pid, args...) > 0 }

// The phases of create as seen from outside: the state directory, the
// first state, the disk image being built and in use, the exec fifo, init
// started, the cgroup, init's pid saved.
var phasePoints = []killPoint{
	{name: "state dir made", cond: func(e *env, id string, _ *exec.Cmd) bool { return exists(filepath.Join(e.Root, id)) }},
	{name: "first state saved", cond: func(e *env, id string, _ *exec.Cmd) bool { return exists(stateFile(e, id)) }},
	{name: "disk image in use", cond: func(e *env, id string, _ *exec.Cmd) bool {
		m, _ := filepath.Glob(filepath.Join(e.DiskDir, "*.users", id+"@*"))
		return len(m) > 0
	}},
	{name: "exec fifo made", cond: func(e *env, id string, _ *exec.Cmd) bool { return exists(filepath.Join(e.Root, id, "exec.fifo")) }},
	{name: "genisoimage running", cond: func(_ *env, _ string, c *exec.Cmd) bool { return hasChild(c.Process.Pid, "/usr/bin/genisoimage") }},
	{name: "init started", cond: func(e *env, _ string, c *exec.Cmd) bool { return hasChild(c.Process.Pid, e.init) }},
	{name: "cgroup made", cond: func(_ *env, id string, _ *exec.Cmd) bool {
		return exists("/sys/fs/cgroup/pids/"+id) || exists("/sys/fs/cgroup/"+id)
	}},
	{name: "init pid saved", cond: func(e *env, id string, _ *exec.Cmd) bool {
		data, _ := os.ReadFile(stateFile(e, id))
		return strings.Contains(string(data), `"init_pid":`) && !strings.Contains(string(data), `"init_pid":0`)
	}},
}

// kill -9 of `runnc create` before and after each phase and at random
// moments; then list and delete --force work and nothing is left.
func TestKillCreateAnywhere(t *testing.T) {
	e := newEnv(t)
	// How long a create takes here, to spread the random kills over it.
	before := e.Snapshot(t, e.scope)
	t0 := time.Now()
	e.create(t, e.scope.ID("timing"))
	took := time.Since(t0)
	e.cleanUp(t, before, "a clean create")

	rounds := envInt(t, "RUNNC_FAULT_ROUNDS", 3)
	var points []killPoint
	for r := 0; r < rounds; r++ {
		points = append(points, phasePoints...)
		for i := 0; i < 10; i++ {
			points = append(points, killPoint{name: "random", delay: time.Duration(rand.Int64N(int64(took * 3 / 2)))})
		}
	}
	outcomes := map[string]int{}
	for i, p := range points {
		id := e.scope.ID(fmt.Sprint(i))
		before := e.Snapshot(t, e.scope)
		create := e.start(t, "create", "--bundle", e.bundle, id)
		done := make(chan error, 1)
		go func() { done <- create.Wait() }()
		var err error
		if p.cond != nil {
			err = killWhen(t, e, id, create, p.cond, done)
		} else {
			select {
			case err = <-done:
			case <-time.After(p.delay):
				kill9(t, create.Process.Pid)
				err = <-done
			}
		}
		outcome := "killed"
		if err == nil {
			outcome = "finished first"
		}
		outcomes[p.name+": "+outcome]++
		e.cleanUp(t, before, fmt.Sprintf("create killed at %q (%s)", p.name, outcome), id)
	}
	t.Logf("create (%v when undisturbed) killed at %d points: %v", took, len(points), outcomes)
}

// killWhen polls cond and kills create as soon as it holds; if create
// ends first, it returns its result.
func killWhen(t *testing.T, e *env, id string, create *exec.Cmd, cond func(*env, string, *exec.Cmd) bool, done chan error) error {
	t.Helper()
	for {
		select {
		case err := <-done:
			return err
		default:
		}
		if cond(e, id, create) {
			kill9(t, create.Process.Pid)
			return <-done
		}
	}
}

// kill -9 of the container's init before start, and of the tender after:
// the container is stopped, start refuses clearly, delete cleans up.
func TestKillInitAndTender(t *testing.T) {
	e := newEnv(t)
	t.Run("init before start", func(t *testing.T) {
		before := e.Snapshot(t, e.scope)
		id := e.scope.ID("init")
		e.create(t, id)
		pid := e.WaitStatus(t, id, "created")
		kill9(t, pid)
		e.WaitStatus(t, id, "stopped")
		res := e.Run("start", id)
		testenv.NoPanic(t, res)
		if res.Code == 0 || !strings.Contains(res.Stderr, "stopped") && !strings.Contains(res.Stderr, "exited before start") {
			t.Errorf("start after init was killed: exit %d, %q", res.Code, res.Stderr)
		}
		e.cleanUp(t, before, "a container whose init was killed", id)
	})
	// Init dies while create waits for it: create fails in one line and
	// undoes everything.
	t.Run("init during create", func(t *testing.T) {
		for i := 0; i < envInt(t, "RUNNC_FAULT_ROUNDS", 3)*3; i++ {
			before := e.Snapshot(t, e.scope)
			id := e.scope.ID(fmt.Sprintf("initc%d", i))
			create := e.start(t, "create", "--bundle", e.bundle, id)
			done := make(chan error, 1)
			go func() { done <- create.Wait() }()
			var err error
		poll:
			for {
				select {
				case err = <-done:
					break poll
				default:
				}
				if pid := childPid(create.Process.Pid, e.init); pid > 0 {
					kill9(t, pid)
					err = <-done
					break
				}
			}
			if err == nil {
				t.Logf("round %d: create finished before init was seen", i)
			}
			e.cleanUp(t, before, "create whose init was killed", id)
		}
	})
	t.Run("tender after start", func(t *testing.T) {
		before := e.Snapshot(t, e.scope)
		id := e.scope.ID("tender")
		e.create(t, id)
		e.must(t, "start", id)
		pid := e.WaitStatus(t, id, "running")
		kill9(t, pid)
		e.WaitStatus(t, id, "stopped")
		e.cleanUp(t, before, "a container whose tender was killed", id)
	})
	// A frozen tender dies of SIGKILL only when thawed: kill and delete
	// --force must thaw it.
	for _, how := range [][]string{{"kill", "ID", "KILL"}, {"delete", "--force", "ID"}} {
		t.Run("paused tender, "+how[0], func(t *testing.T) {
			before := e.Snapshot(t, e.scope)
			id := e.scope.ID("paused-" + how[0])
			e.create(t, id)
			e.must(t, "start", id)
			e.WaitStatus(t, id, "running")
			e.must(t, "pause", id)
			e.WaitStatus(t, id, "paused")
			args := slices.Clone(how)
			args[slices.Index(args, "ID")] = id
			e.must(t, args...)
			if how[0] == "kill" {
				e.WaitStatus(t, id, "stopped")
			}
			e.cleanUp(t, before, "a paused container after "+how[0], id)
		})
	}
}

// kill -9 of `runnc delete`, `runnc start`, `runnc run` (in the
// foreground) and `runnc pause` at random moments: a later delete --force
// finishes the job.
func TestKillDeleteAndStart(t *testing.T) {
	e := newEnv(t)
	rounds := envInt(t, "RUNNC_FAULT_ROUNDS", 3) * 5
	for i := 0; i < rounds; i++ {
		for _, op := range []string{"start", "delete", "run", "pause"} {
			before := e.Snapshot(t, e.scope)
			id := e.scope.ID(fmt.Sprintf("%s%d", op, i))
			var args []string
			switch op {
			case "run":
				args = []string{"run", "--bundle", e.bundle, id}
			case "delete":
				e.create(t, id)
				args = []string{"delete", "--force", id}
			case "pause":
				e.create(t, id)
				e.must(t, "start", id)
				args = []string{"pause", id}
			default:
				e.create(t, id)
				args = []string{op, id}
			}
			cmd := e.start(t, args...)
			time.Sleep(time.Duration(rand.Int64N(int64(20 * time.Millisecond))))
			kill9(t, cmd.Process.Pid)
			cmd.Wait()
			e.cleanUp(t, before, "runnc "+op+" killed", id)
		}
	}
}

// A created container can be paused; start must then refuse rather than
// wait forever for the frozen init (found by the parallel test), and
// after resume it starts.
func TestStartOfAPausedCreatedContainer(t *testing.T) {
	e := newEnv(t)
	before := e.Snapshot(t, e.scope)
	id := e.scope.ID("pcreated")
	e.create(t, id)
	e.must(t, "pause", id)
	e.WaitStatus(t, id, "paused")
	res := e.Run("start", id)
	if res.Code == 0 || !strings.Contains(res.Stderr, "paused") {
		t.Errorf("start of a paused created container: exit %d, %q", res.Code, res.Stderr)
	}
	e.must(t, "resume", id)
	e.WaitStatus(t, id, "created")
	e.must(t, "start", id)
	e.WaitStatus(t, id, "running")
	e.cleanUp(t, before, "a paused, resumed and started container", id)
}

// kill -9 of `runnc create` and `runnc delete` at random moments with the
// disk cache on and room for one unused image, so that deletes evict:
// after the cleanups and one more container, the disk directory holds
// only whole unused images within the limit, and nothing else is left.
func TestKillWithTheDiskCache(t *testing.T) {
	e := newEnv(t)
	before := e.Snapshot(t, e.scope)
	other := e.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla", "sleep"}, nil)
	if err := os.WriteFile(filepath.Join(other, "rootfs", "other"), []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	bundles := []string{e.bundle, other}
	measure := e.scope.ID("measure")
	e.create(t, measure)
	fi, err := os.Stat(testenv.SoleDiskImage(t, e.DiskDir))
	if err != nil {
		t.Fatal(err)
	}
	e.must(t, "delete", measure)
	limit := fi.Size() * 3 / 2
	e.DiskCache = strconv.FormatInt(limit, 10)

	rounds := envInt(t, "RUNNC_FAULT_ROUNDS", 3) * 5
	for i := 0; i < rounds; i++ {
		bundle := bundles[i%len(bundles)]
		for _, op := range []string{"create", "delete"} {
			id := e.scope.ID(fmt.Sprintf("cache-%s%d", op, i))
			args := []string{"create", "--bundle", bundle, id}
			if op == "delete" {
				if err := e.start(t, args...).Wait(); err != nil {
					t.Fatalf("create %s: %v", id, err)
				}
				args = []string{"delete", "--force", id}
			}
			cmd := e.start(t, args...)
			time.Sleep(time.Duration(rand.Int64N(int64(20 * time.Millisecond))))
			kill9(t, cmd.Process.Pid)
			cmd.Wait()
			list := e.must(t, "list", "--quiet")
			for _, id := range append(strings.Fields(list.Stdout), id) {
				e.must(t, "delete", "--force", id)
			}
		}
	}
	// What a killed runnc left half way is settled by the next one.
	settle := e.scope.ID("settle")
	e.create(t, settle)
	e.must(t, "delete", settle)

	var total int64
	entries, err := os.ReadDir(e.DiskDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		name := en.Name()
		key, isImage := strings.CutSuffix(name, ".iso")
		if !isImage {
			if testenv.IdleUsersDir(e.DiskDir, name) {
				continue
			}
			if key, ok := strings.CutSuffix(name, ".unused"); !ok || !exists(filepath.Join(e.DiskDir, key+".iso")) {
				t.Errorf("the disk directory holds %s, which is no unused image", name)
			}
			continue
		}
		if !exists(filepath.Join(e.DiskDir, key+".unused")) {
			t.Errorf("image %s has neither users nor an unused mark", name)
		}
		fi, err := en.Info()
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if total > limit {
		t.Errorf("unused images take %d bytes, more than the limit of %d", total, limit)
	}
	after := e.Snapshot(t, e.scope)
	after.Files = slices.DeleteFunc(after.Files, func(f string) bool { return strings.HasPrefix(f, e.DiskDir+"/") })
	before.CheckNone(t, after, "runnc create and delete killed with the disk cache on")
}

// A delete --force that read the state while create's phases were still
// under way sends that create (or run) SIGTERM, which may land after the
// phases ended (here: while a createRuntime hook runs). It then finishes
// rather than die with nothing said, and the delete removes the container.
func TestSIGTERMAfterCreatePhases(t *testing.T) {
	e := newEnv(t)
	for _, cmd := range [][]string{{"create"}, {"run", "--detach"}} {
		t.Run(cmd[0], func(t *testing.T) {
			before := e.Snapshot(t, e.scope)
			dir := t.TempDir()
			inHook, proceed := filepath.Join(dir, "in-hook"), filepath.Join(dir, "proceed")
			bundle := e.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
				s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{
					Path: "/bin/sh",
					Args: []string{"sh", "-c", `touch "$1"; while [ ! -e "$2" ]; do sleep 0.01; done`, "hook", inHook, proceed},
				}}}
			})
			id := e.scope.ID("term")
			create := e.start(t, append(cmd, "--bundle", bundle, id)...)
			for !exists(inHook) {
				time.Sleep(5 * time.Millisecond)
			}
			injected.Add(1)
			if err := create.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(proceed, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := create.Wait(); err != nil {
				t.Errorf("%s given SIGTERM after its phases: %v; want it to finish", cmd[0], err)
			}
			e.cleanUp(t, before, cmd[0]+" given SIGTERM after its phases", id)
		})
	}
}
