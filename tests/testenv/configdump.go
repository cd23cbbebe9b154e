package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// GuestView is what build/fuzz/config-dump (the guest SDK's CONFIG parser
// built for the host) prints: what a guest sees of a CONFIG.
type GuestView struct {
	Argv            []string          `json:"argv"`
	ArgvFromCmdline bool              `json:"argv_from_cmdline"`
	Env             []string          `json:"env"`
	Cwd             string            `json:"cwd"`
	Net             *GuestNet         `json:"net"`
	Blk             bool              `json:"blk"`
	Files           map[string]string `json:"files"`
	// Mounts is nil when CONFIG has none: config-dump then leaves the
	// key out, as it did before there were mounts.
	Mounts []GuestMount `json:"mounts"`
}

// GuestMount is one CONFIG "mounts" entry of a GuestView: a block device
// at a path, "iso9660" or "raw".
type GuestMount struct {
	Device string `json:"device"`
	Path   string `json:"path"`
	Type   string `json:"type"`
}

// GuestNet is the network part of a GuestView.
type GuestNet struct {
	Addr   string `json:"addr"`
	Prefix int    `json:"prefix"`
	Gw     string `json:"gw"`
}

// ConfigDump runs config-dump on cfg. A CONFIG the guest refuses is an
// error holding config-dump's message.
func ConfigDump(t testing.TB, cfg string) (GuestView, error) {
	t.Helper()
	cmd := exec.Command(Binary(t, "fuzz/config-dump"))
	cmd.Stdin = strings.NewReader(cfg)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("run config-dump: %v", err)
		}
		return GuestView{}, errors.New(strings.TrimSpace(stderr.String()))
	}
	var v GuestView
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		t.Fatalf("config-dump printed %q, not JSON: %v", stdout.String(), err)
	}
	return v, nil
}
