package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Runnc is one private runnc installation for a test: its own state root,
// disk directory and JSON log below the test's temporary directory, so
// tests (and other packages' tests running at the same time) never see
// each other's containers.
type Runnc struct {
	T       testing.TB
	Bin     string
	Dir     string // the test's directory: root, disks, log and bundles live below it
	Root    string
	DiskDir string
	// DiskCache is --disk-cache. NewRunnc sets "0", so a delete leaves
	// nothing in DiskDir and tests can check that nothing is left; ""
	// gives runnc's default.
	DiskCache string
	Log       string
	// Extra global flags, e.g. --tender.
	Extra []string
}

// NewRunnc makes a private installation. Whatever the test leaves behind
// is deleted with --force when it ends.
func NewRunnc(t testing.TB) *Runnc {
	t.Helper()
	RequireRoot(t)
	dir := t.TempDir()
	r := &Runnc{
		T:         t,
		Bin:       Binary(t, "runnc"),
		Dir:       dir,
		Root:      filepath.Join(dir, "root"),
		DiskDir:   filepath.Join(dir, "disks"),
		DiskCache: "0",
		Log:       filepath.Join(dir, "log.json"),
	}
	Binary(t, "nabla-run")
	Binary(t, "runnc-init")
	if SystemdCgroup() {
		r.Extra = append(r.Extra, "--systemd-cgroup")
	}
	t.Cleanup(func() {
		ids, _ := os.ReadDir(r.Root)
		for _, id := range ids {
			r.Run("delete", "--force", id.Name())
		}
	})
	return r
}

// GlobalArgs are the flags containerd passes before every subcommand,
// plus DiskArgs and Extra.
func (r *Runnc) GlobalArgs() []string {
	args := append([]string{"--root", r.Root, "--log", r.Log, "--log-format", "json"}, r.DiskArgs()...)
	return append(args, r.Extra...)
}

// DiskArgs are the flags for the disk directory and the disk cache.
func (r *Runnc) DiskArgs() []string {
	args := []string{"--disk-dir", r.DiskDir}
	if r.DiskCache != "" {
		args = append(args, "--disk-cache", r.DiskCache)
	}
	return args
}

// Result is what one runnc invocation did.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int // exit status, -1 if killed by a signal
}

// Command is runnc with the global flags and args, its stdio files (not
// pipes: a container created through it inherits them and may outlive
// the call).
func (r *Runnc) Command(args ...string) *exec.Cmd {
	return exec.Command(r.Bin, append(r.GlobalArgs(), args...)...)
}

// CommandContext is Command killed when ctx is done.
func (r *Runnc) CommandContext(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, r.Bin, append(r.GlobalArgs(), args...)...)
}

// Run runs runnc with the global flags and args and waits for it.
func (r *Runnc) Run(args ...string) Result {
	return r.RunCmd(r.Command(args...))
}

// RunCmd runs a command made by Command (perhaps changed) and collects
// what it printed.
func (r *Runnc) RunCmd(cmd *exec.Cmd) Result {
	r.T.Helper()
	stdout, stderr := tempFile(r.T), tempFile(r.T)
	defer stdout.Close()
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	res := Result{Args: cmd.Args}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.Code = ee.ExitCode()
	} else if err != nil {
		r.T.Fatalf("run %v: %v", cmd.Args, err)
	}
	res.Stdout, res.Stderr = readAll(r.T, stdout), readAll(r.T, stderr)
	return res
}

// tempFile is an unlinked temporary file: nothing to clean up.
func tempFile(t testing.TB) *os.File {
	f, err := os.CreateTemp("", "runnc-out")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f.Name())
	return f
}

func readAll(t testing.TB, f *os.File) string {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// LastLog is the msg of the last line of the JSON log, which containerd
// shows the user as the error; "" if there is none.
func (r *Runnc) LastLog() string {
	data, _ := os.ReadFile(r.Log)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var entry struct {
		Msg string `json:"msg"`
	}
	if json.Unmarshal([]byte(lines[len(lines)-1]), &entry) != nil {
		return ""
	}
	return entry.Msg
}

// Bundle makes a bundle from `runnc spec` with the given guests (names
// below build/guests, e.g. "hello.nabla") in its rootfs and process.args
// = args, then lets edit change the spec.
func (r *Runnc) Bundle(guests []string, args []string, edit func(*specs.Spec)) string {
	r.T.Helper()
	dir, err := os.MkdirTemp(r.Dir, "bundle")
	if err != nil {
		r.T.Fatal(err)
	}
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		r.T.Fatal(err)
	}
	for _, g := range guests {
		data, err := os.ReadFile(Binary(r.T, "guests/"+g))
		if err != nil {
			r.T.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rootfs, g), data, 0o755); err != nil {
			r.T.Fatal(err)
		}
	}
	if res := r.Run("spec", "--bundle", dir); res.Code != 0 {
		r.T.Fatalf("runnc spec: %s", res.Stderr)
	}
	spec := ReadSpec(r.T, dir)
	spec.Process.Args = args
	if edit != nil {
		edit(spec)
	}
	WriteSpec(r.T, dir, spec)
	return dir
}

// ReadSpec reads <bundle>/config.json.
func ReadSpec(t testing.TB, bundle string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// WriteSpec writes s as <bundle>/config.json.
func WriteSpec(t testing.TB, bundle string, s *specs.Spec) {
	t.Helper()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
