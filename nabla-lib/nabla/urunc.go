package nabla

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// urunc's keys (github.com/urunc-dev/urunc, pkg/unikontainers/config.go)
// that mean something for a Solo5 spt unikernel, so that images packaged
// for urunc's spt monitor run on runnc unchanged. urunc base64-encodes
// every value, in annotations and in urunc.json alike. Its other keys
// (initrd, blkMntPoint, useDMBlock, unikernelVersion) have no meaning
// for spt or for runnc, whose disk is the rootfs image.
const (
	uruncPrefix     = "com.urunc.unikernel."
	uruncType       = uruncPrefix + "unikernelType"
	uruncBinary     = uruncPrefix + "binary"
	uruncCmdline    = uruncPrefix + "cmdline"
	uruncHypervisor = uruncPrefix + "hypervisor"
	// uruncBlock is a disk image in the rootfs that the guest's block
	// device gets instead of the rootfs image.
	uruncBlock = uruncPrefix + "block"
	// uruncJSON, at the rootfs's root, holds the same keys for engines that
	// pass no image annotations to the runtime (Docker).
	uruncJSON    = "urunc.json"
	maxUruncJSON = 64 << 10
)

// uruncConfig is urunc's view of the image, decoded.
type uruncConfig struct {
	Type, Binary, Cmdline, Block string
}

// readUrunc reads urunc's keys as urunc does: from the annotations when
// any is set, else from urunc.json in rootfs if there is one. It refuses
// an image for another monitor than spt.
func readUrunc(annotations map[string]string, rootfs string) (uruncConfig, error) {
	values, source := map[string]string{}, "annotation"
	for k, v := range annotations {
		if strings.HasPrefix(k, uruncPrefix) && v != "" {
			values[k] = v
		}
	}
	if len(values) == 0 {
		var err error
		if values, err = readUruncJSON(rootfs); err != nil {
			return uruncConfig{}, err
		}
		source = uruncJSON + " key"
	}
	decoded := map[string]string{}
	for _, k := range []string{uruncType, uruncBinary, uruncCmdline, uruncHypervisor, uruncBlock} {
		if values[k] == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(values[k])
		if err != nil {
			return uruncConfig{}, fmt.Errorf("urunc's %s %s=%q is not base64, as urunc requires: encode it (or use runnc's own annotations)", source, k, values[k])
		}
		decoded[k] = string(b)
	}
	if h := decoded[uruncHypervisor]; h != "" && h != "spt" {
		return uruncConfig{}, fmt.Errorf("the image is packaged for urunc's %s monitor (%s %s): runnc runs only Solo5 spt unikernels", h, source, uruncHypervisor)
	}
	return uruncConfig{Type: decoded[uruncType], Binary: decoded[uruncBinary], Cmdline: decoded[uruncCmdline], Block: decoded[uruncBlock]}, nil
}

// readUruncJSON reads the string values of urunc.json in rootfs, none if
// it has none.
func readUruncJSON(rootfs string) (map[string]string, error) {
	host, err := securejoin.SecureJoin(rootfs, uruncJSON)
	if err != nil {
		return nil, fmt.Errorf("resolve /%s in rootfs %s: %w", uruncJSON, rootfs, err)
	}
	content, err := readCapped(host, maxUruncJSON, "runnc reads")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read /%s of the image: %w", uruncJSON, err)
	}
	var values map[string]string
	if err := json.Unmarshal([]byte(content), &values); err != nil {
		return nil, fmt.Errorf("/%s of the image is not a JSON object of strings, as urunc writes it: %w", uruncJSON, err)
	}
	return values, nil
}
