package network

import (
	"encoding/hex"

	"github.com/nabla-containers/runnc/internal/sha256"
)

// names are the devices one container owns in its network namespace: a
// tap, and a bridge if a runnc before 2026-12-06 took the network over.
type names struct {
	tap, bridge string
}

// namesFor derives the device names from the container id. Ids may be
// long and share long prefixes (Docker's are 64 hex digits), so the names
// come from a hash of the whole id, cut to fit IFNAMSIZ (15 characters):
// 3 letters of kind and 12 hex digits, 48 bits against collisions.
func namesFor(id string) names {
	sum := sha256.Sum256([]byte(id))
	h := hex.EncodeToString(sum[:6])
	return names{tap: "nbt" + h, bridge: "nbb" + h}
}
