package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// settle is how long a started container gets before its memory is read,
// so runsc's sandbox has loaded busybox and the tender its guest.
const settle = 500 * time.Millisecond

// measureMemory reads the RSS and PSS of one running (sleeping) container's
// processes, then of cfg.many at once. A container's processes are its
// process and its descendants, plus the processes that name the driver's
// private state root in their command line (runsc's gofer and sandbox):
// for runnc that is the tender alone, for runc the workload's process.
func measureMemory(ctx context.Context, cfg config, drivers []*driver, g *Group) {
	rss1 := g.Row("rss-1", "RSS, one running container", "MiB")
	pss1 := g.Row("pss-1", "PSS, one running container", "MiB")
	rssN := g.Row("rss-many", fmt.Sprintf("RSS, %d running containers (total)", cfg.many), "MiB")
	pssN := g.Row("pss-many", fmt.Sprintf("PSS, %d running containers (total)", cfg.many), "MiB")
	for _, d := range drivers {
		for _, m := range []struct {
			n        int
			rss, pss *Row
		}{{1, rss1, pss1}, {cfg.many, rssN, pssN}} {
			progress("memory %s: %d containers", d.name, m.n)
			rss, pss, procs, err := sleepersMemory(ctx, d, m.n)
			if err != nil {
				m.rss.Cells[d.name], m.pss.Cells[d.name] = ErrorCell("%v", err), ErrorCell("%v", err)
				continue
			}
			note := "1 process"
			if procs != 1 {
				note = fmt.Sprintf("%d processes", procs)
			}
			m.rss.Cells[d.name], m.pss.Cells[d.name] = ValueCell(rss, note), ValueCell(pss, note)
		}
	}
	g.Notes = append(g.Notes, "PSS (from /proc/PID/smaps_rollup) divides shared pages among the processes that map them: "+
		"it is the fair figure for many containers. Runtime processes that exit after `create`/`start` (runc, runnc, runsc's CLI) hold nothing and are not counted.")
}

// sleepersMemory starts n sleeping containers, measures them, and kills
// and deletes them again.
func sleepersMemory(ctx context.Context, d *driver, n int) (rssMiB, pssMiB float64, procs int, err error) {
	var cs []*container
	defer func() {
		for _, c := range cs {
			stopContainer(d, c)
		}
	}()
	for i := 0; i < n; i++ {
		c, err := d.create(ctx, d.newID(), d.sleep, nil)
		if err != nil {
			return 0, 0, 0, err
		}
		cs = append(cs, c)
		if err := d.start(ctx, c); err != nil {
			return 0, 0, 0, err
		}
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return 0, 0, 0, ctx.Err()
	}
	for _, c := range cs {
		select {
		case e := <-c.exit:
			return 0, 0, 0, fmt.Errorf("%s: sleeping container %s exited with status %d", d.name, c.id, e.Status)
		default:
		}
	}
	pids := containerProcesses(d, cs)
	var rss, pss uint64
	for _, pid := range pids {
		r, p, err := smapsRollup(pid)
		if err != nil {
			return 0, 0, 0, err
		}
		rss += r
		pss += p
	}
	return float64(rss) / 1024, float64(pss) / 1024, len(pids), nil
}

func stopContainer(d *driver, c *container) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.kill(ctx, c, unix.SIGKILL); err == nil {
		d.wait(ctx, c)
	}
	if err := d.delete(ctx, c, true); err != nil {
		progress("%v", err)
	}
}

// containerProcesses returns the pids of the containers' processes: each
// container's process and descendants, and every process whose command
// line names the driver's state root, with its descendants.
func containerProcesses(d *driver, cs []*container) []int {
	parent, cmdline := processTable()
	roots := map[int]bool{}
	for _, c := range cs {
		roots[c.pid] = true
	}
	for pid, cl := range cmdline {
		if strings.Contains(cl, d.rc.Root) {
			roots[pid] = true
		}
	}
	var out []int
	for pid := range parent {
		for p := pid; p > 1; p = parent[p] {
			if roots[p] {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// processTable reads every process's parent and command line from /proc.
func processTable() (map[int]int, map[int]string) {
	parent, cmdline := map[int]int{}, map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name in brackets may hold spaces: fields start
		// after the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 {
			continue
		}
		parent[pid], _ = strconv.Atoi(fields[1])
		cl, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		cmdline[pid] = strings.ReplaceAll(string(cl), "\x00", " ")
	}
	return parent, cmdline
}

// smapsRollup returns a process's Rss and Pss in KiB.
func smapsRollup(pid int) (rss, pss uint64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the memory of pid %d: %w", pid, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseUint(fields[1], 10, 64)
		switch fields[0] {
		case "Rss:":
			rss = v
		case "Pss:":
			pss = v
		}
	}
	return rss, pss, s.Err()
}
