package storage

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/dirsample"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// sweep prunes the stale users of the other images in dir (see
// pruneStale), so images left by containers lost in a reboot are released
// without waiting for a container of the same rootfs, and settles what a
// runnc killed half way left (an image without users, a build). It skips
// keys whose lock is busy: their holder is working on them, and a later
// sweep will visit them. Then, if this runnc released an image (released,
// or here) or this is the boot's first sweep, it trims the unused images
// to limit bytes. Failures are only
// logged: they must not fail a create or delete.
//
// The first sweep of a boot visits every image in use: a reboot loses the
// users of all of them at once. It then records the boot on dir (see
// sweptThisBoot), and later sweeps visit sweepChecks images in use, picked
// at random among the names one bounded read of dir returns: with each
// tenant's rootfs an image of its own, visiting them all cost a create and
// a delete some 17 file calls per container running. Users lost within a
// boot (a state directory removed by hand) are found by those visits and
// by every create and delete of the image itself (pruneStale).
func sweep(dir, skip string, limit int64, released bool) {
	full := !sweptThisBoot(dir)
	keys, builds, err := sweepTargets(dir, skip, full)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			logrus.Warnf("sweep disk images: %v", err)
		}
		return
	}
	for _, key := range keys {
		if key == skip {
			continue
		}
		lk, ok, err := lockKey(dir, key, false)
		if err != nil || !ok {
			continue
		}
		im := image{dir: dir, key: key}
		// Every build the listing found, of any runnc's naming: none is
		// in progress while the lock is held.
		for _, b := range builds[key] {
			if err := removeFile(filepath.Join(dir, b), "unfinished image"); err != nil {
				logrus.Warnf("sweep disk images: %v", err)
			}
		}
		var r bool
		err = im.pruneStale(lk)
		if err == nil {
			r, err = im.release(limit > 0)
		}
		lk.unlock()
		if err != nil {
			logrus.Warnf("prune stale users of disk images: %v", err)
		}
		released = released || r
	}
	if full {
		markSwept(dir)
	}
	// The boot's first sweep counts the unused images anew, marks of an
	// older runnc's among them, which knew no tally.
	if released || full {
		trim(dir, limit, full)
	}
}

// sweepTargets are the keys of the images in use a sweep visits: all of
// them when full, with the builds the listing found by key; else
// sweepChecks of them, other than skip, among one bounded read of dir.
func sweepTargets(dir, skip string, full bool) (keys []string, builds map[string][]string, err error) {
	if full {
		l, err := listDir(dir)
		return l.locked, l.builds, err
	}
	names, err := dirsample.Pick(dir, sweepChecks, func(name string) bool {
		key, ok := strings.CutSuffix(name, lockSuffix)
		return ok && isKey(key) && key != skip
	})
	for _, n := range names {
		keys = append(keys, strings.TrimSuffix(n, lockSuffix))
	}
	return keys, nil, err
}

// sweepChecks is how many images in use a sweep visits once the boot's
// first sweep has visited them all.
const sweepChecks = 2

// sweptXattr, on the disk directory, holds the id of the boot whose sweep
// visited every image in use. An extended attribute, not a file, because
// runnc uses no name of the directory that does not start with a key
// (see isKey); a trusted one, which only root can set, so that no other
// user can make runnc skip that sweep.
const sweptXattr = "trusted.runnc.swept"

// sweptThisBoot tells whether a sweep visited every image of dir in use
// since the last boot. Where the boot's id or the attribute is not to be
// had, it says no, and every sweep visits them all.
func sweptThisBoot(dir string) bool {
	id := bootID()
	if id == "" {
		return false
	}
	buf := make([]byte, len(id)+1)
	n, err := unix.Getxattr(dir, sweptXattr, buf)
	return err == nil && string(buf[:n]) == id
}

// markSwept records on dir that this boot's sweep visited every image in
// use (see sweptThisBoot).
func markSwept(dir string) {
	id := bootID()
	if id == "" {
		return
	}
	if err := unix.Setxattr(dir, sweptXattr, []byte(id), 0); err != nil {
		logrus.Debugf("record the sweep of disk directory %s: %v (every sweep visits every image in use)", dir, err)
	}
}
