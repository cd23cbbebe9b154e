package guestnet_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"
)

func startEcho(t *testing.T) (*netEnv, string) {
	t.Helper()
	e := newNetEnv(t, "10.199.3.1/24")
	e.startGuest("echo.nabla", "", guestConfig("echo.nabla port=7007", "10.199.3.2", "24", "10.199.3.1"),
		"listening on")
	return e, "10.199.3.2:7007"
}

func TestEcho(t *testing.T) {
	e, addr := startEcho(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("udp", func(t *testing.T) {
		c, err := e.dial(ctx, "udp", addr)
		if err != nil {
			t.Fatalf("dial udp %s: %v", addr, err)
		}
		defer c.Close()
		buf := make([]byte, 2048)
		for _, msg := range [][]byte{[]byte("hello, echo"), bytes.Repeat([]byte{0xa5}, 1472)} {
			// UDP may lose a datagram (the first one waits for ARP): retry.
			var got []byte
			for try := 0; try < 5 && got == nil; try++ {
				if _, err := c.Write(msg); err != nil {
					t.Fatalf("udp write: %v", err)
				}
				c.SetReadDeadline(time.Now().Add(time.Second))
				if n, err := c.Read(buf); err == nil {
					got = buf[:n]
				}
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("udp echo of %d bytes: got %d bytes back", len(msg), len(got))
			}
		}
	})

	t.Run("tcp", func(t *testing.T) {
		c, err := e.dial(ctx, "tcp", addr)
		if err != nil {
			t.Fatalf("dial tcp %s: %v", addr, err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		// Large enough to fill both sides' windows: the writer and the
		// reader must run at once, and back-pressure must not lose bytes.
		msg := make([]byte, 4<<20)
		rand.Read(msg)
		werr := make(chan error, 1)
		go func() {
			_, err := c.Write(msg)
			if err == nil {
				err = c.(*net.TCPConn).CloseWrite()
			}
			werr <- err
		}()
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("tcp read: %v", err)
		}
		if err := <-werr; err != nil {
			t.Fatalf("tcp write: %v", err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("tcp echo: got %d bytes back, want the same %d bytes", len(got), len(msg))
		}
	})

	t.Run("tcp concurrent", func(t *testing.T) {
		const n = 40
		conns := make([]net.Conn, n)
		for i := range conns {
			c, err := e.dial(ctx, "tcp", addr)
			if err != nil {
				t.Fatalf("dial tcp #%d: %v", i, err)
			}
			defer c.Close()
			conns[i] = c
		}
		for i, c := range conns {
			c.SetDeadline(time.Now().Add(20 * time.Second))
			msg := []byte{byte(i), 'x', byte(i)}
			if _, err := c.Write(msg); err != nil {
				t.Fatalf("write #%d: %v", i, err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("echo on connection #%d of %d: %v, got %q", i, n, err, got)
			}
		}
	})
}
