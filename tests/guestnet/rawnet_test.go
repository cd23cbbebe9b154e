package guestnet_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"golang.org/x/sys/unix"
)

// rawEnv puts the guest's tap alone in a namespace and speaks raw Ethernet
// to it through a packet socket on that tap: the test is the guest's only
// peer and can send what no kernel would (wrapping sequence numbers, gaps,
// fragments, broken headers).
type rawEnv struct {
	t      *testing.T
	fd     int
	frames chan []byte
	mac    net.HardwareAddr // the guest's
	ip     [4]byte          // the guest's
	wnd    uint16           // the window our TCP segments advertise

	mu  sync.Mutex
	log []string // every frame both ways, shown if the test fails
}

func (r *rawEnv) trace(dir string, f []byte, from unix.Sockaddr) {
	if len(f) > 80 {
		f = f[:80]
	}
	kind := ""
	if ll, ok := from.(*unix.SockaddrLinklayer); ok {
		kind = fmt.Sprintf(" pkttype %d", ll.Pkttype)
	}
	r.mu.Lock()
	r.log = append(r.log, fmt.Sprintf("%s %s%s %x", time.Now().Format("05.000000"), dir, kind, f))
	r.mu.Unlock()
}

var (
	peerMAC = net.HardwareAddr{0x02, 0, 0x0a, 0xc7, 0, 0x01}
	peerIP  = [4]byte{10, 199, 4, 1}
)

func newRawEnv(t *testing.T, guest, cmdline string) *rawEnv {
	t.Helper()
	testenv.RequireRoot(t)
	e := &netEnv{t: t, guestNS: "rnt-r" + randHex(t, 4)}
	addNetns(t, e.guestNS)
	testenv.IP(t, "-n", e.guestNS, "tuntap", "add", "dev", "tap0", "mode", "tap")
	testenv.IP(t, "-n", e.guestNS, "link", "set", "tap0", "up")

	r := &rawEnv{t: t, frames: make(chan []byte, 4096), ip: [4]byte{10, 199, 4, 2}, wnd: 65535}
	r.mac, _ = net.ParseMAC(guestMAC)
	err := inNetns(e.guestNS, func() (err error) {
		r.fd, err = openPacketSocket("tap0")
		return err
	})
	if err != nil {
		t.Fatalf("packet socket on tap0 in %s: %v", e.guestNS, err)
	}
	// The loop must be gone before the fd is closed: a later test would
	// reuse the number and the old loop would steal its frames.
	stop, stopped := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() {
		close(stop)
		<-stopped
		unix.Close(r.fd)
		if t.Failed() {
			last := r.log[max(0, len(r.log)-200):]
			t.Logf("the last %d frames (first 80 bytes):\n%s", len(last), strings.Join(last, "\n"))
		}
	})
	go func() {
		r.readLoop(stop)
		close(stopped)
	}()
	e.startGuest(guest, "", guestConfig(cmdline, "10.199.4.2", "24", "10.199.4.1"), "listening on")
	return r
}

func openPacketSocket(ifname string) (int, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return -1, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return -1, err
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	// Reads wake up now and then so the loop notices it must stop.
	tv := unix.Timeval{Usec: 200000}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	return fd, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// readLoop passes on the guest's IPv4 frames and answers its ARP requests
// for the peer.
func (r *rawEnv) readLoop(stop chan struct{}) {
	err := readGuestFrames(r.fd, stop, func(b []byte, from unix.Sockaddr) bool {
		f := append([]byte(nil), b...)
		r.trace("rx", f, from)
		if len(f) < 14 {
			return true
		}
		switch binary.BigEndian.Uint16(f[12:]) {
		case 0x0806:
			if len(f) >= 42 && binary.BigEndian.Uint16(f[20:]) == 1 && [4]byte(f[38:42]) == peerIP {
				r.send(arpFrame(2, peerMAC, peerIP, f[22:28], [4]byte(f[28:32])))
			}
		case 0x0800:
		default:
			return true
		}
		select {
		case r.frames <- f:
			return true
		case <-stop:
			return false
		}
	})
	if err != nil {
		r.t.Errorf("read from the packet socket: %v", err)
	}
}

// readGuestFrames hands each frame the packet socket fd reads from the
// guest's tap to handle, until stop is closed, handle returns false or a
// read fails. Frames the kernel sends on the tap (IPv6 noise, the test's
// own writes) are not the guest's and are skipped.
func readGuestFrames(fd int, stop <-chan struct{}, handle func(frame []byte, from unix.Sockaddr) bool) error {
	buf := make([]byte, 65536)
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		if !handle(buf[:n], from) {
			return nil
		}
	}
}

// send writes one frame to the guest. It may run on the read loop's
// goroutine, so it reports with Errorf; a full tap queue is waited out.
func (r *rawEnv) send(frame []byte) {
	r.trace("tx", frame, nil)
	for try := 0; ; try++ {
		_, err := unix.Write(r.fd, frame)
		if err == nil {
			return
		}
		if (err != unix.ENOBUFS && err != unix.EAGAIN) || try == 1000 {
			r.t.Errorf("write a frame to the guest's tap: %v", err)
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// expect returns the first frame from the guest that match accepts,
// skipping others; the long timeout only ends a test that already failed.
func (r *rawEnv) expect(what string, match func(f []byte) bool) []byte {
	r.t.Helper()
	var got []byte
	if !r.expectFor(10*time.Second, func(f []byte) bool {
		if match(f) {
			got = f
			return true
		}
		return false
	}) {
		r.t.Fatalf("no %s from the guest within 10s", what)
	}
	return got
}

// expectFor reports whether a frame that match accepts arrives in time.
func (r *rawEnv) expectFor(d time.Duration, match func(f []byte) bool) bool {
	timeout := time.After(d)
	for {
		select {
		case f := <-r.frames:
			if match(f) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// --- frame builders and parsers ----------------------------------------------

func csum(b []byte, sum uint32) uint16 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func ethHeader(dst net.HardwareAddr, typ uint16) []byte {
	h := make([]byte, 14)
	copy(h, dst)
	copy(h[6:], peerMAC)
	binary.BigEndian.PutUint16(h[12:], typ)
	return h
}

func arpFrame(op uint16, sha net.HardwareAddr, spa [4]byte, tha net.HardwareAddr, tpa [4]byte) []byte {
	dst := tha
	if op == 1 {
		dst = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	a := make([]byte, 28)
	binary.BigEndian.PutUint16(a, 1)
	binary.BigEndian.PutUint16(a[2:], 0x0800)
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:], op)
	copy(a[8:], sha)
	copy(a[14:], spa[:])
	copy(a[18:], tha)
	copy(a[24:], tpa[:])
	return append(ethHeader(dst, 0x0806), a...)
}

// ipFrame wraps payload in IPv4 from the peer to the guest; flagsFrag is
// the flags/fragment-offset field.
func (r *rawEnv) ipFrame(proto byte, flagsFrag uint16, payload []byte) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[6:], flagsFrag)
	h[8] = 64
	h[9] = proto
	copy(h[12:], peerIP[:])
	copy(h[16:], r.ip[:])
	binary.BigEndian.PutUint16(h[10:], csum(h, 0))
	return append(append(ethHeader(r.mac, 0x0800), h...), payload...)
}

func (r *rawEnv) pseudo(proto byte, n int) uint32 {
	var s uint32
	for _, a := range [][4]byte{peerIP, r.ip} {
		s += uint32(binary.BigEndian.Uint16(a[:])) + uint32(binary.BigEndian.Uint16(a[2:]))
	}
	return s + uint32(proto) + uint32(n)
}

func (r *rawEnv) icmpEcho(id, seq uint16, flagsFrag uint16) []byte {
	m := make([]byte, 8+32)
	m[0] = 8
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	for i := 8; i < len(m); i++ {
		m[i] = byte(i)
	}
	binary.BigEndian.PutUint16(m[2:], csum(m, 0))
	return r.ipFrame(1, flagsFrag, m)
}

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

func (r *rawEnv) tcpFrame(sport, dport uint16, seq, ack uint32, flags byte, data []byte) []byte {
	t := make([]byte, 20, 20+len(data))
	binary.BigEndian.PutUint16(t, sport)
	binary.BigEndian.PutUint16(t[2:], dport)
	binary.BigEndian.PutUint32(t[4:], seq)
	binary.BigEndian.PutUint32(t[8:], ack)
	t[12] = 5 << 4
	t[13] = flags
	binary.BigEndian.PutUint16(t[14:], r.wnd)
	t = append(t, data...)
	binary.BigEndian.PutUint16(t[16:], csum(t, r.pseudo(6, len(t))))
	return r.ipFrame(6, 0x4000, t)
}

// seg is a TCP segment the guest sent.
type seg struct {
	sport, dport uint16
	seq, ack     uint32
	flags        byte
	wnd          uint16
	opts, data   []byte
}

func parseTCP(f []byte) (seg, bool) {
	if len(f) < 34 || binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[23] != 6 {
		return seg{}, false
	}
	ip := f[14:]
	hl := int(ip[0]&15) * 4
	tot := int(binary.BigEndian.Uint16(ip[2:]))
	if tot > len(ip) || hl+20 > tot {
		return seg{}, false
	}
	t := ip[hl:tot]
	doff := int(t[12]>>4) * 4
	if doff < 20 || doff > len(t) {
		return seg{}, false
	}
	return seg{
		sport: binary.BigEndian.Uint16(t), dport: binary.BigEndian.Uint16(t[2:]),
		seq: binary.BigEndian.Uint32(t[4:]), ack: binary.BigEndian.Uint32(t[8:]),
		flags: t[13], wnd: binary.BigEndian.Uint16(t[14:]),
		opts: t[20:doff], data: t[doff:],
	}, true
}

func (r *rawEnv) expectTCP(what string, sport uint16, match func(s seg) bool) seg {
	r.t.Helper()
	var got seg
	r.expect(what, func(f []byte) bool {
		s, ok := parseTCP(f)
		if ok && s.dport == sport && match(s) {
			got = s
			return true
		}
		return false
	})
	return got
}

// firstEchoReply returns the sequence number of the next echo reply.
func (r *rawEnv) firstEchoReply() uint16 {
	r.t.Helper()
	f := r.expect("ICMP echo reply", func(f []byte) bool {
		return len(f) >= 42 && binary.BigEndian.Uint16(f[12:]) == 0x0800 && f[23] == 1 && f[34] == 0
	})
	return binary.BigEndian.Uint16(f[40:])
}
