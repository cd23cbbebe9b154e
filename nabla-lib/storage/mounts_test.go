package storage

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

// What Docker 20.10 sends for `docker run -v /srv/data:/data:ro --rm IMAGE`
// (as runc's specconv converts it), plus a few lines of containerd's
// default spec (ctr), podman's and the CRI's.
func engineMountList() []*configs.Mount {
	bind := unix.MS_BIND | unix.MS_REC
	return []*configs.Mount{
		{Source: "proc", Destination: "/proc", Device: "proc"},
		{Source: "tmpfs", Destination: "/dev", Device: "tmpfs"},
		{Source: "devpts", Destination: "/dev/pts", Device: "devpts"},
		{Source: "sysfs", Destination: "/sys", Device: "sysfs", Flags: unix.MS_RDONLY},
		{Source: "cgroup", Destination: "/sys/fs/cgroup", Device: "cgroup", Flags: unix.MS_RDONLY},
		{Source: "mqueue", Destination: "/dev/mqueue", Device: "mqueue"},
		{Source: "shm", Destination: "/dev/shm", Device: "tmpfs"},
		{Source: "tmpfs", Destination: "/run", Device: "tmpfs"},
		{Source: "/var/lib/docker/containers/c/mounts/shm", Destination: "/dev/shm", Device: "bind", Flags: bind},
		{Source: "/var/lib/docker/containers/c/resolv.conf", Destination: "/etc/resolv.conf", Device: "bind", Flags: bind},
		{Source: "/var/lib/docker/containers/c/hostname", Destination: "/etc/hostname", Device: "bind", Flags: bind},
		{Source: "/var/lib/docker/containers/c/hosts", Destination: "/etc/hosts", Device: "bind", Flags: bind},
		{Source: "/run/containers/c/.containerenv", Destination: "/run/.containerenv", Device: "bind", Flags: bind},
		{Source: "/var/lib/kubelet/pods/p/containers/c/1", Destination: "/dev/termination-log", Device: "bind", Flags: bind},
	}
}

func TestPlanMounts(t *testing.T) {
	bind := unix.MS_BIND | unix.MS_REC
	mounts := append(engineMountList(),
		&configs.Mount{Source: "/srv/data", Destination: "/data/", Device: "bind", Flags: bind | unix.MS_RDONLY},
		&configs.Mount{Source: "/srv/disk.img", Destination: "/storage", Device: "bind", Flags: bind},
		&configs.Mount{Source: "/srv/rro", Destination: "/rro", Device: "bind", Flags: bind, RecAttr: &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}},
		// An OCI mount of type "bind" without the bind option.
		&configs.Mount{Source: "/var/run/secrets/sa", Destination: "/var/run/secrets/kubernetes.io/serviceaccount", Device: "bind"},
	)
	p, err := planMounts("c", mounts, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string]string{
		"/etc/resolv.conf": "/var/lib/docker/containers/c/resolv.conf",
		"/etc/hostname":    "/var/lib/docker/containers/c/hostname",
		"/etc/hosts":       "/var/lib/docker/containers/c/hosts",
	}
	wantVolumes := []volumeMount{
		{dst: "/data", src: "/srv/data", readOnly: true},
		{dst: "/storage", src: "/srv/disk.img"},
		{dst: "/rro", src: "/srv/rro", readOnly: true},
		{dst: "/var/run/secrets/kubernetes.io/serviceaccount", src: "/var/run/secrets/sa"},
	}
	if !reflect.DeepEqual(p.files, wantFiles) || !reflect.DeepEqual(p.volumes, wantVolumes) {
		t.Errorf("planMounts:\n files %v\n volumes %+v\nwant\n files %v\n volumes %+v", p.files, p.volumes, wantFiles, wantVolumes)
	}
}

func TestPlanMountsRefuses(t *testing.T) {
	bind := unix.MS_BIND | unix.MS_REC
	for _, tc := range []struct {
		name        string
		mount       configs.Mount
		annotations map[string]string
		want        string
	}{
		{"docker run --tmpfs /x", configs.Mount{Source: "tmpfs", Destination: "/x", Device: "tmpfs"}, nil,
			"the tmpfs mount at /x cannot reach the unikernel, which sees only disks: remove it (docker run --tmpfs or --mount type=tmpfs), or leave it out with the annotation org.nabla.runnc.ignore-mounts=/x"},
		{"a tmpfs at a relative destination", configs.Mount{Source: "tmpfs", Destination: "../x", Device: "tmpfs"}, nil,
			"the tmpfs mount at ../x cannot reach the unikernel, which sees only disks: remove it (docker run --tmpfs or --mount type=tmpfs), or leave it out with the annotation org.nabla.runnc.ignore-mounts=*"},
		{"proc elsewhere", configs.Mount{Source: "proc", Destination: "/host/proc", Device: "proc"}, nil, "the proc mount at /host/proc cannot reach the unikernel"},
		{"a mount of no type", configs.Mount{Source: "x", Destination: "/x"}, nil, "the untyped mount at /x cannot reach"},
		{"a bind mount at /", configs.Mount{Source: "/srv", Destination: "/", Flags: bind}, nil, "its destination must be an absolute path other than /"},
		{"a relative destination", configs.Mount{Source: "/srv", Destination: "data", Flags: bind}, nil, `the bind mount of /srv at "data" cannot reach the unikernel`},
		{"a control character", configs.Mount{Source: "/srv", Destination: "/da\nta", Flags: bind}, nil, `at "/da\nta" cannot reach the unikernel: its destination holds a control character`},
		{"a relative source", configs.Mount{Source: "srv", Destination: "/data", Device: "bind"}, nil, `bind mount source "srv" for /data is not an absolute path`},
		{"an annotation of relative paths", configs.Mount{Source: "/srv", Destination: "/data", Flags: bind},
			map[string]string{llif.AnnotationIgnoreMounts: "/x, data"}, `names "data", which is not a mount destination`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.mount
			_, err := planMounts("c", append(engineMountList(), &m), tc.annotations)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(tc.want, "cannot reach") && !errors.Is(err, llif.ErrMountUnreachable) {
				t.Errorf("%v is not llif.ErrMountUnreachable", err)
			}
		})
	}
	twice := []*configs.Mount{
		{Source: "/a", Destination: "/data", Flags: bind},
		{Source: "/b", Destination: "/data/", Flags: bind},
	}
	if _, err := planMounts("c", twice, nil); err == nil || !strings.Contains(err.Error(), "two bind mounts at /data cannot reach the unikernel as one disk") {
		t.Errorf("two mounts at /data: got %v", err)
	}
}

// The annotation leaves out what it lists, "*" everything but the
// engine's own mounts and files.
func TestPlanMountsIgnore(t *testing.T) {
	bind := unix.MS_BIND | unix.MS_REC
	extra := []*configs.Mount{
		{Source: "tmpfs", Destination: "/x", Device: "tmpfs"},
		{Source: "/srv/data", Destination: "/data", Flags: bind},
		{Source: "/srv/cache", Destination: "/cache", Flags: bind},
	}
	for _, tc := range []struct {
		value string
		want  []volumeMount
	}{
		{"/x", nil},
		{" /x , /data/ ,", []volumeMount{{dst: "/cache", src: "/srv/cache"}}},
		{"/x,/data,/cache", nil},
		{"*", nil},
	} {
		mounts := append(engineMountList(), extra...)
		if tc.value == "/x" {
			mounts = mounts[:len(mounts)-2]
		}
		p, err := planMounts("c", mounts, map[string]string{llif.AnnotationIgnoreMounts: tc.value})
		if err != nil {
			t.Errorf("%q: %v", tc.value, err)
			continue
		}
		if !reflect.DeepEqual(p.volumes, tc.want) || len(p.files) != 3 {
			t.Errorf("%q: volumes %+v and %d files, want %+v and the 3 files", tc.value, p.volumes, len(p.files), tc.want)
		}
	}
}
