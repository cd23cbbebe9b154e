package libcontainer

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzValidateID checks that every id validateID accepts names exactly
// one directory right below the state root, and nothing else.
func FuzzValidateID(f *testing.F) {
	for _, seed := range []string{"hello", "a.b+c-d_e", "..", ".", "", "a/b", "../x", "a\x00b", "a\nb", "é", strings.Repeat("a", 1025), "-x", "...", "a..b"} {
		f.Add(seed)
	}
	const root = "/run/runnc"
	f.Fuzz(func(t *testing.T, id string) {
		if validateID(id) != nil {
			return
		}
		dir := filepath.Join(root, id)
		if filepath.Dir(dir) != root || filepath.Base(dir) != id {
			t.Errorf("accepted id %q names %s, not a directory right below %s", id, dir, root)
		}
		if strings.ContainsAny(id, "/\x00\n\r\t ") || len(id) > maxIDLen {
			t.Errorf("accepted id %q holds a separator, a control character or is too long", id)
		}
	})
}
