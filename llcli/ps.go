package llcli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/urfave/cli"
)

var psCommand = cli.Command{
	Name:      "ps",
	Usage:     "list the processes of a container",
	ArgsUsage: "<container-id> [ps options]",
	Description: `Ps lists the container's processes: one, the tender running the
unikernel. --format json prints the host pids as a JSON array (what docker
top reads), null for none, as runc does; the table is ps(1)'s output for those pids, with ps options
(default -ef) after the id.

Example: runnc ps --format json hello1`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "format, f", Value: "table", Usage: "table or json"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 {
			return fmt.Errorf("ps: expected a container id: usage: runnc ps %s", ctx.Command.ArgsUsage)
		}
		c, err := loadFirst(ctx)
		if err != nil {
			return err
		}
		pids, err := c.Processes()
		if err != nil {
			return err
		}
		switch ctx.String("format") {
		case "json":
			// As runc prints it (containerd parses it): one line, and
			// null when the container has no process.
			if len(pids) == 0 {
				pids = nil
			}
			return json.NewEncoder(os.Stdout).Encode(pids)
		case "table":
			psArgs := []string(ctx.Args().Tail())
			if len(psArgs) == 0 {
				psArgs = []string{"-ef"}
			}
			return psTable(psArgs, pids)
		default:
			return fmt.Errorf("unknown format %q: use table or json", ctx.String("format"))
		}
	},
}

// psTable prints ps's header and the lines of the given pids. ps is found
// by absolute path: podman calls runtimes with no PATH.
func psTable(args []string, pids []int) error {
	out, err := exec.Command("/bin/ps", args...).Output()
	if err != nil {
		return fmt.Errorf("ps %s: %w", strings.Join(args, " "), err)
	}
	lines := bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n"))
	pidCol := -1
	for i, h := range strings.Fields(string(lines[0])) {
		if h == "PID" {
			pidCol = i
		}
	}
	if pidCol < 0 {
		return fmt.Errorf("ps %s: output has no PID column", strings.Join(args, " "))
	}
	want := map[string]bool{}
	for _, p := range pids {
		want[strconv.Itoa(p)] = true
	}
	fmt.Fprintln(os.Stdout, string(lines[0]))
	for _, l := range lines[1:] {
		if f := strings.Fields(string(l)); len(f) > pidCol && want[f[pidCol]] {
			fmt.Fprintln(os.Stdout, string(l))
		}
	}
	return nil
}
