package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/atomicfile"
	"github.com/nabla-containers/runnc/internal/errclass"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Spec returns a copy of base made into the spec of a container of image
// ref: root.path is the image's rootfs in the store (read-only, shared by
// all its containers), process.args its Entrypoint then Cmd, process.env
// base's overridden by the image's Env, process.cwd its WorkingDir.
func (s *Store) Spec(ref string, base *specs.Spec) (*specs.Spec, error) {
	if base == nil {
		return nil, errors.New("no base spec given: pass the spec to fill (runnc uses the one runnc spec writes)")
	}
	d, err := s.Inspect(ref)
	if err != nil {
		return nil, err
	}
	// A deep copy through JSON: the caller's base must stay as it was.
	data, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, err
	}
	c := d.Config.Config
	args := append(append([]string{}, c.Entrypoint...), c.Cmd...)
	if len(args) == 0 {
		return nil, errclass.Errorf(imageapi.ErrInvalidImage, "image %s (%s) has no Entrypoint or Cmd: it does not say which unikernel to run", ref, d.ID)
	}
	// Checked here, where the image can be named: the runtime would
	// refuse the entry too, but naming the store's internal bundle.
	for _, kv := range c.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, errclass.Errorf(imageapi.ErrInvalidImage, "image %s (%s) has an Env entry %q that is not NAME=VALUE: fix the image's config", ref, ShortID(d.ID), kv)
		}
	}
	if spec.Process == nil {
		spec.Process = &specs.Process{}
	}
	spec.Process.Args = args
	spec.Process.Env = mergeEnv(spec.Process.Env, c.Env)
	spec.Process.Cwd = "/"
	if c.WorkingDir != "" {
		spec.Process.Cwd = c.WorkingDir
	}
	spec.Root = &specs.Root{Path: d.Rootfs, Readonly: true}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[imageapi.AnnotationImage] = d.ID
	return &spec, nil
}

// BundleOptions tune Bundle.
type BundleOptions struct {
	// Base is the spec to fill (see Spec).
	Base *specs.Spec
}

// Bundle writes dir/config.json for a container of image ref (see Spec);
// dir is made if missing. An existing config.json is not overwritten.
func (s *Store) Bundle(ref, dir string, opts BundleOptions) error {
	spec, err := s.Spec(ref, opts.Base)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make bundle directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "config.json")
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s exists already: remove it first", path)
	}
	data, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644, true); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// SharedBundle makes the bundle that every container of image ref made
// with base shares, <store>/bundles/<hex>/, and returns its directory. Its
// config.json depends only on the image and base, so it is rewritten (by
// rename, the same content) on each use and goes with the image. The
// caller holds the store's lock (Lock), so the image cannot go meanwhile.
func (s *Store) SharedBundle(ref string, base *specs.Spec) (string, error) {
	spec, err := s.Spec(ref, base)
	if err != nil {
		return "", err
	}
	dir := s.bundlePath(spec.Annotations[imageapi.AnnotationImage])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make bundle directory %s: %w", dir, err)
	}
	data, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, "config.json"), append(data, '\n'), 0o644, true); err != nil {
		return "", fmt.Errorf("write bundle of image %s: %w", ref, err)
	}
	return dir, nil
}

// mergeEnv is base with the image's variables added, an image's value
// replacing base's for the same name.
func mergeEnv(base, image []string) []string {
	out := append([]string{}, base...)
	for _, kv := range image {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, b := range out {
			if bk, _, _ := strings.Cut(b, "="); bk == k {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}
