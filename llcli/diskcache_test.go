package llcli

import (
	"strings"
	"testing"
)

func TestParseDiskCache(t *testing.T) {
	good := map[string]int64{
		"0": 0, "4096": 4096, "512MiB": 512 << 20, "512m": 512 << 20, "512MB": 512 << 20,
		"1GiB": 1 << 30, "1g": 1 << 30, "1.5GiB": 3 << 29, "100KiB": 100 << 10, "2TiB": 2 << 40,
	}
	for in, want := range good {
		got, err := parseDiskCache(in)
		if err != nil || got != want {
			t.Errorf("parseDiskCache(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if got, err := parseDiskCache(DefaultDiskCache); err != nil || got != 512<<20 {
		t.Errorf("the default %q is %d bytes (%v), want 512 MiB", DefaultDiskCache, got, err)
	}
	for _, in := range []string{"", "-1", "-1MiB", "MiB", "lots", "1XiB", "1GiBs", "1e30", "1e19", "NaN", "0x10"} {
		_, err := parseDiskCache(in)
		if err == nil {
			t.Errorf("parseDiskCache(%q) accepted a bad size", in)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "--disk-cache") || !strings.Contains(msg, "512MiB") || strings.Contains(msg, "\n") {
			t.Errorf("parseDiskCache(%q): error %q does not name the flag and a good value on one line", in, msg)
		}
	}
}
