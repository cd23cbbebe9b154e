package llcli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/docker/go-units"
	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli"
)

var updateCommand = cli.Command{
	Name:      "update",
	Usage:     "change a container's cgroup limits",
	ArgsUsage: "<container-id>",
	Description: `Update changes the limits of the container's cgroup, from flags or from
a LinuxResources JSON file (-r FILE, or -r - for stdin, which is what
containerd's shim sends). The unikernel's memory was fixed when it booted:
a new memory limit bounds the tender, it does not resize the guest. Intel
RDT (--l3-cache-schema, --mem-bw-schema) is refused.

Example: runnc update --memory 128m web1`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "resources, r", Usage: "LinuxResources JSON file, - for stdin"},
		cli.StringFlag{Name: "memory", Usage: "memory limit (e.g. 64m)"},
		cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit"},
		cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit, -1 for unlimited"},
		cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight)"},
		cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period in microseconds"},
		cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS quota in microseconds"},
		cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period in microseconds"},
		cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime runtime in microseconds per period"},
		cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs to use (0-3, 0,1)"},
		cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes to use"},
		cli.StringFlag{Name: "pids-limit", Usage: "maximum number of tasks"},
		cli.StringFlag{Name: "blkio-weight", Usage: "block IO weight, 10 to 1000"},
		cli.StringFlag{Name: "l3-cache-schema", Usage: "refused: Intel RDT is not supported"},
		cli.StringFlag{Name: "mem-bw-schema", Usage: "refused: Intel RDT is not supported"},
	},
	Action: func(ctx *cli.Context) error {
		for _, f := range []string{"l3-cache-schema", "mem-bw-schema"} {
			if ctx.String(f) != "" {
				return fmt.Errorf("update --%s: runnc does not support Intel RDT (cache and memory bandwidth allocation); drop the flag", f)
			}
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		cfg := c.Config()
		r := cgroups.Resources{}
		if cfg.Cgroups != nil && cfg.Cgroups.Resources != nil {
			r = *cfg.Cgroups.Resources
		}
		if path := ctx.String("resources"); path != "" {
			if err := readResources(path, &r); err != nil {
				return err
			}
		}
		if err := resourceFlags(ctx, &r); err != nil {
			return err
		}
		return c.Set(&r)
	},
}

// readResources applies a LinuxResources JSON document to r.
func readResources(path string, r *cgroups.Resources) error {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("resources file: %w", err)
		}
		defer f.Close()
		in = f
	}
	var lr specs.LinuxResources
	if err := json.NewDecoder(in).Decode(&lr); err != nil {
		return fmt.Errorf("resources %s is not LinuxResources JSON: %w", path, err)
	}
	if m := lr.Memory; m != nil {
		for _, v := range []struct {
			name string
			v    *int64
		}{{"memory.limit", m.Limit}, {"memory.reservation", m.Reservation}, {"memory.swap", m.Swap}} {
			if v.v != nil && *v.v < -1 {
				return fmt.Errorf("resources %s: %s %d is not a size: give bytes, or -1 for no limit", path, v.name, *v.v)
			}
		}
		setInt(&r.Memory, m.Limit)
		setInt(&r.MemoryReservation, m.Reservation)
		setInt(&r.MemorySwap, m.Swap)
	}
	if cpu := lr.CPU; cpu != nil {
		setUint(&r.CpuShares, cpu.Shares)
		setInt(&r.CpuQuota, cpu.Quota)
		setUint(&r.CpuPeriod, cpu.Period)
		setInt(&r.CpuRtRuntime, cpu.RealtimeRuntime)
		setUint(&r.CpuRtPeriod, cpu.RealtimePeriod)
		if cpu.Cpus != "" {
			r.CpusetCpus = cpu.Cpus
		}
		if cpu.Mems != "" {
			r.CpusetMems = cpu.Mems
		}
	}
	if p := lr.Pids; p != nil && p.Limit != nil {
		r.PidsLimit = p.Limit
	}
	if b := lr.BlockIO; b != nil && b.Weight != nil {
		r.BlkioWeight = *b.Weight
	}
	return nil
}

func setInt(dst *int64, v *int64) {
	if v != nil {
		*dst = *v
	}
}

func setUint(dst *uint64, v *uint64) {
	if v != nil {
		*dst = *v
	}
}

// resourceFlags applies the update flags given on the command line to r.
func resourceFlags(ctx *cli.Context, r *cgroups.Resources) error {
	sizes := []struct {
		flag string
		dst  *int64
	}{{"memory", &r.Memory}, {"memory-reservation", &r.MemoryReservation}, {"memory-swap", &r.MemorySwap}}
	for _, s := range sizes {
		v := ctx.String(s.flag)
		if v == "" {
			continue
		}
		if v == "-1" {
			*s.dst = -1
			continue
		}
		n, err := units.RAMInBytes(v)
		// A size beyond int64 converts to a negative number, which the
		// kernel would read as a huge unsigned one, or refuse.
		if err != nil || n < 0 {
			return fmt.Errorf("--%s %q is not a size: use bytes or a unit like 64m (below 8 EiB), or -1 for no limit", s.flag, v)
		}
		*s.dst = n
	}
	// Each number is checked against the range of its cgroup file before
	// it is converted, so nothing wraps around on the way to the kernel.
	nums := []struct {
		flag     string
		min, max int64
		set      func(int64)
		want     string
	}{
		{"cpu-share", 0, math.MaxInt64, func(n int64) { r.CpuShares = uint64(n) }, "a whole number"},
		{"cpu-period", 0, math.MaxInt64, func(n int64) { r.CpuPeriod = uint64(n) }, "a whole number of microseconds"},
		{"cpu-quota", -1, math.MaxInt64, func(n int64) { r.CpuQuota = n }, "microseconds, or -1 for no quota"},
		{"cpu-rt-period", 0, math.MaxInt64, func(n int64) { r.CpuRtPeriod = uint64(n) }, "a whole number of microseconds"},
		{"cpu-rt-runtime", -1, math.MaxInt64, func(n int64) { r.CpuRtRuntime = n }, "microseconds, or -1 for no limit"},
		{"pids-limit", -1, math.MaxInt64, func(n int64) { r.PidsLimit = &n }, "a number of tasks, or -1 for no limit"},
		{"blkio-weight", 10, 1000, func(n int64) { r.BlkioWeight = uint16(n) }, "a weight from 10 to 1000"},
	}
	for _, n := range nums {
		v := ctx.String(n.flag)
		if v == "" {
			continue
		}
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || i < n.min || i > n.max {
			return fmt.Errorf("--%s %q is not valid: give %s", n.flag, v, n.want)
		}
		n.set(i)
	}
	if v := ctx.String("cpuset-cpus"); v != "" {
		r.CpusetCpus = v
	}
	if v := ctx.String("cpuset-mems"); v != "" {
		r.CpusetMems = v
	}
	return nil
}
