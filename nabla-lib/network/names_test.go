package network

import (
	"strings"
	"testing"
)

func TestNamesFitAndDiffer(t *testing.T) {
	prefix := strings.Repeat("a", 64)
	seen := map[string]string{}
	for _, id := range []string{prefix, prefix + "1", prefix + "2", "x"} {
		n := namesFor(id)
		for _, name := range []string{n.tap, n.bridge} {
			if len(name) > 15 {
				t.Errorf("name %q for id %q is longer than IFNAMSIZ-1", name, id)
			}
			if other, dup := seen[name]; dup {
				t.Errorf("ids %q and %q share the name %q", other, id, name)
			}
			seen[name] = id
		}
	}
}
