package storage

import (
	"regexp"
	"strings"
	"testing"
)

// The loops that replaced the regexps (which cost every runnc start the
// regexp package's initialisation) accept exactly what the regexps did.
func TestEngineLayerAndOverlayXattrMatchTheirPatterns(t *testing.T) {
	hex := strings.Repeat("0123456789abcdef", 4)
	layer := regexp.MustCompile(`/overlay2?/[0-9a-f]{64}/diff$|/snapshots/[0-9]+/fs$`)
	for _, d := range []string{
		"/var/lib/docker/overlay2/" + hex + "/diff",
		"/var/lib/containers/storage/overlay/" + hex + "/diff",
		"/overlay/" + hex + "/diff",
		"overlay/" + hex + "/diff",
		"/x/myoverlay/" + hex + "/diff",
		"/var/lib/docker/overlay2/" + hex + "-init/diff",
		"/var/lib/docker/overlay2/" + strings.ToUpper(hex) + "/diff",
		"/var/lib/docker/overlay2/" + hex[1:] + "/diff",
		"/var/lib/docker/overlay2/" + hex + "/diff/",
		"/var/lib/docker/overlay3/" + hex + "/diff",
		"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs",
		"/snapshots/7/fs",
		"/snapshots//fs",
		"/snapshots/4a/fs",
		"snapshots/7/fs",
		"/a/mysnapshots/7/fs",
		"/snapshots/7/fs2",
		"/diff",
		"/fs",
		"",
	} {
		if got, want := engineLayer(d), layer.MatchString(d); got != want {
			t.Errorf("engineLayer(%q) = %v, the pattern says %v", d, got, want)
		}
	}
	xattr := regexp.MustCompile(`^(trusted|user)\.overlay\.(opaque|redirect|metacopy|whiteout|whiteouts)$`)
	for _, n := range []string{
		"trusted.overlay.opaque", "user.overlay.redirect", "trusted.overlay.metacopy",
		"user.overlay.whiteout", "trusted.overlay.whiteouts", "trusted.overlay.origin",
		"user.overlay.impure", "security.overlay.opaque", "trusted.overlay.", "opaque",
		"trusted.overlay.opaquex", "xtrusted.overlay.opaque", "user.overlay.nlink", "",
	} {
		if got, want := overlayXattr(n), xattr.MatchString(n); got != want {
			t.Errorf("overlayXattr(%q) = %v, the pattern says %v", n, got, want)
		}
	}
}
