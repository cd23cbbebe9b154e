package network_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// The main thread's namespace is what /proc/self/ns/net shows, and the
// handler compares it with a container's to recognise the host's. Tests
// lock threads into pods' namespaces for Run; keeping the main goroutine
// on the main thread keeps them off it.
func init() { runtime.LockOSThread() }

// TestMain checks, after all tests, that no namespace they made is left
// (theirs carry this process's pid) and that no device of the handler's
// naming appeared on the host.
func TestMain(m *testing.M) {
	if os.Getenv(guardChildEnv) != "" {
		os.Exit(guardChild())
	}
	code := m.Run()
	if os.Geteuid() == 0 {
		if left := leftovers(); left != "" {
			fmt.Fprintf(os.Stderr, "tests left behind: %s\n", left)
			code = 1
		}
	}
	os.Exit(code)
}

func leftovers() string {
	var left []string
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, fmt.Sprintf("%s%d-", nsPrefix, os.Getpid())) {
			left = append(left, "namespace "+strings.Fields(line)[0])
		}
	}
	out, _ = exec.Command("ip", "-o", "link", "show").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && (strings.HasPrefix(f[1], "nbt") || strings.HasPrefix(f[1], "nbb")) {
			left = append(left, "host link "+strings.TrimSuffix(f[1], ":"))
		}
	}
	return strings.Join(left, ", ")
}
