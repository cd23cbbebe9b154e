package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// x86Syscalls reads the x86_64 syscall table from the kernel headers
// (linux-libc-dev): name -> number.
func x86Syscalls() (map[string]int, error) {
	const path = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the x86_64 syscall table: %w (install linux-libc-dev)", err)
	}
	defer f.Close()
	table := map[string]int{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		var name string
		var nr int
		if n, _ := fmt.Sscanf(s.Text(), "#define __NR_%s %d", &name, &nr); n == 2 {
			table[name] = nr
		}
	}
	return table, s.Err()
}

// countTenderAllowed counts the distinct syscalls in `nabla-run
// --print-filter` output (one rule a line, "name(args)"; # comments) and
// the rules.
func countTenderAllowed(out string) (syscalls, rules int) {
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rules++
		name, _, _ := strings.Cut(line, "(")
		seen[name] = true
	}
	return len(seen), rules
}

// measureSurface fills the attack-surface row: for runnc the tender's
// own allowlist (with a net and a disk, its widest), for runc Docker's
// default profile (runc itself installs no filter; Docker's profile is
// what its containers get), for runsc the filter its sandbox installs.
func measureSurface(ctx context.Context, work, build string, drivers []*driver, g *Group) {
	row := g.Row("syscalls", "host syscalls the workload's process may make (x86_64)", "syscalls")
	for _, d := range drivers {
		if !d.ok() && d.name != "runnc" {
			continue // the tender's filter is known as soon as it is built
		}
		switch d.name {
		case "runnc":
			row.Cells[d.name] = tenderSurface(ctx, work, build, d)
		case "runc", "crun":
			row.Cells[d.name] = dockerSurface(ctx, work, d)
		case "runsc":
			row.Cells[d.name] = runscSurface(ctx, d)
		}
	}
	g.Notes = append(g.Notes,
		"runnc: distinct syscalls in `nabla-run --print-filter --net:net0=TAP --block:rootfs=FILE`; most are further limited to one fd and checked arguments.",
		"runc: runc installs whatever filter the bundle asks for; the row counts Docker's default profile (what `docker run` gives), for amd64 with Docker's default capabilities on this kernel, names that exist on x86_64 only.",
		"runsc (ptrace platform): the syscalls the running Sentry's seccomp filters can allow for some arguments, read with PTRACE_SECCOMP_GET_FILTER and evaluated per syscall number; the same evaluation of the running tender's and of a runc container's filter is in their notes, as a check.")
}

// runscSurface counts what the running sandbox's filter allows: the
// Sentry makes every host syscall on the application's behalf.
func runscSurface(ctx context.Context, d *driver) *Cell {
	names, gofer, err := runningFilter(ctx, d, d.sleep, map[string]string{"gofer": " gofer "})
	if err != nil {
		return ErrorCell("%v", err)
	}
	note := "read from the running sandbox's filter"
	if gofer != "" {
		note += "; " + gofer
	}
	return ValueCell(float64(len(names)), note)
}

// tenderSurface counts the tender's printed allowlist and, when runnc
// runs, checks it against the filter of a running tender.
func tenderSurface(ctx context.Context, work, build string, d *driver) *Cell {
	tender, err := built(build, "nabla-run")
	if err != nil {
		return ErrorCell("%v", err)
	}
	disk := filepath.Join(work, "surface.img")
	if err := os.WriteFile(disk, make([]byte, 1<<20), 0o600); err != nil {
		return ErrorCell("%v", err)
	}
	out, err := combinedOutput(exec.Command(tender, "--print-filter", "--net:net0=tap0", "--block:rootfs="+disk))
	if err != nil {
		return ErrorCell("nabla-run --print-filter: %v: %s", err, out)
	}
	n, rules := countTenderAllowed(string(out))
	note := fmt.Sprintf("%d rules", rules)
	if d.ok() {
		if running, _, err := runningFilter(ctx, d, d.sleep, nil); err != nil {
			note += "; reading the running tender's filter failed: " + err.Error()
		} else {
			note += fmt.Sprintf("; the filter of a tender run by runnc (`runnc spec`'s bundle: no interface in its netns, read-only disk) allows %d: %s",
				len(running), strings.Join(running, " "))
		}
	}
	return ValueCell(float64(n), note)
}

func dockerSurface(ctx context.Context, work string, d *driver) *Cell {
	path, version, err := findDockerProfile(work)
	if err != nil {
		return ErrorCell("%v", err)
	}
	x86, err := x86Syscalls()
	if err != nil {
		return ErrorCell("%v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ErrorCell("%v", err)
	}
	var u unix.Utsname
	unix.Uname(&u)
	kernel := unix.ByteSliceToString(u.Release[:])
	n, err := countDockerAllowed(data, x86, kernel)
	if err != nil {
		return ErrorCell("%v", err)
	}
	note := "Docker " + version + " default profile"
	if running, err := runWithProfile(ctx, d, data, kernel); err != nil {
		note += "; running " + d.name + " with it failed: " + err.Error()
	} else {
		note += fmt.Sprintf("; the filter of a %s container given it allows %d", d.name, len(running))
	}
	return ValueCell(float64(n), note)
}
