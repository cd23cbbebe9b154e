// Package containerid holds the one rule for container ids, which the
// factory checks and the fs handler and the image store rely on when they
// name files after a container.
package containerid

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nabla-containers/runnc/internal/sha256"
)

// Valid tells whether id follows runc's rule for container ids
// (^[\w+.-]+$): letters, digits, '_', '+', '-' and '.', at least one. It
// also keeps ids usable as file names and free of glob metacharacters.
// A loop, not a regexp: compiling one costs every start of runnc, which
// starts three times per container.
func Valid(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// FileName names container id of the state root root (absolute) in a
// directory that several roots may share, as a disk image's users and an
// image's users are: two runnc roots (say Docker's and containerd's) may
// reuse an id, so a digest of the root follows it. The longest id leaves
// room for the suffix in a file name.
func FileName(id, root string) (string, error) {
	if !Valid(id) || strings.HasPrefix(id, ".") {
		return "", fmt.Errorf("container id %q cannot name a file: use letters, digits, '_', '+', '-' and '.'", id)
	}
	sum := sha256.Sum256([]byte(root))
	return id + "@" + hex.EncodeToString(sum[:6]), nil
}
