package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// runcEnv is runc 1.1.5, the runtime engines are written against, with a
// private state root: what runnc prints where engines parse it is checked
// against what runc prints in the same situation.
type runcEnv struct {
	t    *testing.T
	bin  string
	root string
}

func newRunc(t *testing.T) *runcEnv {
	t.Helper()
	bin, err := exec.LookPath("runc")
	if err != nil {
		t.Fatal("runc is not installed: apt-get install runc (runnc's output is checked against runc 1.1.5's)")
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "runc version 1.1.5") {
		t.Fatalf("%s is not runc 1.1.5 (%q, %v): the checks compare with that version", bin, out, err)
	}
	r := &runcEnv{t: t, bin: bin, root: filepath.Join(t.TempDir(), "runc-root")}
	t.Cleanup(func() {
		ids, _ := os.ReadDir(r.root)
		for _, id := range ids {
			r.run("delete", "--force", id.Name())
		}
	})
	return r
}

// run runs runc with its root and args, stdio not shared with the test
// (a container created through it may hold them).
func (r *runcEnv) run(args ...string) testenv.Result {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(r.bin, append([]string{"--root", r.root}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The container gets /dev/null, not the pipes above: runc create
	// returns at once, and the pipes close when it does.
	if args[0] == "create" {
		null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		if err != nil {
			r.t.Fatal(err)
		}
		defer null.Close()
		cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	}
	res := testenv.Result{Args: cmd.Args}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatalf("runc %v: %v", args, err)
		}
		res.Code = ee.ExitCode()
	}
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	return res
}

// bundle is a bundle running busybox (static, from the host) with args.
func (r *runcEnv) bundle(args ...string) string {
	r.t.Helper()
	dir := r.t.TempDir()
	bin := filepath.Join(dir, "rootfs", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		r.t.Fatal(err)
	}
	src, err := os.Open("/usr/bin/busybox")
	if err != nil {
		r.t.Fatalf("busybox (static) is needed for runc's bundle: %v", err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(bin, "busybox"), os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		r.t.Fatal(err)
	}
	dst.Close()
	for _, applet := range []string{"sleep", "true"} {
		if err := os.Symlink("busybox", filepath.Join(bin, applet)); err != nil {
			r.t.Fatal(err)
		}
	}
	if res := r.run("spec", "--bundle", dir); res.Code != 0 {
		r.t.Fatalf("runc spec: %s", res.Stderr)
	}
	spec := testenv.ReadSpec(r.t, dir)
	spec.Process.Args = args
	spec.Process.Terminal = false
	testenv.WriteSpec(r.t, dir, spec)
	return dir
}

// jsonShape is what must match between runc's and runnc's JSON: the
// keys of each object in order and the kind of each value (the values
// themselves differ: ids, pids, paths, times).
func jsonShape(t *testing.T, data string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(data))
	type frame struct{ object, wantKey bool }
	var stack []frame
	var shape []string
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return strings.Join(shape, " ")
		}
		if err != nil {
			t.Fatalf("%q is not JSON: %v", data, err)
		}
		n := len(stack)
		switch v := tok.(type) {
		case json.Delim:
			shape = append(shape, v.String())
			if v == '{' || v == '[' {
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
				continue
			}
			stack = stack[:n-1]
			valueDone()
		case string:
			if n > 0 && stack[n-1].wantKey {
				shape = append(shape, strconv.Quote(v)+":")
				stack[n-1].wantKey = false
				continue
			}
			shape = append(shape, "string")
			valueDone()
		case nil:
			shape = append(shape, "null")
			valueDone()
		default:
			shape = append(shape, fmt.Sprintf("%T", v))
			valueDone()
		}
	}
}

// sameJSONForm checks that runnc printed JSON as runc did: the same shape
// and the same layout (one compact line, or runc's indentation), byte for
// byte once the values are set aside.
func sameJSONForm(t *testing.T, what, runc, runnc string) {
	t.Helper()
	if rs, ns := jsonShape(t, runc), jsonShape(t, runnc); rs != ns {
		t.Errorf("%s: runnc's JSON has the shape\n%s\nrunc's\n%s\n(runnc %q, runc %q)", what, ns, rs, runnc, runc)
	}
	layout := func(s string) string {
		var out strings.Builder
		inString := false
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case inString && c == '\\':
				i++
			case c == '"':
				inString = !inString
			case !inString && strings.IndexByte(" \n\t{}[],:", c) >= 0:
				out.WriteByte(c)
			}
		}
		return out.String()
	}
	if layout(runc) != layout(runnc) {
		t.Errorf("%s: runnc's layout %q differs from runc's %q (runnc printed %q, runc %q)", what, layout(runnc), layout(runc), runnc, runc)
	}
}

// list -f json, ps -f json and state print what runc prints, and kill,
// delete and an unknown command fail (or not) as runc's do, with the
// words containerd's shim and podman look for.
func TestOutputAsRunc(t *testing.T) {
	e := newEnv(t)
	r := newRunc(t)
	// Distinct ids: both runtimes put a container in cgroup /<id>.
	const rid, nid = "cl-asrunc-r", "cl-asrunc-n"

	list := func() (runcOut, runncOut string) {
		t.Helper()
		rr := r.run("list", "-f", "json")
		nn := e.Run("list", "-f", "json")
		if rr.Code != 0 || nn.Code != 0 {
			t.Fatalf("list: runc %d %s, runnc %d %s", rr.Code, rr.Stderr, nn.Code, nn.Stderr)
		}
		return rr.Stdout, nn.Stdout
	}
	rl, nl := list()
	if rl != "null\n" || nl != rl {
		t.Errorf("list -f json of no container: runnc %q, runc %q", nl, rl)
	}
	// go-runc, which containerd's shim uses, reads runc's null.
	if l, err := e.runc.List(context.Background()); err != nil || len(l) != 0 {
		t.Errorf("go-runc List of no container: %v, %v", l, err)
	}

	if res := r.run("create", "--bundle", r.bundle("sleep", "60"), rid); res.Code != 0 {
		t.Fatalf("runc create: %s %s", res.Stdout, res.Stderr)
	}
	e.create(nid, e.bundle([]string{"/hello.nabla", "sleep"}, nil))

	rl, nl = list()
	sameJSONForm(t, "list -f json", rl, nl)
	var rs, ns []map[string]any
	json.Unmarshal([]byte(rl), &rs)
	json.Unmarshal([]byte(nl), &ns)
	if len(ns) != 1 || len(rs) != 1 || ns[0]["status"] != rs[0]["status"] || ns[0]["owner"] != rs[0]["owner"] {
		t.Errorf("list: runnc %v, runc %v", ns, rs)
	}
	rp, np := r.run("ps", "-f", "json", rid), e.Run("ps", "-f", "json", nid)
	sameJSONForm(t, "ps -f json of a created container", rp.Stdout, np.Stdout)
	rst, nst := r.run("state", rid), e.Run("state", nid)
	sameJSONForm(t, "state", rst.Stdout, nst.Stdout)

	// kill ID 0 only asks whether the container runs.
	for _, res := range []testenv.Result{r.run("kill", rid, "0"), e.Run("kill", nid, "0")} {
		if res.Code != 0 {
			t.Errorf("%v: exit %d %s, want 0 for a live container", res.Args, res.Code, res.Stderr)
		}
	}
	for _, res := range []testenv.Result{r.run("kill", rid, "KILL"), e.Run("kill", nid, "KILL")} {
		if res.Code != 0 {
			t.Fatalf("%v: exit %d %s", res.Args, res.Code, res.Stderr)
		}
	}
	e.waitStatus(nid, "stopped")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(r.run("state", rid).Stdout, `"stopped"`) {
		if time.Now().After(deadline) {
			t.Fatal("runc's container never stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}

	rp, np = r.run("ps", "-f", "json", rid), e.Run("ps", "-f", "json", nid)
	if rp.Stdout != "null\n" || np.Stdout != rp.Stdout {
		t.Errorf("ps -f json of a stopped container: runnc %q, runc %q", np.Stdout, rp.Stdout)
	}
	if pids, err := e.runc.Ps(context.Background(), nid); err != nil || len(pids) != 0 {
		t.Errorf("go-runc Ps of a stopped container: %v, %v", pids, err)
	}
	// containerd's shim reports NotFound, not "unknown error after kill",
	// for these words (pkg/process checkKillError).
	for _, sig := range []string{"KILL", "0"} {
		for _, res := range []testenv.Result{r.run("kill", rid, sig), e.Run("kill", nid, sig)} {
			if res.Code != 1 || !strings.Contains(res.Stderr, "container not running") {
				t.Errorf("%v on a stopped container: exit %d, stderr %q; want 1 and \"container not running\"", res.Args, res.Code, res.Stderr)
			}
		}
	}
	for _, res := range []testenv.Result{r.run("delete", rid), e.Run("delete", nid)} {
		if res.Code != 0 {
			t.Fatalf("%v: %s", res.Args, res.Stderr)
		}
	}
	// The shim's delete and podman's state look for "does not exist".
	for _, verb := range []string{"kill", "delete", "state"} {
		for _, res := range []testenv.Result{r.run(verb, rid), e.Run(verb, nid)} {
			if res.Code != 1 || !strings.Contains(res.Stderr, "does not exist") {
				t.Errorf("%v of a deleted container: exit %d, stderr %q; want 1 and \"does not exist\"", res.Args, res.Code, res.Stderr)
			}
		}
	}
	for _, res := range []testenv.Result{r.run("frobnicate"), e.Run("frobnicate")} {
		if res.Code != 3 {
			t.Errorf("%v: exit %d, want 3", res.Args, res.Code)
		}
	}
}

// Every flag of runc 1.1.5 is accepted with runc's meaning, or as a
// documented no-op, or refused with a sentence.
func TestRuncFlags(t *testing.T) {
	e := newEnv(t)
	hello := e.bundle([]string{"/hello.nabla"}, nil)

	if res := e.Run("--criu", "/usr/sbin/criu", "--rootless", "auto", "list", "-q"); res.Code != 0 {
		t.Errorf("global --criu and --rootless: %s", res.Stderr)
	}
	// run --keep leaves the stopped container for delete.
	if res := e.Run("run", "--keep", "--no-subreaper", "--bundle", hello, "cl-keep"); res.Code != 0 || !strings.Contains(res.Stdout, "Hello, World") {
		t.Fatalf("run --keep --no-subreaper: exit %d, %q %q", res.Code, res.Stdout, res.Stderr)
	}
	if c := e.state("cl-keep"); c.Status != "stopped" {
		t.Errorf("after run --keep the container is %q, want stopped", c.Status)
	}
	if res := e.Run("delete", "cl-keep"); res.Code != 0 {
		t.Errorf("delete after run --keep: %s", res.Stderr)
	}

	e.create("cl-upd", e.bundle([]string{"/hello.nabla", "sleep"}, nil))
	if res := e.Run("update", "--cpu-rt-period", "1000000", "cl-upd"); res.Code != 0 {
		t.Errorf("update --cpu-rt-period: %s", res.Stderr)
	} else if data, err := os.ReadFile(cgroupFile(t, e.state("cl-upd").Pid, "cpu", "cpu.rt_period_us", "cpu.rt_period_us")); err == nil /* none in cgroup v2 */ && strings.TrimSpace(string(data)) != "1000000" {
		t.Errorf("cpu.rt_period_us is %q after update --cpu-rt-period 1000000", data)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"spec", "--rootless", "--bundle", t.TempDir()}, "no rootless template"},
		{[]string{"update", "--l3-cache-schema", "L3:0=f", "cl-upd"}, "Intel RDT"},
		{[]string{"update", "--mem-bw-schema", "MB:0=50", "cl-upd"}, "Intel RDT"},
		// A size past int64 must not reach the cgroup as a negative number.
		{[]string{"update", "--memory", "99999999999999999999", "cl-upd"}, "is not a size"},
		{[]string{"update", "--memory", "16E", "cl-upd"}, "is not a size"},
		{[]string{"update", "--cpu-share", "-2", "cl-upd"}, "not valid"},
		{[]string{"update", "--blkio-weight", "70000", "cl-upd"}, "not valid"},
		{[]string{"run", "--bundle", hello, "cl-args", "extra"}, "need --image"},
	} {
		e.refused("", c.want, c.args...)
	}
	if data, err := os.ReadFile(cgroupFile(t, e.state("cl-upd").Pid, "memory", "memory.limit_in_bytes", "memory.max")); err != nil {
		t.Error(err)
	} else if v := strings.TrimSpace(string(data)); v != "max" {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
			t.Errorf("memory.limit_in_bytes is %q after refused updates", data)
		}
	}
}

// Every flag runc 1.1.5's help lists, globally and for each command, is
// one runnc knows too (exec, checkpoint and restore take any flag, to
// refuse the command itself with a sentence).
func TestEveryRuncFlagIsKnown(t *testing.T) {
	e := newEnv(t)
	r := newRunc(t)
	flag := regexp.MustCompile(`(?m)^\s+(-{1,2}[a-z0-9-]+)(?: value)?(?:, (-{1,2}[a-z0-9-]+))?`)
	flags := func(help string) map[string]bool {
		set := map[string]bool{}
		for _, m := range flag.FindAllStringSubmatch(help, -1) {
			set[m[1]] = true
			if m[2] != "" {
				set[m[2]] = true
			}
		}
		return set
	}
	for _, cmd := range []string{"", "create", "delete", "events", "kill", "list", "pause", "ps", "resume", "run", "spec", "start", "state", "update", "features"} {
		args := []string{"--help"}
		if cmd != "" {
			args = []string{"help", cmd}
		}
		rh, nh := r.run(args...), e.Run(args...)
		if !strings.Contains(rh.Stdout, "USAGE") || !strings.Contains(nh.Stdout, "USAGE") {
			t.Fatalf("%v printed no help: runc %q, runnc %q", args, rh.Stdout, nh.Stdout)
		}
		want, got := flags(rh.Stdout), flags(nh.Stdout)
		for f := range want {
			if !got[f] {
				t.Errorf("runc %s has %s, runnc does not", cmd, f)
			}
		}
	}
}
