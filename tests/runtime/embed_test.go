package runtime_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The library's embedding example (examples/embed) is its own containers'
// init and brings its own exec handler: its container runs in a network
// namespace of its own, its exit status comes back, and it leaves no state.
func TestEmbeddingExample(t *testing.T) {
	testenv.RequireRoot(t)
	bin := testenv.Binary(t, "examples/embed")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "interfaces: lo\nexit status 0\n"},
		{[]string{"/bin/sh", "-c", "echo $0; exit 3", "a b"}, "a b\nexit status 3\n"},
	} {
		root := t.TempDir()
		out, err := exec.Command(bin, append([]string{"-root", root}, c.args...)...).CombinedOutput()
		if err != nil || string(out) != c.want {
			t.Errorf("embed %q: %v, %q; want %q", c.args, err, out, c.want)
		}
		if left, _ := os.ReadDir(root); len(left) != 0 {
			t.Errorf("embed %q left %v in its state root", c.args, left)
		}
	}
	// A program the handler cannot run is refused at create.
	out, err := exec.Command(bin, "-root", t.TempDir(), "/nonexistent/program").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cannot run /nonexistent/program") {
		t.Errorf("embed of a missing program: %v, %q", err, out)
	}
}
