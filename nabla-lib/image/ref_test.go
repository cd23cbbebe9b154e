package image

import (
	"strings"
	"testing"
)

func TestParseReference(t *testing.T) {
	for ref, want := range map[string]string{
		"docker://127.0.0.1:5000/hello:1":    "docker://127.0.0.1:5000/hello:1",
		"docker://busybox":                   "docker://index.docker.io/library/busybox:latest",
		"oci:/images/layout:v1":              "oci:/images/layout:v1",
		"oci:/images/layout":                 "oci:/images/layout",
		"oci:/a:b/layout":                    "oci:/a:b/layout", // the colon is in DIR
		"docker-archive:/tmp/hello.tar":      "docker-archive:/tmp/hello.tar",
		"docker-archive:/tmp/with:colon.tar": "docker-archive:/tmp/with:colon.tar",
	} {
		r, err := ParseReference(ref)
		if err != nil {
			t.Errorf("ParseReference(%q): %v", ref, err)
			continue
		}
		if r.String != want {
			t.Errorf("ParseReference(%q) = %q, want %q", ref, r.String, want)
		}
	}
	for _, bad := range []string{"hello:1", "docker-archive:", "oci::tag", "docker://UPPER/Case"} {
		if _, err := ParseReference(bad); err == nil {
			t.Errorf("ParseReference(%q) succeeded, want an error", bad)
		}
	}
	_, err := ParseReference("hello:1")
	for _, tr := range []string{"docker://", "oci:", "docker-archive:"} {
		if !strings.Contains(err.Error(), tr) {
			t.Errorf("error %q does not list transport %s", err, tr)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	got := mergeEnv([]string{"PATH=/bin", "A=1"}, []string{"PATH=/usr/bin", "B=2"})
	want := []string{"PATH=/usr/bin", "A=1", "B=2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("mergeEnv = %q, want %q", got, want)
	}
}
