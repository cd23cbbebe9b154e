package e2e_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// get fetches url once with a fresh connection, failing after timeout.
func get(url string, timeout time.Duration) ([]byte, error) {
	client := &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

// waitServed retries GET url until it returns want (the guest boots and
// answers ARP first) and fails after 30 s with the last error.
func waitServed(t testing.TB, url string, want []byte) {
	t.Helper()
	var err error
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var body []byte
		if body, err = get(url, 5*time.Second); err == nil {
			if bytes.Equal(body, want) {
				return
			}
			err = fmt.Errorf("GET %s: got %d bytes that differ from the %d expected", url, len(body), len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("not served within 30 s: %v", err)
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
