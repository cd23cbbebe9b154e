package nabla

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// unikernelSuffix is how Nabla images name their unikernels.
const unikernelSuffix = ".nabla"

// resolveUnikernel finds the host path of the entrypoint args[0] inside
// rootfs, relative to cwd when it is relative. Symlinks are resolved
// within rootfs, so an image cannot point the tender at a host file.
func resolveUnikernel(rootfs, cwd string, args []string) (string, error) {
	if len(args) == 0 || args[0] == "" {
		return "", errors.New("process.args is empty: set the entrypoint to a .nabla unikernel")
	}
	entry := args[0]
	if !strings.HasSuffix(entry, unikernelSuffix) {
		return "", fmt.Errorf("entrypoint %s is not a .nabla unikernel: runnc runs only Nabla unikernels, so process.args[0] must name a *.nabla file", entry)
	}
	if !path.IsAbs(entry) {
		if cwd == "" {
			cwd = "/"
		}
		entry = path.Join(cwd, entry)
	}
	host, err := securejoin.SecureJoin(rootfs, entry)
	if err != nil {
		return "", fmt.Errorf("resolve entrypoint %s in rootfs %s: %w", entry, rootfs, err)
	}
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("entrypoint %s does not exist in rootfs %s: check process.args[0] and the image", entry, rootfs)
	}
	if err != nil {
		return "", fmt.Errorf("entrypoint %s: %w", entry, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("entrypoint %s in rootfs %s is not a regular file", entry, rootfs)
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
