package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netns"
)

// page is the index.html every server serves.
const page = "hello from the bench\n"

// measureNetwork fills the network group (issue 6): an HTTP server in a
// container that joins a pod-like network namespace by path, as
// Kubernetes makes it, reached over a veth from a second, client
// namespace. runnc runs the httpd unikernel (its tap handler takes over
// the namespace's eth0), the Linux runtimes busybox httpd.
func measureNetwork(ctx context.Context, cfg config, build string, drivers []*driver, g *Group) {
	first := g.Row("first-response", "run -d (create + start) to the first HTTP response", "ms")
	rows := map[string]*Row{}
	for _, l := range wrkLoads {
		rps := g.Row("http-rps"+l.id, fmt.Sprintf("HTTP requests/s, %s", l.title), "req/s")
		rps.HigherIsBetter = true
		rows["rps"+l.id] = rps
		rows["p50"+l.id] = g.Row("http-p50"+l.id, "HTTP latency under that load, p50", "ms")
		rows["p99"+l.id] = g.Row("http-p99"+l.id, "HTTP latency under that load, p99", "ms")
	}
	g.Notes = append(g.Notes, fmt.Sprintf("Each runtime's container joins, by path, a namespace rnbench-* whose eth0 (10.194.N.2/24) is a veth to a client namespace; "+
		"the first response is polled from the client namespace every millisecond (new connection, 50 ms connect timeout, eth0's MAC a permanent neighbour entry), median / p90 / p99 of %d runs; "+
		"then one container serves `ip netns exec CLIENT wrk -t2 -c20 -d%s --latency` for a %d-byte index.html, once per load "+
		"(the client namespace has net.ipv4.tcp_tw_reuse=1: else wrk's closed connections use up its ports and the load collapses to SYN retries).", cfg.netIters, cfg.wrkDuration, len(page)),
		"The httpd unikernel keeps connections alive (HTTP/1.1); busybox httpd answers HTTP/1.0 and forks a process per connection, "+
			"so the default load compares the servers as much as the runtimes; the Connection: close load makes every request a new TCP connection for both.")
	failAll := func(d *driver, c *Cell) {
		first.Cells[d.name] = c
		for _, r := range rows {
			r.Cells[d.name] = c
		}
	}
	pods := map[string]*pod{}
	bundles := map[string]string{}
	var ready []*driver
	for i, d := range drivers {
		if d.name == "runsc" {
			failAll(d, ErrorCell("not measured: it runs with --network=none here (see the notes), which cannot join a pod's network namespace"))
			continue
		}
		p, err := newPod(fmt.Sprintf("rnbench-%d-%s", os.Getpid(), d.name), i+1)
		if err != nil {
			failAll(d, ErrorCell("%v", err))
			continue
		}
		defer p.remove()
		b, err := serverBundle(d, build, p)
		if err != nil {
			failAll(d, ErrorCell("%v", err))
			continue
		}
		pods[d.name], bundles[d.name] = p, b
		ready = append(ready, d)
	}
	t := interleaved(ctx, "run -d to the first HTTP response", cfg.netIters, ready, func(d *driver) (map[string]time.Duration, error) {
		dt, err := timeFirstResponse(ctx, d, bundles[d.name], pods[d.name])
		return map[string]time.Duration{"first": dt}, err
	})
	for _, d := range ready {
		first.Cells[d.name] = t.cell(d.name, "first")
		progress("network: wrk against %s, %s per load", d.name, cfg.wrkDuration)
		results, err := loadServer(ctx, d, bundles[d.name], pods[d.name], cfg.wrkDuration)
		if err != nil {
			failAll(d, ErrorCell("%v", err))
			first.Cells[d.name] = t.cell(d.name, "first")
			continue
		}
		for id, res := range results {
			rows["rps"+id].Cells[d.name] = ValueCell(res.rps, res.note)
			rows["p50"+id].Cells[d.name] = ValueCell(res.p50, "")
			rows["p99"+id].Cells[d.name] = ValueCell(res.p99, "")
		}
	}
}

// wrkLoads are the loads wrk puts on each server, by row id suffix.
var wrkLoads = []struct {
	id, title string
	args      []string
}{
	{"", "wrk -t2 -c20, connections kept alive where the server allows", nil},
	{"-close", "wrk -t2 -c20 -H 'Connection: close' (a new connection per request)", []string{"-H", "Connection: close"}},
}

// pod is a server namespace whose eth0 (addr/24, default route via the
// client) is one end of a veth; the other end, veth0, is in the client
// namespace. Both exist only for the bench.
type pod struct {
	ns, client, addr string
}

func newPod(name string, subnet int) (*pod, error) {
	p := &pod{ns: name, client: name + "-client", addr: fmt.Sprintf("10.194.%d.2", subnet)}
	clientAddr := fmt.Sprintf("10.194.%d.1", subnet)
	steps := [][]string{
		{"netns", "add", p.ns},
		{"netns", "add", p.client},
		{"-n", p.ns, "link", "set", "lo", "up"},
		{"-n", p.client, "link", "set", "lo", "up"},
		{"-n", p.client, "link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", p.ns},
		{"-n", p.client, "addr", "add", clientAddr + "/24", "dev", "veth0"},
		{"-n", p.client, "link", "set", "veth0", "up"},
		{"-n", p.ns, "addr", "add", p.addr + "/24", "dev", "eth0"},
		{"-n", p.ns, "link", "set", "eth0", "up"},
		{"-n", p.ns, "route", "add", "default", "via", clientAddr, "dev", "eth0"},
		// wrk closes each connection busybox httpd answers: without reuse,
		// its TIME_WAIT sockets use up the client's ports within seconds
		// and the load collapses to SYN retries.
		{"netns", "exec", p.client, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"},
	}
	ip := func(args ...string) (string, error) {
		out, err := combinedOutput(exec.Command("ip", args...))
		if err != nil {
			return "", fmt.Errorf("make the namespaces of %s: ip %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return string(out), nil
	}
	for _, args := range steps {
		if _, err := ip(args...); err != nil {
			p.remove()
			return nil, err
		}
	}
	// The client knows eth0's MAC for good (the unikernel answers with
	// it): an ARP request sent while the guest takes eth0 over would be
	// retried only after a second, which is the client kernel's timer,
	// not the server's start-up.
	link, err := ip("-n", p.ns, "-br", "link", "show", "eth0")
	if f := strings.Fields(link); err == nil && len(f) >= 3 {
		_, err = ip("-n", p.client, "neigh", "replace", p.addr, "lladdr", f[2], "dev", "veth0", "nud", "permanent")
	} else if err == nil {
		err = fmt.Errorf("make the namespaces of %s: no MAC in %q", name, link)
	}
	if err != nil {
		p.remove()
		return nil, err
	}
	return p, nil
}

// remove deletes both namespaces, and with them the veth.
func (p *pod) remove() {
	for _, ns := range []string{p.ns, p.client} {
		if _, err := os.Stat(filepath.Join("/var/run/netns", ns)); err != nil {
			continue
		}
		if out, err := combinedOutput(exec.Command("ip", "netns", "del", ns)); err != nil {
			progress("remove namespace %s: %v: %s", ns, err, strings.TrimSpace(string(out)))
		}
	}
}

// serverBundle makes the driver's HTTP server bundle, serving page as
// index.html, in the pod's namespace.
func serverBundle(d *driver, build string, p *pod) (string, error) {
	dir := filepath.Join(d.dir, "httpd")
	var w workload
	specTool, index := d.rc.Command, "index.html"
	if d.name == "runnc" {
		httpd, err := built(build, "guests/httpd.nabla")
		if err != nil {
			return "", err
		}
		w = workload{files: map[string]string{"httpd.nabla": httpd}, args: []string{"/httpd.nabla"}}
	} else {
		busybox, err := staticBusybox()
		if err != nil {
			return "", err
		}
		if specTool, err = exec.LookPath("runc"); err != nil {
			return "", fmt.Errorf("runc is needed for its spec template: %w", err)
		}
		w = workload{files: map[string]string{"bin/busybox": busybox}, args: []string{"/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"}}
		index = "www/index.html"
	}
	if err := makeBundle(dir, specTool, w); err != nil {
		return "", err
	}
	index = filepath.Join(dir, "rootfs", index)
	if err := os.MkdirAll(filepath.Dir(index), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(index, []byte(page), 0o644); err != nil {
		return "", err
	}
	return dir, editSpec(dir, func(s *specs.Spec) {
		s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
			return ns.Type == specs.NetworkNamespace
		})
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/var/run/netns/" + p.ns})
	})
}

// timeFirstResponse times create + start (run -d) until the server's
// first good answer; the container is then stopped, untimed.
func timeFirstResponse(ctx context.Context, d *driver, bundle string, p *pod) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err != nil {
		return 0, err
	}
	defer stopContainer(d, c)
	if err := d.start(ctx, c); err != nil {
		return 0, err
	}
	if err := p.awaitPage(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w (stderr: %s)", d.name, err, d.stderrTail())
	}
	return time.Since(t0), nil
}

// awaitPage polls http://addr/index.html from the client namespace until
// it answers with page. The connections are made on a thread of their own
// that enters the client namespace and dies with its goroutine, so no
// other goroutine ever runs in that namespace; a socket stays in the
// namespace it was made in.
func (p *pod) awaitPage(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		ns, err := netns.GetFromName(p.client)
		if err != nil {
			done <- fmt.Errorf("open namespace %s: %w", p.client, err)
			return
		}
		defer ns.Close()
		if err := netns.Set(ns); err != nil {
			done <- fmt.Errorf("enter namespace %s: %w", p.client, err)
			return
		}
		var last error
		for ctx.Err() == nil {
			if last = getPage(p.addr + ":80"); last == nil {
				done <- nil
				return
			}
			time.Sleep(time.Millisecond)
		}
		done <- fmt.Errorf("http://%s/index.html never answered: %v", p.addr, last)
	}()
	return <-done
}

// getPage makes one HTTP/1.0 request on a new connection, on the calling
// thread. The short connect timeout bounds what a SYN lost while the
// server comes up costs (the kernel would retry it only after a second).
func getPage(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(conn, "GET /index.html HTTP/1.0\r\nHost: bench\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != page {
		return fmt.Errorf("GET /index.html: %s %q", resp.Status, body)
	}
	return nil
}

// loadServer runs one server container and each of wrkLoads against it
// from the client namespace; it returns the results by load id.
func loadServer(ctx context.Context, d *driver, bundle string, p *pod, dur time.Duration) (map[string]*wrkResult, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(wrkLoads))*dur+time.Minute)
	defer cancel()
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err != nil {
		return nil, err
	}
	defer stopContainer(d, c)
	if err := d.start(ctx, c); err != nil {
		return nil, err
	}
	if err := p.awaitPage(ctx); err != nil {
		return nil, err
	}
	url := "http://" + p.addr + "/index.html"
	results := map[string]*wrkResult{}
	for _, l := range wrkLoads {
		args := append([]string{"netns", "exec", p.client, "wrk", "-t2", "-c20", fmt.Sprintf("-d%ds", int(dur.Seconds())), "--latency"}, l.args...)
		out, err := combinedOutput(exec.CommandContext(ctx, "ip", append(args, url)...))
		if err != nil {
			return nil, fmt.Errorf("wrk %s %s: %v: %s", strings.Join(l.args, " "), url, err, lastLine(string(out)))
		}
		if results[l.id], err = parseWrk(string(out)); err != nil {
			return nil, err
		}
	}
	return results, nil
}
