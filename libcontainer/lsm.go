package libcontainer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
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
// looked at only for a label asked for: create calls this twice, and most
// specs ask for none.
func lsmExecLabel(profile, selinuxLabel string) (execLabel, error) {
	switch {
	case profile != "" && selinuxLabel != "":
		return execLabel{}, fmt.Errorf("process.apparmorProfile %q and process.selinuxLabel %q are both set: runnc applies one security module's label; remove the one this host does not use", profile, selinuxLabel)
	case profile == "unconfined" && !apparmorEnabled():
		// It asks for no confinement, which is what a host without
		// AppArmor gives.
		return execLabel{}, nil
	case profile != "" && !apparmorEnabled():
		return execLabel{}, fmt.Errorf("process.apparmorProfile %q cannot be applied: AppArmor is not enabled on this host; remove it (docker run --security-opt apparmor=unconfined)", profile)
	case profile != "":
		attr := labelAttrs[0]
		if _, err := os.Stat("/proc/thread-self/attr/" + attr); errors.Is(err, os.ErrNotExist) {
			attr = labelAttrs[1]
		}
		return execLabel{attr: attr, value: "exec " + profile}, nil
	case selinuxLabel != "" && !selinuxEnabled():
		return execLabel{}, fmt.Errorf("process.selinuxLabel %q cannot be applied: SELinux is not enabled on this host; remove it (podman run --security-opt label=disable)", selinuxLabel)
	case selinuxLabel != "":
		return execLabel{attr: labelAttrs[1], value: selinuxLabel}, nil
	}
	return execLabel{}, nil
}

// apparmorEnabled tells whether AppArmor confines processes here, as runc
// asks: its filesystem is there and the module says it is enabled.
func apparmorEnabled() bool {
	if _, err := os.Stat("/sys/kernel/security/apparmor"); err != nil {
		return false
	}
	buf, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && bytes.HasPrefix(buf, []byte("Y"))
}

// selinuxEnabled tells whether SELinux's filesystem is mounted, which it
// is wherever SELinux is on.
func selinuxEnabled() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
}

// apply writes the label for this thread's next exec: the Go init's side
// of runnc-init's apply_label.
func (l execLabel) apply() error {
	if l.attr == "" {
		return nil
	}
	if err := os.WriteFile("/proc/thread-self/attr/"+l.attr, []byte(l.value), 0); err != nil {
		return fmt.Errorf("set the workload's security label %q: %w", l.value, err)
	}
	return nil
}
