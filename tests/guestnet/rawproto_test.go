package guestnet_test

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"net"
	"testing"
	"time"
)

const rawEchoPort = 7007

func startRawEcho(t *testing.T) *rawEnv {
	return newRawEnv(t, "echo.nabla", "echo.nabla port=7007")
}

// The guest answers ARP and pings, and drops what it must not take:
// fragments, broken checksums and lengths. Each "dropped" check is ordered,
// not timed: a good ping follows the bad frames and its reply must be the
// first one.
func TestRawARPAndICMP(t *testing.T) {
	r := startRawEcho(t)
	r.send(arpFrame(1, peerMAC, peerIP, make(net.HardwareAddr, 6), r.ip))
	r.expect("ARP reply", func(f []byte) bool {
		return len(f) >= 42 && binary.BigEndian.Uint16(f[12:]) == 0x0806 &&
			binary.BigEndian.Uint16(f[20:]) == 2 && bytes.Equal(f[22:28], r.mac) &&
			[4]byte(f[28:32]) == r.ip && bytes.Equal(f[0:6], peerMAC)
	})

	r.send(r.icmpEcho(1, 1, 0))
	if seq := r.firstEchoReply(); seq != 1 {
		t.Fatalf("ping: reply to seq %d, want 1", seq)
	}

	badIPSum := r.icmpEcho(1, 4, 0)
	badIPSum[14+10] ^= 0xff
	badICMPSum := r.icmpEcho(1, 5, 0)
	badICMPSum[len(badICMPSum)-1] ^= 0x01
	tooLong := r.icmpEcho(1, 6, 0)
	binary.BigEndian.PutUint16(tooLong[14+2:], uint16(len(tooLong)-14+8))
	fixIPSum(tooLong)
	short := r.icmpEcho(1, 7, 0)[:14+12]
	toOther := r.icmpEcho(1, 8, 0)
	toOther[14+19] = 99
	fixIPSum(toOther)
	for _, f := range [][]byte{
		r.icmpEcho(1, 2, 0x2000), // more fragments
		r.icmpEcho(1, 3, 0x0010), // a fragment's offset
		badIPSum, badICMPSum, tooLong, short, toOther,
	} {
		r.send(f)
	}
	r.send(r.icmpEcho(1, 9, 0))
	if seq := r.firstEchoReply(); seq != 9 {
		t.Fatalf("after bad frames: first reply is to seq %d, want 9 (the bad ones must be dropped)", seq)
	}
}

// tcpPeer is one connection the test drives by hand.
type tcpPeer struct {
	r          *rawEnv
	port       uint16
	snd, rcv   uint32 // our next sequence number, the guest's next one
	guestWnd   uint16
	guestMSSOK bool
}

// connect does the three-way handshake starting from isn.
func (r *rawEnv) connect(port uint16, isn uint32) *tcpPeer {
	r.t.Helper()
	r.send(r.tcpFrame(port, rawEchoPort, isn, 0, tcpSYN, nil))
	sa := r.expectTCP("SYN-ACK", port, func(s seg) bool { return s.flags == tcpSYN|tcpACK })
	if sa.ack != isn+1 {
		r.t.Fatalf("SYN-ACK acks %#x, want %#x", sa.ack, isn+1)
	}
	p := &tcpPeer{r: r, port: port, snd: isn + 1, rcv: sa.seq + 1, guestWnd: sa.wnd}
	p.guestMSSOK = len(sa.opts) >= 4 && sa.opts[0] == 2 && sa.opts[1] == 4 &&
		binary.BigEndian.Uint16(sa.opts[2:]) == 1460
	r.send(r.tcpFrame(port, rawEchoPort, p.snd, p.rcv, tcpACK, nil))
	return p
}

func (p *tcpPeer) sendAt(seq uint32, flags byte, data []byte) {
	p.r.send(p.r.tcpFrame(p.port, rawEchoPort, seq, p.rcv, flags, data))
}

// echo sends data and reads the echo, acknowledging it.
func (p *tcpPeer) echo(data []byte) {
	p.r.t.Helper()
	p.sendAt(p.snd, tcpACK|tcpPSH, data)
	p.snd += uint32(len(data))
	p.expectData(data)
}

// expectData reads data from the guest in order and acknowledges it.
func (p *tcpPeer) expectData(want []byte) {
	p.r.t.Helper()
	var got []byte
	for len(got) < len(want) {
		s := p.r.expectTCP("echoed data", p.port, func(s seg) bool { return len(s.data) > 0 })
		if s.seq != p.rcv {
			p.r.t.Fatalf("data at seq %#x, want %#x", s.seq, p.rcv)
		}
		if s.ack != p.snd {
			p.r.t.Fatalf("data segment acks %#x, want %#x", s.ack, p.snd)
		}
		got = append(got, s.data...)
		p.rcv += uint32(len(s.data))
		p.sendAt(p.snd, tcpACK, nil)
	}
	if !bytes.Equal(got, want) {
		p.r.t.Fatalf("echo: got %q, want %q", got, want)
	}
}

func TestRawTCPResetUnknown(t *testing.T) {
	r := startRawEcho(t)
	r.send(r.tcpFrame(40000, 9, 1000, 0, tcpSYN, nil))
	s := r.expectTCP("RST", 40000, func(s seg) bool { return s.flags&tcpRST != 0 })
	if s.flags != tcpRST|tcpACK || s.seq != 0 || s.ack != 1001 {
		t.Fatalf("RST to a SYN: flags %#x seq %d ack %d, want RST|ACK seq 0 ack 1001", s.flags, s.seq, s.ack)
	}
	r.send(r.tcpFrame(40001, rawEchoPort, 5, 777, tcpACK, nil))
	s = r.expectTCP("RST", 40001, func(s seg) bool { return s.flags&tcpRST != 0 })
	if s.flags != tcpRST || s.seq != 777 {
		t.Fatalf("RST to a stray ACK: flags %#x seq %d, want RST seq 777", s.flags, s.seq)
	}
}

func TestRawTCPSequenceWrap(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40002, 0xfffffff0)
	if !p.guestMSSOK {
		t.Errorf("SYN-ACK lacks the MSS option 1460")
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 4)
	p.echo(data) // seq 0xfffffff1..0x30: crosses 2^32
	if p.snd != 0x31 {
		t.Fatalf("after the wrap our seq is %#x, want 0x31", p.snd)
	}
	p.echo([]byte("after the wrap"))
}

func TestRawTCPOutOfOrder(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40003, 123456)
	chunk := []byte("ABCDEFGHIJklmnopqrst")
	p.sendAt(p.snd+10, tcpACK|tcpPSH, chunk[10:])
	s := r.expectTCP("duplicate ACK", p.port, func(s seg) bool { return s.flags&tcpACK != 0 })
	if s.ack != p.snd || len(s.data) != 0 {
		t.Fatalf("after a gap: ack %#x with %d bytes, want a pure ACK of %#x", s.ack, len(s.data), p.snd)
	}
	p.sendAt(p.snd, tcpACK|tcpPSH, chunk[:10])
	p.snd += 10
	p.expectData(chunk[:10])
	p.sendAt(p.snd, tcpACK|tcpPSH, chunk[10:])
	p.snd += 10
	p.expectData(chunk[10:])
}

func TestRawTCPRetransmit(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40004, 99)
	p.sendAt(p.snd, tcpACK|tcpPSH, []byte("again"))
	p.snd += 5
	first := r.expectTCP("data", p.port, func(s seg) bool { return len(s.data) > 0 })
	again := r.expectTCP("retransmission", p.port, func(s seg) bool { return len(s.data) > 0 })
	if again.seq != first.seq || !bytes.Equal(again.data, first.data) {
		t.Fatalf("retransmission: seq %#x %q, want seq %#x %q", again.seq, again.data, first.seq, first.data)
	}
	p.rcv += uint32(len(first.data))
	p.sendAt(p.snd, tcpACK, nil)
	p.echo([]byte("still alive"))
}

func TestRawTCPClose(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40005, 7)
	p.echo([]byte("bye"))
	p.sendAt(p.snd, tcpACK|tcpFIN, nil)
	p.snd++
	s := r.expectTCP("the guest's FIN", p.port, func(s seg) bool { return s.flags&tcpFIN != 0 })
	if s.ack != p.snd || s.seq != p.rcv {
		t.Fatalf("guest FIN: seq %#x ack %#x, want seq %#x ack %#x", s.seq, s.ack, p.rcv, p.snd)
	}
	p.rcv++
	p.sendAt(p.snd, tcpACK, nil)
	// The connection is gone: anything more on it is reset.
	p.sendAt(p.snd, tcpACK|tcpPSH, []byte("late"))
	r.expectTCP("RST after close", p.port, func(s seg) bool { return s.flags&tcpRST != 0 })
}

func TestRawTCPReset(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40006, 1<<31)
	// In the window but not exact: a challenge ACK, the connection lives (RFC 5961).
	p.sendAt(p.snd+100, tcpRST, nil)
	s := r.expectTCP("challenge ACK", p.port, func(s seg) bool { return s.flags&tcpACK != 0 })
	if s.ack != p.snd {
		t.Fatalf("challenge ACK acks %#x, want %#x", s.ack, p.snd)
	}
	p.echo([]byte("survived"))
	p.sendAt(p.snd, tcpRST, nil)
	p.sendAt(p.snd, tcpACK|tcpPSH, []byte("dead"))
	r.expectTCP("RST after reset", p.port, func(s seg) bool { return s.flags&tcpRST != 0 })
}

func TestRawTCPRepeatedSYN(t *testing.T) {
	r := startRawEcho(t)
	r.send(r.tcpFrame(40007, rawEchoPort, 500, 0, tcpSYN, nil))
	a := r.expectTCP("SYN-ACK", 40007, func(s seg) bool { return s.flags == tcpSYN|tcpACK })
	r.send(r.tcpFrame(40007, rawEchoPort, 500, 0, tcpSYN, nil))
	b := r.expectTCP("SYN-ACK again", 40007, func(s seg) bool { return s.flags == tcpSYN|tcpACK })
	if a.seq != b.seq || b.ack != 501 {
		t.Fatalf("repeated SYN: SYN-ACK seq %#x ack %d, want seq %#x ack 501", b.seq, b.ack, a.seq)
	}
}

// A peer whose window is closed gets no data, only probes, until it
// opens the window again.
func TestRawTCPZeroWindow(t *testing.T) {
	r := startRawEcho(t)
	p := r.connect(40008, 5000)
	r.wnd = 0
	p.sendAt(p.snd, tcpACK, nil)
	msg := []byte("zero window")
	p.sendAt(p.snd, tcpACK|tcpPSH, msg)
	p.snd += uint32(len(msg))
	probe := r.expectTCP("window probe", p.port, func(s seg) bool { return len(s.data) > 0 })
	if probe.seq != p.rcv || len(probe.data) != 1 {
		t.Fatalf("into a zero window: %d bytes at %#x, want a 1-byte probe at %#x", len(probe.data), probe.seq, p.rcv)
	}
	r.wnd = 65535
	p.sendAt(p.snd, tcpACK, nil)
	p.expectData(msg)
}

// Random corruption of valid frames, with checksums fixed so the damage
// reaches the parsers, must not stop the guest.
func TestRawGarbage(t *testing.T) {
	r := startRawEcho(t)
	rng := rand.New(rand.NewSource(1))
	seeds := [][]byte{
		r.icmpEcho(2, 1, 0),
		r.tcpFrame(41000, rawEchoPort, 1, 0, tcpSYN, nil),
		r.tcpFrame(41001, rawEchoPort, 1, 1, tcpACK|tcpPSH, []byte("data data data")),
		arpFrame(1, peerMAC, peerIP, make(net.HardwareAddr, 6), r.ip),
		r.ipFrame(17, 0, []byte{0x1f, 0x40, 0x1b, 0x5f, 0, 12, 0, 0, 'u', 'd', 'p', '!'}),
	}
	for i := 0; i < 5000; i++ {
		f := append([]byte(nil), seeds[rng.Intn(len(seeds))]...)
		for n := rng.Intn(4) + 1; n > 0; n-- {
			f[14+rng.Intn(len(f)-14)] = byte(rng.Intn(256))
		}
		if rng.Intn(4) == 0 {
			f = f[:14+rng.Intn(len(f)-14)]
		}
		if rng.Intn(2) == 0 {
			fixIPSum(f)
			fixL4Sum(f)
		}
		r.send(f)
	}
	// The garbage may have sent the guest resolving many addresses:
	// ping until it answers rather than once.
	for seq := uint16(1); ; seq++ {
		r.send(r.icmpEcho(3, seq, 0))
		if r.expectFor(time.Second, func(f []byte) bool {
			return len(f) >= 42 && f[23] == 1 && f[34] == 0 && binary.BigEndian.Uint16(f[38:]) == 3
		}) {
			break
		}
		if seq == 10 {
			t.Fatal("no ping reply after the garbage: the guest stopped answering")
		}
	}
	p := r.connect(41999, 42)
	p.echo([]byte("the stack still works"))
}

// fixIPSum recomputes the IPv4 header checksum when the header is there.
func fixIPSum(f []byte) {
	if len(f) < 34 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		return
	}
	hl := int(f[14]&15) * 4
	if hl < 20 || 14+hl > len(f) {
		return
	}
	f[14+10], f[14+11] = 0, 0
	binary.BigEndian.PutUint16(f[14+10:], csum(f[14:14+hl], 0))
}

// fixL4Sum recomputes the TCP, UDP or ICMP checksum when the lengths allow.
func fixL4Sum(f []byte) {
	if len(f) < 34 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		return
	}
	ip := f[14:]
	hl := int(ip[0]&15) * 4
	tot := int(binary.BigEndian.Uint16(ip[2:]))
	if hl < 20 || tot < hl || tot > len(ip) {
		return
	}
	l4 := ip[hl:tot]
	var sum uint32
	for _, a := range [][]byte{ip[12:14], ip[14:16], ip[16:18], ip[18:20]} {
		sum += uint32(binary.BigEndian.Uint16(a))
	}
	sum += uint32(ip[9]) + uint32(len(l4))
	switch {
	case ip[9] == 6 && len(l4) >= 20:
		l4[16], l4[17] = 0, 0
		binary.BigEndian.PutUint16(l4[16:], csum(l4, sum))
	case ip[9] == 17 && len(l4) >= 8:
		l4[6], l4[7] = 0, 0
		binary.BigEndian.PutUint16(l4[6:], csum(l4, sum))
	case ip[9] == 1 && len(l4) >= 4:
		l4[2], l4[3] = 0, 0
		binary.BigEndian.PutUint16(l4[2:], csum(l4, 0))
	}
}
