package guest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

func TestConfigDumpAccepts(t *testing.T) {
	none := map[string]string{}
	cases := []struct {
		name, cfg string
		want      testenv.GuestView
	}{{
		name: "the rumprun document runnc writes",
		cfg: `{"cmdline":"hello.nabla a b","env":"K=V","env":"K2=V2","net":{"if":"ukvmif0","cloner":"True",` +
			`"type":"inet","method":"static","addr":"10.0.0.2","mask":"24","gw":"10.0.0.1"},"blk":{"source":"etfs",` +
			`"path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},"cwd":"/","argv":["hello.nabla","a b"],` +
			`"files":{"/etc/hosts":"127.0.0.1 localhost\n"}}`,
		want: testenv.GuestView{Argv: []string{"hello.nabla", "a b"}, Env: []string{"K=V", "K2=V2"}, Cwd: "/",
			Net: &testenv.GuestNet{Addr: "10.0.0.2", Prefix: 24, Gw: "10.0.0.1"}, Blk: true,
			Files: map[string]string{"/etc/hosts": "127.0.0.1 localhost\n"}},
	}, {
		name: "cmdline split on spaces without quoting",
		cfg:  `{"cmdline":"  x {\"bla\":\"ble\"}   say\\\"hi \"q w\" "}`,
		want: testenv.GuestView{Argv: []string{"x", `{"bla":"ble"}`, `say\"hi`, `"q`, `w"`}, ArgvFromCmdline: true,
			Env: []string{}, Cwd: "/", Files: none},
	}, {
		name: "argv wins over cmdline, whichever comes first",
		cfg:  `{"argv":["a b","c"],"cmdline":"x y z"}`,
		want: testenv.GuestView{Argv: []string{"a b", "c"}, Env: []string{}, Cwd: "/", Files: none},
	}, {
		name: "an empty argv still wins",
		cfg:  `{"cmdline":"x y","argv":[]}`,
		want: testenv.GuestView{Argv: []string{}, Env: []string{}, Cwd: "/", Files: none},
	}, {
		name: "every escape",
		cfg:  `{"cwd":"\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00|\ud800|\udc00x|\u0041"}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{},
			Cwd: "\"\\/\b\f\n\r\té€😀|\uFFFD|\uFFFDx|A", Files: none},
	}, {
		name: "raw UTF-8 passes through",
		cfg:  `{"env":"GREETING=héllo ☃ 😀"}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{"GREETING=héllo ☃ 😀"}, Cwd: "/", Files: none},
	}, {
		name: "repeated env keeps order, other repeated keys: the last wins",
		cfg:  `{"env":"A=1","cwd":"/a","env":"B=2=3","cwd":"/b","env":"A=4","argv":["x"],"argv":["y"]}`,
		want: testenv.GuestView{Argv: []string{"y"}, Env: []string{"A=1", "B=2=3", "A=4"}, Cwd: "/b", Files: none},
	}, {
		name: "unknown keys of every type are skipped",
		cfg: ` { "x" : [ 1 , -2.5e+3 , 0 , 1E9 , true , false , null , { "y" : { } } , [ ] ] ,` +
			` "blk" : null , "z" : "\u0000" , "cwd" : "/w" } `,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{}, Cwd: "/w", Blk: true, Files: none},
	}, {
		name: "dotted netmask, no gateway",
		cfg:  `{"net":{"addr":"192.168.7.9","mask":"255.255.240.0"}}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{}, Cwd: "/",
			Net: &testenv.GuestNet{Addr: "192.168.7.9", Prefix: 20, Gw: ""}, Files: none},
	}, {
		name: "files: NUL bytes kept, a repeated path replaced",
		cfg:  `{"files":{"/a":"one","/b":"x\u0000y","/a":"two"}}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{}, Cwd: "/",
			Files: map[string]string{"/a": "two", "/b": "x\x00y"}},
	}, {
		name: "mounts in order, keys in any order, a repeated list replaced",
		cfg: `{"mounts":[{"device":"vol7","path":"/x","type":"raw"}],"mounts":[{"device":"vol0","path":"/data",` +
			`"type":"iso9660"},{"type":"raw","path":"/data/sub","device":"rootfs"},{"device":"vol1",` +
			`"path":"/var/run/secrets/kubernetes.io/serviceaccount","type":"iso9660"}]}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{}, Cwd: "/", Files: none,
			Mounts: []testenv.GuestMount{{Device: "vol0", Path: "/data", Type: "iso9660"},
				{Device: "rootfs", Path: "/data/sub", Type: "raw"},
				{Device: "vol1", Path: "/var/run/secrets/kubernetes.io/serviceaccount", Type: "iso9660"}}},
	}, {
		name: "no mounts: the key is left out",
		cfg:  `{"mounts":[{"device":"vol0","path":"/d","type":"raw"}],"mounts":[]}`,
		want: testenv.GuestView{Argv: []string{}, ArgvFromCmdline: true, Env: []string{}, Cwd: "/", Files: none},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := testenv.ConfigDump(t, c.cfg)
			if err != nil {
				t.Fatalf("config-dump rejected %s: %v", c.cfg, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("config-dump %s\n got %+v\nwant %+v", c.cfg, got, c.want)
			}
		})
	}
}

// Strings decode exactly as Go's encoding/json decodes them: the Go side
// builds CONFIG, so the two must agree on every escape.
func TestConfigDumpStringsAgreeWithGo(t *testing.T) {
	for _, lit := range []string{
		`"plain"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`,
		`"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"a\/b"`, `"\u2028\u2029"`, `"tab\there"`,
		`"\uffff\ufffe"`, `"\\u0041"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatal(err)
		}
		got, err := testenv.ConfigDump(t, `{"cwd":`+lit+`}`)
		if err != nil {
			t.Fatalf("config-dump rejected %s: %v", lit, err)
		}
		if got.Cwd != want {
			t.Errorf("%s decodes to %q in the guest, %q in Go", lit, got.Cwd, want)
		}
	}
}

func TestConfigDumpRejects(t *testing.T) {
	for _, c := range []struct{ cfg, why string }{
		{``, "CONFIG must be a JSON object (at byte 0)"},
		{`[]`, "CONFIG must be a JSON object"},
		{`{"cwd":"/"} x`, "trailing characters"},
		{`{"cwd":"/"`, "expected ',' or '}' in CONFIG"},
		{`{"cwd":"/}`, "unterminated string"},
		{`{"cwd":"\`, "unterminated string"},
		{`{"cwd":"a` + "\n" + `"}`, "control character in a string"},
		{`{"cwd":"\x"}`, "bad escape"},
		{`{"cwd":"\u12"}`, `bad \u escape`},
		{`{"cwd":1}`, `"cwd" must be a string`},
		{`{"cwd":"a\u0000b"}`, `\u0000`},
		{`{"argv":"a"}`, `"argv" must be an array of strings`},
		{`{"argv":["a",1]}`, `"argv" must be an array of strings`},
		{`{"env":"NOVALUE"}`, `not NAME=VALUE`},
		{`{"env":"=x"}`, `not NAME=VALUE`},
		{`{"files":{"etc/hosts":"x"}}`, `not absolute`},
		{`{"files":{"/a":1}}`, `must be a string`},
		{`{"net":{"mask":"24"}}`, `"addr" is missing`},
		{`{"net":{"addr":"10.0.0.256","mask":"24"}}`, `"addr"`},
		{`{"net":{"addr":"10.0.0.2","mask":"33"}}`, `"mask"`},
		{`{"net":{"addr":"10.0.0.2","mask":"255.0.255.0"}}`, `"mask"`},
		{`{"net":{"addr":"10.0.0.2","mask":"24","gw":"x"}}`, `"gw"`},
		{`{"x":01}`, "expected ',' or '}'"},
		{`{"x":-}`, "bad number"},
		{`{"x":tru}`, "unexpected character"},
		{`{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "nested too deeply"},
		{`{"a":1,}`, "expected a string"},
		{`{"mounts":{}}`, `"mounts" must be an array of objects (at byte 10)`},
		{`{"mounts":["/data"]}`, `"mounts"[0]: the entry is not an object (at byte 11)`},
		{`{"mounts":[{"device":"vol0","path":"/d"}]}`, `"mounts"[0]: "type" is missing`},
		{`{"mounts":[{"device":"vol0","type":"raw"}]}`, `"mounts"[0]: "path" is missing`},
		{`{"mounts":[{"path":"/d","type":"raw"}]}`, `"mounts"[0]: "device" is missing`},
		{`{"mounts":[{"device":"vol0","path":"/d","type":"raw","ro":true}]}`,
			`"mounts"[0]: a key other than "device", "path" and "type" (at byte 53)`},
		{`{"mounts":[{"device":"vol0","path":7,"type":"raw"}]}`, `"mounts"[0]: "path" must be a string`},
		{`{"mounts":[{"device":"vol0","path":"data","type":"raw"}]}`, `"mounts"[0] (data): the path is not absolute`},
		{`{"mounts":[{"device":"vol0","path":"/","type":"raw"}]}`, `"mounts"[0] (/): the path is "/", where the rootfs is`},
		{`{"mounts":[{"device":"vol0","path":"/d/","type":"raw"}]}`, `"mounts"[0] (/d/): the path is not clean`},
		{`{"mounts":[{"device":"vol0","path":"/a//b","type":"raw"}]}`, `"mounts"[0] (/a//b): the path is not clean`},
		{`{"mounts":[{"device":"vol0","path":"/a/./b","type":"raw"}]}`, `the path is not clean`},
		{`{"mounts":[{"device":"vol0","path":"/a/..","type":"raw"}]}`, `the path is not clean`},
		{`{"mounts":[{"device":"vol0","path":"/a\nb","type":"raw"}]}`, `"mounts"[0]: the path holds a control character`},
		{`{"mounts":[{"device":"vol0","path":"/a","type":"raw"},{"device":"vol1","path":"/a","type":"iso9660"}]}`,
			`"mounts"[1] (/a): the path is also "mounts"[0]'s (at byte 54)`},
		{`{"mounts":[{"device":"vol 0","path":"/a","type":"raw"}]}`, `"mounts"[0] (/a): the device is not a manifest name`},
		{`{"mounts":[{"device":"","path":"/a","type":"raw"}]}`, `the device is not a manifest name`},
		{`{"mounts":[{"device":"vol0","path":"/a","type":"ext4"}]}`, `"mounts"[0] (/a): the type is neither "iso9660" nor "raw"`},
		{`{"mounts":[` + nineMounts + `]}`,
			`"mounts"[8]: one entry too many: at most 8`},
	} {
		_, err := testenv.ConfigDump(t, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("config-dump %q: got %v, want an error with %q", c.cfg, err, c.why)
		}
	}
}

// nineMounts is one "mounts" entry more than a guest has volume slots.
var nineMounts = func() string {
	var b strings.Builder
	for i := 0; i < 9; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"device":"vol%d","path":"/m%d","type":"raw"}`, i, i)
	}
	return b.String()
}()
