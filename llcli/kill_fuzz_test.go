package llcli

import (
	"strconv"
	"testing"
)

// FuzzParseSignal checks that parseSignal never panics, accepts only
// signals 0..64 (0 checks liveness), and that an accepted signal reads
// back from its number.
func FuzzParseSignal(f *testing.F) {
	for _, seed := range []string{"9", "KILL", "SIGKILL", "sigterm", "64", "65", "0", "-1", "SIG", "", "9x", "RTMIN+1", "99999999999999999999", "ＫＩＬＬ", "kill\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := parseSignal(s)
		if err != nil {
			return
		}
		if sig < 0 || sig > 64 {
			t.Fatalf("parseSignal(%q) = %d, outside 0..64", s, sig)
		}
		if back, err := parseSignal(strconv.Itoa(int(sig))); err != nil || back != sig {
			t.Errorf("parseSignal(%q) = %d, but its number reads back as %d, %v", s, sig, back, err)
		}
	})
}
