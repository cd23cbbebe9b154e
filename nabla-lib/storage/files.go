package storage

import (
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

// engineMounts are bind mounts that engines add to every container
// (podman's /dev/shm and /run/.containerenv, the CRI's /dev/shm). Leaving
// them out is routine, so it is logged at debug level only: without
// --log (podman) warnings would reach the user on every run.
var engineMounts = map[string]bool{
	"/dev/shm":           true,
	"/run/.containerenv": true,
}

// containerFiles picks the per-container files out of the mounts: guest
// path -> host path. A unikernel sees only its image, so every other mount
// is left out; refusing them would refuse every Docker container.
func containerFiles(id string, mounts []*configs.Mount) (map[string]string, error) {
	files := map[string]string{}
	for _, m := range mounts {
		dst := filepath.Clean(m.Destination)
		if !perContainerFiles[dst] || !(m.IsBind() || m.Device == "bind") {
			if m.IsBind() && engineMounts[dst] {
				logrus.WithField("id", id).Debugf("bind mount of %s at %s is ignored", m.Source, m.Destination)
			} else if m.IsBind() {
				logrus.WithField("id", id).Warnf("bind mount of %s at %s is ignored: a unikernel sees only its image and the files /etc/hosts, /etc/hostname and /etc/resolv.conf", m.Source, m.Destination)
			}
			continue
		}
		if !filepath.IsAbs(m.Source) {
			return nil, fmt.Errorf("bind mount source %q for %s is not an absolute path: check mounts in config.json", m.Source, dst)
		}
		fi, err := os.Stat(m.Source)
		if err != nil {
			return nil, fmt.Errorf("bind mount source for %s: %w", dst, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("bind mount source %s for %s is not a regular file", m.Source, dst)
		}
		files[dst] = m.Source
	}
	return files, nil
}
