package llcli

import (
	"encoding/json"
	"os"
	"time"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/urfave/cli"
)

// containerState is what `state` and `list --format json` print: the OCI
// state plus runc's extra fields, in runc's field order.
type containerState struct {
	Version     string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      string            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Owner       string            `json:"owner"`
}

func stateOf(c libcontainer.Container) (*containerState, error) {
	oci, err := c.OCIState()
	if err != nil {
		return nil, err
	}
	st, err := c.State()
	if err != nil {
		return nil, err
	}
	return &containerState{
		Version:     oci.Version,
		ID:          oci.ID,
		Pid:         oci.Pid,
		Status:      string(oci.Status),
		Bundle:      oci.Bundle,
		Rootfs:      st.Rootfs,
		Created:     st.Created,
		Annotations: oci.Annotations,
	}, nil
}

var stateCommand = cli.Command{
	Name:      "state",
	Usage:     "print the state of a container as JSON",
	ArgsUsage: "<container-id>",
	Description: `State prints the container's OCI state (status is created, running,
paused or stopped, read from the live process).

Example: runnc state hello1`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		st, err := stateOf(c)
		if err != nil {
			return err
		}
		// Byte for byte what runc prints: indented, no newline at the
		// end, and owner "" (only list fills it in).
		data, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	},
}

// PrintJSON prints v as indented JSON on stdout.
func PrintJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
