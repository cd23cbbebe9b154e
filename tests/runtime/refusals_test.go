package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// refused checks a failed runnc call the way a user meets it: non-zero
// exit, one line on stderr, the same message as the last JSON log line,
// and (when id is given) nothing left in the state root for that id.
func (e *env) refused(id, wantSub string, args ...string) {
	e.t.Helper()
	_, stderr, code := e.runnc_(args...)
	if code == 0 {
		e.t.Fatalf("runnc %v succeeded, want a refusal", args)
	}
	msg := strings.TrimSpace(stderr)
	if strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, "runnc: ") {
		e.t.Errorf("runnc %v: stderr is not one line starting with \"runnc: \": %q", args, stderr)
	}
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(wantSub)) {
		e.t.Errorf("runnc %v: stderr %q lacks %q", args, msg, wantSub)
	}
	if log := e.LastLog(); "runnc: "+log != msg {
		e.t.Errorf("runnc %v: last log line %q differs from stderr %q", args, log, msg)
	}
	if id != "" && id != "../x" {
		if _, err := os.Stat(filepath.Join(e.Root, id)); err == nil {
			e.t.Errorf("runnc %v left state for %s", args, id)
		}
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	good := e.bundle([]string{"/hello.nabla", "sleep"}, nil)

	t.Run("bad ids", func(t *testing.T) {
		e.refused("../x", "not valid", "create", "--bundle", good, "../x")
		e.refused("", "empty", "create", "--bundle", good, "")
		e.refused("", "1025 characters", "create", "--bundle", good, strings.Repeat("a", 1025))
	})
	t.Run("no config.json", func(t *testing.T) {
		e.refused("nocfg", "has no config.json", "create", "--bundle", t.TempDir(), "nocfg")
	})
	t.Run("malformed json", func(t *testing.T) {
		b := e.bundle([]string{"/hello.nabla"}, nil)
		os.WriteFile(filepath.Join(b, "config.json"), []byte(`{"ociVersion": "1.0.2", "process": {`), 0o644)
		e.refused("badjson", "not valid OCI JSON", "create", "--bundle", b, "badjson")
	})
	t.Run("missing rootfs", func(t *testing.T) {
		b := e.bundle([]string{"/hello.nabla"}, func(s *specs.Spec) { s.Root.Path = "nowhere" })
		e.refused("norootfs", "nowhere", "create", "--bundle", b, "norootfs")
	})
	t.Run("not a unikernel entrypoint", func(t *testing.T) {
		b := e.bundle([]string{"/bin/sh"}, nil)
		if err := os.MkdirAll(filepath.Join(b, "rootfs/bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b, "rootfs/bin/sh"), []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		e.refused("notnabla", "entrypoint /bin/sh is not a unikernel runnc can run", "create", "--bundle", b, "notnabla")
	})
	t.Run("entrypoint missing", func(t *testing.T) {
		b := e.bundle([]string{"/missing.nabla"}, nil)
		e.refused("missing", "missing.nabla", "create", "--bundle", b, "missing")
	})
	t.Run("unknown handler", func(t *testing.T) {
		b := e.bundle([]string{"/hello.nabla"}, func(s *specs.Spec) {
			s.Annotations = map[string]string{"org.nabla.runnc.network": "carrier-pigeon"}
		})
		e.refused("pigeon", "unknown network handler", "create", "--bundle", b, "pigeon")
	})

	t.Run("state machine", func(t *testing.T) {
		e.create("sm", good)
		e.refused("", "already exists", "create", "--bundle", good, "sm")
		if err := e.runc.Start(context.Background(), "sm"); err != nil {
			t.Fatal(err)
		}
		e.waitStatus("sm", "running")
		e.refused("", "already running", "start", "sm")
		e.refused("", "use --force", "delete", "sm")
		if _, stderr, code := e.runnc_("kill", "sm", "KILL"); code != 0 {
			t.Fatal(stderr)
		}
		e.waitStatus("sm", "stopped")
		e.refused("", "stopped", "start", "sm")
		if _, stderr, code := e.runnc_("delete", "sm"); code != 0 {
			t.Fatal(stderr)
		}
		e.refused("", "does not exist", "delete", "sm")
		if _, stderr, code := e.runnc_("delete", "--force", "sm"); code != 0 {
			t.Errorf("delete --force of a deleted container: %s", stderr)
		}
	})
}
