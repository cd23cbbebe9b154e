package llcli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"
)

var listCommand = cli.Command{
	Name:  "list",
	Usage: "list the containers below the state root",
	Description: `List prints every container with its pid, status, bundle and creation
time. A container whose state cannot be read shows as "unknown" (delete it
with runnc delete --force). --format json prints what runc prints: one
line, null when there is no container.

Example: runnc list --format json`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "format, f", Value: "table", Usage: "table or json"},
		cli.BoolFlag{Name: "quiet, q", Usage: "print only the ids"},
	},
	Action: func(ctx *cli.Context) error {
		if err := CheckArgs(ctx, 0); err != nil {
			return err
		}
		format := ctx.String("format")
		if format != "table" && format != "json" {
			return fmt.Errorf("unknown format %q: use table or json", format)
		}
		f, err := Factory(ctx)
		if err != nil {
			return err
		}
		ids, err := f.List()
		if err != nil {
			return err
		}
		// nil, not empty: runc prints null for no containers.
		var states []containerState
		names := map[uint32]string{}
		for _, id := range ids {
			st, ok := listed(f, id)
			if ok {
				st.Owner = owner(filepath.Join(f.Root(), id), names)
				states = append(states, st)
			}
		}
		// One write: unbuffered, the table's writer would make one per
		// cell and padding, a dozen system calls a container.
		out := bufio.NewWriter(os.Stdout)
		if err := printStates(out, states, format, ctx.Bool("quiet")); err != nil {
			return err
		}
		return out.Flush()
	},
}

// printStates writes the listed containers to out: their ids, JSON or a
// table.
func printStates(out io.Writer, states []containerState, format string, quiet bool) error {
	if quiet {
		for _, s := range states {
			fmt.Fprintln(out, s.ID)
		}
		return nil
	}
	if format == "json" {
		return json.NewEncoder(out).Encode(states)
	}
	w := tabwriter.NewWriter(out, 12, 1, 3, ' ', 0)
	fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
	for _, s := range states {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, TableCell(s.Bundle),
			s.Created.Format(time.RFC3339Nano), s.Owner)
	}
	return w.Flush()
}

// listed is the container id as list shows it. One deleted meanwhile is
// left out; one whose state cannot be read is shown as "unknown", so that
// the user learns of it and can delete it (runc would only warn).
func listed(f *libcontainer.NablaFactory, id string) (containerState, bool) {
	c, err := f.Load(id)
	if err == nil {
		var st *containerState
		if st, err = stateOf(c); err == nil {
			return *st, true
		}
	}
	if errors.Is(err, libcontainer.ErrNotExist) {
		return containerState{}, false
	}
	logrus.Warn(err)
	st := containerState{ID: id, Status: "unknown"}
	if fi, err := os.Stat(filepath.Join(f.Root(), id)); err == nil {
		st.Created = fi.ModTime().UTC()
	}
	return st, true
}

// owner is the user owning a container's state directory, as runc shows
// it: the name, or #uid for a uid without one. names holds the uids
// looked up so far: without NSS a lookup reads all of /etc/passwd, and a
// root's containers mostly share one owner.
func owner(dir string, names map[uint32]string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	uid := fi.Sys().(*syscall.Stat_t).Uid
	name, ok := names[uid]
	if !ok {
		id := strconv.FormatUint(uint64(uid), 10)
		name = "#" + id
		if u, err := user.LookupId(id); err == nil {
			name = u.Username
		}
		names[uid] = name
	}
	return name
}

// TableCell is s made safe for one cell of a table: a path or tag holding
// a newline, tab or other control character (a bundle path may hold any
// byte but NUL) shows it escaped as Go would quote it, so one row stays
// one line; anything else shows as it is.
func TableCell(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
