package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// repoRoot is the nearest directory above the working directory that
// holds go.mod, as tests/testenv finds it (testenv needs a testing.TB).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (no go.mod above the working directory): run the bench from the repository")
		}
		dir = parent
	}
}

// buildDir is where `make` put the binaries (RUNNC_BUILD overrides).
func buildDir(repo string) string {
	if d := os.Getenv("RUNNC_BUILD"); d != "" {
		return d
	}
	return filepath.Join(repo, "build")
}

// built returns the path of a file `make` builds, or an error saying to
// run make.
func built(build, rel string) (string, error) {
	p := filepath.Join(build, rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is missing: run make first", p)
	}
	return p, nil
}

// uncache drops the files' pages from the page cache, so that a program
// is timed as an exec reads it from disk (as after a boot), not as its
// linker, a copy or a package manager wrote it: on this VM how a binary's
// pages came into the cache moves a start by up to 1.4 ms (the start-up
// profile), and each program would be timed in a state of its own. A file
// that is missing is left out: its row says so where it is run.
func uncache(paths ...string) {
	for _, p := range paths {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			// Dirty pages stay in the cache: write them first.
			if err = f.Sync(); err == nil {
				err = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
			}
			f.Close()
		}
		if err != nil {
			progress("drop %s from the page cache: %v (it is timed as it is cached)", p, err)
		}
	}
}

// debianPackages maps a command the bench needs to the package with it.
var debianPackages = []struct{ command, pkg string }{
	{"runc", "runc"},
	{"runsc", "runsc"},
	{"crun", "crun"},
	{"busybox", "busybox-static"},
	{"gcc", "gcc"},
	{"wrk", "wrk"},
}

// installMissing installs the Debian packages whose commands are missing.
// A failure is returned for the report, not fatal: the runtimes that are
// present still get measured.
func installMissing() error {
	var need []string
	for _, p := range debianPackages {
		if _, err := exec.LookPath(p.command); err != nil {
			need = append(need, p.pkg)
		}
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/libc.a"); err != nil {
		need = append(need, "libc6-dev")
	}
	if len(need) == 0 {
		return nil
	}
	progress("setup: installing %s", strings.Join(need, " "))
	cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, need...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := combinedOutput(cmd); err != nil {
		return fmt.Errorf("apt-get install %s: %v: %s", strings.Join(need, " "), err, lastLine(string(out)))
	}
	return nil
}

// describeMachine records what the figures were measured on.
func describeMachine(versions map[string]string) Machine {
	m := Machine{Cores: runtime.NumCPU(), Versions: versions}
	m.CPU = firstField("/proc/cpuinfo", "model name")
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	m.OS = strings.Trim(firstField("/etc/os-release", "PRETTY_NAME"), `"`)
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		m.MemoryMB = int(uint64(si.Totalram) * uint64(si.Unit) >> 20)
	}
	m.Cgroups = cgroupMode()
	return m
}

// loadAverage is the 1-minute load average.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}

// firstField returns the value of the first "key: value" or "key=value"
// line of a file.
func firstField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if !strings.HasPrefix(line, key) {
			continue
		}
		rest := strings.TrimLeft(line[len(key):], " \t")
		if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "=") {
			return strings.TrimSpace(rest[1:])
		}
	}
	return ""
}

func cgroupMode() string {
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) != nil {
		return "unknown"
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v2 (unified)"
	}
	if _, err := os.Stat("/sys/fs/cgroup/unified"); err == nil {
		return "hybrid (v1 controllers, v2 mounted at /sys/fs/cgroup/unified)"
	}
	return "v1"
}

// commandVersion is the first line of `name args...`, or why there is none.
func commandVersion(name string, args ...string) string {
	return strings.SplitN(runtimeVersion(name, args...), "; ", 2)[0]
}

// runtimeVersion is every line of `name --version` (a runtime's commit,
// spec, Go and libseccomp versions), joined with "; ".
func runtimeVersion(name string, args ...string) string {
	out, err := combinedOutput(exec.Command(name, args...))
	if err != nil && len(out) == 0 {
		return "unknown (" + err.Error() + ")"
	}
	return strings.Join(strings.Split(strings.TrimSpace(string(out)), "\n"), "; ")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// progress reports on stderr what the bench is doing: a full run takes
// minutes.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
