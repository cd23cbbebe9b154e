package nabla

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// inRootfs is name as a path in the rootfs: relative names are relative
// to the process's cwd.
func inRootfs(cwd, name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	if cwd == "" {
		cwd = "/"
	}
	return path.Join(cwd, name)
}

// resolveUnikernel finds the host path of the unikernel entry (named by
// source, for errors) inside rootfs. Any name will do: the ELF notes, not
// the name, say what the file is.
func resolveUnikernel(rootfs, cwd, entry, source string) (string, error) {
	if entry == "" {
		return "", errors.New("process.args is empty: set the entrypoint to a unikernel")
	}
	return resolveFile(rootfs, cwd, entry, "entrypoint", source)
}

// resolveFile finds the host path of the regular file name (what it is and
// where the name comes from are for errors) inside rootfs. Symlinks are
// resolved within rootfs, so an image cannot point the tender at a host
// file.
func resolveFile(rootfs, cwd, name, what, source string) (string, error) {
	name = inRootfs(cwd, name)
	host, err := securejoin.SecureJoin(rootfs, name)
	if err != nil {
		return "", fmt.Errorf("resolve %s %s in rootfs %s: %w", what, name, rootfs, err)
	}
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s %s does not exist in rootfs %s: check %s and the image", what, name, rootfs, source)
	}
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what, name, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s %s in rootfs %s is not a regular file: check %s and the image", what, name, rootfs, source)
	}
	return host, nil
}

// checkTender fails early, at create, when the tender cannot be run.
func checkTender(tender string) error {
	if !path.IsAbs(tender) {
		return fmt.Errorf("tender path %q is not absolute: set --tender or RUNNC_TENDER", tender)
	}
	fi, err := os.Stat(tender)
	if err != nil {
		return fmt.Errorf("tender %s cannot be found: install nabla-run there or set --tender (%w)", tender, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("tender %s is not an executable file", tender)
	}
	return nil
}
