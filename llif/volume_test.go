package llif

import (
	"reflect"
	"strings"
	"testing"
)

func TestLeaveOut(t *testing.T) {
	for _, tc := range []struct {
		dsts []string
		want string
	}{
		{[]string{"/data"}, "leave it out with the annotation org.nabla.runnc.ignore-mounts=/data"},
		{[]string{"/a", "/b"}, "leave them out with the annotation org.nabla.runnc.ignore-mounts=/a,/b"},
		// The annotation takes absolute paths only: "*" is the way out.
		{[]string{"/a", "../b"}, "leave them out with the annotation org.nabla.runnc.ignore-mounts=*"},
	} {
		if got := LeaveOut(tc.dsts...); got != tc.want {
			t.Errorf("LeaveOut(%q) = %q, want %q", tc.dsts, got, tc.want)
		}
	}
}

func TestVolumesRoundTrip(t *testing.T) {
	vs := []Volume{
		{Destination: "/data", Disk: "/var/lib/runnc/disks/k.iso", Type: VolumeISO9660, ReadOnly: true},
		{Destination: "/storage", Disk: "/srv/disk.img", Type: VolumeRaw},
	}
	option, err := EncodeVolumes(vs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeVolumes(option)
	if err != nil || !reflect.DeepEqual(got, vs) {
		t.Errorf("DecodeVolumes(%s) = %+v, %v; want %+v", option, got, err, vs)
	}
	if option, err := EncodeVolumes(nil); option != "" || err != nil {
		t.Errorf("EncodeVolumes(nil) = %q, %v; want no option", option, err)
	}
	if got, err := DecodeVolumes(""); got != nil || err != nil {
		t.Errorf(`DecodeVolumes("") = %+v, %v; want none`, got, err)
	}
	for _, bad := range []string{`{}`, `[{"destination":"/d","disk":"/x"}]`, `[{"destination":"/d","disk":"/x","type":"nfs"}]`, `[{"disk":"/x","type":"raw"}]`} {
		if _, err := DecodeVolumes(bad); err == nil || !strings.Contains(err.Error(), "fs state volumes") {
			t.Errorf("DecodeVolumes(%s): got %v, want a refusal", bad, err)
		}
	}
}
