package libcontainer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// goInitArg makes this test binary the Go init, as InitArgs makes a
// program that embeds libcontainer its containers' init.
const goInitArg = "init"

func init() {
	if len(os.Args) > 1 && os.Args[1] == goInitArg {
		err := StartInitialization()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// inits are the two container inits, which every protocol test runs
// against: runnc-init (C, built by make) and StartInitialization (this
// test binary started again).
var inits = []struct {
	name    string
	command func(t *testing.T) *exec.Cmd
}{
	{"runnc-init", func(t *testing.T) *exec.Cmd { return exec.Command(testenv.Binary(t, initName)) }},
	{"StartInitialization", func(t *testing.T) *exec.Cmd {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		return exec.Command(self, goInitArg)
	}},
}

// forEachInit runs test against each init.
func forEachInit(t *testing.T, test func(t *testing.T, command func(*testing.T) *exec.Cmd)) {
	for _, in := range inits {
		t.Run(in.name, func(t *testing.T) { test(t, in.command) })
	}
}

// initProc is a container init started as runnc create starts it, without
// namespaces or cgroups, with its stdout and stderr in out.
type initProc struct {
	cmd  *exec.Cmd
	pipe initPipe
	fifo string
	out  *bytes.Buffer
}

func startInit(t *testing.T, command func(*testing.T) *exec.Cmd) *initProc {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, fifoName)
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fifoFd, err := os.OpenFile(fifo, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fifoFd.Close()
	parent, child, err := socketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	p := &initProc{cmd: command(t), pipe: initPipe{f: parent}, fifo: fifo, out: &bytes.Buffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.ExtraFiles = []*os.File{child, fifoFd}
	p.cmd.Env = []string{envInitPipe + "=3", envFifoFd + "=4"}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		parent.Close()
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
	if err := p.pipe.expectReady(); err != nil {
		t.Fatalf("ready: %v", err)
	}
	return p
}

// start is `runnc start`: it lets init past the exec fifo.
func (p *initProc) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(p.fifo, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := f.Read(make([]byte, 1)); n != 1 {
		t.Fatalf("read exec fifo: %d bytes, %v", n, err)
	}
}

func TestInitExecsTheWorkloadAtStart(t *testing.T) {
	forEachInit(t, testInitExecsTheWorkloadAtStart)
}

func testInitExecsTheWorkloadAtStart(t *testing.T, command func(*testing.T) *exec.Cmd) {
	p := startInit(t, command)
	w := &llif.Workload{Path: "/bin/sh", Args: []string{"sh", "-c", `echo "$0 $1 [$V] $#"`, "a b", ""}, Env: []string{"V=x y"}}
	if err := p.pipe.sendWorkload(w, execLabel{}); err != nil {
		t.Fatalf("send workload: %v", err)
	}
	p.start(t)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("workload: %v (%s)", err, p.out)
	}
	if got, want := p.out.String(), "a b  [x y] 1\n"; got != want {
		t.Errorf("workload printed %q, want %q", got, want)
	}
}

func TestInitPausesWithoutWorkload(t *testing.T) {
	forEachInit(t, testInitPausesWithoutWorkload)
}

func testInitPausesWithoutWorkload(t *testing.T, command func(*testing.T) *exec.Cmd) {
	p := startInit(t, command)
	if err := p.pipe.sendWorkload(nil, execLabel{}); err != nil {
		t.Fatalf("send pause: %v", err)
	}
	p.start(t)
	if err := p.cmd.Process.Signal(unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("paused init after SIGTERM: %v, want exit 0 as pause does", err)
	}
}

// Init checks every count and string of the exec message against its
// length and reports what is wrong in one line.
func TestInitRefusesMalformedMessages(t *testing.T) {
	forEachInit(t, testInitRefusesMalformedMessages)
}

func testInitRefusesMalformedMessages(t *testing.T, command func(*testing.T) *exec.Cmd) {
	u32 := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.NativeEndian.AppendUint32(b, v)
		}
		return b
	}
	frame := func(typ byte, payload []byte) []byte {
		return append(append([]byte{typ}, u32(uint32(len(payload)))...), payload...)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		want  string
	}{
		{"short", frame(frameExec, []byte{1, 0}), "too short"},
		{"no arguments", frame(frameExec, append(u32(0, 0), "/bin/true\x00"...)), "counts 0 arguments"},
		{"huge counts", frame(frameExec, append(u32(1<<30, 0), "/bin/true\x00"...)), "counts 1073741824 arguments"},
		{"missing NUL", frame(frameExec, append(u32(1, 0), "/bin/true\x00true"...)), "does not hold exactly"},
		{"trailing bytes", frame(frameExec, append(u32(1, 0), "/bin/true\x00true\x00extra"...)), "does not hold exactly"},
		{"too few variables", frame(frameExec, append(u32(1, 2), "/bin/true\x00true\x00A=1\x00\x00\x00"...)), "does not hold exactly"},
		{"no label", frame(frameExec, append(u32(1, 0), "/bin/true\x00true\x00"...)), "does not hold exactly"},
		{"a label file of another kind", frame(frameExec, append(u32(1, 0), "/bin/true\x00true\x00../../../proc/sys/kernel/x\x00v\x00"...)), `names the label file "../../../proc/sys/kernel/x"`},
		// No security module here takes it: refused while create listens.
		{"a label the kernel refuses", frame(frameExec, append(u32(1, 0), "/bin/true\x00true\x00exec\x00no-such-label\x00"...)), `set the workload's security label "no-such-label"`},
		{"unknown type", frame('Z', nil), "unexpected message type"},
		// Refused from the header alone, before the payload is read.
		{"too large", append([]byte{frameExec}, u32(maxFrame+1)...), "is larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startInit(t, command)
			if _, err := p.pipe.f.Write(tc.frame); err != nil {
				t.Fatal(err)
			}
			_, _, err := p.pipe.recv()
			var ie *initError
			if !errors.As(err, &ie) || !strings.Contains(ie.msg, tc.want) {
				t.Errorf("init answered %v, want an error with %q", err, tc.want)
			}
			if err := p.cmd.Wait(); err == nil {
				t.Error("init exited 0 after refusing the message")
			}
		})
	}
}

// Init started by hand, without its fds, says so and exits.
func TestInitByHand(t *testing.T) {
	forEachInit(t, func(t *testing.T, command func(*testing.T) *exec.Cmd) {
		out, err := command(t).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not by hand") {
			t.Errorf("init by hand: %v, %q", err, out)
		}
	})
}

func TestEncodeWorkload(t *testing.T) {
	label := execLabel{attr: "apparmor/exec", value: "exec docker-default"}
	b, err := encodeWorkload(&llif.Workload{Path: "/p", Args: []string{"p", ""}, Env: []string{"A=1"}}, label)
	if err != nil {
		t.Fatal(err)
	}
	want := append(binary.NativeEndian.AppendUint32(binary.NativeEndian.AppendUint32(nil, 2), 1), "/p\x00p\x00\x00A=1\x00apparmor/exec\x00exec docker-default\x00"...)
	if !bytes.Equal(b, want) {
		t.Errorf("encoded %q, want %q", b, want)
	}
	for _, w := range []*llif.Workload{
		{Path: "", Args: []string{"x"}},
		{Path: "/p"},
		{Path: "/p", Args: []string{"a\x00b"}},
		{Path: "/p", Args: []string{"p"}, Env: []string{strings.Repeat("x", maxFrame)}},
	} {
		if _, err := encodeWorkload(w, execLabel{}); err == nil {
			t.Errorf("encodeWorkload(%.40q) succeeded", w.Args)
		}
	}
	got, gotLabel, err := decodeWorkload(b)
	if err != nil || got.Path != "/p" || !slices.Equal(got.Args, []string{"p", ""}) || !slices.Equal(got.Env, []string{"A=1"}) || gotLabel != label {
		t.Errorf("decodeWorkload(%q) = %+v, %+v, %v", b, got, gotLabel, err)
	}
}
