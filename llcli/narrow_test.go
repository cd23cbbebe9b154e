package llcli

import (
	"testing"

	"github.com/nabla-containers/runnc/llif"
)

func TestNarrowKeepsTheCommandRun(t *testing.T) {
	all := len(NewApp(&llif.Registry{}, "v").Commands)
	for _, tc := range []struct {
		args []string
		want string // the one command left; "" leaves them all
	}{
		{[]string{"runnc", "state", "c1"}, "state"},
		{[]string{"runnc", "--root", "/r", "--log", "/l", "--log-format", "json", "kill", "c1", "9"}, "kill"},
		{[]string{"runnc", "--root=/r", "--log-format=json", "delete", "--force", "c1"}, "delete"},
		{[]string{"runnc", "-root", "list", "list"}, "list"}, // "list" is --root's value first
		{[]string{"runnc", "--debug", "--systemd-cgroup", "start", "c1"}, "start"},
		{[]string{"runnc", "--debug=true", "start", "c1"}, "start"},
		{[]string{"runnc", "--", "pause", "c1"}, "pause"},
		{[]string{"runnc"}, ""},
		{[]string{"runnc", "--help"}, ""},
		{[]string{"runnc", "-h", "state"}, ""},
		{[]string{"runnc", "--version"}, ""},
		{[]string{"runnc", "help", "state"}, ""},
		{[]string{"runnc", "nosuch", "c1"}, ""},
		{[]string{"runnc", "--nosuch", "state", "c1"}, ""},
		{[]string{"runnc", "--root"}, ""},
		{[]string{"runnc", "--"}, ""},
	} {
		app := NewApp(&llif.Registry{}, "v")
		narrow(app, tc.args)
		switch {
		case tc.want == "" && len(app.Commands) != all:
			t.Errorf("%q: %d commands left, want all %d", tc.args, len(app.Commands), all)
		case tc.want != "" && (len(app.Commands) != 1 || app.Commands[0].Name != tc.want):
			t.Errorf("%q: commands left %d (first %q), want only %q", tc.args, len(app.Commands), app.Commands[0].Name, tc.want)
		}
	}
}
