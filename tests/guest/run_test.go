// Package guest_test runs the sample unikernels built with the guest SDK
// (build/guests/*.nabla) in the real tender, build/nabla-run, and checks
// what they print, how they end, and that the seccomp filter stops every
// escape the escape guest tries. It also checks config-dump, the host build
// of the guests' CONFIG parser.
package guest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// hangGuard only stops a guest that never ends from hanging the test run;
// no test depends on how long a guest takes.
const hangGuard = 2 * time.Minute

// result is how a guest run ended.
type result struct {
	stdout string
	stderr string
	// status is the exit status, or -1 when a signal ended the guest.
	status int
	signal syscall.Signal
}

func (r result) String() string {
	end := "exit status " + strconv.Itoa(r.status)
	if r.status < 0 {
		end = "killed by " + r.signal.String()
	}
	return fmt.Sprintf("%s; stdout: %q; stderr: %q", end, r.stdout, r.stderr)
}

// runGuest runs build/guests/<guest>.nabla in the tender with the given
// tender options and CONFIG, its command line:
// nabla-run OPTIONS -- KERNEL CONFIG.
func runGuest(t *testing.T, guest string, opts []string, config string) result {
	t.Helper()
	testenv.RequireRoot(t)
	tender := testenv.Binary(t, "nabla-run")
	image := testenv.Binary(t, "guests/"+guest+".nabla")

	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	args := append(append([]string{}, opts...), "--", image, config)
	cmd := exec.CommandContext(ctx, tender, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	r.status, r.signal = testenv.Exit(t, err, "run "+tender+" "+strings.Join(args, " "))
	if ctx.Err() != nil {
		t.Fatalf("%s did not end within %v: %v", guest, hangGuard, r)
	}
	return r
}

// configJSON builds a CONFIG document from its parts in order; repeated
// keys (rumprun's "env") are why this is not a map.
func configJSON(t *testing.T, kv ...any) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(",")
		}
		k, err := json.Marshal(kv[i])
		if err != nil {
			t.Fatal(err)
		}
		v, err := json.Marshal(kv[i+1])
		if err != nil {
			t.Fatal(err)
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return b.String()
}
