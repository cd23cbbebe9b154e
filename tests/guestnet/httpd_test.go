package guestnet_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const indexHTML = "<!doctype html>\n<title>nabla</title>\n<p>Hello from a unikernel.</p>\n"

// httpEnv is a running httpd guest and an HTTP client in the client namespace.
type httpEnv struct {
	*netEnv
	addr   string // guest address
	big    []byte
	client *http.Client
}

// startHTTPD serves index.html and a 5 MB random file in the namespaces
// of ne. The guest has guestAddr/mask with gateway gw.
func startHTTPD(t *testing.T, ne *netEnv, guestAddr, mask, gw string) *httpEnv {
	t.Helper()
	e := &httpEnv{netEnv: ne, addr: guestAddr}
	e.big = make([]byte, 5<<20)
	if _, err := rand.Read(e.big); err != nil {
		t.Fatal(err)
	}
	iso := makeISO(t, map[string][]byte{
		"index.html":    []byte(indexHTML),
		"data/big.bin":  e.big,
		"data/note.txt": []byte("note\n"),
	})
	e.startGuest("httpd.nabla", iso, guestConfig("httpd.nabla", guestAddr, mask, gw), "serving on")
	e.client = &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{DialContext: e.dial, DisableKeepAlives: true},
	}
	t.Cleanup(e.client.CloseIdleConnections)
	return e
}

func (e *httpEnv) get(path string) (int, http.Header, []byte, error) {
	resp, err := e.client.Get("http://" + e.addr + path)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body, err
}

// raw sends req on a fresh TCP connection and returns all the guest
// sends back before it closes the connection.
func (e *httpEnv) raw(req string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := e.dial(ctx, "tcp", net.JoinHostPort(e.addr, "80"))
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	out, err := io.ReadAll(c)
	return string(out), err
}

func TestHTTPD(t *testing.T) {
	e := startHTTPD(t, newNetEnv(t, "10.199.1.1/24"), "10.199.1.2", "24", "10.199.1.1")

	t.Run("ping", func(t *testing.T) {
		if out, err := e.clientCmd("ping", "-c", "3", "-i", "0.2", "-W", "2", e.addr); err != nil {
			t.Fatalf("ping %s: %v\n%s", e.addr, err, out)
		}
	})

	t.Run("index", func(t *testing.T) {
		code, hdr, body, err := e.get("/")
		if err != nil {
			t.Fatalf("GET /: %v", err)
		}
		if code != 200 || string(body) != indexHTML {
			t.Fatalf("GET /: status %d, body %q; want 200 and index.html's bytes", code, body)
		}
		if ct := hdr.Get("Content-Type"); ct != "text/html" {
			t.Errorf("GET /: Content-Type %q, want text/html", ct)
		}
	})

	t.Run("curl", func(t *testing.T) {
		out, err := e.clientCmd("curl", "-sS", "-m", "10", "http://"+e.addr+"/index.html")
		if err != nil || string(out) != indexHTML {
			t.Fatalf("curl /index.html: %v, got %q", err, out)
		}
	})

	t.Run("large file", func(t *testing.T) {
		code, hdr, body, err := e.get("/data/big.bin")
		if err != nil || code != 200 {
			t.Fatalf("GET /data/big.bin: status %d, %v", code, err)
		}
		if hdr.Get("Content-Length") != fmt.Sprint(len(e.big)) {
			t.Errorf("Content-Length %q, want %d", hdr.Get("Content-Length"), len(e.big))
		}
		if sha256.Sum256(body) != sha256.Sum256(e.big) {
			t.Fatalf("GET /data/big.bin: %d bytes with the wrong sha256", len(body))
		}
	})

	t.Run("parallel", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		want := sha256.Sum256(e.big)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, _, body, err := e.get("/data/big.bin")
				if err == nil && (code != 200 || sha256.Sum256(body) != want) {
					err = fmt.Errorf("status %d, %d bytes, sha256 mismatch", code, len(body))
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("parallel GET: %v", err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, p := range []string{"/missing.html", "/data/", "/data/big.bin/x"} {
			code, _, _, err := e.get(p)
			if err != nil || code != 404 {
				t.Errorf("GET %s: status %d, %v; want 404", p, code, err)
			}
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, req := range []string{
			"garbage\r\n\r\n",
			"GET\r\n\r\n",
			"GET /index.html HTTP/9\r\n\r\n",
			"GET nothing-absolute HTTP/1.1\r\n\r\n",
			"GET /../index.html HTTP/1.1\r\n\r\n",
			"GET /%zz HTTP/1.1\r\n\r\n",
		} {
			out, err := e.raw(req)
			if err != nil || !strings.HasPrefix(out, "HTTP/1.1 400 ") {
				t.Errorf("%q: got %q, %v; want a 400 response", req, out, err)
			}
		}
		out, err := e.raw(strings.Repeat("X", 10000))
		if err != nil || !strings.HasPrefix(out, "HTTP/1.1 431 ") {
			t.Errorf("oversized request head: got %q, %v; want 431", out, err)
		}
	})

	t.Run("keep-alive and pipelining", func(t *testing.T) {
		req := "GET /data/note.txt HTTP/1.1\r\nHost: x\r\n\r\n" +
			"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n" +
			"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		out, err := e.raw(req)
		if err != nil {
			t.Fatalf("pipelined requests: %v", err)
		}
		if n := strings.Count(out, "HTTP/1.1 200 OK\r\n"); n != 3 {
			t.Fatalf("pipelined requests: %d responses, want 3:\n%s", n, out)
		}
		if !strings.Contains(out, "\r\n\r\nnote\n") || !strings.HasSuffix(out, "\r\n\r\n"+indexHTML) {
			t.Fatalf("pipelined requests: bodies wrong:\n%s", out)
		}
	})

	t.Run("unknown port is reset", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := e.dial(ctx, "tcp", net.JoinHostPort(e.addr, "81"))
		if err == nil {
			c.Close()
			t.Fatal("connect to port 81: succeeded, want connection refused")
		}
		if !strings.Contains(err.Error(), "refused") {
			t.Fatalf("connect to port 81: %v, want connection refused", err)
		}
	})
}

// A /32 address with a gateway outside it: the guest must treat the
// gateway as on-link (the way clouds and Docker's macvlan set it up).
func TestHTTPDSlash32(t *testing.T) {
	e := startHTTPD(t, newNetEnv(t, "10.199.2.1/24", "10.199.7.9/32"), "10.199.7.9", "32", "10.199.2.1")
	if out, err := e.clientCmd("ping", "-c", "3", "-i", "0.2", "-W", "2", e.addr); err != nil {
		t.Fatalf("ping %s: %v\n%s", e.addr, err, out)
	}
	code, _, body, err := e.get("/")
	if err != nil || code != 200 || !bytes.Equal(body, []byte(indexHTML)) {
		t.Fatalf("GET / from a /32 guest: status %d, %v, body %q", code, err, body)
	}
}
