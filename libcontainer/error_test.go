package libcontainer

import (
	"errors"
	"fmt"
	"strings"
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
	long := strings.Repeat("a", maxIDLen+1)
	for _, id := range []string{"", ".", "..", "../x", "a/b", "a\x00b", "a\nb", "a b", long, long + long} {
		if err := validateID(id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("validateID(%q) = %v, want an InvalidIdFormat error", id, err)
		}
	}
	for _, id := range []string{"a", "hello-1", "A_b.c+d", long[:maxIDLen]} {
		if err := validateID(id); err != nil {
			t.Errorf("validateID(%q) = %v", id, err)
		}
	}
}
