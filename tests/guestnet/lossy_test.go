package guestnet_test

import (
	"crypto/sha256"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// newLossyNetEnv joins the guest's tap to the client through the test
// instead of a bridge: a relay between a packet socket on the guest's tap
// and a tap that is the client's interface, which drops, duplicates and
// reorders a few frames each way. Every byte must still arrive, through
// the guest's retransmissions as well as the client's.
func newLossyNetEnv(t *testing.T, clientAddr string) *netEnv {
	t.Helper()
	sfx := randHex(t, 4)
	e := &netEnv{t: t, guestNS: "rnt-l" + sfx, clientNS: "rnt-m" + sfx}
	addNetns(t, e.guestNS)
	addNetns(t, e.clientNS)
	testenv.IP(t, "-n", e.guestNS, "tuntap", "add", "dev", "tap0", "mode", "tap")
	testenv.IP(t, "-n", e.guestNS, "link", "set", "tap0", "up")
	testenv.IP(t, "-n", e.clientNS, "tuntap", "add", "dev", "tapc", "mode", "tap")
	testenv.IP(t, "-n", e.clientNS, "addr", "add", clientAddr, "dev", "tapc")
	testenv.IP(t, "-n", e.clientNS, "link", "set", "tapc", "up")
	testenv.IP(t, "-n", e.clientNS, "link", "set", "lo", "up")

	var guestFD int
	if err := inNetns(e.guestNS, func() (err error) {
		guestFD, err = openPacketSocket("tap0")
		return err
	}); err != nil {
		t.Fatalf("packet socket on the guest's tap: %v", err)
	}
	var client *os.File
	if err := inNetns(e.clientNS, func() (err error) {
		client, err = openTap("tapc")
		return err
	}); err != nil {
		unix.Close(guestFD)
		t.Fatalf("open the client's tap: %v", err)
	}
	waitLinkUp(t, e.clientNS, "tapc")

	stop, stopped := make(chan struct{}), make(chan struct{}, 2)
	t.Cleanup(func() {
		close(stop)
		client.Close() // ends the client-side read
		<-stopped
		<-stopped
		unix.Close(guestFD)
	})
	// Guest to client: the packet socket sees the guest's frames.
	go func() {
		defer func() { stopped <- struct{}{} }()
		l := newLossy(1)
		readGuestFrames(guestFD, stop, func(frame []byte, _ unix.Sockaddr) bool {
			l.pass(frame, func(f []byte) { client.Write(f) })
			return true
		})
	}()
	// Client to guest.
	go func() {
		defer func() { stopped <- struct{}{} }()
		l := newLossy(2)
		buf := make([]byte, 65536)
		for {
			n, err := client.Read(buf)
			if err != nil {
				return
			}
			l.pass(buf[:n], func(f []byte) { unix.Write(guestFD, f) })
		}
	}()
	return e
}

// openTap attaches to an existing tap device; reads and writes are whole
// frames, and Close ends a pending Read.
func openTap(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun:"+name), nil
}

// lossy drops 2% of frames, duplicates 1% and holds 1% back until the
// next frame has gone (a reordering), from a fixed seed per direction.
type lossy struct {
	rng  *rand.Rand
	held []byte
}

func newLossy(seed int64) *lossy { return &lossy{rng: rand.New(rand.NewSource(seed))} }

func (l *lossy) pass(f []byte, send func([]byte)) {
	f = append([]byte(nil), f...)
	switch p := l.rng.Intn(100); {
	case p < 2:
		return
	case p < 3:
		send(f)
	case p < 4 && l.held == nil:
		l.held = f
		return
	}
	send(f)
	if l.held != nil {
		send(l.held)
		l.held = nil
	}
}

func TestHTTPDLossyLink(t *testing.T) {
	e := startHTTPD(t, newLossyNetEnv(t, "10.199.5.1/24"), "10.199.5.2", "24", "10.199.5.1")
	want := sha256.Sum256(e.big)
	for i := 0; i < 3; i++ {
		start := time.Now()
		code, _, body, err := e.get("/data/big.bin")
		if err != nil || code != 200 || sha256.Sum256(body) != want {
			t.Fatalf("GET /data/big.bin over a lossy link: status %d, %v, %d bytes", code, err, len(body))
		}
		t.Logf("5 MB over a lossy link in %v", time.Since(start))
	}
}
