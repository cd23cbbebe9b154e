package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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

// FsCreateFunc makes (or reuses) the image of the rootfs and records this
// container as one of its users.
func (ISO) FsCreateFunc(in *llif.FsCreateInput) (*llif.LLState, error) {
	t, err := openTree(in.Config.Rootfs, in.Runtime.DiskLimitBytes)
	if err != nil {
		return nil, err
	}
	defer t.close()
	files, err := containerFiles(in.ContainerID, in.Config.Mounts)
	if err != nil {
		return nil, err
	}
	t.shadow(files)
	marker, err := markerName(&in.Input)
	if err != nil {
		return nil, err
	}
	dir := in.Runtime.DiskDir
	if err := checkDiskDir(dir, true); err != nil {
		return nil, err
	}
	t.identity = keptBy(dir, t.path)
	key, err := t.key()
	if err != nil {
		return nil, err
	}
	im := image{dir: dir, key: key}
	limit := in.Runtime.DiskCacheBytes
	built, err := im.use(t, marker, in.ContainerRoot, limit > 0)
	if err != nil {
		return nil, err
	}
	sweep(dir, key, limit, false)

	st := llif.NewLLState()
	st.Options[llif.FsDisk] = im.path()
	st.Options[llif.FsDiskReadOnly] = "true"
	if built {
		st.Options[optBuilt] = "true"
	}
	if len(files) > 0 {
		b, err := json.Marshal(files)
		if err != nil {
			return nil, fmt.Errorf("encode per-container files: %w", err)
		}
		st.Options[llif.FsFiles] = string(b)
	}
	return st, nil
}

// optBuilt in the fs state says that the container's create built its
// image, so undoing that create drops the image.
const optBuilt = "disk.built"

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
		if err := buildImage(t, im.path(), im.key); err != nil {
			return false, err
		}
		built = true
	}
	if err := im.addUser(marker, containerRoot); err != nil {
		return built, err
	}
	// The mark goes once the user is recorded: a runnc killed in between
	// leaves both, and a users directory outweighs a mark.
	return built, removeFile(im.unusedPath(), "unused mark of disk image")
}

// FsRunFunc has nothing to do: the tender opens the image itself.
func (ISO) FsRunFunc(in *llif.FsRunInput) (*llif.LLState, error) {
	return in.FsState, nil
}

// FsDestroyFunc drops this container's use of its image; when no other
// container uses the image, it stays unused within the --disk-cache limit
// or goes. It finds the markers on disk rather than in the state, so a
// create that died before saving its state is cleaned up too.
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
	// Undoing a failed create drops the image it built: it was made for a
	// container that never ran, often of a rootfs that cannot run at all
	// (no unikernel), and must not push images that did run out of the
	// cache. An image that was there before stays.
	keep := limit > 0 && !(in.Undo && in.FsState.Get(optBuilt) == "true")
	released, err := dropMarker(dir, marker, keep)
	if err != nil {
		return nil, fmt.Errorf("release the disk images of %s: %w", in.ContainerID, err)
	}
	// A create or delete killed half way may have left another image's
	// build or an image without users: this is a good moment to clear
	// them, and to trim the unused images.
	sweep(dir, "", limit, released)
	return llif.NewLLState(), nil
}
