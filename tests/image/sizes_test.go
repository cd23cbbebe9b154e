package image_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// editManifest changes the manifest of the one image in the OCI layout
// dir and stores it under its new digest, so the layout is consistent but
// for what edit made it say.
func editManifest(t *testing.T, dir string, edit func(m *v1.Manifest)) {
	t.Helper()
	indexPath := filepath.Join(dir, "index.json")
	data, err := os.ReadFile(indexPath)
	if err != nil {
		t.Fatal(err)
	}
	var index v1.IndexManifest
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	desc := &index.Manifests[0]
	raw, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", desc.Digest.Hex))
	if err != nil {
		t.Fatal(err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	if raw, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	desc.Digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	desc.Size = int64(len(raw))
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", desc.Digest.Hex), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err = json.Marshal(index); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(indexPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A manifest's declared sizes are checked: an absurd or negative one is
// refused before anything is fetched, and one that differs from the
// bytes read fails the pull. The store stays as it was, and image ls
// never shows a size no blob has.
func TestDeclaredSizesAreChecked(t *testing.T) {
	e := newEnv(t)
	e.pullHello()
	before := tree(t, e.store)
	for name, c := range map[string]struct {
		edit func(m *v1.Manifest)
		want string
	}{
		"layer of 4.6 EB":    {func(m *v1.Manifest) { m.Layers[0].Size = 1 << 62 }, "declares"},
		"negative layer":     {func(m *v1.Manifest) { m.Layers[0].Size = -1 }, "declares"},
		"layer smaller":      {func(m *v1.Manifest) { m.Layers[0].Size-- }, "bytes"},
		"layer larger":       {func(m *v1.Manifest) { m.Layers[0].Size += 100 }, "bytes"},
		"config of 4.6 EB":   {func(m *v1.Manifest) { m.Config.Size = 1 << 62 }, "declares"},
		"config larger":      {func(m *v1.Manifest) { m.Config.Size += 100 }, "bytes"},
		"second layer lying": {func(m *v1.Manifest) { m.Layers[1].Size = 1 }, "bytes"},
	} {
		img := makeImage(t, nil, nil, testenv.Layer(t, file("hello.nabla", hello(t), 0o755)),
			testenv.Layer(t, file(strings.ReplaceAll(name, " ", "-"), []byte(name), 0o644)))
		dir := writeLayout(t, img, "1")
		editManifest(t, dir, c.edit)
		out, err := e.cmd("image", "pull", "oci:"+dir+":1").CombinedOutput()
		t.Logf("%s: %s", name, out)
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%s: pull ended with %v: %q, want a failure saying %q", name, err, out, c.want)
		}
		if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: a refused pull changed the store:\nbefore %q\nafter  %q", name, before, after)
		}
	}
}
