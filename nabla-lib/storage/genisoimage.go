package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nabla-containers/runnc/internal/sparse"
)

// genisoimage writes the images. Chosen over a Go writer
// (github.com/kdomanski/iso9660 v0.4.0) by measuring on this project's
// Debian 12 VM (3 to 6 runs each, warm page cache):
//
//	rootfs                     genisoimage     kdomanski/iso9660
//	1 MB, 20 files             10-12 ms        4-7 ms
//	200 MB, 4000 files         0.38-0.42 s     0.48-1.55 s (median 1.1 s)
//
// The Go writer is no faster where it matters and cannot write Rock Ridge:
// it cut "some-long-file-name-00001.data" to "some-long-file-name-000.data"
// (20 files collapsed into one name), lost modes and empty directories,
// and has no symlinks. A whole FsCreate of the 200 MB rootfs takes
// 0.35-0.94 s (the image write dominates); a second container of the same
// rootfs reuses the image and takes 16-23 ms, the metadata scan. genisoimage
// ships in Debian (scripts/setup.sh installs it) and is found by absolute
// path: runnc may run with no PATH.
const genisoimage = "/usr/bin/genisoimage"

// imageOptions: -r writes Rock Ridge (long names, symlinks as symlinks,
// modes with write bits cleared and uid/gid 0, right for a read-only image);
// -l allows 31-character ISO names; -D keeps deep directories in place
// instead of relocating them to rr_moved, which the guest's small ISO reader
// need not understand. Symlinks are never followed (that would need -f).
var imageOptions = []string{"-quiet", "-l", "-r", "-D"}

// buildSuffix marks an image being built: <key>.iso.build-0 (see
// buildPath). Before 2026-12-06 runnc numbered its builds at random.
const buildSuffix = ".build-"

// buildPath is where the image at dst is built. One name serves every
// build of an image, since builds run under its key's lock, so that the
// leftover of a build that died half way is found without listing the
// disk directory (see removeBuilds).
func buildPath(dst string) string { return dst + buildSuffix + "0" }

// imageFormat identifies how images are made; it is part of the image key.
var imageFormat = "genisoimage " + strings.Join(imageOptions, " ")

// buildImage writes the image of the tree, whose key is key, to dst
// atomically: to buildPath(dst), renamed into place once complete, so a
// reader never sees half an image. The caller holds the key's lock and
// has removed what an earlier build left there. A tree whose key
// changed while it was built (the view shows changes made through other
// paths) gets no image: the one built may hold some of each state, and
// would be found again by the tree's old key.
func buildImage(t *tree, dst, key string) error {
	if err := t.measure(); err != nil {
		return err
	}
	tmp, err := os.OpenFile(buildPath(dst), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create temporary image in %s: %w", filepath.Dir(dst), err)
	}
	err = runGenisoimage(t, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var now string
		if now, err = t.key(); err == nil && now != key {
			err = fmt.Errorf("%s %w while its disk image was built: create the container again once it stops changing", t.name, ErrChanged)
		}
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o444)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// ErrChanged is the cause of a build refused because its tree changed
// meanwhile.
var ErrChanged = errors.New("changed")

// runGenisoimage writes the image of the tree into out. genisoimage reads
// the tree through its view (see tree), which it gets as fd 3, and writes
// the image to a pipe, from which it is copied without its blocks of
// zeros: the image of a sparse file stays sparse, and a build past the
// tree's limit stops there.
func runGenisoimage(t *tree, out *os.File) error {
	root := viewPath(3)
	args := append([]string{}, imageOptions...)
	// -m takes a glob matched against the whole path too: the skipped
	// entries are named by the path genisoimage builds, root/rel, with
	// glob characters escaped.
	for _, rel := range t.skipped() {
		args = append(args, "-m", globEscape(root+"/"+rel))
	}
	args = append(args, root)
	limit := buildTimeout(t.size)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	// Killed at the time limit: some symlinks (one of 120 one-letter
	// components) make genisoimage 1.1.11 spin for ever, and a create or
	// pull holding its locks must not wait with it. Killed at SIGTERM too,
	// which delete --force sends a create it finds under way, so that the
	// create can undo its work and exit.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	cmd := exec.CommandContext(ctx, genisoimage, args...)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.ExtraFiles = []*os.File{t.view}
	// A killed runnc create must not leave genisoimage writing on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is missing: install the genisoimage package", genisoimage)
		}
		return fmt.Errorf("run %s: %w", genisoimage, err)
	}
	most := t.limit
	if most == 0 {
		most = math.MaxInt64
	}
	_, copyErr := sparse.Copy(out, stdout, most)
	if copyErr != nil {
		cmd.Process.Kill()
	}
	err = cmd.Wait()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the build of the disk image of %s %w of %v: genisoimage did not finish (it spins on some symlinks with very many components): check its symlinks", t.name, ErrBuildTimeout, limit)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("the build of the disk image of %s was stopped by SIGTERM", t.name)
	}
	if errors.Is(copyErr, sparse.ErrLimit) {
		return tooLarge(t.name, t.limit)
	}
	if copyErr != nil {
		return fmt.Errorf("write the disk image of %s: %w", t.name, copyErr)
	}
	if err != nil {
		return fmt.Errorf("build the disk image of %s with %s: %w: %s",
			t.name, genisoimage, err, toolOutput(stderr.Bytes()))
	}
	return nil
}

// ErrBuildTimeout is the cause of a build stopped at its time limit.
var ErrBuildTimeout = errors.New("passed its time limit")

// buildTimeout is the time limit of a build of files of size bytes:
// genisoimage writes 200 MB in 0.4 s here, so 16 MiB a second leaves room
// for a slow disk and a busy machine, and the first 10 s for a scan of many
// small files.
func buildTimeout(size int64) time.Duration {
	return 10*time.Second + time.Duration(size/(16<<20))*time.Second
}

// toolOutput is the tool's output on one line, for an error message.
func toolOutput(b []byte) string {
	const max = 1000
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// globEscape makes a path match itself as a glob.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[]\\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
