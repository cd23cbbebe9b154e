package badinput_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var cliCases = []bad{
	{name: "unknown command", args: []string{"frobnicate"}, want: "frobnicate"},
	{name: "unknown global flag", args: []string{"--frobnicate", "list"}, want: "frobnicate", noLog: true},
	{name: "unknown create flag", args: []string{"create", "--frobnicate", "--bundle", "BUNDLE", "ID"}, want: "frobnicate"},
	{name: "unknown kill flag", args: []string{"kill", "-z", "ID", "KILL"}, want: "-z"},
	{name: "create without id", args: []string{"create", "--bundle", "BUNDLE"}, want: "expected 1 argument"},
	{name: "create with two ids", args: []string{"create", "--bundle", "BUNDLE", "ID", "ID"}, want: "expected 1 argument"},
	{name: "id with slash", args: []string{"create", "--bundle", "BUNDLE", "ID/x"}, want: "is not valid"},
	{name: "id dot-dot", args: []string{"create", "--bundle", "BUNDLE", ".."}, want: "is not valid"},
	{name: "id dot", args: []string{"create", "--bundle", "BUNDLE", "."}, want: "is not valid"},
	{name: "id escaping the root", args: []string{"create", "--bundle", "BUNDLE", "../../ID"}, want: "is not valid"},
	{name: "id absolute", args: []string{"create", "--bundle", "BUNDLE", "/tmp/ID"}, want: "is not valid"},
	{name: "id empty", args: []string{"create", "--bundle", "BUNDLE", ""}, want: "is empty"},
	{name: "id with newline", args: []string{"create", "--bundle", "BUNDLE", "ID\nx"}, want: "is not valid"},
	{name: "id with space", args: []string{"create", "--bundle", "BUNDLE", "ID x"}, want: "is not valid"},
	{name: "id with tab", args: []string{"create", "--bundle", "BUNDLE", "ID\tx"}, want: "is not valid"},
	{name: "id with non-UTF-8", args: []string{"create", "--bundle", "BUNDLE", "ID\xff\xfe"}, want: "is not valid"},
	{name: "id with glob", args: []string{"create", "--bundle", "BUNDLE", "ID*"}, want: "is not valid"},
	{name: "id too long", args: []string{"create", "--bundle", "BUNDLE", strings.Repeat("a", 5000)}, want: "characters long"},
	{name: "state of a bad id", args: []string{"state", "../ID"}, want: "is not valid"},
	{name: "delete of a bad id", args: []string{"delete", "--force", "ID/.."}, want: "is not valid"},
	{name: "state of a missing container", args: []string{"state", "ID"}, want: "does not exist"},
	{name: "start of a missing container", args: []string{"start", "ID"}, want: "does not exist"},
	{name: "pause of a missing container", args: []string{"pause", "ID"}, want: "does not exist"},
	{name: "delete of a missing container", args: []string{"delete", "ID"}, want: "does not exist"},
	{name: "signal name unknown", args: []string{"kill", "ID", "FROB"}, want: `signal "FROB" is not valid`},
	{name: "liveness check of a missing container", args: []string{"kill", "ID", "0"}, want: "does not exist"},
	{name: "signal 65", args: []string{"kill", "ID", "65"}, want: "is not valid"},
	{name: "signal negative", args: []string{"kill", "ID", "-9"}, want: "is not valid"},
	{name: "signal huge", args: []string{"kill", "ID", "99999999999999999999"}, want: "is not valid"},
	{name: "signal SIG alone", args: []string{"kill", "ID", "SIG"}, want: "is not valid"},
	{name: "signal empty", args: []string{"kill", "ID", ""}, want: "is not valid"},
	{name: "signal with trailing junk", args: []string{"kill", "ID", "9x"}, want: "is not valid"},
	{name: "signal with newline", args: []string{"kill", "ID", "KILL\n"}, want: "is not valid"},
	{name: "kill with three arguments", args: []string{"kill", "ID", "KILL", "more"}, want: "expected"},
	{name: "log format unknown", args: []string{"--log-format", "xml", "list"}, want: "unknown log format", noLog: true},
	// After the harness's own --disk-cache, which they override.
	{name: "disk cache not a size", args: []string{"--disk-cache", "lots", "create", "--bundle", "BUNDLE", "ID"}, want: `--disk-cache "lots" is not a size`},
	{name: "disk cache negative", args: []string{"--disk-cache", "-1MiB", "create", "--bundle", "BUNDLE", "ID"}, want: `--disk-cache "-1MiB" is not a size`},
	{name: "disk cache too large", args: []string{"--disk-cache", "1e30", "create", "--bundle", "BUNDLE", "ID"}, want: `--disk-cache "1e30" is not a size`},
	{name: "disk cache empty", args: []string{"--disk-cache=", "create", "--bundle", "BUNDLE", "ID"}, want: `--disk-cache "" is not a size`},
	{name: "disk cache bad unit on delete", args: []string{"--disk-cache", "1XiB", "delete", "ID"}, want: `--disk-cache "1XiB" is not a size`},
	{name: "pid file in a missing directory", args: []string{"create", "--bundle", "BUNDLE", "--pid-file", "/nonexistent/dir/pid", "ID"}, want: "pid file"},
	{name: "console socket missing", args: []string{"create", "--bundle", "BUNDLE", "--console-socket", "/nonexistent/sock", "ID"}, want: "console-socket"},
	{name: "update of a missing container", args: []string{"update", "--memory", "1000000", "ID"}, want: "does not exist"},
	{name: "exec is refused", args: []string{"exec", "ID", "sh"}, want: "not supported"},
}

func TestBadCommandLine(t *testing.T) {
	e := newEnv(t)
	bundle := e.hello()
	for _, c := range cliCases {
		t.Run(c.name, func(t *testing.T) {
			e.refuse(t, c, bundle, e.id(c.name))
		})
	}
}

// The state root itself is bad: a file, under a file, or in /proc.
func TestBadRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, root, want string }{
		{"root is a file", file, file},
		{"root below a file", filepath.Join(file, "root"), "not a directory"},
		{"root in /proc", "/proc/self/runnc-root", "/proc/self/runnc-root"},
		{"root empty", "", "--root is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			bundle := e.hello()
			e.Root = c.root
			e.refuse(t, bad{args: []string{"create", "--bundle", "BUNDLE", "ID"}, want: c.want}, bundle, e.id(c.name))
			e.refuse(t, bad{args: []string{"state", "ID"}, want: ""}, bundle, e.id(c.name))
		})
	}
}
