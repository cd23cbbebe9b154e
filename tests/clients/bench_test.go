package clients_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// The benchmarks compare runnc with runc behind the same client, in the
// same run: `go test -run '^$' -bench . -benchtime 20x ./tests/clients`.
// Each iteration runs every case once, alternating, so that load from
// elsewhere on the machine falls on all of them alike; the metrics are
// the medians per case (ns/op is one iteration of all cases).

// timings collects the durations of named steps over the iterations.
type timings map[string][]time.Duration

func (tm timings) add(name string, d time.Duration) { tm[name] = append(tm[name], d) }

// report gives each step's median in milliseconds as a benchmark metric.
func (tm timings) report(b *testing.B) {
	for name, ds := range tm {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2])/float64(time.Millisecond), "ms-"+name)
	}
}

// BenchmarkCRIStartToHTTP measures RunPodSandbox + CreateContainer +
// StartContainer until the pod IP first answers HTTP 200: runnc's httpd
// unikernel against busybox httpd under runc. Tearing the pod down is not
// timed.
func BenchmarkCRIStartToHTTP(b *testing.B) {
	e := newCRIEnv(b, true)
	cases := []struct {
		handler, image string
		args           []string
	}{
		{"runnc", nablaImage, []string{"/httpd.nabla"}},
		{"runc", busyboxImage, []string{"/bin/httpd", "-f", "-p", "80", "-h", "/www"}},
	}
	tm := timings{}
	for i := 0; i < b.N; i++ {
		for _, c := range cases {
			t0 := time.Now()
			p := e.runPod(b, fmt.Sprintf("bench-%s-%d", c.handler, i), c.handler, nil)
			t1 := time.Now()
			id := e.startContainer(b, p, "httpd", 0, c.image, c.args...)
			t2 := time.Now()
			waitHTTP200(b, p.ip)
			t3 := time.Now()
			tm.add(c.handler+"-sandbox", t1.Sub(t0))
			tm.add(c.handler+"-create+start", t2.Sub(t1))
			tm.add(c.handler+"-total", t3.Sub(t0))
			b.StopTimer()
			e.removeContainer(b, id)
			e.removePod(b, p)
			b.StartTimer()
		}
	}
	tm.report(b)
}

// waitHTTP200 polls the pod's web server every millisecond until it
// answers 200.
func waitHTTP200(b testing.TB, ip string) {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get("http://" + ip + "/index.html")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatalf("http://%s/index.html did not answer 200 within 30s", ip)
}

// BenchmarkCtrRunRm measures `ctr run --rm` of hello under runnc against
// busybox echo under runc.
func BenchmarkCtrRunRm(b *testing.B) {
	e := newCtrEnv(b)
	e.must(b, "images", "import", busyboxArchive(b, e.dir))
	benchRunRm(b, e.runnc, func(c runRmCase, i int) {
		args := []string{"run", "--rm", "--runtime", "io.containerd.runc.v2", "--runc-binary", c.runtime,
			"--runc-root", e.runcRoot, "--fifo-dir", e.fifoDir, c.image, fmt.Sprintf("bench-%s-%d", c.name, i)}
		e.must(b, append(args, c.args...)...)
	})
}

// BenchmarkPodmanRunRm measures `podman run --rm` of hello under runnc
// against busybox echo under runc.
func BenchmarkPodmanRunRm(b *testing.B) {
	e := newPodmanEnv(b, true)
	e.must(b, "load", "-i", busyboxArchive(b, e.dir))
	benchRunRm(b, e.runnc, func(c runRmCase, _ int) {
		e.must(b, append([]string{"--runtime", c.runtime}, runArgs(append([]string{"--rm", c.image}, c.args...)...)...)...)
	})
}

// runRmCase is one runtime's container in a run --rm benchmark.
type runRmCase struct {
	name, runtime, image string
	args                 []string
}

// benchRunRm times run, which runs one container of c to its end and
// removes it (the i-th of the benchmark), for hello under runnc against
// busybox echo under runc.
func benchRunRm(b *testing.B, runnc string, run func(c runRmCase, i int)) {
	cases := []runRmCase{
		{"runnc-hello", runnc, nablaImage, []string{"/hello.nabla"}},
		{"runc-echo", lookTool(b, "runc", "runc"), busyboxImage, []string{"/bin/echo", "hello"}},
	}
	tm := timings{}
	for i := 0; i < b.N; i++ {
		for _, c := range cases {
			t0 := time.Now()
			run(c, i)
			tm.add(c.name, time.Since(t0))
		}
	}
	tm.report(b)
}
