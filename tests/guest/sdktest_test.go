package guest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sdktest guest checks the runtime from inside (formatting, malloc,
// strings, clocks, getenv, block-read refusals), in the smallest and the
// default guest memory.
func TestSDKSelfTest(t *testing.T) {
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mem := range []string{"4", "512"} {
		r := runGuest(t, "sdktest", []string{"--mem=" + mem, "--disk=" + img},
			configJSON(t, "env", "SDKTEST=a=b"))
		lines := strings.Split(r.stdout, "\n")
		if r.status != 0 || len(lines) != 3 || !strings.HasSuffix(lines[0], " 0 failed") {
			t.Fatalf("sdktest --mem=%s: %v", mem, r)
		}
		// A line longer than nb_printf's buffer arrives whole.
		if lines[1] != strings.Repeat("x", 1000) {
			t.Fatalf("sdktest --mem=%s: the 1000-byte line came out as %d bytes", mem, len(lines[1]))
		}
	}
}
