package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// dockerDefaultCaps are the capabilities Docker gives a container by
// default; the profile allows some syscalls only with a capability.
var dockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// dockerProfilePath is where Debian's golang-github-docker-docker-dev (the
// moby source of the same version as docker.io) keeps the default profile.
const dockerSourcePackage = "golang-github-docker-docker-dev"

const dockerProfilePath = "/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json"

// dockerProfile is the part of Docker's seccomp profile format the count
// needs.
type dockerProfile struct {
	DefaultAction string `json:"defaultAction"`
	Syscalls      []struct {
		Names    []string                `json:"names"`
		Action   string                  `json:"action"`
		ErrnoRet *uint                   `json:"errnoRet"`
		Args     []specs.LinuxSeccompArg `json:"args"`
		Includes dockerFilters           `json:"includes"`
		Excludes dockerFilters           `json:"excludes"`
	} `json:"syscalls"`
}

type dockerFilters struct {
	Caps      []string `json:"caps"`
	Arches    []string `json:"arches"`
	MinKernel string   `json:"minKernel"`
}

// findDockerProfile returns the path of Docker's default profile: the
// installed file, or the one extracted from the Debian package (without
// installing it and its thirty Go source dependencies) into cache, with
// the package's version.
func findDockerProfile(cache string) (path, version string, err error) {
	if _, err := os.Stat(dockerProfilePath); err == nil {
		out, _ := combinedOutput(exec.Command("dpkg-query", "-W", "-f=${Version}", dockerSourcePackage))
		return dockerProfilePath, strings.TrimSpace(string(out)), nil
	}
	dst := filepath.Join(cache, "docker-default-seccomp.json")
	dir, err := os.MkdirTemp(cache, "deb")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	download := func() ([]byte, error) {
		dl := exec.Command("apt-get", "download", dockerSourcePackage)
		dl.Dir = dir
		return combinedOutput(dl)
	}
	out, err := download()
	if err != nil {
		// A fresh machine may have no package lists yet.
		if _, uerr := combinedOutput(exec.Command("apt-get", "update", "-qq")); uerr == nil {
			out, err = download()
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("apt-get download %s: %v: %s", dockerSourcePackage, err, lastLine(string(out)))
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if len(debs) != 1 {
		return "", "", fmt.Errorf("apt-get download left %d .deb files in %s", len(debs), dir)
	}
	script := fmt.Sprintf("dpkg-deb --fsys-tarfile %q | tar -xO .%s > %q", debs[0], dockerProfilePath, dst)
	if out, err := combinedOutput(exec.Command("sh", "-c", script)); err != nil {
		return "", "", fmt.Errorf("extract the profile from %s: %v: %s", debs[0], err, out)
	}
	out, _ = combinedOutput(exec.Command("dpkg-deb", "-f", debs[0], "Version"))
	return dst, strings.TrimSpace(string(out)), nil
}

// countDockerAllowed counts the x86_64 syscalls Docker's default profile
// allows a container with Docker's default capabilities on this kernel:
// names listed under SCMP_ACT_ALLOW whose conditions hold, that exist on
// x86_64 (the profile also lists i386 and arm names, which libseccomp
// skips there). Argument filters (clone, personality) still count: the
// syscall is reachable.
func countDockerAllowed(profile []byte, x86 map[string]int, kernel string) (int, error) {
	var p dockerProfile
	if err := json.Unmarshal(profile, &p); err != nil {
		return 0, fmt.Errorf("parse the Docker profile: %w", err)
	}
	if p.DefaultAction == "SCMP_ACT_ALLOW" {
		return 0, fmt.Errorf("the profile allows by default; it is not an allowlist")
	}
	allowed := map[string]bool{}
	for _, s := range p.Syscalls {
		if s.Action != "SCMP_ACT_ALLOW" || !dockerApplies(s.Includes, s.Excludes, kernel) {
			continue
		}
		for _, n := range s.Names {
			if _, ok := x86[n]; ok {
				allowed[n] = true
			}
		}
	}
	return len(allowed), nil
}

// dockerOCISeccomp turns Docker's profile into the runtime spec's seccomp
// section the way Docker does for an amd64 container with its default
// capabilities, so that runc can be run with it.
func dockerOCISeccomp(profile []byte, kernel string) (*specs.LinuxSeccomp, error) {
	var p dockerProfile
	if err := json.Unmarshal(profile, &p); err != nil {
		return nil, fmt.Errorf("parse the Docker profile: %w", err)
	}
	sc := &specs.LinuxSeccomp{
		DefaultAction: specs.LinuxSeccompAction(p.DefaultAction),
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
	}
	for _, r := range p.Syscalls {
		if !dockerApplies(r.Includes, r.Excludes, kernel) {
			continue
		}
		sc.Syscalls = append(sc.Syscalls, specs.LinuxSyscall{
			Names: r.Names, Action: specs.LinuxSeccompAction(r.Action), ErrnoRet: r.ErrnoRet, Args: r.Args,
		})
	}
	return sc, nil
}

// dockerApplies evaluates a rule's includes/excludes for an amd64
// container with Docker's default capabilities.
func dockerApplies(inc, exc dockerFilters, kernel string) bool {
	if len(inc.Arches) > 0 && !slices.Contains(inc.Arches, "amd64") {
		return false
	}
	for _, c := range inc.Caps {
		if !slices.Contains(dockerDefaultCaps, c) {
			return false
		}
	}
	if inc.MinKernel != "" && versionLess(kernel, inc.MinKernel) {
		return false
	}
	if slices.Contains(exc.Arches, "amd64") {
		return false
	}
	for _, c := range exc.Caps {
		if slices.Contains(dockerDefaultCaps, c) {
			return false
		}
	}
	return true
}

// versionLess compares dotted numeric versions ("6.1.0-13" < "6.18").
func versionLess(a, b string) bool {
	num := regexp.MustCompile(`^\d+(\.\d+)*`)
	pa := strings.Split(num.FindString(a), ".")
	pb := strings.Split(num.FindString(b), ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// runWithProfile runs the sleep workload with Docker's profile as its
// seccomp section and reads back what the installed filter allows.
func runWithProfile(ctx context.Context, d *driver, profile []byte, kernel string) ([]string, error) {
	sc, err := dockerOCISeccomp(profile, kernel)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(d.sleep, "config.json"))
	if err != nil {
		return nil, err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, err
	}
	spec.Root.Path = filepath.Join(d.sleep, "rootfs")
	spec.Linux.Seccomp = sc
	bundle := filepath.Join(d.dir, "seccomp")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		return nil, err
	}
	if data, err = json.Marshal(&spec); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		return nil, err
	}
	names, _, err := runningFilter(ctx, d, bundle, nil)
	return names, err
}
