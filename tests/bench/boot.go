package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The boot comparison: the tender running the hello guest (a Solo5 spt
// unikernel) against Solo5's own solo5-spt running the same file, and the
// smallest Linux programs that do the same, started the same way
// (fork+exec from the bench, stdout a pipe).
var bootColumns = []string{"nabla-run + hello", "solo5-spt + hello", "static glibc hello", "/bin/true"}

const bootBaseline = "static glibc hello"

const helloC = `#include <stdio.h>
int main(int argc, char **argv)
{
	puts("Hello, World");
	for (int i = 0; i < argc; i++)
		puts(argv[i]);
	return 0;
}
`

// measureBoot times each program bootIters times, interleaved (one of
// each per round, in a rotating order) so drift in the machine's load
// hits all columns alike.
func measureBoot(ctx context.Context, cfg config, work, build, solo5Spt string, r *reaper, g *Group) {
	first := g.Row("first-output", "exec → first byte of output", "ms")
	exit := g.Row("exit", "exec → exit", "ms")
	argv := map[string][]string{"/bin/true": {"/bin/true"}}
	na := func(col string, err error) {
		first.Cells[col], exit.Cells[col] = ErrorCell("%v", err), ErrorCell("%v", err)
	}
	// The same guest, memory and command line under both tenders.
	const config = `{"cmdline":"hello.nabla","cwd":"/"}`
	tender, err := built(build, "nabla-run")
	hello, herr := built(build, "guests/hello.nabla")
	switch {
	case err != nil:
		na(bootColumns[0], err)
	case herr != nil:
		na(bootColumns[0], herr)
	default:
		argv[bootColumns[0]] = []string{tender, "--mem=512", hello, config}
	}
	switch {
	case solo5Spt == "":
		na(bootColumns[1], fmt.Errorf("n/a: give make bench SOLO5_SPT=PATH"))
	case herr != nil:
		na(bootColumns[1], herr)
	default:
		argv[bootColumns[1]] = []string{solo5Spt, "--mem=512", hello, config}
	}
	if c, err := buildStaticHello(work); err != nil {
		na(bootColumns[2], err)
	} else {
		argv[bootColumns[2]] = []string{c, "hello"}
	}
	firsts, exits := map[string][]time.Duration{}, map[string][]time.Duration{}
	failed := map[string]error{}
	for i := 0; i < cfg.bootIters && ctx.Err() == nil; i++ {
		for j := range bootColumns {
			col := bootColumns[(i+j)%len(bootColumns)]
			if argv[col] == nil || failed[col] != nil {
				continue
			}
			f, e, err := timeExec(r, argv[col])
			if err != nil {
				failed[col] = err
				continue
			}
			if f > 0 {
				firsts[col] = append(firsts[col], f)
			}
			exits[col] = append(exits[col], e)
		}
		if (i+1)%max(1, cfg.bootIters/5) == 0 {
			progress("boot: %d/%d rounds", i+1, cfg.bootIters)
		}
	}
	for _, col := range bootColumns {
		switch {
		case argv[col] == nil:
		case failed[col] != nil:
			first.Cells[col], exit.Cells[col] = ErrorCell("%v", failed[col]), ErrorCell("%v", failed[col])
		default:
			exit.Cells[col] = SamplesCell(Millis(exits[col]))
			if len(firsts[col]) > 0 {
				first.Cells[col] = SamplesCell(Millis(firsts[col]))
			} else {
				first.Cells[col] = ErrorCell("prints nothing")
			}
		}
	}
	g.Notes = append(g.Notes, "Targets: nabla-run + hello within 1.25× of the static glibc hello, and no slower than Solo5's solo5-spt running the same unikernel (exec → exit).",
		"The tender's RSS and PSS with a guest resident are the runnc cells of the memory table (there the tender runs `hello.nabla sleep`).")
}

// buildStaticHello compiles the C hello with gcc -static.
func buildStaticHello(work string) (string, error) {
	src := filepath.Join(work, "hello.c")
	bin := filepath.Join(work, "hello-static")
	if err := os.WriteFile(src, []byte(helloC), 0o644); err != nil {
		return "", err
	}
	if out, err := combinedOutput(exec.Command("gcc", "-static", "-O2", "-o", bin, src)); err != nil {
		return "", fmt.Errorf("gcc -static hello.c: %v: %s (install gcc and libc6-dev)", err, out)
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
