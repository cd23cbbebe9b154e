package libcontainer

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// otherPlatforms are the sections of specs.Spec that linuxSpec leaves out.
var otherPlatforms = []string{"solaris", "windows", "vm", "zos", "freebsd"}

// A field added to specs.Spec by a newer runtime-spec must not be dropped
// silently by LoadBundle: linuxSpec has every field but the other
// platforms' sections, under the same name and type.
func TestLinuxSpecHasEveryLinuxField(t *testing.T) {
	full, ours := reflect.TypeFor[specs.Spec](), reflect.TypeFor[linuxSpec]()
	for i := range full.NumField() {
		f := full.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		g, ok := ours.FieldByName(f.Name)
		switch {
		case slices.Contains(otherPlatforms, name):
			if ok {
				t.Errorf("linuxSpec decodes %s, another platform's section", name)
			}
		case !ok || g.Type != f.Type || g.Tag.Get("json") != f.Tag.Get("json"):
			t.Errorf("linuxSpec lacks specs.Spec's %s %v %s", f.Name, f.Type, f.Tag)
		}
	}
	// And spec() hands every one of them on.
	doc := `{"ociVersion":"1.2.0","process":{"args":["a.nabla"]},"root":{"path":"/r"},"hostname":"h",` +
		`"domainname":"d","mounts":[{"destination":"/x"}],"hooks":{"prestart":[{"path":"/bin/true"}]},` +
		`"annotations":{"a":"b"},"linux":{"cgroupsPath":"/c"}}`
	var want specs.Spec
	var got linuxSpec
	if err := json.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.spec(), &want) {
		t.Errorf("spec() = %+v, want %+v", got.spec(), &want)
	}
}
