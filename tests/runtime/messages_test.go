package runtime_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A refusal names the container as its user knows it (the short id of an
// engine's 64-hex id, the CRI's container name) and no handler phase.
func TestErrorsNameTheContainer(t *testing.T) {
	e := newEnv(t)
	hex := strings.Repeat("c1", 32)
	missing := e.bundle([]string{"/missing.nabla"}, nil)
	e.refused(hex, "cannot create container "+hex[:12]+": entrypoint /missing.nabla does not exist", "create", "--bundle", missing, hex)
	cri := e.bundle([]string{"/missing.nabla"}, func(s *specs.Spec) {
		s.Annotations = map[string]string{"io.kubernetes.cri.container-name": "app", "io.kubernetes.cri.sandbox-name": "pod"}
	})
	e.refused(hex, "cannot create container app:", "create", "--bundle", cri, hex)
	for _, bad := range []string{hex, "FsCreate", "NetworkCreate", "ExecCreate"} {
		if msg := e.LastLog(); strings.Contains(msg, bad) {
			t.Errorf("refusal %q names %q", msg, bad)
		}
	}
}

// --debug logs what each phase did.
func TestDebugLogsEachPhase(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	if res := e.Run("--debug", "create", "--bundle", b, "cl-debug"); res.Code != 0 {
		t.Fatalf("create: %s", res.Stderr)
	}
	if res := e.Run("--debug", "delete", "--force", "cl-debug"); res.Code != 0 {
		t.Fatalf("delete: %s", res.Stderr)
	}
	data, err := os.ReadFile(e.Log)
	if err != nil {
		t.Fatal(err)
	}
	phases := map[string]bool{}
	var msgs, steps []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var entry struct{ Level, Msg, Phase, Step, Time string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry.Level == "debug" {
			phases[entry.Phase] = true
			msgs = append(msgs, entry.Msg)
			if step := entry.Step + entry.Phase; step != "" {
				steps = append(steps, step)
			}
		}
		// The steps are timed by their lines: a time in whole seconds
		// would time nothing.
		if !strings.Contains(entry.Time, ".") {
			t.Errorf("log line %q: its time has no fraction of a second", line)
		}
	}
	// The bench's breakdown of a run (tests/bench/steps.go) names these
	// steps, in this order.
	want := []string{"command", "config", "state", "FsCreate", "NetworkCreate", "ExecCreate", "cgroup", "init", "ready",
		"FsRun", "NetworkRun", "ExecRun", "workload", "command", "load", "config", "ExecDestroy", "NetworkDestroy", "FsDestroy", "deleted"}
	if !slices.Equal(steps, want) {
		t.Errorf("the steps of create and delete --force in the log are\n%q, want\n%q", steps, want)
	}
	for _, p := range []string{"FsCreate", "NetworkCreate", "ExecCreate", "FsRun", "NetworkRun", "ExecRun", "ExecDestroy", "NetworkDestroy", "FsDestroy"} {
		if !phases[p] {
			t.Errorf("no debug line for phase %s; debug lines: %q", p, msgs)
		}
	}
	for _, want := range []string{"init ", "workload sent", "sent signal 9", "deleted"} {
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m, want)
		}
		if !found {
			t.Errorf("no debug line says %q; debug lines: %q", want, msgs)
		}
	}
}

// A pod sandbox (a `pause` entrypoint) sends init no workload: create must
// not trip over that, with --debug or without.
func TestSandboxCreateWithDebug(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/pause"}, nil)
	for _, args := range [][]string{{"--debug"}, nil} {
		if res := e.Run(append(args, "create", "--bundle", b, "cl-pause")...); res.Code != 0 {
			t.Fatalf("create %v of a sandbox: exit %d: %s", args, res.Code, res.Stderr)
		}
		if res := e.Run("delete", "--force", "cl-pause"); res.Code != 0 {
			t.Fatalf("delete: %s", res.Stderr)
		}
	}
}
