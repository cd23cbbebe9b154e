package libcontainer

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// The parent (`runnc create`) and the container's init talk over a socket
// pair with one JSON message per step:
//
//	parent -> init   initConfig
//	init   -> parent syncMsg{Type: "ready"}     in the container's netns
//	parent -> init   syncMsg{Type: "run"}       prestart hooks have run
//	init   -> parent syncMsg{Type: "created"}   Fs/NetworkRun done; init now
//	                                            blocks on the exec fifo
//
// Either side may send syncMsg{Type: "error"} instead and give up.
const (
	msgReady   = "ready"
	msgRun     = "run"
	msgCreated = "created"
	msgError   = "error"

	// Environment variables naming the fds init inherits.
	envInitPipe = "_RUNNC_INITPIPE"
	envFifoFd   = "_RUNNC_FIFOFD"
)

// initConfig is everything init needs, since it shares nothing with the
// parent but this message.
type initConfig struct {
	ID        string              `json:"id"`
	Dir       string              `json:"dir"`
	Handlers  llif.Names          `json:"handlers"`
	State     *State              `json:"state"`
	Runtime   llif.RuntimeOptions `json:"runtime"`
	NetnsPath string              `json:"netns_path,omitempty"`
}

type syncMsg struct {
	Type     string        `json:"type"`
	Error    string        `json:"error,omitempty"`
	FsState  *llif.LLState `json:"fsstate,omitempty"`
	NetState *llif.LLState `json:"netstate,omitempty"`
}

type syncPipe struct {
	f   *os.File
	enc *json.Encoder
	dec *json.Decoder
}

func newSyncPipe(f *os.File) *syncPipe {
	return &syncPipe{f: f, enc: json.NewEncoder(f), dec: json.NewDecoder(f)}
}

func (p *syncPipe) send(v any) error { return p.enc.Encode(v) }

func (p *syncPipe) recv(v any) error { return p.dec.Decode(v) }

// expect reads the next message and checks it is of type want; an error
// message from the other side becomes the returned error.
func (p *syncPipe) expect(want string) (*syncMsg, error) {
	var m syncMsg
	if err := p.recv(&m); err != nil {
		return nil, fmt.Errorf("waiting for %q: %w", want, err)
	}
	if m.Type == msgError {
		return nil, &initError{msg: m.Error}
	}
	if m.Type != want {
		return nil, fmt.Errorf("expected %q, got %q", want, m.Type)
	}
	return &m, nil
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
