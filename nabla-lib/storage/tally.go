package storage

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// The tally of unused images. A delete that releases an image trims the
// unused images to --disk-cache, and finding them meant reading every
// name of the disk directory, three per image in use: with a thousand
// tenants' images, a millisecond or more of each such delete. So the
// directory carries, in the extended attribute unusedXattr, how many bytes
// its unused images take, and trim reads the directory only when that is
// over the limit (see trim).
//
// The tally never says less than the truth, so a tally within the limit
// proves there is nothing to evict. Every change to it and to a mark is
// made under the directory's flock; an image is counted before its mark
// is made and uncounted after its mark is removed, so a runnc killed in
// between leaves the tally too high, never too low. Too high only costs
// a reading of the directory, which sets the tally to what it finds, as
// the boot's first sweep does anyway. Where the attribute cannot be read
// or written, trim reads the directory every time.

// unusedXattr, on the disk directory, holds the tally in decimal bytes. A
// trusted attribute, which only root can set: another user could
// otherwise make runnc keep more unused images than --disk-cache allows.
const unusedXattr = "trusted.runnc.unused"

// tally is the disk directory, open and flocked, with its tally.
type tally struct{ f *os.File }

// lockTally takes the directory's flock, which serialises changes to the
// tally and to the unused marks across runnc processes. It is only ever
// taken last, holding at most a key's lock, and held for a few calls.
func lockTally(dir string) (tally, error) {
	f, err := nopoll.Open(dir)
	if err != nil {
		return tally{}, fmt.Errorf("open disk directory %s: %w", dir, err)
	}
	if err := flock.Lock(f, unix.LOCK_EX); err != nil {
		f.Close()
		return tally{}, fmt.Errorf("lock disk directory %s: %w", dir, err)
	}
	return tally{f}, nil
}

func (t tally) unlock() { t.f.Close() }

// get returns the tally, or ok false when there is none to be had (never
// set, removed, or an error).
func (t tally) get() (n int64, ok bool) {
	var buf [24]byte
	sz, err := unix.Fgetxattr(int(t.f.Fd()), unusedXattr, buf[:])
	if err != nil {
		return 0, false
	}
	n, err = strconv.ParseInt(string(buf[:sz]), 10, 64)
	return n, err == nil && n >= 0
}

// set records n bytes; a failure removes the tally, so that trim reads
// the directory rather than trust a stale one.
func (t tally) set(n int64) {
	err := unix.Fsetxattr(int(t.f.Fd()), unusedXattr, strconv.AppendInt(nil, n, 10), 0)
	if err == nil {
		return
	}
	logrus.Debugf("record unused disk images' size on %s: %v (trim reads the directory)", t.f.Name(), err)
	t.forget()
}

// forget removes the tally: the next trim reads the directory and sets it.
func (t tally) forget() {
	if err := unix.Fremovexattr(int(t.f.Fd()), unusedXattr); err != nil && !errors.Is(err, unix.ENODATA) {
		logrus.Debugf("remove tally of unused disk images on %s: %v", t.f.Name(), err)
	}
}

// add changes the tally by n bytes. Without a tally there is nothing to
// change. Below zero, it was wrong (someone else removed marks): it goes.
func (t tally) add(n int64) {
	cur, ok := t.get()
	switch {
	case !ok:
	case cur+n < 0:
		t.forget()
	default:
		t.set(cur + n)
	}
}

// size is the bytes the image's file takes, 0 if it has none.
func (im image) size() int64 {
	st, err := os.Stat(im.path())
	if err != nil {
		return 0
	}
	return st.Size()
}

// unmark removes the image's unused mark, if it has one, and takes the
// image's size off the tally: the size it had when marked, since an
// unused image never changes, or nothing if its file is gone (a recount
// counts such a mark as nothing). The caller holds the key's lock.
func (im image) unmark() error {
	// Only a holder of the key's lock makes the mark: without one now,
	// there will be none until the caller is done.
	if _, err := os.Lstat(im.unusedPath()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	t, err := lockTally(im.dir)
	if err != nil {
		return fmt.Errorf("unmark disk image %s: %w", im.path(), err)
	}
	defer t.unlock()
	size := im.size()
	err = os.Remove(im.unusedPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove unused mark of disk image %s: %w", im.path(), err)
	}
	t.add(-size)
	return nil
}
