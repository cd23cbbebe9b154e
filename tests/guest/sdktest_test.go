package guest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sdktest guest checks the runtime from inside (formatting, malloc,
// strings, clocks, waiting, getenv, block-read refusals), in the smallest
// and the default guest memory, on disks of the default and a large block
// size.
func TestSDKSelfTest(t *testing.T) {
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, make([]byte, 16384), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ mem, blockSize string }{{"2", "512"}, {"512", "512"}, {"4", "4096"}} {
		r := runGuest(t, "sdktest", []string{"--mem=" + c.mem, "--block:rootfs=" + img,
			"--block-sector-size:rootfs=" + c.blockSize}, configJSON(t, "env", "SDKTEST=a=b"))
		lines := strings.Split(r.stdout, "\n")
		if r.status != 0 || len(lines) != 3 || !strings.HasSuffix(lines[0], " 0 failed") {
			t.Fatalf("sdktest --mem=%s, block size %s: %v", c.mem, c.blockSize, r)
		}
		// A line longer than nb_printf's buffer arrives whole.
		if lines[1] != strings.Repeat("x", 1000) {
			t.Fatalf("sdktest --mem=%s: the 1000-byte line came out as %d bytes", c.mem, len(lines[1]))
		}
	}
}
