package libcontainer

import (
	"encoding/json"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzNewConfig feeds arbitrary config.json documents to the OCI spec
// check and conversion: it must never panic, and what it accepts must be
// something a container can be made from.
func FuzzNewConfig(f *testing.F) {
	for _, seed := range []string{
		`{"ociVersion":"1.0.2","process":{"args":["/hello.nabla"],"cwd":"/"},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"network"}]}}`,
		`{"ociVersion":"1.2.0","process":{"args":["a.nabla","x"],"env":["A=B"],"cwd":"/srv"},"root":{"path":"/abs/rootfs","readonly":true},"linux":{"resources":{"memory":{"limit":67108864}},"namespaces":[{"type":"network","path":"/var/run/netns/x"}]},"mounts":[{"destination":"/etc/hosts","type":"bind","source":"/etc/hosts","options":["rbind","ro"]}],"hooks":{"prestart":[{"path":"/bin/true"}]},"annotations":{"org.nabla.runnc.fs":"noop"}}`,
		`{"ociVersion":"1.0.0","process":{"args":["/x.nabla"]},"root":{"path":"r"},"linux":{"cgroupsPath":"/a/b","sysctl":{"net.ipv4.ip_forward":"1"},"namespaces":[{"type":"network"},{"type":"pid"},{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}`,
		`{"ociVersion":"1.0.2","process":{"args":["/h.nabla"],"rlimits":[{"type":"RLIMIT_NOFILE","hard":1,"soft":2}],"capabilities":{"bounding":["CAP_BOGUS"]}},"root":{"path":"r"},"linux":{"devices":[{"path":"/dev/x","type":"c","major":1,"minor":3}],"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}`,
		`{"ociVersion":"2.0","process":null}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec specs.Spec
		if json.Unmarshal(data, &spec) != nil {
			return
		}
		cfg, err := NewConfig("/bundle", &spec)
		if err != nil {
			if cfg != nil {
				t.Fatalf("NewConfig returned a config with error %v", err)
			}
			return
		}
		if !filepath.IsAbs(cfg.Runtime.Rootfs) {
			t.Errorf("accepted config has a relative rootfs %q", cfg.Runtime.Rootfs)
		}
		if cfg.Spec.Process == nil || len(cfg.Spec.Process.Args) == 0 || cfg.Runtime.Cgroups == nil {
			t.Errorf("accepted config lacks process args or cgroups: %s", data)
		}
	})
}
