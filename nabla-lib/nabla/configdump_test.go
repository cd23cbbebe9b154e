package nabla

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// seen is what build/fuzz/config-dump (the guest SDK's CONFIG parser built
// for the host) reports a guest would see.
type seen struct {
	Argv            []string          `json:"argv"`
	ArgvFromCmdline bool              `json:"argv_from_cmdline"`
	Env             []string          `json:"env"`
	Cwd             string            `json:"cwd"`
	Net             *seenNet          `json:"net"`
	Blk             bool              `json:"blk"`
	Files           map[string]string `json:"files"`
}

type seenNet struct {
	Addr   string `json:"addr"`
	Prefix int    `json:"prefix"`
	Gw     string `json:"gw"`
}

// Every value the builder writes must reach the guest unchanged: this runs
// tricky values through the builder and the guest's own parser.
func TestConfigRoundTripsThroughTheGuestParser(t *testing.T) {
	dump := testenv.Binary(t, "fuzz/config-dump")
	tricky := []string{
		`{"bla":"ble"}`, `"quoted"`, `back\slash\`, `\u0041 is not unescaped`,
		"new\nline", "tab\there", "spaces  inside ", "", "é ünïcödé ☃ 😀",
		"line\u2028separator", "ctrl\x01\x1f\x7f", "<html>&amp;",
	}
	for _, tc := range []struct {
		name string
		in   guestConfig
		want seen
	}{{
		name: "tricky arguments, environment, cwd and files",
		in: guestConfig{
			Args:  append([]string{"/hello.nabla"}, tricky...),
			Env:   []string{"A=" + tricky[0], "B=" + tricky[4], "EMPTY=", "U=😀"},
			Cwd:   "/srv/dir with space/é",
			Disk:  true,
			Files: map[string]string{"/etc/hosts": "127.0.0.1 localhost\n::1 x\n", "/etc/resolv.conf": "a\x00b\"\\"},
		},
		want: seen{
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
		want: seen{Argv: []string{"x.nabla"}, Env: []string{}, Cwd: "/", Net: &seenNet{"10.0.0.2", 24, "10.0.0.1"}, Files: map[string]string{}},
	}, {
		name: "a /32 without gateway",
		in:   guestConfig{Args: []string{"x.nabla"}, Cwd: "/", Net: &guestNet{Addr: "10.9.8.7", Prefix: "32"}},
		want: seen{Argv: []string{"x.nabla"}, Env: []string{}, Cwd: "/", Net: &seenNet{"10.9.8.7", 32, ""}, Files: map[string]string{}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			config := buildConfig(tc.in)
			cmd := exec.Command(dump)
			cmd.Stdin = bytes.NewBufferString(config)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("config-dump refused CONFIG %s: %v: %s", config, err, stderr.String())
			}
			var got seen
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("config-dump printed %q: %v", out, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CONFIG %s\nguest sees %+v\nwant       %+v", config, got, tc.want)
			}
		})
	}
}
