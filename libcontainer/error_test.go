package libcontainer

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// Every error names its sentinel in its chain without showing its text,
// and keeps its cause.
func TestErrorsMatchTheirSentinel(t *testing.T) {
	cause := fs.ErrPermission
	err := fmt.Errorf("outer: %w", errorf(ErrNotExist, "container x does not exist: %w", cause))
	if !errors.Is(err, ErrNotExist) || !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, ErrNotExist or its cause) = false", err)
	}
	if errors.Is(err, ErrExist) || errors.Is(err, ErrInvalidConfig) {
		t.Errorf("%v matches another sentinel", err)
	}
	if got := err.Error(); got != "outer: container x does not exist: permission denied" {
		t.Errorf("message %q", got)
	}
}

// One table answers every operation from every status, with runc's words
// where engines match them.
func TestTransitions(t *testing.T) {
	c := &nablaContainer{id: "web", state: &State{}}
	for _, tc := range []struct {
		op   operation
		from Status
		kind error // nil: allowed
		text string
	}{
		{opStart, Created, nil, ""},
		{opStart, Running, ErrRunning, "cannot start container web: it is already running"},
		{opStart, Paused, ErrPaused, "cannot start container web: it is paused; resume it first"},
		{opStart, Stopped, ErrNotRunning, "cannot start container web: it is stopped; delete it and create it again"},
		{opPause, Created, nil, ""},
		{opPause, Running, nil, ""},
		{opPause, Paused, ErrPaused, "cannot pause container web: it is already paused"},
		{opPause, Stopped, ErrNotRunning, "cannot pause container web: it is stopped"},
		{opResume, Paused, nil, ""},
		{opResume, Running, ErrNotPaused, "cannot resume container web: it is running, not paused"},
		{opResume, Stopped, ErrNotRunning, "cannot resume container web: it is stopped, not paused"},
		{opUpdate, Paused, nil, ""},
		{opUpdate, Stopped, ErrNotRunning, "cannot update container web: it is stopped"},
		{opStats, Running, nil, ""},
		{opStats, Stopped, ErrNotRunning, "cannot read the statistics of container web: it is stopped"},
		{opSignal, Paused, nil, ""},
		{opSignal, Stopped, ErrNotRunning, "cannot signal container web: container not running (it has stopped)"},
		{opDelete, Created, nil, ""},
		{opDelete, Stopped, nil, ""},
		{opDelete, Running, ErrRunning, "cannot delete container web: it is running; stop it first or use --force"},
		{opDelete, Paused, ErrPaused, "cannot delete container web: it is paused; stop it first or use --force"},
	} {
		err := c.refuse(tc.op, tc.from)
		if tc.kind == nil {
			if err != nil {
				t.Errorf("%s from %s refused: %v", tc.op, tc.from, err)
			}
			continue
		}
		if !errors.Is(err, tc.kind) || err.Error() != tc.text {
			t.Errorf("%s from %s: %v, want %q (%v)", tc.op, tc.from, err, tc.text, tc.kind)
		}
	}
}

func TestValidateID(t *testing.T) {
	long := make([]byte, 1025)
	for i := range long {
		long[i] = 'a'
	}
	for _, id := range []string{"", ".", "..", "../x", "a/b", "a\x00b", "a\nb", "a b", string(long)} {
		if err := validateID(id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("validateID(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	for _, id := range []string{"a", "hello-1", "A_b.c+d", string(long[:1024])} {
		if err := validateID(id); err != nil {
			t.Errorf("validateID(%q) = %v", id, err)
		}
	}
}

func TestPhaseErrorKeepsThePhaseOutOfTheText(t *testing.T) {
	cause := errors.New("entrypoint /x.nabla does not exist")
	err := fmt.Errorf("cannot create container %s: %w", "web", &PhaseError{Phase: "ExecCreate", Err: cause})
	if got := err.Error(); got != "cannot create container web: entrypoint /x.nabla does not exist" {
		t.Errorf("message %q", got)
	}
	if !errors.Is(err, &PhaseError{Phase: "ExecCreate"}) || errors.Is(err, &PhaseError{Phase: "FsCreate"}) {
		t.Error("errors.Is does not tell the phase")
	}
	var pe *PhaseError
	if !errors.As(err, &pe) || pe.Phase != "ExecCreate" || !errors.Is(err, cause) {
		t.Errorf("chain lost the phase or the cause: %+v", pe)
	}
}

func TestDisplayName(t *testing.T) {
	hex := "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
	for _, c := range []struct {
		id   string
		ann  map[string]string
		want string
	}{
		{"hello1", nil, "hello1"},
		{hex, nil, hex[:12]},
		{hex + "0", nil, hex + "0"},
		{hex, map[string]string{criContainerName: "app", criSandboxName: "pod"}, "app"},
		{hex, map[string]string{criSandboxName: "pod"}, "pod"},
	} {
		if got := displayName(c.id, c.ann); got != c.want {
			t.Errorf("displayName(%q, %v) = %q, want %q", c.id, c.ann, got, c.want)
		}
	}
}
