package libcontainer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := &State{ID: "x", InitPid: 42, Config: &configs.Config{Rootfs: "/r"},
		FsState: llif.LLState{Options: map[string]string{"disk": "/d.iso"}}}
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := readState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.InitPid != 42 || got.FsState.Get("disk") != "/d.iso" || got.Config.Rootfs != "/r" {
		t.Fatalf("state did not survive a round trip: %+v", got)
	}
	// Only state.json is left: the temporary file was renamed over it.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != stateFile {
		t.Fatalf("directory holds %v", entries)
	}
}

func TestCorruptStateIsReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o600)
	if _, err := readState(dir); err == nil {
		t.Fatal("a torn state.json was accepted")
	}
}
