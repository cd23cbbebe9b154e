package libcontainer

import (
	"errors"

	"github.com/nabla-containers/runnc/internal/errclass"
)

// Sentinels classify this package's errors, as runc's do: callers test
// them with errors.Is. An error's text is a sentence for the user, which
// need not be its sentinel's; a failure of the host (a syscall, a file) is
// none of these and wraps its cause, so errors.Is(err, fs.ErrPermission)
// tells it.
var (
	ErrExist         = errors.New("container already exists")
	ErrInvalidID     = errors.New("invalid container id")
	ErrNotExist      = errors.New("container does not exist")
	ErrPaused        = errors.New("container paused")
	ErrNotPaused     = errors.New("container not paused")
	ErrRunning       = errors.New("container still running")
	ErrNotRunning    = errors.New("container not running")
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrStateUnreadable: state.json is there but cannot be read back
	// (corrupt, or naming handlers this program lacks). List shows such a
	// container and RemoveUnreadable deletes it.
	ErrStateUnreadable = errors.New("container state unreadable")
)

// errorf is fmt.Errorf whose error also wraps under without showing its
// text (see errclass).
func errorf(under error, format string, args ...any) error {
	return errclass.Errorf(under, format, args...)
}

// PhaseError is the failure of one handler phase (FsCreate, NetworkRun,
// ExecDestroy...). Its message is the handler's own sentence: the phase is
// runnc's internal name, which means nothing to a Docker user, so it stays
// in the error chain (errors.Is(err, &PhaseError{Phase: "ExecCreate"}),
// errors.As) and in the --debug log, not in the text.
type PhaseError struct {
	Phase string
	Err   error
}

func (e *PhaseError) Error() string { return e.Err.Error() }

func (e *PhaseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &PhaseError{Phase: p}) match a failure of phase p.
func (e *PhaseError) Is(target error) bool {
	t, ok := target.(*PhaseError)
	return ok && t.Err == nil && t.Phase == e.Phase
}
