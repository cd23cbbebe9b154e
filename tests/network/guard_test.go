package network_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
)

const guardChildEnv = "NBTEST_GUARD_CHILD"

// guardChild is this test binary re-executed as a stand-in for a `runnc
// create` whose NetworkRun thread never left the namespace of its caller
// (the shim, in the host's): NetworkRun must refuse instead of taking over
// that namespace's eth0.
func guardChild() int {
	c := newContainer("guard", "")
	if err := c.create(); err != nil {
		fmt.Println("create:", err)
		return 1
	}
	_, err := c.h.NetworkRunFunc(&llif.NetworkRunInput{Input: c.in})
	fmt.Println("run:", err)
	return 0
}

func TestRunRefusesItsParentsNamespace(t *testing.T) {
	p := newPod(t, "10.198.16.2/24", "10.198.16.1/24", "10.198.16.1", false)
	before := podSnapshot(t, p.ns)
	// sh, in the pod's namespace, is the parent; "; true" keeps it from
	// exec'ing the child in its place.
	cmd := exec.Command("ip", "netns", "exec", p.ns, "sh", "-c", `"$0" -test.run=^$; true`, os.Args[0])
	cmd.Env = append(os.Environ(), guardChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "run: host networking is not supported") {
		t.Errorf("run in its parent's namespace: %v, output %q; want the host networking refusal", err, out)
	}
	if after := podSnapshot(t, p.ns); after != before {
		t.Errorf("the refused run changed the namespace:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
