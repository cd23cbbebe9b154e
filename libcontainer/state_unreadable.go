package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/cgroups"
	"github.com/sirupsen/logrus"
)

func unreadable(id string, err error) error {
	return errorf(ErrStateUnreadable, "the state of container %s cannot be read (%w): delete it with runnc delete --force", displayName(id, nil), err)
}

// RemoveUnreadable deletes a container whose state cannot be read back
// (ErrStateUnreadable), with what the readable head of its state.json
// still tells. Init's pid and start time come first, and together they
// identify init for certain (a pid alone could be a stranger's by now):
// init is killed then. When the handlers and the configuration survive,
// the container is deleted as any other; else the fs handler (the one
// named, or the default) still drops the container's use of its disk
// image (it finds it by the container's id), and the cgroups whose paths
// survive (or that init was in) are removed. The state directory goes in
// any case.
func (f *NablaFactory) RemoveUnreadable(id string) error {
	if err := validateID(id); err != nil {
		return err
	}
	dir := filepath.Join(f.root, id)
	// The lock waits out a create or delete of the same id in progress.
	unlock, err := lockDir(dir, id, nil)
	if err != nil {
		if errors.Is(err, ErrNotExist) {
			return nil
		}
		return err
	}
	defer unlock()
	var data bytes.Buffer
	if err := readStateFile(dir, &data); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", displayName(id, nil), err)
	}
	c := &nablaContainer{id: id, dir: dir, factory: f, state: readableHead(data.Bytes())}
	c.state.ID = id
	if c.state.InitPid > 0 && c.state.InitStartTime > 0 && f.runsOurs(c.state.InitPid) {
		if len(c.state.CgroupPaths) == 0 {
			c.state.CgroupPaths = cgroupsOf(c.state.InitPid)
		}
		if err := c.killAndWait(); err != nil {
			return err
		}
	} else {
		logrus.Warnf("delete %s: its state names no live runnc-init or tender by pid and start time, so no process was killed", c.name())
	}
	names := c.state.Handlers
	if names == (llif.Names{}) {
		// Not in the readable head: the defaults made it, most likely;
		// another fs handler's FsDestroy finds no disk image of this id.
		names = llif.Names{Fs: f.registry.DefaultFs, Network: f.registry.DefaultNetwork, Exec: f.registry.DefaultExec}
	}
	if c.handlers, err = f.registry.Handlers(names); err == nil {
		if _, err := c.state.config(); err == nil {
			return c.destroy()
		}
		begin := time.Now()
		_, err = c.handlers.FsH.FsDestroyFunc(&llif.FsDestroyInput{Input: c.input()})
		logPhase(id, "FsDestroy", begin, nil, err)
		if err != nil {
			logrus.Warnf("delete %s: %v", c.name(), err)
		}
	}
	if err := cgroups.RemovePaths(c.state.CgroupPaths); err != nil {
		logrus.Warnf("delete %s: %v", c.name(), err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("delete %s: %w", c.name(), err)
	}
	logrus.WithField("id", id).Debugf("deleted the unreadable state (init pid %d)", c.state.InitPid)
	return nil
}

// readableHead decodes the members of a state object up to the first one
// that does not decode, for a file cut short or damaged part way. A
// member counts only when a ',' or '}' follows it: a number cut short
// ("4" of "42") decodes, but is not what was written.
func readableHead(data []byte) *State {
	var st State
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return &st
	}
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			break
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")
		if len(rest) == 0 || rest[0] != ',' && rest[0] != '}' {
			break
		}
		member, err := json.Marshal(map[string]json.RawMessage{key: raw})
		if err != nil || json.Unmarshal(member, &st) != nil {
			break
		}
	}
	return &st
}

// runsOurs reports whether pid runs the container's init (runnc-init, or
// this program with InitArgs) or the tender: what is left of a state is
// not trusted to name any other process.
func (f *NablaFactory) runsOurs(pid int) bool {
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return false
	}
	if self, err := os.Executable(); err == nil && f.initPath == selfExe && exe == self {
		return true
	}
	base := filepath.Base(exe)
	for _, ours := range []string{initName, "nabla-run", f.initPath, f.runtime.TenderPath} {
		if ours != "" && ours != selfExe && base == filepath.Base(ours) {
			return true
		}
	}
	return false
}

// cgroupsOf is where pid's cgroups are, keyed as State.CgroupPaths (by
// subsystem, "" for the unified hierarchy), for a state that lost them. A
// cgroup at a hierarchy's root is never a container's, and is left out.
func cgroupsOf(pid int) map[string]string {
	own, err := cgroups.ParseCgroupFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return nil
	}
	paths := map[string]string{}
	for sub, p := range own {
		if p == "/" {
			continue
		}
		if sub == "" {
			root := "/sys/fs/cgroup"
			if !cgroups.IsCgroup2UnifiedMode() {
				root = "/sys/fs/cgroup/unified" // the hybrid layout
			}
			paths[""] = filepath.Join(root, p)
			continue
		}
		if mnt, err := cgroups.FindCgroupMountpoint("", strings.TrimPrefix(sub, "name=")); err == nil {
			paths[sub] = filepath.Join(mnt, p)
		}
	}
	return paths
}
