package main

import (
	"strings"
	"testing"
)

const sampleProfile = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
	 {"names":["read","write","_llseek"],"action":"SCMP_ACT_ALLOW"},
	 {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
	 {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
	 {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
	 {"names":["sync_file_range2"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["ppc64le"]}},
	 {"names":["bpf"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
	 {"names":["chroot"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_CHROOT"]}},
	 {"names":["clone"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_ADMIN"]}},
	 {"names":["kill"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_KILL"]}},
	 {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"excludes":{"caps":["CAP_SYS_ADMIN"]}},
	 {"names":["open"],"action":"SCMP_ACT_ERRNO"}]}`

func TestCountDockerAllowed(t *testing.T) {
	profile := sampleProfile
	x86 := map[string]int{"read": 0, "write": 1, "open": 2, "ptrace": 101, "personality": 135,
		"arch_prctl": 158, "bpf": 321, "chroot": 161, "clone": 56, "kill": 62}
	n, err := countDockerAllowed([]byte(profile), x86, "6.1.0")
	if err != nil {
		t.Fatal(err)
	}
	// read, write, ptrace, personality, arch_prctl, chroot, clone.
	if n != 7 {
		t.Errorf("countDockerAllowed = %d, want 7", n)
	}
	if n, _ := countDockerAllowed([]byte(profile), x86, "4.4"); n != 6 {
		t.Errorf("on 4.4 (before ptrace's minKernel) countDockerAllowed = %d, want 6", n)
	}
	if _, err := countDockerAllowed([]byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), x86, "6.1"); err == nil {
		t.Error("a default-allow profile must be refused")
	}
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"4.4", "4.8", true}, {"6.18.44-fc", "4.8", false}, {"4.8", "4.8", false}, {"4.8", "4.8.1", true}} {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestDockerOCISeccomp(t *testing.T) {
	sc, err := dockerOCISeccomp([]byte(sampleProfile), "6.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if sc.DefaultAction != "SCMP_ACT_ERRNO" || len(sc.Architectures) != 3 {
		t.Errorf("default action %q, arches %v", sc.DefaultAction, sc.Architectures)
	}
	var names []string
	for _, r := range sc.Syscalls {
		names = append(names, strings.Join(r.Names, ","))
		if r.Names[0] == "personality" && (len(r.Args) != 1 || r.Args[0].Op != "SCMP_CMP_EQ") {
			t.Errorf("personality lost its argument filter: %+v", r.Args)
		}
		if r.Names[0] == "clone3" && (r.ErrnoRet == nil || *r.ErrnoRet != 38) {
			t.Errorf("clone3 lost its errno: %v", r.ErrnoRet)
		}
	}
	want := "read,write,_llseek ptrace personality arch_prctl chroot clone clone3 open"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("rules = %q, want %q", got, want)
	}
}
