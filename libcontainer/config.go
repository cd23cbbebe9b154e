package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Config is what a container is created from: the OCI spec as the caller
// gave it and its conversion by runc's specconv, which the handlers read.
type Config struct {
	Bundle  string
	Spec    *specs.Spec
	Runtime *configs.Config
}

// LoadBundle reads <bundle>/config.json and converts it.
func LoadBundle(bundle string) (*Config, error) {
	abs, err := filepath.Abs(bundle)
	if err != nil {
		return nil, errorf(ErrInvalidConfig, "bundle path %q is not valid: %w", bundle, err)
	}
	data, err := nopoll.ReadFile(filepath.Join(abs, specConfig))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errorf(ErrInvalidConfig, "bundle %s has no %s: pass the bundle directory with --bundle (runnc spec writes a template)", abs, specConfig)
		}
		return nil, errorf(ErrInvalidConfig, "cannot read %s in bundle %s: %w", specConfig, abs, err)
	}
	var spec linuxSpec
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&spec); err != nil {
		return nil, errorf(ErrInvalidConfig, "%s in bundle %s is not valid OCI JSON: %w", specConfig, abs, err)
	}
	cfg, err := NewConfig(abs, spec.spec())
	if err == nil {
		debugStep("", "config", "%s/%s read and converted", abs, specConfig)
	}
	return cfg, err
}

const specConfig = "config.json"

// linuxSpec is the part of an OCI spec a Linux runtime reads. encoding/json
// builds the codecs of every type a struct reaches on its first decode,
// and specs.Spec reaches those of the other platforms' sections too
// (Windows, Solaris, VM, z/OS, FreeBSD): a quarter of the 2.5-3.5 ms that
// decode takes a fresh runnc create. runnc ignores those sections either
// way.
type linuxSpec struct {
	Version     string            `json:"ociVersion"`
	Process     *specs.Process    `json:"process,omitempty"`
	Root        *specs.Root       `json:"root,omitempty"`
	Hostname    string            `json:"hostname,omitempty"`
	Domainname  string            `json:"domainname,omitempty"`
	Mounts      []specs.Mount     `json:"mounts,omitempty"`
	Hooks       *specs.Hooks      `json:"hooks,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Linux       *specs.Linux      `json:"linux,omitempty"`
}

func (l *linuxSpec) spec() *specs.Spec {
	return &specs.Spec{Version: l.Version, Process: l.Process, Root: l.Root, Hostname: l.Hostname,
		Domainname: l.Domainname, Mounts: l.Mounts, Hooks: l.Hooks, Annotations: l.Annotations, Linux: l.Linux}
}

// NewConfig checks an OCI spec for what a Nabla container needs and converts
// it with specconv. A relative root.path is relative to bundle.
func NewConfig(bundle string, spec *specs.Spec) (*Config, error) {
	if err := validateSpec(spec); err != nil {
		return nil, errorf(ErrInvalidConfig, "invalid %s in bundle %s: %w", specConfig, bundle, err)
	}
	conv := *spec
	root := *spec.Root
	if !filepath.IsAbs(root.Path) {
		root.Path = filepath.Join(bundle, root.Path)
	}
	conv.Root = &root
	if spec.Linux != nil {
		// The tender's own allowlist replaces whatever profile the engine
		// sends (Docker's default is far wider), so it is not converted.
		linux := *spec.Linux
		linux.Seccomp = nil
		conv.Linux = &linux
	}
	rc, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{
		CgroupName:   "",
		NoPivotRoot:  true,
		NoNewKeyring: true,
		Spec:         &conv,
	})
	if err != nil {
		return nil, errorf(ErrInvalidConfig, "invalid %s in bundle %s: %w", specConfig, bundle, err)
	}
	// specconv records the working directory as the bundle; make it the
	// bundle the caller named, wherever it runs from.
	for i, l := range rc.Labels {
		if strings.HasPrefix(l, "bundle=") {
			rc.Labels[i] = "bundle=" + bundle
		}
	}
	return &Config{Bundle: bundle, Spec: spec, Runtime: rc}, nil
}

func validateSpec(spec *specs.Spec) error {
	if spec.Version == "" {
		return errors.New("ociVersion is missing")
	}
	if !strings.HasPrefix(spec.Version, "1.") {
		return fmt.Errorf("ociVersion %q is not supported: runnc reads OCI runtime spec 1.x", spec.Version)
	}
	if spec.Root == nil || spec.Root.Path == "" {
		return errors.New("root.path is missing: it names the container's root filesystem")
	}
	if spec.Process == nil {
		return errors.New("process is missing: it names the unikernel to run")
	}
	if len(spec.Process.Args) == 0 || spec.Process.Args[0] == "" {
		return errors.New("process.args is empty: its first element is the .nabla unikernel to run")
	}
	// The guest reads CONFIG as C strings: a NUL cannot reach it, and an
	// environment entry must be NAME=VALUE.
	for i, a := range spec.Process.Args {
		if strings.Contains(a, "\x00") {
			return fmt.Errorf("process.args[%d] %q contains a NUL byte", i, a)
		}
	}
	for i, e := range spec.Process.Env {
		if strings.Contains(e, "\x00") {
			return fmt.Errorf("process.env[%d] %q contains a NUL byte", i, e)
		}
		if name, _, ok := strings.Cut(e, "="); !ok || name == "" {
			return fmt.Errorf("process.env[%d] %q is not NAME=VALUE", i, e)
		}
	}
	if strings.Contains(spec.Process.Cwd, "\x00") || strings.Contains(spec.Root.Path, "\x00") {
		return errors.New("process.cwd or root.path contains a NUL byte")
	}
	// As runc: the spec requires an absolute cwd; "" is taken as "/".
	if cwd := spec.Process.Cwd; cwd != "" && !filepath.IsAbs(cwd) {
		return fmt.Errorf("process.cwd %q is not an absolute path", cwd)
	}
	if spec.Linux == nil {
		return errors.New("linux section is missing")
	}
	return checkOptions(spec)
}
