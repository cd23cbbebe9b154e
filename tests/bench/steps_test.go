package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A call's steps run from its exec to its first line, from line to line
// and from its last line to its reaping; lines of other calls, and lines
// that end no step, are not its.
func TestCallSteps(t *testing.T) {
	base := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	at := func(ms float64) time.Time { return base.Add(time.Duration(ms * float64(time.Millisecond))) }
	log := filepath.Join(t.TempDir(), "log.json")
	lines := `{"level":"debug","msg":"command line","step":"command","time":"` + at(8).Format(time.RFC3339Nano) + `"}
{"id":"c","level":"debug","msg":"FsCreate done","phase":"FsCreate","time":"` + at(9.5).Format(time.RFC3339Nano) + `","took":"1ms"}
{"id":"c","level":"debug","msg":"sent signal 9","time":"` + at(9.75).Format(time.RFC3339Nano) + `"}
{"id":"c","level":"debug","msg":"again","step":"command","time":"` + at(10).Format(time.RFC3339Nano) + `"}
{"level":"debug","msg":"command line","step":"command","time":"` + at(30).Format(time.RFC3339Nano) + `"}
`
	if err := os.WriteFile(log, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	read, err := readStepLines(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 4 {
		t.Fatalf("read %d lines that end a step, want 4: %+v", len(read), read)
	}
	got := callSteps(timedCall{name: "create", exec: at(0), done: at(12)}, read)
	want := []step{{"create/command", 8}, {"create/FsCreate", 1.5}, {"create/command#2", 0.5}, {"create/exit", 2}}
	if !slices.Equal(got, want) {
		t.Errorf("steps\n%v, want\n%v", got, want)
	}
}
