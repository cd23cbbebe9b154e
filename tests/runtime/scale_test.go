package runtime_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scaleRunning is how many containers share the root in TestCreateIsFlat.
const scaleRunning = 200

// A create must cost the same with 200 containers of its image running as
// with none: nothing per create may visit every other container or every
// user of the shared disk image (that made filling a node quadratic). The
// check counts what one create does, under strace, not how long it takes.
func TestCreateIsFlat(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatal("strace is needed (make setup installs it)")
	}
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	first := e.tracedCreate(b, "sc-first")
	for i := 0; i < scaleRunning; i++ {
		if res := e.Run("run", "--detach", "--bundle", b, fmt.Sprintf("sc-%d", i)); res.Code != 0 {
			t.Fatalf("run sc-%d: %s", i, res.Stderr)
		}
	}
	last := e.tracedCreate(b, "sc-last")

	// Other containers seen: their ids in the paths the create touched.
	others := map[string]bool{}
	id := regexp.MustCompile(`sc-[0-9]+`)
	for _, m := range id.FindAllString(last.files, -1) {
		others[m] = true
	}
	// The random check of stale users reads two markers and stats two
	// state directories: a constant, whatever the number running.
	if len(others) > 2 {
		t.Errorf("a create with %d running touched the files of %d of them: %v", scaleRunning, len(others), keys(others))
	}
	if last.calls > first.calls+10 {
		t.Errorf("a create made %d file syscalls with %d containers running, %d with none: it grows with their number",
			last.calls, scaleRunning, first.calls)
	}
	t.Logf("create: %d file syscalls alone, %d with %d running; %d others touched", first.calls, last.calls, scaleRunning, len(others))
}

type trace struct {
	calls int    // file syscalls of runnc (and of init before it execs)
	files string // the paths it named, one a line
}

// tracedCreate runs `runnc create` under strace and deletes the container
// again.
func (e *env) tracedCreate(bundle, id string) trace {
	e.t.Helper()
	out := filepath.Join(e.t.TempDir(), "strace")
	// -f for runnc's threads; -b execve lets go of init as it execs
	// runnc-init, which lives on. Only the calls that name or lock files
	// and list directories are counted: the Go runtime's own (futex,
	// nanosleep, mmap) vary from run to run with the machine's load.
	args := append([]string{"-f", "-b", "execve", "-e", "trace=%file,fcntl,flock,getdents64",
		"-o", out, "-qq", e.Bin}, e.GlobalArgs()...)
	args = append(args, "create", "--bundle", bundle, id)
	// A file, not a pipe, for the output: init keeps what it inherits, and
	// a pipe would never see EOF.
	log, err := os.Create(filepath.Join(e.t.TempDir(), "output"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("strace", args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(log.Name())
		e.t.Fatalf("strace runnc create %s: %v: %s", id, err, b)
	}
	if res := e.Run("delete", "--force", id); res.Code != 0 {
		e.t.Fatalf("delete %s: %s", id, res.Stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		e.t.Fatal(err)
	}
	var tr trace
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "---") {
			continue
		}
		tr.calls++
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
