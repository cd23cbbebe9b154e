package llcli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/types"
	"github.com/urfave/cli"
)

var eventsCommand = cli.Command{
	Name:      "events",
	Usage:     "print a container's resource statistics",
	ArgsUsage: "<container-id>",
	Description: `Events prints the container's cgroup statistics (cpu, memory, pids) as
JSON lines of the form runc prints: once with --stats, else every
--interval until the container stops.

Example: runnc events --stats web1`,
	Flags: []cli.Flag{
		cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "time between statistics"},
		cli.BoolFlag{Name: "stats", Usage: "print the statistics once and exit"},
	},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		if ctx.Duration("interval") <= 0 {
			return fmt.Errorf("--interval must be positive")
		}
		enc := json.NewEncoder(os.Stdout)
		for {
			st, err := c.Stats()
			if err != nil {
				return err
			}
			if err := enc.Encode(types.Event{Type: "stats", ID: c.ID(), Data: convertStats(st)}); err != nil {
				return err
			}
			if ctx.Bool("stats") {
				return nil
			}
			time.Sleep(ctx.Duration("interval"))
		}
	},
}

// convertStats maps cgroup statistics to runc's stable event shape.
func convertStats(s *cgroups.Stats) *types.Stats {
	var out types.Stats
	cu := s.CpuStats.CpuUsage
	out.CPU.Usage = types.CpuUsage{
		Total: cu.TotalUsage, Percpu: cu.PercpuUsage,
		PercpuKernel: cu.PercpuUsageInKernelmode, PercpuUser: cu.PercpuUsageInUsermode,
		Kernel: cu.UsageInKernelmode, User: cu.UsageInUsermode,
	}
	th := s.CpuStats.ThrottlingData
	out.CPU.Throttling = types.Throttling{Periods: th.Periods, ThrottledPeriods: th.ThrottledPeriods, ThrottledTime: th.ThrottledTime}
	m := s.MemoryStats
	out.Memory = types.Memory{
		Cache:     m.Cache,
		Usage:     memoryEntry(m.Usage),
		Swap:      memoryEntry(m.SwapUsage),
		Kernel:    memoryEntry(m.KernelUsage),
		KernelTCP: memoryEntry(m.KernelTCPUsage),
		Raw:       m.Stats,
	}
	out.Pids = types.Pids{Current: s.PidsStats.Current, Limit: s.PidsStats.Limit}
	return &out
}

func memoryEntry(d cgroups.MemoryData) types.MemoryEntry {
	return types.MemoryEntry{Limit: d.Limit, Usage: d.Usage, Max: d.MaxUsage, Failcnt: d.Failcnt}
}
