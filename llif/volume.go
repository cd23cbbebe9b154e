package llif

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrMountUnreachable is the cause of every refusal of a mount the
// workload cannot get (a tmpfs, a FIFO, a volume the guest has no device
// for), whichever handler refuses it: its sentence says "cannot reach the
// unikernel" and what to do.
var ErrMountUnreachable = errors.New("cannot reach the unikernel")

// AnnotationIgnoreMounts lists mount destinations, comma-separated, that
// the container runs without: the fs handler leaves them out, as if the
// config had not named them ("*": every mount but the engine's own). A
// mount that cannot reach the workload and is not listed refuses the
// container at create: a volume the application never sees is data it
// silently never reads or writes.
const AnnotationIgnoreMounts = "org.nabla.runnc.ignore-mounts"

// LeaveOut is the advice, in a refusal of the mounts at dsts, to leave
// them out with AnnotationIgnoreMounts.
func LeaveOut(dsts ...string) string {
	advice := "leave it out with the annotation "
	if len(dsts) > 1 {
		advice = "leave them out with the annotation "
	}
	for _, d := range dsts {
		if !filepath.IsAbs(d) {
			return advice + AnnotationIgnoreMounts + "=*"
		}
	}
	return advice + AnnotationIgnoreMounts + "=" + strings.Join(dsts, ",")
}

// Volume types: what the disk of a volume holds.
const (
	// VolumeISO9660 is a read-only ISO 9660 image, with Rock Ridge, of a
	// directory: a snapshot of its content at create.
	VolumeISO9660 = "iso9660"
	// VolumeRaw is a regular file handed to the workload as a block device.
	VolumeRaw = "raw"
)

// Volume is one disk an fs handler makes of a bind mount (see FsVolumes).
type Volume struct {
	// Destination is the mount's destination, clean and absolute.
	Destination string `json:"destination"`
	// Disk is the absolute host path of the disk the workload gets.
	Disk string `json:"disk"`
	// Type is VolumeISO9660 or VolumeRaw.
	Type string `json:"type"`
	// ReadOnly says the disk must be opened read-only: an image shared
	// among containers, or a file mounted "ro".
	ReadOnly bool `json:"readOnly"`
}

// EncodeVolumes is the FsVolumes option for vs ("" for none).
func EncodeVolumes(vs []Volume) (string, error) {
	if len(vs) == 0 {
		return "", nil
	}
	b, err := json.Marshal(vs)
	if err != nil {
		return "", fmt.Errorf("encode the volumes: %w", err)
	}
	return string(b), nil
}

// DecodeVolumes reads the FsVolumes option of an fs state.
func DecodeVolumes(option string) ([]Volume, error) {
	if option == "" {
		return nil, nil
	}
	var vs []Volume
	if err := json.Unmarshal([]byte(option), &vs); err != nil {
		return nil, fmt.Errorf("fs state %s %q is not a JSON list of volumes: %w", FsVolumes, option, err)
	}
	for _, v := range vs {
		if v.Destination == "" || v.Disk == "" || (v.Type != VolumeISO9660 && v.Type != VolumeRaw) {
			return nil, fmt.Errorf("fs state %s holds a volume without a destination, a disk or a known type: %+v", FsVolumes, v)
		}
	}
	return vs, nil
}
