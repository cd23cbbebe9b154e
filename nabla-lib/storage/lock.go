package storage

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// keyLock is the exclusive flock on <DiskDir>/<key>.lock that serialises
// building, using and removing one image across runnc processes.
type keyLock struct{ f *os.File }

// lockKey takes the lock of key, waiting while another process holds it
// (or, with wait false, returning ok false at once). The release of the
// last user and an eviction remove the lock file while holding it, so a
// waiter may wake up holding an unlinked file: it then retries on the file
// now at the path.
func lockKey(dir, key string, wait bool) (l keyLock, ok bool, err error) {
	path := image{dir: dir, key: key}.lockPath()
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return keyLock{}, false, fmt.Errorf("open image lock %s: %w", path, err)
		}
		err = flock(f, how)
		if errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return keyLock{}, false, nil
		}
		if err != nil {
			f.Close()
			return keyLock{}, false, fmt.Errorf("lock %s: %w", path, err)
		}
		if samePath(f, path) {
			return keyLock{f}, true, nil
		}
		f.Close()
	}
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// samePath tells whether the open file f is still the file at path.
func samePath(f *os.File, path string) bool {
	var a, b unix.Stat_t
	if unix.Fstat(int(f.Fd()), &a) != nil || unix.Stat(path, &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

func (l keyLock) unlock() { l.f.Close() }
