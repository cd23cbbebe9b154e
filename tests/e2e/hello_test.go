package e2e_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The hello guest (nabla-lib/guest/apps/hello.c) prints `Hello, World`,
// then `arg[i]: ...` per argv element, `env: K=V` per environment entry,
// `cwd: ...` and `mem: N MiB`, one per line.

func TestRunHello(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", d.nabla(t), "/hello.nabla", "hola", `{"bla":"ble"}`)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, want := range []string{"Hello, World", "arg[0]: /hello.nabla", "arg[1]: hola", `arg[2]: {"bla":"ble"}`} {
		if !hasLine(r.stdout, want) {
			t.Errorf("output has no line with %q:\n%s", want, r.stdout)
		}
	}
}

func TestRunEnvAndWorkdir(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", "-e", "K=V", "-e", "GREETING=hola mundo", "-w", "/dir", d.nabla(t), "/hello.nabla")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, want := range []string{"env: K=V", "env: GREETING=hola mundo", "cwd: /dir"} {
		if !hasLine(r.stdout, want) {
			t.Errorf("output has no line with %q:\n%s", want, r.stdout)
		}
	}
}

func TestRunExitCode(t *testing.T) {
	d := dockerd(t)
	if _, r := d.run(t, "--rm", "--runtime=runnc", d.nabla(t), "/hello.nabla", "exit=7"); r.code != 7 {
		t.Errorf("docker run exit code %d, want the guest's 7\n%v", r.code, r)
	}
}

// TestRunEscape: a guest that tries a forbidden syscall is killed by
// SIGSYS, which docker reports as 128+31.
func TestRunEscape(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", d.nabla(t), "/escape.nabla", "open")
	if r.code != 159 {
		t.Errorf("docker run exit code %d, want 159 (SIGSYS)\n%v", r.code, r)
	}
	// The user learns why from the container's own output.
	if !strings.Contains(r.stdout, "the unikernel made syscall 2, which the seccomp allowlist forbids") {
		t.Errorf("docker run printed no line naming the forbidden syscall\n%v", r)
	}
}

// TestRunMissingUnikernel: a command that is not in the image fails the
// run with docker's usual "OCI runtime create failed" and a message naming
// the file, not a generic error.
func TestRunMissingUnikernel(t *testing.T) {
	d := dockerd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", d.nabla(t), "/missing.nabla")
	if r.code == 0 || !strings.Contains(r.stderr, "missing.nabla") {
		t.Errorf("want a failed run whose error names /missing.nabla\n%v", r)
	}
}

// hasLine reports whether some line of out, trimmed, is want.
func hasLine(out, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

var mibRE = regexp.MustCompile(`(?m)^mem: (\d+) MiB\r?$`)

// memoryMiB returns the memory size hello printed, or -1.
func memoryMiB(out string) int {
	m := mibRE.FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
