package storage

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/nopoll"
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
		f, err := nopoll.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return keyLock{}, false, fmt.Errorf("open image lock %s: %w", path, err)
		}
		err = flock.Lock(f, how)
		if errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return keyLock{}, false, nil
		}
		if err != nil {
			f.Close()
			return keyLock{}, false, fmt.Errorf("lock %s: %w", path, err)
		}
		if flock.StillAt(f, path) {
			return keyLock{f}, true, nil
		}
		f.Close()
	}
}

func (l keyLock) unlock() { l.f.Close() }

// bootID is this boot's id, "" where the kernel does not say.
var bootID = sync.OnceValue(func() string {
	b, err := nopoll.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

// checkedThisBoot tells whether the key's users were all checked in this
// boot: the lock file holds the boot id of that check (a lock file is new
// when its image gets its first user, and an empty one means never).
func (l keyLock) checkedThisBoot() bool {
	id := bootID()
	buf := make([]byte, len(id)+1)
	n, _ := l.f.ReadAt(buf, 0)
	return id != "" && string(buf[:n]) == id
}

// markChecked records that the key's users were all checked in this boot.
func (l keyLock) markChecked() error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("mark the users of %s checked: %w", l.f.Name(), err)
	}
	if _, err := l.f.WriteAt([]byte(bootID()), 0); err != nil {
		return fmt.Errorf("mark the users of %s checked: %w", l.f.Name(), err)
	}
	return nil
}
