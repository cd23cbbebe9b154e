package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/opencontainers/runc/libcontainer/apparmor"
)

// execLabel is what init writes to /proc/thread-self/attr/<attr> before it
// execs the workload, so that the kernel's security module confines the
// tender from its first instruction: process.apparmorProfile (Docker
// sends docker-default on every run where AppArmor is on) or
// process.selinuxLabel (podman's, where SELinux is on), as runc's init
// applies them. The zero value asks for nothing.
type execLabel struct {
	attr, value string
}

// labelAttrs are the files an execLabel may name: AppArmor's own since
// Linux 5.1, and the one AppArmor before it and SELinux share.
var labelAttrs = []string{"apparmor/exec", "exec"}

// lsmExecLabel is the label for a process's AppArmor profile and SELinux
// label, or why it cannot be had on this host: a confinement the engine
// asks for and the host cannot give is refused, not dropped. The host is
// looked at only for a label asked for, and once a process: create asks
// at the config and again at start.
func lsmExecLabel(profile, selinuxLabel string) (execLabel, error) {
	switch {
	case profile != "" && selinuxLabel != "":
		return execLabel{}, fmt.Errorf("process.apparmorProfile %q and process.selinuxLabel %q are both set: runnc applies one security module's label; remove the one this host does not use", profile, selinuxLabel)
	case profile == "unconfined" && apparmorAttr() == "":
		// It asks for no confinement, which is what a host without
		// AppArmor gives.
		return execLabel{}, nil
	case profile != "" && apparmorAttr() == "":
		return execLabel{}, fmt.Errorf("process.apparmorProfile %q cannot be applied: AppArmor is not enabled on this host; remove it (docker run --security-opt apparmor=unconfined)", profile)
	case profile != "":
		return execLabel{attr: apparmorAttr(), value: "exec " + profile}, nil
	case selinuxLabel != "" && !selinuxEnabled():
		return execLabel{}, fmt.Errorf("process.selinuxLabel %q cannot be applied: SELinux is not enabled on this host; remove it (podman run --security-opt label=disable)", selinuxLabel)
	case selinuxLabel != "":
		return execLabel{attr: labelAttrs[1], value: selinuxLabel}, nil
	}
	return execLabel{}, nil
}

// apparmorAttr is the file that takes an AppArmor exec label on this host,
// its own where the kernel has it, or "" where AppArmor confines nothing
// (runc's test).
var apparmorAttr = sync.OnceValue(func() string {
	if !apparmor.IsEnabled() {
		return ""
	}
	if _, err := os.Stat("/proc/thread-self/attr/" + labelAttrs[0]); errors.Is(err, os.ErrNotExist) {
		return labelAttrs[1]
	}
	return labelAttrs[0]
})

// selinuxEnabled tells whether SELinux's filesystem is mounted, which it
// is wherever SELinux is on. (opencontainers/selinux's GetEnabled asks
// selinuxfs too; it is not among the libraries runnc builds on.)
var selinuxEnabled = sync.OnceValue(func() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
})

// apply writes the label for this thread's next exec: the Go init's side
// of runnc-init's apply_label.
func (l execLabel) apply() error {
	if l.attr == "" {
		return nil
	}
	if err := nopoll.WriteFile("/proc/thread-self/attr/"+l.attr, []byte(l.value), 0); err != nil {
		return fmt.Errorf("set the workload's security label %q: %w", l.value, err)
	}
	return nil
}
