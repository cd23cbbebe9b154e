package runtime_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scaleRunning is how many containers share the root in TestCreateIsFlat.
const scaleRunning = 200

// A create or a delete must cost the same with 200 containers of its image
// running as with one: nothing per create or delete may visit every other
// container or every user of the shared disk image (that made filling a
// node quadratic), nor list them: one getdents64 reads hundreds of names,
// so the names listed are counted, not the calls. The check counts what
// one create, start, state, kill and delete do, under strace, not how
// long they take.
func TestCreateIsFlat(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	// Two running first, so that both deletes leave the disk image in use
	// (the last user's delete releases it: more work, not more users), and
	// so that both visits find staleChecks (two) other users to check: with
	// one, the first checked one marker and the second two, six calls more
	// that have nothing to do with the number running.
	traceAtScale(t, e, b, func(string) string { return b })
}

// The same when each container has an image of its own, as tenants'
// rootfs do: a create or delete may visit a few other images (the sweep
// for users lost in a reboot checks two once the boot's first sweep has
// checked all), not every image in use. The traced container's image is
// its own: each traced create takes it from the cache of unused images
// (a container before the first trace built it), and each traced delete
// releases it there and trims the cache, which reads the disk directory's
// names only when the unused images' tally is over --disk-cache.
func TestCreateIsFlatAcrossImages(t *testing.T) {
	e := newEnv(t)
	tenant := func(name string) string {
		b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
		if err := os.WriteFile(filepath.Join(b, "rootfs", "tenant"), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		return b
	}
	traced := tenant("traced")
	for _, args := range [][]string{{"create", "--bundle", traced, "sc-warm"}, {"delete", "sc-warm"}} {
		if res := e.Run(args...); res.Code != 0 {
			t.Fatalf("%s sc-warm: %s", args[0], res.Stderr)
		}
	}
	traceAtScale(t, e, traced, tenant)
}

// traceAtScale traces a create and a delete of a container of bundle
// traced with two containers running and again with scaleRunning, each
// sc-N running bundleOf(sc-N), and checks that both cost the same.
func traceAtScale(t *testing.T, e *env, traced string, bundleOf func(id string) string) {
	t.Helper()
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatal("strace is needed (make setup installs it)")
	}
	n := 0
	running := func(upto int) {
		for ; n < upto; n++ {
			id := fmt.Sprintf("sc-%d", n)
			if res := e.Run("run", "--detach", "--bundle", bundleOf(id), id); res.Code != 0 {
				t.Fatalf("run %s: %s", id, res.Stderr)
			}
		}
	}
	running(2)
	first := e.tracedLifecycle(traced, "sc-first")
	running(scaleRunning)
	last := e.tracedLifecycle(traced, "sc-last")
	checkFlat(t, first, last)
}

// checkFlat compares what each call of a lifecycle did with two
// containers running (first) and with scaleRunning (last).
func checkFlat(t *testing.T, first, last []trace) {
	t.Helper()
	for i, alone := range first {
		op, crowded := alone.op, last[i]
		// Other containers seen: their ids in the paths it touched.
		others := map[string]bool{}
		id := regexp.MustCompile(`sc-[0-9]+`)
		for _, m := range id.FindAllString(crowded.files, -1) {
			others[m] = true
		}
		// The random check of stale users, at create and delete, reads
		// two markers and stats two state directories: a constant,
		// whatever the number running. The other calls touch none.
		allowed := 0
		if op == "create" || op == "delete" {
			allowed = 2
		}
		if len(others) > allowed {
			t.Errorf("a %s with %d running touched the files of %d of them: %v", op, scaleRunning, len(others), keys(others))
		}
		if crowded.calls > alone.calls+10 {
			t.Errorf("a %s made %d file syscalls with %d containers running, %d with two: it grows with their number",
				op, crowded.calls, scaleRunning, alone.calls)
		}
		if crowded.listed > alone.listed+staleWindow+2*usersCheck {
			t.Errorf("a %s listed %d directory entries with %d containers running, %d with two: it lists them",
				op, crowded.listed, scaleRunning, alone.listed)
		}
		t.Logf("%s: %d file syscalls and %d entries listed with two running, %d and %d with %d; %d others touched",
			op, alone.calls, alone.listed, crowded.calls, crowded.listed, scaleRunning, len(others))
	}
}

// staleWindow bounds the names of a disk image's users a visit may read
// to pick the few it checks: one read of 2 KiB (nabla-lib/storage's
// staleWindow) holds some 50.
const staleWindow = 64

// usersCheck bounds the names one check that an image's users directory
// is empty reads: 288 bytes (internal/dirsample's Empty) hold a dozen.
// A delete makes two, for its image and for the one its sweep visits.
const usersCheck = 12

type trace struct {
	op     string // the command traced
	calls  int    // file syscalls of runnc (and of init before it execs)
	listed int    // directory entries getdents64 returned
	files  string // the paths it named, one a line
}

// tracedLifecycle runs `runnc create`, start, state, kill and then delete
// of a container of bundle under strace, and returns what each did.
func (e *env) tracedLifecycle(bundle, id string) []trace {
	e.t.Helper()
	var out []trace
	for _, args := range [][]string{
		{"create", "--bundle", bundle, id},
		{"start", id},
		{"state", id},
		{"kill", id, "KILL"},
		{"delete", "--force", id},
	} {
		out = append(out, e.traced(args...))
	}
	return out
}

// entries is the count strace writes for a getdents64 call's result.
var entries = regexp.MustCompile(`/\* ([0-9]+) entries \*/`)

// traced runs runnc with args under strace.
func (e *env) traced(args ...string) trace {
	e.t.Helper()
	out := filepath.Join(e.t.TempDir(), "strace")
	// -f for runnc's threads; -b execve lets go of init as it execs
	// runnc-init, which lives on. Only the calls that name or lock files
	// and list directories are counted: the Go runtime's own (futex,
	// nanosleep, mmap) vary from run to run with the machine's load.
	argv := append([]string{"-f", "-b", "execve", "-e", "trace=%file,fcntl,flock,getdents64",
		"-o", out, "-qq", e.Bin}, e.GlobalArgs()...)
	argv = append(argv, args...)
	// A file, not a pipe, for the output: init keeps what it inherits, and
	// a pipe would never see EOF.
	log, err := os.Create(filepath.Join(e.t.TempDir(), "output"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("strace", argv...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(log.Name())
		e.t.Fatalf("strace runnc %v: %v: %s", args, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		e.t.Fatal(err)
	}
	tr := trace{op: args[0]}
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		// With -f each line starts with the thread's id. Signals ("---",
		// the Go runtime's SIGURG preemptions) and exits ("+++") are not
		// calls, and a call another thread interrupts is written twice,
		// "<unfinished ...>" and then "<... resumed>" with its result. How
		// often either happens depends on the load: counted as calls, they
		// made a loaded CI machine see a create grow.
		_, call, _ := strings.Cut(line, " ")
		call = strings.TrimLeft(call, " ")
		if call == "" || strings.HasPrefix(call, "+++") || strings.HasPrefix(call, "---") {
			continue
		}
		if !strings.HasPrefix(call, "<... ") {
			tr.calls++
		}
		if m := entries.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			tr.listed += n
		}
		if i := strings.IndexByte(line, '"'); i >= 0 {
			if j := strings.IndexByte(line[i+1:], '"'); j >= 0 {
				files = append(files, line[i+1:i+1+j])
			}
		}
	}
	tr.files = strings.Join(files, "\n")
	return tr
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
