package nabla

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// FuzzConfigRoundTrip writes CONFIG from fuzzed arguments, environment,
// cwd, network, per-container file and volume, and reads it back with the
// guest SDK's own parser (build/fuzz/config-dump): what Go writes, the
// guest must see unchanged. Inputs libcontainer refuses at create (a NUL
// byte, an environment entry that is not NAME=VALUE, a relative cwd) and
// invalid UTF-8, which cannot come out of config.json, are skipped, the
// file is used only when its path is absolute and holds no NUL, and the
// volume only at a destination the fs handler takes (absolute, clean, not
// "/", no control character).
func FuzzConfigRoundTrip(f *testing.F) {
	testenv.Binary(f, "fuzz/config-dump") // fails at once, before fuzzing, if make has not run
	f.Add("/hello.nabla", "arg with space", "A=B", "/", uint32(0x0a000002), uint8(24), "/etc/hosts", "127.0.0.1 localhost\n", "/data")
	f.Add("x.nabla", `{"cmdline":"evil"}`, `K="\u0000"=`, "/dir with space/é", uint32(0), uint8(0), "", "", `/"quoted"/\back`)
	f.Add("😀.nabla", "\\\"\n\t\x01\x7f\u2028", "E=", "/", uint32(0xffffffff), uint8(32), "/etc/resolv.conf", "nameserver \"x\"\\", "/😀/\u2028")
	f.Fuzz(func(t *testing.T, arg0, arg1, env, cwd string, addr uint32, prefix uint8, file, content, mount string) {
		for _, s := range []string{arg0, arg1, env, cwd, file, content, mount} {
			if !utf8.ValidString(s) {
				return
			}
		}
		name, _, hasEq := strings.Cut(env, "=")
		if strings.ContainsRune(arg0+arg1+env+cwd, 0) || !hasEq || name == "" || !strings.HasPrefix(cwd, "/") {
			return
		}
		in := guestConfig{Args: []string{arg0, arg1}, Env: []string{env}, Cwd: cwd, Disk: true, Files: map[string]string{}}
		want := testenv.GuestView{Argv: in.Args, Env: in.Env, Cwd: cwd, Blk: true, Files: map[string]string{}}
		if addr != 0 {
			prefix %= 33
			ip := fmt.Sprintf("%d.%d.%d.%d", addr>>24, addr>>16&0xff, addr>>8&0xff, addr&0xff)
			in.Net = &guestNet{Addr: ip, Prefix: fmt.Sprint(prefix), Gateway: ip}
			want.Net = &testenv.GuestNet{Addr: ip, Prefix: int(prefix), Gw: ip}
		}
		// Files are the engine's bind mounts of /etc/hosts and the like:
		// absolute paths.
		if strings.HasPrefix(file, "/") && !strings.ContainsRune(file, 0) {
			in.Files[file] = content
			want.Files[file] = content
		}
		if filepath.IsAbs(mount) && filepath.Clean(mount) == mount && mount != "/" && !strings.ContainsFunc(mount, unicode.IsControl) {
			in.Mounts = []volumeDevice{{Device: "vol0", Volume: llif.Volume{Destination: mount, Type: llif.VolumeISO9660}}}
			want.Mounts = []testenv.GuestMount{{Device: "vol0", Path: mount, Type: llif.VolumeISO9660}}
		}
		config := buildConfig(in)
		got, err := testenv.ConfigDump(t, config)
		if err != nil {
			t.Fatalf("the guest refuses CONFIG %s: %v", config, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CONFIG %s\nguest sees %+v\nwant       %+v", config, got, want)
		}
	})
}
