package nabla

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Command-line bounds. Every argument of the tender is one string for
// execve, which Linux refuses at MAX_ARG_STRLEN (32 pages) or more,
// counting its NUL. nabla-run puts the guest's command line (its ARGS
// joined by spaces) below the guest's image, where about 900 KiB are
// free; a Nabla-era guest has Solo5 v0.4's 8 KiB, with the NUL.
const (
	maxArgBytes           = 32*4096 - 1
	maxCmdlineBytes       = 900 << 10
	maxLegacyCmdlineBytes = 8192 - 1
)

// tenderDevices are the devices the tender hands to the guest. NetName
// and the disks' names are the manifest's names for them (unused by a
// Nabla-era guest, which has no manifest).
type tenderDevices struct {
	Tap, MAC, NetName string // Tap "" means no NIC
	// Disks are the block devices, the rootfs disk first if Root.
	Disks []tenderDisk
	Root  bool
}

// tenderDisk is one block device: a manifest device (or volume slot) and
// the file it gets.
type tenderDisk struct {
	Name, File string
	ReadOnly   bool
}

// tenderArgs is the tender's argv:
//
//	nabla-run --mem=M [--net:NAME=TAP [--net-mac:NAME=MAC]] [--block:NAME=FILE [--block-readonly:NAME]]... [--user=U:G[:GS]] -- KERNEL ARGS...
//	nabla-run --nabla-legacy --mem=M [--net=TAP [--net-mac=MAC]] [--disk=FILE [--disk-readonly]] [--user=U:G[:GS]] KERNEL CONFIG
//
// The second is upstream nabla-run's for Nabla-era guests; read-only
// disks and --user are runnc's extensions: shared images must be opened
// read-only, and the guest runs as the container's user.
func tenderArgs(tender string, memMiB int64, f form, d tenderDevices, user specs.User, unikernel string, args []string) []string {
	legacy := f == formLegacy
	// A device option names its manifest device: "--net:NAME". A Nabla-era
	// guest has no manifest: "--net".
	opt := func(option, device string) string {
		if legacy {
			return "--" + option
		}
		return "--" + option + ":" + device
	}
	argv := []string{tender}
	if legacy {
		argv = append(argv, "--nabla-legacy")
	}
	argv = append(argv, "--mem="+strconv.FormatInt(memMiB, 10))
	if d.Tap != "" {
		argv = append(argv, opt("net", d.NetName)+"="+d.Tap)
		if d.MAC != "" {
			argv = append(argv, opt("net-mac", d.NetName)+"="+d.MAC)
		}
	}
	block := "block"
	if legacy {
		block = "disk"
	}
	for _, disk := range d.Disks {
		argv = append(argv, opt(block, disk.Name)+"="+disk.File)
		if disk.ReadOnly {
			argv = append(argv, opt(block+"-readonly", disk.Name))
		}
	}
	if u := userOption(user); u != "" {
		argv = append(argv, u)
	}
	if !legacy {
		argv = append(argv, "--")
	}
	return append(append(argv, unikernel), args...)
}

// maxGroups is how many supplementary groups the tender's --user takes
// (USER_MAX_GROUPS in nabla-lib/tender/tender.h).
const maxGroups = 256

// userOption is the tender's --user for process.user, "" for root with
// no supplementary groups: what the tender already is. The uid and gid are
// numeric in the spec (the engine resolved any name in the image), as the
// tender takes them; umask has no meaning for a guest that creates no
// host files.
func userOption(u specs.User) string {
	if u.UID == 0 && u.GID == 0 && len(u.AdditionalGids) == 0 {
		return ""
	}
	opt := fmt.Sprintf("--user=%d:%d", u.UID, u.GID)
	if len(u.AdditionalGids) > 0 {
		gids := make([]string, len(u.AdditionalGids))
		for i, g := range u.AdditionalGids {
			gids[i] = strconv.FormatUint(uint64(g), 10)
		}
		opt += ":" + strings.Join(gids, ",")
	}
	return opt
}

// checkArgs refuses a guest command line the kernel or the tender could
// not carry.
func checkArgs(f form, args []string) error {
	what := "an argument of the unikernel"
	if f.config() {
		what = "the unikernel's CONFIG"
	}
	total := 0
	for _, a := range args {
		if len(a) > maxArgBytes {
			return fmt.Errorf("%s is %d bytes, over the %d a command-line argument can hold: shorten its arguments, environment or per-container files", what, len(a), maxArgBytes)
		}
		total += len(a) + 1
	}
	limit := maxCmdlineBytes
	if f == formLegacy {
		limit = maxLegacyCmdlineBytes
	}
	if total > limit+1 {
		return fmt.Errorf("the unikernel's command line is %d bytes, over the %d its boot ABI carries: shorten its arguments or environment", total-1, limit)
	}
	return nil
}
