package runtime_test

import (
	"debug/buildinfo"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestRunncStartsLean: what every start of runnc would pay for stays out
// of the binary: package regexp (regexp/syntax and the Unicode tables it
// needs are initialised at start). runnc starts three times per container.
func TestRunncStartsLean(t *testing.T) {
	info, err := buildinfo.ReadFile(testenv.Binary(t, "runnc"))
	if err != nil {
		t.Fatalf("runnc: %v", err)
	}
	var tags string
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			tags = s.Value
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-tags", tags, "./runnc")
	cmd.Dir = testenv.Repo(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./runnc: %v", err)
	}
	deps := strings.Fields(string(out))
	if slices.Contains(deps, "regexp") {
		t.Error("runnc imports regexp again, which costs every start its initialisation")
	}
}
