package libcontainer

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsMatchTheirCode(t *testing.T) {
	err := fmt.Errorf("outer: %w", newError(ContainerNotExists, nil, "container x does not exist"))
	if !errors.Is(err, ErrNotExist) {
		t.Fatalf("errors.Is(%v, ErrNotExist) = false", err)
	}
	if errors.Is(err, ErrIdInUse) {
		t.Fatalf("errors.Is(%v, ErrIdInUse) = true", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != ContainerNotExists {
		t.Fatalf("errors.As gave %+v", e)
	}
}

func TestSystemErrorKeepsCause(t *testing.T) {
	cause := errors.New("disk on fire")
	err := systemError(cause, "save %s", "x")
	if !errors.Is(err, cause) || !errors.Is(err, ErrSystem) {
		t.Fatalf("system error %v lost its cause or code", err)
	}
	if err.Error() != "save x: disk on fire" {
		t.Fatalf("message %q", err.Error())
	}
}

func TestValidateID(t *testing.T) {
	long := make([]byte, 1025)
	for i := range long {
		long[i] = 'a'
	}
	for _, id := range []string{"", ".", "..", "../x", "a/b", "a\x00b", "a\nb", "a b", string(long)} {
		if err := validateID(id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("validateID(%q) = %v, want an InvalidIdFormat error", id, err)
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
	err := newError(ConfigInvalid, &PhaseError{Phase: "ExecCreate", Err: cause}, "cannot create container %s: %v", "web", cause)
	if got := err.Error(); got != "cannot create container web: entrypoint /x.nabla does not exist" {
		t.Errorf("message %q", got)
	}
	if !errors.Is(err, &PhaseError{Phase: "ExecCreate"}) || errors.Is(err, &PhaseError{Phase: "FsCreate"}) {
		t.Error("errors.Is does not tell the phase")
	}
	var pe *PhaseError
	if !errors.As(err, &pe) || pe.Phase != "ExecCreate" || !errors.Is(err, cause) || !errors.Is(err, ErrConfigInvalid) {
		t.Errorf("chain lost the phase, the cause or the code: %+v", pe)
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
