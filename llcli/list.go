package llcli

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli"
)

var listCommand = cli.Command{
	Name:  "list",
	Usage: "list the containers below the state root",
	Description: `List prints every container with its pid, status, bundle and creation
time.

Example: runnc list --format json`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "format, f", Value: "table", Usage: "table or json"},
		cli.BoolFlag{Name: "quiet, q", Usage: "print only the ids"},
	},
	Action: func(ctx *cli.Context) error {
		if err := CheckArgs(ctx, 0); err != nil {
			return err
		}
		f, err := Factory(ctx)
		if err != nil {
			return err
		}
		ids, err := f.List()
		if err != nil {
			return err
		}
		states := []*containerState{}
		for _, id := range ids {
			c, err := f.Load(id)
			if err != nil {
				// Deleted meanwhile, or half made: not listed, as runc does.
				continue
			}
			st, err := stateOf(c)
			if err != nil {
				continue
			}
			states = append(states, st)
		}
		if ctx.Bool("quiet") {
			for _, s := range states {
				fmt.Println(s.ID)
			}
			return nil
		}
		switch ctx.String("format") {
		case "json":
			return PrintJSON(states)
		case "table":
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle,
					s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return w.Flush()
		default:
			return fmt.Errorf("unknown format %q: use table or json", ctx.String("format"))
		}
	},
}
