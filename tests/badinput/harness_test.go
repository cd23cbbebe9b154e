// Package badinput_test feeds runnc bad configs, bad command lines and a
// broken environment, and checks that each is refused the way a user (or
// containerd's shim) needs it: non-zero exit, one line on stderr saying
// what is wrong, the same sentence as the last JSON log line, and nothing
// left on the host.
package badinput_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// tried counts the bad inputs fed to runnc, for the summary TestMain prints.
var tried atomic.Int64

func TestMain(m *testing.M) {
	code := m.Run()
	fmt.Printf("badinput: %d bad inputs tried\n", tried.Load())
	os.Exit(code)
}

// bad is one bad input: a runnc command line (after the global flags) in
// which BUNDLE and ID are replaced by the case's bundle and container id.
type bad struct {
	name string
	args []string
	// want is part of the error message (compared without case).
	want string
	// noLog: the failure comes before the log file is opened, so only
	// stderr carries it.
	noLog bool
}

// env is a private runnc installation and the scope of what its
// containers may leave on the host.
type env struct {
	*testenv.Runnc
	scope testenv.Scope
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := testenv.NewRunnc(t)
	return &env{Runnc: r, scope: testenv.NewScope(t, r, "bad")}
}

var notInID = regexp.MustCompile(`[^\w+\-.]+`)

// id is a valid container id for a case, named after it.
func (e *env) id(name string) string {
	return e.scope.ID(notInID.ReplaceAllString(name, "-"))
}

func (e *env) snapshot(t *testing.T) testenv.Leftovers {
	t.Helper()
	return e.Snapshot(t, e.scope)
}

// refuse runs c with bundle and id and checks the refusal.
func (e *env) refuse(t *testing.T, c bad, bundle, id string) {
	t.Helper()
	tried.Add(1)
	before := e.snapshot(t)
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = strings.NewReplacer("BUNDLE", bundle, "ID", id).Replace(a)
	}
	os.Remove(e.Log)
	res := e.Run(args...)
	e.checkRefusal(t, res, c.want, c.noLog)
	before.CheckNone(t, e.snapshot(t), fmt.Sprintf("runnc %q", args))
}

// checkRefusal checks a failed invocation's exit, stderr and log.
func (e *env) checkRefusal(t *testing.T, res testenv.Result, want string, noLog bool) {
	t.Helper()
	if res.Code == 0 {
		t.Fatalf("runnc %q succeeded, want a refusal mentioning %q (stdout %q)", res.Args, want, res.Stdout)
	}
	testenv.NoPanic(t, res)
	msg := strings.TrimSuffix(res.Stderr, "\n")
	t.Log(msg) // with -v: every message, to read them all at once
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "runnc: ") {
		t.Errorf("runnc %q: stderr is not one line starting with \"runnc: \":\n%s", res.Args, res.Stderr)
	}
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Errorf("runnc %q: stderr %q lacks %q", res.Args, msg, want)
	}
	if noLog {
		return
	}
	if log := e.LastLog(); "runnc: "+log != msg {
		t.Errorf("runnc %q: last log line %q differs from stderr %q", res.Args, log, msg)
	}
}

// hello is a fresh bundle running hello.nabla with args.
func (e *env) hello(args ...string) string {
	return e.Bundle([]string{"hello.nabla"}, append([]string{"/hello.nabla"}, args...), nil)
}

// editJSON changes <bundle>/config.json as generic JSON, so a case can
// give any field any type.
func editJSON(t *testing.T, bundle string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// obj is m[key] as an object, made if missing.
func obj(m map[string]any, key string) map[string]any {
	o, ok := m[key].(map[string]any)
	if !ok {
		o = map[string]any{}
		m[key] = o
	}
	return o
}
