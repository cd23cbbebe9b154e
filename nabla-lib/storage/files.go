package storage

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/sirupsen/logrus"
)

// perContainerFiles are the files engines bind-mount from the host into
// each container. They differ per container, so they must not go into the
// shared image: the exec handler hands their contents to the guest, whose
// SDK shadows the image's files with them.
var perContainerFiles = map[string]bool{
	"/etc/hosts":       true,
	"/etc/hostname":    true,
	"/etc/resolv.conf": true,
}

// containerFiles picks the per-container files out of the mounts and
// returns them as the llif.FsFiles value (JSON guest path -> host path),
// "" when there are none. A unikernel sees only its image, so every other
// mount is left out; refusing them would refuse every Docker container.
func containerFiles(id string, mounts []*configs.Mount) (string, error) {
	files := map[string]string{}
	for _, m := range mounts {
		dst := filepath.Clean(m.Destination)
		if !perContainerFiles[dst] || !(m.IsBind() || m.Device == "bind") {
			logrus.WithField("id", id).Debugf("mount of %s at %s: not visible to the unikernel, which sees only its disk image", m.Source, m.Destination)
			continue
		}
		if !filepath.IsAbs(m.Source) {
			return "", fmt.Errorf("bind mount source %q for %s is not an absolute path: check mounts in config.json", m.Source, dst)
		}
		fi, err := os.Stat(m.Source)
		if err != nil {
			return "", fmt.Errorf("bind mount source for %s: %w", dst, err)
		}
		if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("bind mount source %s for %s is not a regular file", m.Source, dst)
		}
		files[dst] = m.Source
	}
	if len(files) == 0 {
		return "", nil
	}
	b, err := json.Marshal(files)
	if err != nil {
		return "", fmt.Errorf("encode per-container files: %w", err)
	}
	return string(b), nil
}
