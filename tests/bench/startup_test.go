package main

import (
	"slices"
	"testing"
)

func TestLibraries(t *testing.T) {
	imports := []string{"os", "github.com/urfave/cli", "example.com/m", "example.com/m/llcli",
		"golang.org/x/sys/unix", "vendor/golang.org/x/net/dns/dnsmessage", "github.com/urfave/cli", "example.com/mod"}
	got := libraries(imports, "example.com/m")
	want := []string{"example.com/mod", "github.com/urfave/cli", "golang.org/x/sys/unix"}
	if !slices.Equal(got, want) {
		t.Errorf("libraries = %q, want %q", got, want)
	}
}
