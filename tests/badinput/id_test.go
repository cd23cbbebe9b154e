package badinput_test

import (
	"strings"
	"testing"
)

// longestID is the longest id every layer can hold: the state directory,
// the cgroup and the disk image's user marker (id@ and 12 hex digits) are
// each one file name of at most 255 bytes.
const longestID = 255 - len("@") - 12

// idOf is a valid id of n bytes in e's scope.
func idOf(e *env, n int) string {
	id := e.id("long-")
	return id + strings.Repeat("x", n-len(id))
}

// The longest id a container can have runs and leaves nothing; one byte
// more is refused at once, with one sentence, by create and by delete -f.
func TestIDLengthLimit(t *testing.T) {
	e := newEnv(t)
	bundle := e.hello()
	before := e.snapshot(t)
	id := idOf(e, longestID)
	res := e.Run("run", "--bundle", bundle, id)
	if res.Code != 0 || !strings.Contains(res.Stdout, "Hello, World") {
		t.Fatalf("run with a %d-byte id: exit %d, %s%s", len(id), res.Code, res.Stdout, res.Stderr)
	}
	before.CheckNone(t, e.snapshot(t), "a container with the longest id")
	for _, n := range []int{longestID + 1, 255, 256, 300, 4096} {
		long := idOf(e, n)
		e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: "characters long"}, bundle, long)
		for _, args := range [][]string{{"delete", "--force", "ID"}, {"state", "ID"}, {"kill", "ID", "KILL"}} {
			e.refuse(t, bad{args: args, want: "characters long"}, bundle, long)
		}
	}
}
