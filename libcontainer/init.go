package libcontainer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// StartInitialization is the container's init written in Go, for a program
// that embeds libcontainer and serves as its own containers' init (runc's
// re-exec pattern): a factory made with InitArgs starts the program again
// with those arguments, and the program, seeing them, calls
// StartInitialization before anything else, from an init function, so that
// it runs on the process's main thread. It does what runnc-init
// (nabla-lib/init) does and speaks its protocol (sync.go): it joins the
// container's cgroups and network namespace, takes the workload, waits for
// start and execs the workload in place.
//
// It returns only when this process was not started as a container's
// init. Otherwise it never returns: it becomes the workload, or exits as
// runnc-init does, 0 when an init without workload is stopped, 1 when it
// gives up and 127 when the workload cannot be executed, after saying why
// to the creating process or, once that has returned, on stderr.
func StartInitialization() error {
	syncFd, fifoFd := envFd(envInitPipe), envFd(envFifoFd)
	if syncFd < 0 || fifoFd < 0 {
		return errors.New("this program is a container's init only when a factory's Create starts it (InitArgs), not by hand")
	}
	in := goInit{pipe: &initPipe{f: os.NewFile(uintptr(syncFd), "init-pipe")}}
	// The network namespace is joined by this thread, which then execs the
	// workload; runnc create reads it through /proc/<pid>/ns/net, which
	// shows the main thread's.
	runtime.LockOSThread()
	if unix.Gettid() != unix.Getpid() {
		in.die(1, errors.New("StartInitialization must run on the main thread: call it from an init function"))
	}
	if dirs := os.Getenv(envCgroups); dirs != "" {
		for _, dir := range strings.Split(dirs, "\n") {
			// "0" moves the whole process: runnc-init writes it to "tasks",
			// which moves one thread, but a Go process has several.
			if err := nopoll.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte("0"), 0); err != nil {
				in.die(1, fmt.Errorf("join cgroup %s: %w", dir, err))
			}
		}
	}
	if path := os.Getenv(envNetns); path != "" {
		if err := joinNetns(path); err != nil {
			in.die(1, err)
		}
	}
	if err := in.pipe.send(frameReady, nil); err != nil {
		os.Exit(1) // runnc create is gone and has undone the container
	}
	typ, payload, err := in.pipe.readFrame()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		os.Exit(1) // runnc create gave up: a hook or a Run phase failed
	}
	if err != nil {
		in.die(1, err)
	}
	var stop chan os.Signal
	var w *llif.Workload
	switch typ {
	case frameExec:
		var label execLabel
		if w, label, err = decodeWorkload(payload); err != nil {
			in.die(1, err)
		}
		// Now, while runnc create still listens: the label holds for the
		// exec at start.
		if err := label.apply(); err != nil {
			in.die(1, err)
		}
	case framePause:
		// Caught before start returns, so that a stop signal sent at once
		// finds init waiting for it, as runnc-init blocks them.
		stop = make(chan os.Signal, 1)
		signal.Notify(stop, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	default:
		in.die(1, fmt.Errorf("unexpected message type %d", typ))
	}
	// EOF tells runnc create that the container is created.
	in.pipe.f.Close()
	in.pipe = nil
	if err := waitForStart(fifoFd); err != nil {
		in.die(1, err)
	}
	if w == nil {
		<-stop
		os.Exit(0)
	}
	err = unix.Exec(w.Path, w.Args, w.Env)
	in.die(127, fmt.Errorf("exec %s: %w", w.Path, err))
	return nil
}

// goInit is StartInitialization's way to report: over the pipe while
// runnc create listens, then on stderr.
type goInit struct{ pipe *initPipe }

// die reports err as runnc-init's die does and exits with status.
func (in *goInit) die(status int, err error) {
	if in.pipe == nil || in.pipe.send(frameError, []byte(err.Error())) != nil {
		fmt.Fprintf(os.Stderr, "container init: %v\n", err)
	}
	os.Exit(status)
}

// envFd is the fd number in environment variable name, or -1.
func envFd(name string) int {
	fd, err := strconv.Atoi(os.Getenv(name))
	if err != nil || fd < 0 {
		return -1
	}
	return fd
}

// joinNetns moves the calling thread into the network namespace at path.
func joinNetns(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("network namespace %s cannot be opened: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("network namespace %s cannot be joined (is it a network namespace?): %w", path, err)
	}
	return nil
}

// waitForStart blocks until `runnc start` opens the exec fifo, whose
// O_PATH fd init inherited, then lets it return by writing one byte.
func waitForStart(fifoFd int) error {
	var fd int
	var err error
	for {
		fd, err = unix.Open("/proc/self/fd/"+strconv.Itoa(fifoFd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	unix.Close(fifoFd)
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte("0")); err != nil {
		return fmt.Errorf("write exec fifo: %w", err)
	}
	return nil
}
