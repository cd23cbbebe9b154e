package libcontainer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// `runnc create` and the container's init (runnc-init, nabla-lib/init, or
// StartInitialization, init.go) talk over a socket pair in frames of one type byte, a payload length
// (uint32, host byte order) and the payload:
//
//	init   -> parent 'R'  in the container's network namespace
//	parent -> init   'X'  the workload: argc, envc, then NUL-ended strings:
//	                      its path, argv, env, and the security label to
//	                      exec it with: a file below /proc/thread-self/attr
//	                      and what to write there ("" and "": none)
//	parent -> init   'P'  no workload: init pauses until a stop signal
//	init   -> parent EOF  init now blocks on the exec fifo: created
//
// Init sends 'E' with one line instead when it gives up; the parent gives
// up by closing its end, which makes init exit.
const (
	frameReady = 'R'
	frameExec  = 'X'
	framePause = 'P'
	frameError = 'E'

	// maxFrame bounds what either side reads, as runnc-init does.
	maxFrame = 8 << 20

	// Environment variables of init: the fds it inherits, the network
	// namespace to join (empty: init was cloned into a new one) and the
	// cgroup v1 directories to join, one per line.
	envInitPipe = "_RUNNC_INITPIPE"
	envFifoFd   = "_RUNNC_FIFOFD"
	envNetns    = "_RUNNC_NETNS"
	envCgroups  = "_RUNNC_CGROUPS"
)

type initPipe struct{ f *os.File }

func (p initPipe) send(typ byte, payload []byte) error {
	hdr := make([]byte, 5, 5+len(payload))
	hdr[0] = typ
	binary.NativeEndian.PutUint32(hdr[1:], uint32(len(payload)))
	_, err := p.f.Write(append(hdr, payload...))
	return err
}

// readFrame reads one frame of at most maxFrame bytes; io.EOF means the
// other side closed its end between frames.
func (p initPipe) readFrame() (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(p.f, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.NativeEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("message of %d bytes is larger than %d", n, maxFrame)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(p.f, payload); err != nil {
		return 0, nil, err
	}
	return hdr[0], payload, nil
}

// recv reads one frame from init; io.EOF means init closed its end
// between frames, and an error frame is init's initError.
func (p initPipe) recv() (byte, []byte, error) {
	typ, payload, err := p.readFrame()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return 0, nil, errors.New("init closed the socket mid-message")
	case err != nil && !errors.Is(err, io.EOF):
		return 0, nil, fmt.Errorf("read init's message: %w", err)
	case err != nil:
		return 0, nil, err
	case typ == frameError:
		return 0, nil, &initError{msg: string(payload)}
	}
	return typ, payload, nil
}

// expectReady waits until init is in the container's network namespace.
func (p initPipe) expectReady() error {
	typ, _, err := p.recv()
	if errors.Is(err, io.EOF) {
		return errors.New("init exited before it was ready")
	}
	if err == nil && typ != frameReady {
		err = fmt.Errorf("init sent message %q, not ready", typ)
	}
	return err
}

// sendWorkload hands init what to exec at start (nil: pause) and waits
// until init has taken it.
func (p initPipe) sendWorkload(w *llif.Workload, label execLabel) error {
	var err error
	if w == nil {
		err = p.send(framePause, nil)
	} else {
		var payload []byte
		if payload, err = encodeWorkload(w, label); err == nil {
			err = p.send(frameExec, payload)
		}
	}
	if err != nil {
		return err
	}
	typ, _, err := p.recv()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("init sent message %q after the workload", typ)
	}
	return err
}

// encodeWorkload is the payload of an exec frame: argc, envc, then the
// path, argv, env and the label's attr and value as NUL-ended strings.
func encodeWorkload(w *llif.Workload, label execLabel) ([]byte, error) {
	if w.Path == "" || len(w.Args) == 0 {
		return nil, errors.New("the exec handler gave a workload without a path or argv[0]")
	}
	b := binary.NativeEndian.AppendUint32(nil, uint32(len(w.Args)))
	b = binary.NativeEndian.AppendUint32(b, uint32(len(w.Env)))
	strs := append(append([]string{w.Path}, w.Args...), w.Env...)
	for _, s := range append(strs, label.attr, label.value) {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("workload %s: an argument, variable or security label holds a NUL byte", w.Path)
		}
		b = append(append(b, s...), 0)
	}
	if len(b) > maxFrame {
		return nil, fmt.Errorf("workload %s: arguments and environment take %d bytes, more than %d", w.Path, len(b), maxFrame)
	}
	return b, nil
}

// decodeWorkload is the init's side of encodeWorkload. It checks the
// counts and strings against the payload's length as runnc-init's
// parse_exec does, and says what is wrong in the same words.
func decodeWorkload(b []byte) (*llif.Workload, execLabel, error) {
	n := uint32(len(b))
	if n < 8 {
		return nil, execLabel{}, fmt.Errorf("exec message of %d bytes is too short", n)
	}
	argc, envc := binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:])
	// Every string takes at least its NUL, which bounds both counts.
	if argc == 0 || argc > n || envc > n {
		return nil, execLabel{}, fmt.Errorf("exec message counts %d arguments and %d variables in %d bytes", argc, envc, n)
	}
	// NUL-ended strings split into themselves and an empty tail.
	strs := strings.Split(string(b[8:]), "\x00")
	if uint32(len(strs)) != 4+argc+envc || strs[len(strs)-1] != "" {
		return nil, execLabel{}, fmt.Errorf("exec message does not hold exactly a path, %d arguments, %d variables and a label", argc, envc)
	}
	label := execLabel{attr: strs[len(strs)-3], value: strs[len(strs)-2]}
	if label.attr != "" && !slices.Contains(labelAttrs, label.attr) {
		return nil, execLabel{}, fmt.Errorf("exec message names the label file %q", label.attr)
	}
	return &llif.Workload{Path: strs[0], Args: strs[1 : 1+argc], Env: strs[1+argc : len(strs)-3]}, label, nil
}

// initError is a failure reported by the container's init.
type initError struct{ msg string }

func (e *initError) Error() string { return e.msg }

func socketPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "init-parent"), os.NewFile(uintptr(fds[1]), "init-child"), nil
}
