package nabla

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
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
		content, err := readCapped(host)
		if err != nil {
			return nil, fmt.Errorf("read %s for the guest's %s: %w", host, guest, err)
		}
		files[guest] = content
	}
	return files, nil
}

func readCapped(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFileBytes {
		return "", fmt.Errorf("file is bigger than the %d KiB a unikernel's CONFIG can carry", maxFileBytes>>10)
	}
	return string(b), nil
}
