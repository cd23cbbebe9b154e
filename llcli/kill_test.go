package llcli

import (
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	good := map[string]syscall.Signal{
		"9": syscall.SIGKILL, "15": syscall.SIGTERM, "KILL": syscall.SIGKILL,
		"SIGKILL": syscall.SIGKILL, "term": syscall.SIGTERM, "sigusr1": syscall.SIGUSR1,
		"64": syscall.Signal(64), "0": syscall.Signal(0),
	}
	for in, want := range good {
		got, err := parseSignal(in)
		if err != nil || got != want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "65", "SIGNOPE", "K ILL", "9x", "1e3"} {
		if _, err := parseSignal(in); err == nil {
			t.Errorf("parseSignal(%q) accepted a bad signal", in)
		}
	}
}
