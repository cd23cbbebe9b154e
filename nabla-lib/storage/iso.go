package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"github.com/sirupsen/logrus"
)

// ISO is the "iso" fs handler: the workload's root filesystem is a
// read-only ISO 9660 image of the rootfs, shared by every container whose
// rootfs has the same content (upstream runnc copied a 125 MB image per
// container into /run and filled the tmpfs).
type ISO struct{}

// NewISO returns the "iso" fs handler, for llif.Registry.Fs.
func NewISO() llif.FsHandler { return ISO{} }

// FsCreateFunc makes (or reuses) the image of the rootfs and the disks of
// the volumes, and records this container as a user of each image. On
// failure its state still names the images it built, for the undo (see
// FsDestroyFunc).
func (ISO) FsCreateFunc(in *llif.FsCreateInput) (*llif.LLState, error) {
	plan, err := planMounts(in.ContainerID, in.Config.Mounts, in.Annotations)
	if err != nil {
		return nil, err
	}
	if err := checkFiles(plan.files); err != nil {
		return nil, err
	}
	marker, err := markerName(&in.Input)
	if err != nil {
		return nil, err
	}
	dir := in.Runtime.DiskDir
	if err := checkDiskDir(dir, true); err != nil {
		return nil, err
	}
	st := llif.NewLLState()
	var keys diskKeys
	root, err := makeDisks(&in.Input, plan, marker, st, &keys)
	if len(keys.built) > 0 {
		st.Options[optBuilt] = strings.Join(keys.built, ",")
	}
	st.Options[optUsed] = strings.Join(keys.used, ",")
	if err != nil {
		return st, err
	}
	// The rootfs's image was just visited (image.use prunes its users).
	sweep(dir, root.key, in.Runtime.DiskCacheBytes, false)
	return st, nil
}

// makeDisks makes the rootfs's image and the volumes' disks of plan and
// records them in st, and the keys of the images it used and built in
// keys. It returns the rootfs's image.
func makeDisks(in *llif.Input, plan mountPlan, marker string, st *llif.LLState, keys *diskKeys) (image, error) {
	// Every source is checked before any image is built.
	var sources []*source
	defer func() {
		for _, src := range sources {
			src.close()
		}
	}()
	for _, v := range plan.volumes {
		src, err := openVolume(v)
		if err != nil {
			return image{}, err
		}
		sources = append(sources, src)
	}
	t, err := openTree(in.Config.Rootfs, in.Runtime.DiskLimitBytes)
	if err != nil {
		return image{}, err
	}
	defer t.close()
	t.shadow(plan.files)
	t.identity = keptBy(in.Runtime.DiskDir, t.path)
	root, err := useTree(t, in, marker, keys)
	if err != nil {
		return image{}, err
	}
	st.Options[llif.FsDisk] = root.path()
	st.Options[llif.FsDiskReadOnly] = "true"
	if len(plan.files) > 0 {
		b, err := json.Marshal(plan.files)
		if err != nil {
			return root, fmt.Errorf("encode per-container files: %w", err)
		}
		st.Options[llif.FsFiles] = string(b)
	}
	var volumes []llif.Volume
	for i, v := range plan.volumes {
		vol, err := makeVolume(v, sources[i], in, marker, keys)
		if err != nil {
			return root, err
		}
		volumes = append(volumes, vol)
	}
	option, err := llif.EncodeVolumes(volumes)
	if option != "" {
		st.Options[llif.FsVolumes] = option
	}
	return root, err
}

// The fs state lists, comma-separated, the keys of the images the
// container's create built (optBuilt), so undoing that create drops them,
// and of those it is a user of (optUsed), so its delete visits those
// alone. A state without optUsed (a create killed before its state was
// saved, or made by an older runnc) has delete look in every image's
// users, one stat each.
const (
	optBuilt = "disk.built"
	optUsed  = "disk.used"
)

// diskKeys are the keys of the images a create used and of those it built.
type diskKeys struct{ used, built []string }

// use builds the image unless it exists (in use or unused) and adds the
// marker, all under the key's lock so concurrent creates of one rootfs
// build it once; it reports whether it built the image. On failure it
// leaves no trace of this container and drops an image it built; an image
// that was unused before stays unused if keep.
func (im image) use(t *tree, marker, containerRoot string, keep bool) (built bool, err error) {
	l, _, err := lockKey(im.dir, im.key, true)
	if err != nil {
		return false, err
	}
	defer l.unlock()
	defer func() {
		if err != nil {
			if _, derr := im.dropUser(marker, keep && !built); derr != nil {
				logrus.Warnf("undo failed image use: %v", derr)
			}
		}
	}()
	if err := im.pruneStale(l); err != nil {
		return false, err
	}
	// Builds are renamed into place once complete: an image at the path
	// is whole, and an unfinished one is only ever removed.
	if _, statErr := os.Stat(im.path()); statErr != nil {
		if err := im.removeBuilds(); err != nil {
			return false, err
		}
		// A mark without its image (an older runnc removed it) goes
		// before the build, so that it cannot uncount the new image.
		if err := im.unmark(); err != nil {
			return false, err
		}
		if err := buildImage(t, im.path(), im.key); err != nil {
			return false, err
		}
		built = true
	}
	if err := im.addUser(marker, containerRoot); err != nil {
		return built, err
	}
	// The mark goes once the user is recorded: a runnc killed in between
	// leaves both, and a user outweighs a mark.
	return built, im.unmark()
}

// FsRunFunc has nothing to do: the tender opens the image itself.
func (ISO) FsRunFunc(in *llif.FsRunInput) (*llif.LLState, error) {
	return in.FsState, nil
}

// FsDestroyFunc drops this container's use of its images (its rootfs's
// and its volumes'); when no other container uses an image, it stays
// unused within the --disk-cache limit or goes. It visits the images the
// state says this container uses, and without that record every image's
// users, so that a create that died before saving its state is cleaned up
// too.
func (ISO) FsDestroyFunc(in *llif.FsDestroyInput) (*llif.LLState, error) {
	marker, err := markerName(&in.Input)
	// The image's directory as create chose it: this delete may have been
	// given another --disk-dir.
	dir := in.Runtime.DiskDir
	if disk := in.FsState.Get(llif.FsDisk); disk != "" {
		dir = filepath.Dir(disk)
	}
	if err != nil || dir == "" {
		// Create refused such an id or directory before making anything.
		return llif.NewLLState(), nil
	}
	if err := checkDiskDir(dir, false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return llif.NewLLState(), nil
		}
		return nil, err
	}
	limit := in.Runtime.DiskCacheBytes
	// Undoing a failed create drops the images it built: they were made
	// for a container that never ran, often of a rootfs that cannot run at
	// all (no unikernel), and must not push images that did run out of the
	// cache. An image that was there before stays.
	var built []string
	if in.Undo {
		built = strings.Split(in.FsState.Get(optBuilt), ",")
	}
	keep := func(key string) bool { return limit > 0 && !slices.Contains(built, key) }
	var used []string // nil: look in every image's users
	if list, ok := in.FsState.Options[optUsed]; ok {
		used = slices.DeleteFunc(strings.Split(list, ","), func(key string) bool { return !isKey(key) })
	}
	released, err := dropMarker(dir, marker, keep, used)
	if err != nil {
		return nil, fmt.Errorf("release the disk images of %s: %w", in.ContainerID, err)
	}
	// A create or delete killed half way may have left another image's
	// build or an image without users: this is a good moment to clear
	// them, and to trim the unused images.
	sweep(dir, "", limit, released)
	return llif.NewLLState(), nil
}
