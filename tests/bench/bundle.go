package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// workload says what a bundle runs: the files of its rootfs (path inside
// rootfs -> host file) and process.args.
type workload struct {
	files map[string]string
	args  []string
}

// makeBundle writes a bundle in dir whose config.json comes from
// `<specTool> spec` (runc's for the Linux runtimes, runnc's for runnc) with
// args set and no terminal.
func makeBundle(dir, specTool string, w workload) error {
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return err
	}
	for inside, host := range w.files {
		if err := copyFile(host, filepath.Join(rootfs, inside)); err != nil {
			return err
		}
	}
	if out, err := combinedOutput(exec.Command(specTool, "spec", "--bundle", dir)); err != nil {
		return fmt.Errorf("%s spec --bundle %s: %v: %s", specTool, dir, err, out)
	}
	return editSpec(dir, func(spec *specs.Spec) {
		spec.Process.Args = w.args
		spec.Process.Terminal = false
	})
}

// editSpec rewrites the config.json of the bundle in dir through edit.
func editSpec(dir string, edit func(*specs.Spec)) error {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	edit(&spec)
	if data, err = json.MarshalIndent(&spec, "", "  "); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
}

// fillRootfs adds mb MiB of incompressible files (1 MiB each) under
// rootfs/data, as an application's files would be.
func fillRootfs(rootfs string, mb int) error {
	dir := filepath.Join(rootfs, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{byte(mb)})
	buf := make([]byte, 1<<20)
	for i := 0; i < mb; i++ {
		rng.Read(buf)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("blob-%04d", i)), buf, 0o644); err != nil {
			return fmt.Errorf("fill rootfs %s: %w", rootfs, err)
		}
	}
	return nil
}
