package nabla

import (
	"fmt"
	"strconv"
)

// maxConfigBytes is the longest CONFIG: it is one argument of the tender,
// and Linux refuses an argument of MAX_ARG_STRLEN (32 pages) or more,
// counting its NUL.
const maxConfigBytes = 32*4096 - 1

// tenderDevices are the devices the tender hands to the guest.
type tenderDevices struct {
	Tap, MAC     string // Tap "" means no NIC
	Disk         string // "" means no disk
	DiskReadOnly bool
}

// tenderArgs is the tender's argv, in upstream nabla-run's form:
// nabla-run --mem=M [--net=TAP --net-mac=MAC] [--disk=ISO --disk-readonly]
// UNIKERNEL CONFIG. --disk-readonly is runnc's extension: shared images
// must be opened read-only.
func tenderArgs(tender string, memMiB int64, d tenderDevices, unikernel, config string) []string {
	args := []string{tender, "--mem=" + strconv.FormatInt(memMiB, 10)}
	if d.Tap != "" {
		args = append(args, "--net="+d.Tap)
		if d.MAC != "" {
			args = append(args, "--net-mac="+d.MAC)
		}
	}
	if d.Disk != "" {
		args = append(args, "--disk="+d.Disk)
		if d.DiskReadOnly {
			args = append(args, "--disk-readonly")
		}
	}
	return append(args, unikernel, config)
}

func checkConfigSize(config string) error {
	if len(config) > maxConfigBytes {
		return fmt.Errorf("the unikernel's CONFIG is %d bytes, over the %d a command-line argument can hold: shorten its arguments, environment or per-container files", len(config), maxConfigBytes)
	}
	return nil
}
