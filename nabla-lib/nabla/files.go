package nabla

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxFileBytes caps each per-container file: CONFIG travels as one
// command-line argument, which Linux caps at 128 KiB.
const maxFileBytes = 64 << 10

// readFiles reads the per-container files named by the fs handler's
// llif.FsFiles option (JSON guest path -> host path). They are read at run,
// not create, because engines rewrite them until the container starts
// (Docker edits /etc/hosts when a network is connected).
func readFiles(option string) (map[string]string, error) {
	if option == "" {
		return nil, nil
	}
	var paths map[string]string
	if err := json.Unmarshal([]byte(option), &paths); err != nil {
		return nil, fmt.Errorf("fs state files %q is not a JSON object of paths: %w", option, err)
	}
	files := make(map[string]string, len(paths))
	for guest, host := range paths {
		content, err := readCapped(host, maxFileBytes, "a unikernel's CONFIG can carry")
		if err != nil {
			return nil, fmt.Errorf("read %s for the guest's %s: %w", host, guest, err)
		}
		files[guest] = content
	}
	return files, nil
}

// readCapped reads the regular file name, refusing one over limit bytes
// (why is the limit's reason, for the error). O_NONBLOCK: an image may put
// a FIFO where a file is expected, and must not hang the runtime.
func readCapped(name string, limit int, why string) (string, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return "", err
	} else if !fi.Mode().IsRegular() {
		return "", errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return "", err
	}
	if len(b) > limit {
		return "", fmt.Errorf("file is bigger than the %d KiB %s", limit>>10, why)
	}
	return string(b), nil
}
