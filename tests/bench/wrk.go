package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what the bench takes from wrk --latency's report.
type wrkResult struct {
	rps      float64
	p50, p99 float64 // ms
	note     string  // requests made, and any errors wrk counted
}

// parseWrk reads the requests/s and the 50% and 99% latencies from wrk
// --latency's report; a report with errors keeps them in the note.
func parseWrk(out string) (*wrkResult, error) {
	r := &wrkResult{}
	var notes []string
	var haveRPS, have50, have99 bool
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return nil, fmt.Errorf("wrk: requests/s %q: %w", f[1], err)
			}
			r.rps, haveRPS = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return nil, fmt.Errorf("wrk: latency %q: %w", f[1], err)
			}
			if f[0] == "50%" {
				r.p50, have50 = ms(d), true
			} else {
				r.p99, have99 = ms(d), true
			}
		case len(f) > 2 && f[1] == "requests" && f[2] == "in":
			notes = append(notes, f[0]+" requests")
		case strings.HasPrefix(strings.TrimSpace(line), "Socket errors:"), strings.HasPrefix(strings.TrimSpace(line), "Non-2xx"):
			notes = append(notes, strings.TrimSpace(line))
		}
	}
	if !haveRPS || !have50 || !have99 {
		return nil, fmt.Errorf("wrk printed no requests/s or latency distribution: %s", lastLine(out))
	}
	r.note = strings.Join(notes, "; ")
	return r, nil
}
