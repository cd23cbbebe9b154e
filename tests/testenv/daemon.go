package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CloseExtraFdsOnExec marks every descriptor above 2 close-on-exec, so that
// ones the test process inherited do not leak through a daemon it starts
// (containerd, podman) into the runtime.
func CloseExtraFdsOnExec() {
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
}

// Tail returns the last n lines of a file, for a failing daemon's log.
func Tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WriteContainerdConfig writes dir/config.toml for a private containerd
// without its CRI plugin, listening on sock, that keeps all its state
// under dir; only the shim sockets (/run/containerd/s, fixed in
// containerd 1.6) are outside. It returns the file's path.
func WriteContainerdConfig(dir, sock string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = %q
[ttrpc]
  address = %q
[debug]
  address = %q
  level = "info"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc",
		filepath.Join(dir, "debug.sock"), filepath.Join(dir, "opt"))
	p := filepath.Join(dir, "config.toml")
	return p, os.WriteFile(p, []byte(cfg), 0o600)
}
