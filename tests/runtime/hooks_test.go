package runtime_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// writeHook writes a shell script hook into dir and returns its path.
func writeHook(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// Prestart and createRuntime hooks run in the host's namespaces with the
// state on stdin (status creating, the pid of init), their own env, and
// the bundle as cwd; poststart after start, poststop at delete.
func TestHooksSeeTheState(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	b := e.bundle([]string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		record := func(name string) specs.Hook {
			return specs.Hook{
				Path: writeHook(t, out, name+".sh", `cat > `+out+`/`+name+`.json; pwd > `+out+`/`+name+`.cwd; echo "$HOOKVAR" > `+out+`/`+name+`.env`),
				Env:  []string{"HOOKVAR=" + name},
			}
		}
		s.Hooks = &specs.Hooks{
			Prestart:      []specs.Hook{record("prestart")},
			CreateRuntime: []specs.Hook{record("createRuntime")},
			Poststart:     []specs.Hook{record("poststart")},
			Poststop:      []specs.Hook{record("poststop")},
		}
	})
	e.create("hooked", b)
	c := e.state("hooked")
	for _, name := range []string{"prestart", "createRuntime"} {
		var st specs.State
		data, err := os.ReadFile(filepath.Join(out, name+".json"))
		if err != nil {
			t.Fatalf("%s hook did not run: %v", name, err)
		}
		if err := json.Unmarshal(data, &st); err != nil {
			t.Fatalf("%s hook got %q on stdin: %v", name, data, err)
		}
		if st.Status != specs.StateCreating || st.Pid != c.Pid || st.ID != "hooked" || st.Bundle != b {
			t.Errorf("%s hook got state %+v, want creating, pid %d", name, st, c.Pid)
		}
		if cwd, _ := os.ReadFile(filepath.Join(out, name+".cwd")); strings.TrimSpace(string(cwd)) != b {
			t.Errorf("%s hook ran in %q, want the bundle %s", name, cwd, b)
		}
		if env, _ := os.ReadFile(filepath.Join(out, name+".env")); strings.TrimSpace(string(env)) != name {
			t.Errorf("%s hook env HOOKVAR=%q", name, env)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "poststart.json")); err == nil {
		t.Error("poststart ran before start")
	}
	if _, stderr, code := e.runnc_("start", "hooked"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "poststart.json")); err != nil {
		t.Errorf("poststart did not run at start: %v", err)
	}
	if _, stderr, code := e.runnc_("delete", "--force", "hooked"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "poststop.json")); err != nil {
		t.Errorf("poststop did not run at delete: %v", err)
	}
}

// A failing or hanging prestart hook fails create with the hook's words,
// and nothing of the container is left.
func TestFailingHooks(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	two := 2
	for _, tc := range []struct {
		name, want string
		hook       specs.Hook
	}{
		{"failing", "no network for you", specs.Hook{Path: writeHook(t, dir, "fail.sh", "echo no network for you >&2; exit 3")}},
		{"hanging", "timeout", specs.Hook{Path: writeHook(t, dir, "hang.sh", "exec sleep 30"), Timeout: &two}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.bundle([]string{"/hello.nabla"}, func(s *specs.Spec) {
				s.Hooks = &specs.Hooks{Prestart: []specs.Hook{tc.hook}}
			})
			e.refused(tc.name, tc.want, "create", "--bundle", b, tc.name)
		})
	}
}

// make demo's script runs hello through runnc and prints Hello, World.
func TestDemo(t *testing.T) {
	testenv.RequireRoot(t)
	// The demo runs runnc with its default disk directory and cache: the
	// image it leaves unused is the test's to remove.
	testenv.CleanUpDiskImages(t, llcli.DefaultDiskDir)
	cmd := exec.Command(filepath.Join(testenv.Repo(t), "scripts/demo.sh"))
	cmd.Env = append(os.Environ(), "BUILD="+testenv.BuildDir(t))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Hello, World") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
}
