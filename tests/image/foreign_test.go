package image_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A store that holds files runnc did not make: pull, ls and rm work,
// skip a foreign record with a warning, and leave every such file as it
// was, tmp/thesis.tex included.
func TestStoreKeepsForeignFiles(t *testing.T) {
	e := newEnv(t)
	foreign := map[string]string{
		"tmp/thesis.tex":            "\\documentclass{article}",
		"tmp/pull-notes":            "not a pull of runnc's",
		"images/notes.json":         "{not json",
		"images/" + hex64 + ".json": "{corrupt",
		"images/other.json":         `{"id":"sha256:` + hex64 + `","refs":["docker://x/y:1"]}`,
		"blobs/sha256/README":       "my blobs",
		"rootfs/mine/file":          "my tree",
		"bundles/mine/config.json":  "{}",
		"photo.jpg":                 "jpeg",
	}
	for p, content := range foreign {
		full := filepath.Join(e.store, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string) {
		t.Helper()
		for p, content := range foreign {
			if got, err := os.ReadFile(filepath.Join(e.store, p)); err != nil || string(got) != content {
				t.Errorf("%s: the user's %s is %q (%v), want %q", what, p, got, err, content)
			}
		}
	}

	img := helloImage(t)
	id, _ := digestOf(t, img)
	if got := e.pull("oci:" + writeLayout(t, img, "1") + ":1"); got != id {
		t.Fatalf("pull printed %q, want %s", got, id)
	}
	check("after pull")
	out, stderr := e.run(true, "image", "ls", "--quiet")
	if strings.TrimSpace(out) != id {
		t.Errorf("image ls --quiet = %q, want only %s", out, id)
	}
	for _, name := range []string{"notes.json", "other.json", hex64 + ".json"} {
		if !strings.Contains(stderr, name) {
			t.Errorf("image ls does not warn about the foreign record %s: %q", name, stderr)
		}
	}
	e.run(true, "image", "rm", id)
	check("after rm")
	if out, _ := e.run(true, "image", "ls", "--quiet"); strings.TrimSpace(out) != "" {
		t.Errorf("after rm, image ls --quiet = %q", out)
	}
}

// hex64 is a digest's hex that names no stored image.
var hex64 = strings.Repeat("ab", 32)
