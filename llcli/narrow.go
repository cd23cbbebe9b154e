package llcli

import (
	"strings"

	"github.com/urfave/cli"
)

// narrow leaves app only the command args run, when the arguments after
// the global flags name one of its commands. urfave/cli's set-up copies
// every command twice (into the app and into its help categories), a third
// of what `runnc state` allocates, and runnc starts three times per
// container. Anything else (help, --version, an unknown command or flag)
// keeps them all, so that help still lists every command.
func narrow(app *cli.App, args []string) {
	name := commandName(app.Flags, args)
	for _, c := range app.Commands {
		if name != "" && c.HasName(name) {
			app.Commands = []cli.Command{c}
			return
		}
	}
}

// commandName is the first argument after the global flags, as Go's flag
// package, which parses them for urfave/cli, finds it; "" when a flag is
// not one of flags (help and version are urfave/cli's own).
func commandName(flags []cli.Flag, args []string) string {
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1]
			}
			return ""
		}
		if len(a) < 2 || a[0] != '-' {
			return a
		}
		name, _, withValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := lookupFlag(flags, name)
		if f == nil {
			return ""
		}
		if !withValue && takesValue(f) {
			i++
		}
	}
	return ""
}

func lookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range strings.Split(f.GetName(), ",") {
			if strings.TrimSpace(n) == name {
				return f
			}
		}
	}
	return nil
}

// takesValue tells whether the flag reads the next argument as its value:
// every kind but the boolean ones.
func takesValue(f cli.Flag) bool {
	switch f.(type) {
	case cli.BoolFlag, cli.BoolTFlag:
		return false
	}
	return true
}
