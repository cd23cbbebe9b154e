package e2e_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestOpUser: docker run --user 1000 runs the tender, and so the guest, as
// uid 1000 (gid 0: the image names no group), with no capabilities.
func TestOpUser(t *testing.T) {
	d := dockerd(t)
	c := d.runDetached(t, "--runtime=runnc", "--user", "1000", d.nabla(t), "/hello.nabla", "sleep")
	pid, err := strconv.Atoi(c.inspect(t, "{{.State.Pid}}"))
	if err != nil {
		t.Fatal(err)
	}
	// The tender switches user just before the jump: wait for its filter.
	status := testenv.WaitSeccomp(t, pid)
	for _, want := range []string{"Uid:\t1000\t1000\t1000\t1000", "Gid:\t0\t0\t0\t0", "CapEff:\t0000000000000000"} {
		if !strings.Contains(status, "\n"+want+"\n") {
			t.Errorf("the tender's status lacks %q:\n%s", want, status)
		}
	}
}

// TestOpOptionsRefused: options that cannot reach a unikernel fail docker
// run with runnc's sentence, and the defaults Docker sends on every run
// (capabilities, device rules, sysctls, namespaces) do not.
func TestOpOptionsRefused(t *testing.T) {
	d := dockerd(t)
	for _, tc := range []struct {
		opt  []string
		want string
	}{
		{[]string{"--cap-add", "SYS_ADMIN"}, "capability CAP_SYS_ADMIN (docker run --cap-add or --privileged) cannot be given to a unikernel"},
		{[]string{"--privileged"}, "(docker run --cap-add or --privileged) cannot be given to a unikernel"},
		{[]string{"--device", "/dev/null:/dev/xnull"}, "device /dev/xnull (docker run --device or --privileged) cannot reach a unikernel"},
		{[]string{"--sysctl", "net.ipv4.ip_forward=1"}, "sysctl net.ipv4.ip_forward=1 (docker run --sysctl) has no effect on a unikernel"},
	} {
		t.Run(tc.opt[0], func(t *testing.T) {
			args := append(append([]string{"--rm", "--runtime=runnc"}, tc.opt...), d.nabla(t), "/hello.nabla")
			if _, r := d.run(t, args...); r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("want docker run %v refused with %q\n%v", tc.opt, tc.want, r)
			}
		})
	}
	// What a user may narrow is still accepted.
	_, r := d.run(t, "--rm", "--runtime=runnc", "--cap-drop", "ALL", "--cap-add", "KILL", d.nabla(t), "/hello.nabla")
	if r.code != 0 || !hasLine(r.stdout, "Hello, World") {
		t.Errorf("--cap-drop ALL --cap-add KILL: %v", r)
	}
}

// TestOpNetworkContainerOfRunc: a unikernel may not take over the network
// of a runc container that uses it; the refusal says what to do instead,
// and the runc container keeps serving at its address.
func TestOpNetworkContainerOfRunc(t *testing.T) {
	d := dockerd(t)
	x := d.runDetached(t, "--runtime=runc", d.busybox(t), "/bin/httpd", "-f", "-p", "80", "-h", "/www")
	url := "http://" + x.ip(t) + "/index.html"
	waitServed(t, url, []byte(indexHTML))
	_, r := d.run(t, "--rm", "--runtime=runnc", "--network", "container:"+x.name, d.nabla(t), "/hello.nabla")
	const want = "this container would share the network of a container that uses it"
	if r.code == 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "docker run --network bridge") {
		t.Errorf("want docker run --network container:%s refused with %q\n%v", x.name, want, r)
	}
	waitServed(t, url, []byte(indexHTML))
}

// TestOpNetworkContainerOfUnikernel: sharing a unikernel container's
// network is refused with advice a Docker user can follow.
func TestOpNetworkContainerOfUnikernel(t *testing.T) {
	d := dockerd(t)
	x, _ := d.httpd(t)
	_, r := d.run(t, "--rm", "--runtime=runnc", "--network", "container:"+x.name, d.nabla(t), "/hello.nabla")
	want := fmt.Sprintf("already used by unikernel container %s", x.id)
	if r.code == 0 || !strings.Contains(r.stderr, "already used by unikernel container") || !strings.Contains(r.stderr, "--network none") {
		t.Errorf("want docker run --network container:%s refused naming it (%q) and advising --network none\n%v", x.name, want, r)
	}
	waitServed(t, "http://"+x.ip(t)+"/index.html", []byte(indexHTML))
}
