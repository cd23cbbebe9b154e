package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The boot comparison: the tender running a guest (a Solo5 spt
// unikernel) against Solo5's own solo5-spt running the same file, and the
// smallest Linux programs that do the same, started the same way
// (fork+exec from the bench, stdout a pipe). Two workloads: the SDK's hello,
// and large, an 8 MiB image that reads a byte of each of its pages, as a
// MirageOS unikernel of that size touches its code while it boots.
var bootColumns = []string{"nabla-run", "solo5-spt", "static glibc program", "/bin/true"}

const bootBaseline = "static glibc program"

const helloC = `#include <stdio.h>
int main(int argc, char **argv)
{
	puts("Hello, World");
	for (int i = 0; i < argc; i++)
		puts(argv[i]);
	return 0;
}
`

// largeC is the Linux twin of the SDK's large guest (nabla-lib/guest/apps/large.c).
const largeC = `#include <stdio.h>
#define LARGE_SIZE (8 << 20)
static const unsigned char data[LARGE_SIZE] = { [LARGE_SIZE - 1] = 1 };
int main(void)
{
	unsigned pages = 0;
	for (unsigned long i = 0; i < LARGE_SIZE; i += 4096) {
		(void)*(volatile const unsigned char *)&data[i];
		pages++;
	}
	printf("large: %u pages read\n", pages);
	return 0;
}
`

// bootRun is one program to time: the rows it fills, for one column.
type bootRun struct {
	col         string
	first, exit *Row // first is nil where the row times the exit only
	argv        []string
	firsts      []time.Duration
	exits       []time.Duration
	err         error
}

// measureBoot times each program bootIters times, interleaved (one of
// each per round, in a rotating order) so drift in the machine's load
// hits all columns alike.
func measureBoot(ctx context.Context, cfg config, work, build, solo5Spt string, r *reaper, g *Group) {
	first := g.Row("first-output", "hello: exec → first byte of output", "ms")
	exit := g.Row("exit", "hello: exec → exit", "ms")
	large := g.Row("exit-large", "large, an 8 MiB image that reads each of its pages: exec → exit", "ms")
	var runs []*bootRun
	add := func(col string, first, exit *Row, argv []string, err error) {
		runs = append(runs, &bootRun{col: col, first: first, exit: exit, argv: argv, err: err})
	}
	// The same guests, memory and command lines under both tenders.
	tender, terr := built(build, "nabla-run")
	for _, w := range []struct {
		first, exit *Row
		guest, c    string
		args        []string
	}{
		{first, exit, "guests/hello.nabla", helloC, []string{"hello"}},
		{nil, large, "bench-guests/large.nabla", largeC, nil},
	} {
		guest, gerr := built(build, w.guest)
		add(bootColumns[0], w.first, w.exit, tenderArgv(tender, guest), errors.Join(terr, gerr))
		if solo5Spt == "" {
			add(bootColumns[1], w.first, w.exit, nil, fmt.Errorf("n/a: give make bench SOLO5_SPT=PATH"))
		} else {
			add(bootColumns[1], w.first, w.exit, tenderArgv(solo5Spt, guest), gerr)
		}
		c, err := buildStatic(work, strings.TrimSuffix(filepath.Base(w.guest), ".nabla"), w.c)
		add(bootColumns[2], w.first, w.exit, append([]string{c}, w.args...), err)
	}
	add(bootColumns[3], first, exit, []string{"/bin/true"}, nil)
	for _, b := range runs {
		if b.err == nil {
			uncache(b.argv[0])
		}
	}

	for i := 0; i < cfg.bootIters && ctx.Err() == nil; i++ {
		for j := range runs {
			b := runs[(i+j)%len(runs)]
			if b.err != nil {
				continue
			}
			f, e, err := timeExec(r, b.argv)
			if err != nil {
				b.err = err
				continue
			}
			if f > 0 {
				b.firsts = append(b.firsts, f)
			}
			b.exits = append(b.exits, e)
		}
		if (i+1)%max(1, cfg.bootIters/5) == 0 {
			progress("boot: %d/%d rounds", i+1, cfg.bootIters)
		}
	}
	for _, b := range runs {
		switch {
		case b.err != nil:
			b.exit.Cells[b.col] = ErrorCell("%v", b.err)
			if b.first != nil {
				b.first.Cells[b.col] = ErrorCell("%v", b.err)
			}
		default:
			b.exit.Cells[b.col] = SamplesCell(Millis(b.exits))
			if b.first == nil {
				break
			}
			if len(b.firsts) > 0 {
				b.first.Cells[b.col] = SamplesCell(Millis(b.firsts))
			} else {
				b.first.Cells[b.col] = ErrorCell("prints nothing")
			}
		}
	}
	g.Notes = append(g.Notes, "Targets: nabla-run running hello within 1.25× of the static glibc hello, and no slower than Solo5's solo5-spt running the same unikernel (exec → exit).",
		"large: nabla-run maps a guest's segments from its file (the page cache's pages, shared by every container of the image); solo5-spt, like nabla-run before, reads every segment into guest memory first. The Linux twin is the same C program, whose 8 MiB the kernel maps from its file alike.",
		"The tender's RSS and PSS with a guest resident are the runnc cells of the memory table (there the tender runs `hello.nabla sleep`).")
}

// tenderArgv is the command line of tender (nabla-run or Solo5's
// solo5-spt) booting guest with no runtime around it: 512 MiB, as runnc
// gives a bundle without a memory limit, and the boot ABI's config.
func tenderArgv(tender, guest string) []string {
	config := fmt.Sprintf(`{"cmdline":%q,"cwd":"/"}`, filepath.Base(guest))
	return []string{tender, "--mem=512", guest, config}
}

// buildStatic compiles the C program src with gcc -static, as name.
func buildStatic(work, name, src string) (string, error) {
	file := filepath.Join(work, name+".c")
	bin := filepath.Join(work, name+"-static")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return "", err
	}
	if out, err := combinedOutput(exec.Command("gcc", "-static", "-O2", "-o", bin, file)); err != nil {
		return "", fmt.Errorf("gcc -static %s.c: %v: %s (install gcc and libc6-dev)", name, err, out)
	}
	return bin, nil
}

// timeExec starts argv with stdout on a pipe and returns the time to its
// first byte of output (0 when it prints nothing) and to its exit.
func timeExec(r *reaper, argv []string) (time.Duration, time.Duration, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, 0, err
	}
	defer pr.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = pw, &stderr
	t0 := time.Now()
	ch, err := r.Start(cmd)
	pw.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("start %s: %w", argv[0], err)
	}
	var first time.Duration
	buf := make([]byte, 1)
	if n, _ := pr.Read(buf); n == 1 {
		first = time.Since(t0)
	}
	e := <-ch
	cmd.Wait()
	if e.Status != 0 {
		return 0, 0, fmt.Errorf("%s exited with status %d: %s", argv[0], e.Status, bytes.TrimSpace(stderr.Bytes()))
	}
	return first, e.Timestamp.Sub(t0), nil
}
