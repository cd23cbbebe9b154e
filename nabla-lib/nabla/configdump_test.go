package nabla

import (
	"reflect"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// Every value the builder writes must reach the guest unchanged: this runs
// tricky values through the builder and the guest's own parser.
func TestConfigRoundTripsThroughTheGuestParser(t *testing.T) {
	tricky := []string{
		`{"bla":"ble"}`, `"quoted"`, `back\slash\`, `\u0041 is not unescaped`,
		"new\nline", "tab\there", "spaces  inside ", "", "é ünïcödé ☃ 😀",
		"line\u2028separator", "ctrl\x01\x1f\x7f", "<html>&amp;",
	}
	for _, tc := range []struct {
		name string
		in   guestConfig
		want testenv.GuestView
	}{{
		name: "tricky arguments, environment, cwd and files",
		in: guestConfig{
			Args:  append([]string{"/hello.nabla"}, tricky...),
			Env:   []string{"A=" + tricky[0], "B=" + tricky[4], "EMPTY=", "U=😀"},
			Cwd:   "/srv/dir with space/é",
			Disk:  true,
			Files: map[string]string{"/etc/hosts": "127.0.0.1 localhost\n::1 x\n", "/etc/resolv.conf": "a\x00b\"\\"},
		},
		want: testenv.GuestView{
			Argv: append([]string{"/hello.nabla"}, tricky...),
			Env:  []string{"A=" + tricky[0], "B=" + tricky[4], "EMPTY=", "U=😀"},
			Cwd:  "/srv/dir with space/é",
			Blk:  true,
			Files: map[string]string{
				"/etc/hosts":       "127.0.0.1 localhost\n::1 x\n",
				"/etc/resolv.conf": "a\x00b\"\\",
			},
		},
	}, {
		name: "network with gateway",
		in:   guestConfig{Args: []string{"x.nabla"}, Cwd: "/", Net: &guestNet{Addr: "10.0.0.2", Prefix: "24", Gateway: "10.0.0.1"}},
		want: testenv.GuestView{Argv: []string{"x.nabla"}, Env: []string{}, Cwd: "/", Net: &testenv.GuestNet{Addr: "10.0.0.2", Prefix: 24, Gw: "10.0.0.1"}, Files: map[string]string{}},
	}, {
		name: "volumes, of both types, at tricky paths",
		in: guestConfig{Args: []string{"cat.nabla"}, Cwd: "/", Mounts: []volumeDevice{
			{Device: "vol0", Volume: llif.Volume{Destination: "/data dir/é", Type: llif.VolumeISO9660}},
			{Device: "storage", Volume: llif.Volume{Destination: "/storage", Type: llif.VolumeRaw}},
			{Device: "vol1", Volume: llif.Volume{Destination: "/var/run/secrets/kubernetes.io/serviceaccount", Type: llif.VolumeISO9660}},
		}},
		want: testenv.GuestView{Argv: []string{"cat.nabla"}, Env: []string{}, Cwd: "/", Files: map[string]string{}, Mounts: []testenv.GuestMount{
			{Device: "vol0", Path: "/data dir/é", Type: "iso9660"},
			{Device: "storage", Path: "/storage", Type: "raw"},
			{Device: "vol1", Path: "/var/run/secrets/kubernetes.io/serviceaccount", Type: "iso9660"},
		}},
	}, {
		name: "a /32 without gateway",
		in:   guestConfig{Args: []string{"x.nabla"}, Cwd: "/", Net: &guestNet{Addr: "10.9.8.7", Prefix: "32"}},
		want: testenv.GuestView{Argv: []string{"x.nabla"}, Env: []string{}, Cwd: "/", Net: &testenv.GuestNet{Addr: "10.9.8.7", Prefix: 32, Gw: ""}, Files: map[string]string{}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			config := buildConfig(tc.in)
			got, err := testenv.ConfigDump(t, config)
			if err != nil {
				t.Fatalf("config-dump refused CONFIG %s: %v", config, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CONFIG %s\nguest sees %+v\nwant       %+v", config, got, tc.want)
			}
		})
	}
}
