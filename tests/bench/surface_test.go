package main

import "testing"

func TestCountTenderAllowed(t *testing.T) {
	out := "# allowlist\n# more\nwrite(fd=1)\nclock_gettime(clockid=CLOCK_MONOTONIC)\nclock_gettime(clockid=CLOCK_REALTIME)\nexit_group(*)\n\n"
	if n, rules := countTenderAllowed(out); n != 3 || rules != 4 {
		t.Errorf("countTenderAllowed = %d syscalls, %d rules; want 3, 4", n, rules)
	}
}
