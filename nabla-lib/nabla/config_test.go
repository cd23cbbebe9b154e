package nabla

import "testing"

func TestBuildConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   guestConfig
		want string
	}{{
		name: "upstream shape with net, disk and repeated env",
		in: guestConfig{
			Args: []string{"hello.nabla", "a b"},
			Env:  []string{"K=V", "K2=V2"},
			Cwd:  "/",
			Net:  &guestNet{Addr: "10.0.0.2", Prefix: "24", Gateway: "10.0.0.1"},
			Disk: true,
			Files: map[string]string{
				"/etc/resolv.conf": "nameserver 10.0.0.1\n",
				"/etc/hosts":       "127.0.0.1 localhost\n",
			},
		},
		want: `{"cmdline":"hello.nabla a b","env":"K=V","env":"K2=V2",` +
			`"net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":"10.0.0.2","mask":"24","gw":"10.0.0.1"},` +
			`"blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},` +
			`"cwd":"/","argv":["hello.nabla","a b"],` +
			`"files":{"/etc/hosts":"127.0.0.1 localhost\n","/etc/resolv.conf":"nameserver 10.0.0.1\n"}}`,
	}, {
		name: "no net, no disk, no env, no files",
		in:   guestConfig{Args: []string{"/x.nabla"}, Cwd: "/srv"},
		want: `{"cmdline":"/x.nabla","cwd":"/srv","argv":["/x.nabla"]}`,
	}, {
		name: "a /32 stays 32 and an empty gateway is left out",
		in:   guestConfig{Args: []string{"x.nabla"}, Cwd: "/", Net: &guestNet{Addr: "10.1.2.3", Prefix: "32"}},
		want: `{"cmdline":"x.nabla","net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":"10.1.2.3","mask":"32"},"cwd":"/","argv":["x.nabla"]}`,
	}, {
		name: "rumprun's keys only: no argv, no files",
		in: guestConfig{
			Args: []string{"node.nabla", "/app.js"}, Env: []string{"K=V", "K2=V2"}, Cwd: "/srv", Disk: true,
			Net: &guestNet{Addr: "10.0.0.2", Prefix: "24"}, Files: map[string]string{"/etc/hosts": "x"}, RumprunOnly: true,
		},
		want: `{"cmdline":"node.nabla /app.js","env":"K=V","env":"K2=V2",` +
			`"net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":"10.0.0.2","mask":"24"},` +
			`"blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"},"cwd":"/srv"}`,
	}, {
		name: "strings are escaped",
		in: guestConfig{
			Args: []string{"x.nabla", `{"bla":"ble"}`, "back\\slash", "tab\tnew\nline", "é<>&", "\x01"},
			Env:  []string{`Q="quoted"`},
			Cwd:  "/",
		},
		want: `{"cmdline":"x.nabla {\"bla\":\"ble\"} back\\slash tab\tnew\nline é<>& \u0001","env":"Q=\"quoted\"","cwd":"/",` +
			`"argv":["x.nabla","{\"bla\":\"ble\"}","back\\slash","tab\tnew\nline","é<>&","\u0001"]}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildConfig(tc.in); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
