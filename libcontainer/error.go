package libcontainer

import (
	"errors"
	"fmt"
)

// ErrorCode classifies the errors this package returns, so callers can react
// to a kind of failure (errors.Is(err, ErrNotExist)) without parsing text.
type ErrorCode int

const (
	IdInUse ErrorCode = iota + 1
	InvalidIdFormat
	ContainerNotExists
	ContainerPaused
	ContainerNotStopped
	ContainerNotRunning
	ConfigInvalid
	SystemError
	StateUnreadable
)

func (c ErrorCode) String() string {
	switch c {
	case IdInUse:
		return "id already in use"
	case InvalidIdFormat:
		return "invalid container id"
	case ContainerNotExists:
		return "container does not exist"
	case ContainerPaused:
		return "container paused"
	case ContainerNotStopped:
		return "container not stopped"
	case ContainerNotRunning:
		return "container not running"
	case ConfigInvalid:
		return "invalid configuration"
	case SystemError:
		return "system error"
	case StateUnreadable:
		return "container state unreadable"
	}
	return fmt.Sprintf("error code %d", int(c))
}

// Error is an error with a code. Its message is a whole sentence meant for
// the user; Cause (if any) is kept for errors.Is/As.
type Error struct {
	Code  ErrorCode
	Msg   string
	Cause error
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Code.String()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrNotExist) match any Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Msg == "" && t.Code == e.Code
}

// Sentinels to test against with errors.Is.
var (
	ErrIdInUse       = &Error{Code: IdInUse}
	ErrInvalidID     = &Error{Code: InvalidIdFormat}
	ErrNotExist      = &Error{Code: ContainerNotExists}
	ErrPaused        = &Error{Code: ContainerPaused}
	ErrNotStopped    = &Error{Code: ContainerNotStopped}
	ErrNotRunning    = &Error{Code: ContainerNotRunning}
	ErrConfigInvalid = &Error{Code: ConfigInvalid}
	ErrSystem        = &Error{Code: SystemError}
	// ErrStateUnreadable: state.json is there but cannot be read back
	// (corrupt, or naming handlers this runnc lacks). List shows such a
	// container and delete --force removes it (RemoveUnreadable).
	ErrStateUnreadable = &Error{Code: StateUnreadable}
)

func newError(code ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Cause: cause}
}

// systemError wraps an unexpected failure of the host (a syscall, a file)
// while keeping its cause testable.
func systemError(err error, format string, args ...any) error {
	var e *Error
	if errors.As(err, &e) {
		return fmt.Errorf(format+": %w", append(args, err)...)
	}
	return &Error{Code: SystemError, Msg: fmt.Sprintf(format, args...) + ": " + err.Error(), Cause: err}
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
