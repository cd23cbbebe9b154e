package e2e_test

import (
	"sort"
	"testing"
	"time"
)

// BenchmarkDockerRun times `docker run --rm` end to end through the same
// daemon: the hello unikernel under runnc against busybox echo under runc
// and, when it is installed, runsc; all without a network (runsc 2022 from
// Debian refuses Docker's bridge namespace here). Run with
// `go test ./tests/e2e/ -run '^$' -bench DockerRun -benchtime 20x`.
func BenchmarkDockerRun(b *testing.B) {
	d := dockerd(b)
	timeEach(b, d, []benchCase{
		{"runnc-hello", "runnc", []string{d.nabla(b), "/hello.nabla"}},
		{"runc-echo", "runc", []string{d.busybox(b), "/bin/echo", "hi"}},
		{"runsc-echo", "runsc", []string{d.busybox(b), "/bin/echo", "hi"}},
	}, func(b *testing.B, c benchCase) time.Duration {
		start := time.Now()
		r := d.docker(b, append([]string{"run", "--rm", "--network=none", "--runtime=" + c.runtime}, c.args...)...)
		took := time.Since(start)
		if r.code != 0 {
			b.Fatalf("%v", r)
		}
		return took
	})
}

// BenchmarkDockerHTTP times `docker run -d` until the first HTTP response
// from the container's address: the httpd unikernel under runnc against
// busybox httpd under runc.
func BenchmarkDockerHTTP(b *testing.B) {
	d := dockerd(b)
	timeEach(b, d, []benchCase{
		{"runnc-httpd", "runnc", []string{d.nabla(b), "/httpd.nabla"}},
		{"runc-busybox-httpd", "runc", []string{d.busybox(b), "/bin/httpd", "-f", "-p", "80", "-h", "/www"}},
	}, func(b *testing.B, c benchCase) time.Duration {
		start := time.Now()
		ctr := d.runDetached(b, append([]string{"--runtime=" + c.runtime}, c.args...)...)
		url := "http://" + ctr.ip(b) + "/index.html"
		for {
			if _, err := get(url, time.Second); err == nil {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("%s did not serve within a minute", url)
			}
			time.Sleep(2 * time.Millisecond)
		}
		took := time.Since(start)
		ctr.remove(b)
		return took
	})
}

// benchCase is one runtime's container: the image and command after
// docker run's options.
type benchCase struct {
	name, runtime string
	args          []string
}

// timeEach runs a sub-benchmark per case that times once b.N times and
// reports the spread; a runsc case is skipped where runsc is not
// installed.
func timeEach(b *testing.B, d *daemon, cases []benchCase, once func(*testing.B, benchCase) time.Duration) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.runtime == "runsc" && d.runsc == "" {
				b.Skip("runsc is not installed (apt-get install runsc)")
			}
			took := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				took = append(took, once(b, c))
			}
			report(b, took)
		})
	}
}

// report adds the median and 90th percentile to the benchmark's line.
func report(b *testing.B, took []time.Duration) {
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(ms(took[len(took)/2]), "ms-median")
	b.ReportMetric(ms(took[len(took)*9/10]), "ms-p90")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
