package main

import "testing"

const wrkReport = `Running 1s test @ http://127.0.0.1:8080/index.html
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   846.43us  319.29us   7.43ms   77.38%
    Req/Sec     5.89k     1.81k   11.96k    90.48%
  Latency Distribution
     50%  824.00us
     75%    0.99ms
     90%    1.18ms
     99%    1.85s
  12302 requests in 1.10s, 2.46MB read
  Socket errors: connect 0, read 3, write 0, timeout 0
Requests/sec:  11186.03
Transfer/sec:      2.24MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkReport)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 11186.03 || r.p50 != 0.824 || r.p99 != 1850 {
		t.Errorf("parsed %+v", r)
	}
	if want := "12302 requests; Socket errors: connect 0, read 3, write 0, timeout 0"; r.note != want {
		t.Errorf("note %q, want %q", r.note, want)
	}
	if _, err := parseWrk("unable to connect to 10.194.1.2:80 Connection refused\n"); err == nil {
		t.Error("a report without figures parsed")
	}
}
