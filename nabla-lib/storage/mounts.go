package storage

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
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
// (podman's /dev/shm and /run/.containerenv, the CRI's /dev/shm, kubelet's
// /dev/termination-log, where a unikernel has no way to write a
// termination message). Leaving them out is routine, so it is logged at
// debug level only: without --log (podman) anything louder would reach
// the user on every run.
var engineMounts = map[string]bool{
	"/dev/shm":             true,
	"/run/.containerenv":   true,
	"/dev/termination-log": true,
}

// The kernel filesystems engines mount in every container, and where
// (containerd's default spec, which ctr uses, adds a tmpfs at /run): a
// unikernel has its own kernel and none of them, so they are left out
// without a word. Any other mount that is not a bind mount (docker run
// --tmpfs /x) cannot reach the guest and is refused.
var (
	systemTypes = map[string]bool{"proc": true, "sysfs": true, "tmpfs": true, "devpts": true,
		"mqueue": true, "cgroup": true, "cgroup2": true}
	systemPlaces = map[string]bool{"/proc": true, "/sys": true, "/dev": true, "/dev/pts": true,
		"/dev/mqueue": true, "/sys/fs/cgroup": true, "/dev/shm": true, "/run": true}
)

// mountPlan is what becomes of a container's mounts.
type mountPlan struct {
	// files are the per-container files, guest path -> host path.
	files map[string]string
	// volumes are the bind mounts that become disks, in config order.
	volumes []volumeMount
}

// volumeMount is a bind mount that becomes a volume.
type volumeMount struct {
	dst, src string
	readOnly bool
}

// what names the mount in messages.
func (v volumeMount) what() string {
	return fmt.Sprintf("the bind mount of %s at %s", v.src, v.dst)
}

// planMounts sorts the config's mounts: per-container files, engine and
// kernel mounts (left out), mounts the annotation AnnotationIgnoreMounts
// leaves out, volumes; it refuses any other. It reads nothing on the
// host: what the sources are is checked when the volumes are made.
func planMounts(id string, mounts []*configs.Mount, annotations map[string]string) (mountPlan, error) {
	ignored, err := parseIgnore(annotations[llif.AnnotationIgnoreMounts])
	if err != nil {
		return mountPlan{}, err
	}
	log := logrus.WithField("id", id)
	p := mountPlan{files: map[string]string{}}
	seen := map[string]bool{}
	for _, m := range mounts {
		dst := filepath.Clean(m.Destination)
		bind := m.IsBind() || m.Device == "bind"
		switch {
		case bind && perContainerFiles[dst]:
			if !filepath.IsAbs(m.Source) {
				return mountPlan{}, fmt.Errorf("bind mount source %q for %s is not an absolute path: check mounts in config.json", m.Source, dst)
			}
			p.files[dst] = m.Source
		case bind && engineMounts[dst]:
			log.Debugf("bind mount of %s at %s is left out: the engine adds it to every container", m.Source, m.Destination)
		case !bind && systemTypes[m.Device] && systemPlaces[dst]:
		case ignored(dst):
			log.Infof("mount of %s at %s is left out, as the annotation %s says", m.Source, m.Destination, llif.AnnotationIgnoreMounts)
		case !bind:
			return mountPlan{}, fmt.Errorf("the %s mount at %s %w, which sees only disks: remove it (docker run --tmpfs or --mount type=%[1]s), or %[4]s",
				cmp.Or(m.Device, "untyped"), m.Destination, llif.ErrMountUnreachable, llif.LeaveOut(m.Destination))
		case !filepath.IsAbs(m.Destination) || dst == "/":
			return mountPlan{}, fmt.Errorf("the bind mount of %s at %q %w: its destination must be an absolute path other than /, where the unikernel's image is", m.Source, m.Destination, llif.ErrMountUnreachable)
		case strings.ContainsFunc(dst, unicode.IsControl):
			// The guest finds a volume by its path, which CONFIG carries
			// and the SDK refuses with a control character in it.
			return mountPlan{}, fmt.Errorf("the bind mount of %s at %q %w: its destination holds a control character", m.Source, m.Destination, llif.ErrMountUnreachable)
		case !filepath.IsAbs(m.Source):
			return mountPlan{}, fmt.Errorf("bind mount source %q for %s is not an absolute path: check mounts in config.json", m.Source, dst)
		case seen[dst]:
			return mountPlan{}, fmt.Errorf("two bind mounts at %s %w as one disk: keep one of them", dst, llif.ErrMountUnreachable)
		default:
			seen[dst] = true
			p.volumes = append(p.volumes, volumeMount{dst: dst, src: m.Source, readOnly: readOnly(m)})
		}
	}
	return p, nil
}

// readOnly tells whether the mount is read-only: "ro" sets MS_RDONLY,
// "rro" the recursive attribute.
func readOnly(m *configs.Mount) bool {
	return m.Flags&unix.MS_RDONLY != 0 || (m.RecAttr != nil && m.RecAttr.Attr_set&unix.MOUNT_ATTR_RDONLY != 0)
}

// parseIgnore reads the annotation AnnotationIgnoreMounts: which mount
// destinations to leave out.
func parseIgnore(value string) (func(dst string) bool, error) {
	var dsts []string
	for _, d := range strings.Split(value, ",") {
		d = strings.TrimSpace(d)
		switch {
		case d == "":
		case d == "*":
			return func(string) bool { return true }, nil
		case !filepath.IsAbs(d):
			return nil, fmt.Errorf("annotation %s=%q names %q, which is not a mount destination: list absolute paths (/data,/cache) or *", llif.AnnotationIgnoreMounts, value, d)
		default:
			dsts = append(dsts, filepath.Clean(d))
		}
	}
	return func(dst string) bool { return slices.Contains(dsts, dst) }, nil
}

// checkFiles refuses per-container files (guest path -> host path) that
// are not regular files.
func checkFiles(files map[string]string) error {
	for dst, src := range files {
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("bind mount source for %s: %w", dst, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("bind mount source %s for %s is not a regular file", src, dst)
		}
	}
	return nil
}
