// Package imageapi is the one door between the runtime and the image
// store. runnc links only this package: the store's code (registries,
// HTTP, TLS, decompression, package image) lives in runnc-image, which
// would otherwise slow every start of runnc, three per container. Through
// it runnc
//   - asks runnc-image for the bundle of an image, pulling it first if
//     the store lacks it (Prepare, answered by Serve): a request and an
//     answer as JSON over a pipe, errors carrying their class (ErrNotFound,
//     ErrInvalidImage...), never text to parse;
//   - records in the store which containers use which image (Use, Forget),
//     so the store's remove refuses an image in use (Users) without
//     reading any container's state.
//
// It must not import the store (package image), libcontainer or llcli.
package imageapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/nabla-containers/runnc/internal/errclass"
)

// DefaultRoot is where runnc keeps images.
const DefaultRoot = "/var/lib/runnc/images"

// AnnotationImage is set in the spec of a container made from a stored
// image to the image's ID: the container is recorded as a user of that
// image when it is made (Use) and forgotten when it is deleted (Forget).
const AnnotationImage = "org.nabla.runnc.image"

// Options are the store's settings, which runnc takes as global flags.
type Options struct {
	// Root is the store's directory (--image-store); "" is DefaultRoot.
	Root string `json:"root"`
	// DiskDir is runnc's disk directory (--disk-dir): a pull builds the
	// image's disk image there ahead of its containers.
	DiskDir string `json:"disk_dir"`
	// DiskCacheBytes, DiskLimitBytes and UnpackLimitBytes are
	// --disk-cache, --disk-limit and --unpack-limit.
	DiskCacheBytes   int64 `json:"disk_cache_bytes"`
	DiskLimitBytes   int64 `json:"disk_limit_bytes"`
	UnpackLimitBytes int64 `json:"unpack_limit_bytes"`
}

// Request asks runnc-image for the bundle that every container of image
// Ref shares, pulling Ref first if the store lacks it.
type Request struct {
	// Version is the protocol's: runnc and runnc-image of other versions
	// refuse each other in one sentence.
	Version int     `json:"version"`
	Store   Options `json:"store"`
	Ref     string  `json:"ref"`
	// Progress tells runnc-image to show a pull's progress on its fd 3,
	// runnc's terminal: its stdout carries the answer.
	Progress bool `json:"progress,omitempty"`
}

// Prepared is the answer to a Request.
type Prepared struct {
	// ImageID is the image's ID, the digest of its config.
	ImageID string `json:"image_id"`
	// Bundle is the directory of the image's shared bundle in the store.
	Bundle string `json:"bundle"`
	// Entrypoint is the image's, which arguments given to run --image
	// follow in place of the image's Cmd.
	Entrypoint []string `json:"entrypoint"`
}

// version is the protocol's version (see Request.Version).
const version = 1

// ServeCommand is runnc-image's hidden subcommand of `image` that answers
// one Request (see Serve).
const ServeCommand = "serve"

// response is what runnc-image writes on its stdout: one of the two.
type response struct {
	Prepared *Prepared  `json:"prepared,omitempty"`
	Error    *wireError `json:"error,omitempty"`
}

// Prepare asks runnc-image, the binary at tool, for the shared bundle of
// image ref in the store of opts. A pull's progress goes to progress, if
// not nil; runnc-image's warnings go to runnc's stderr.
func Prepare(tool string, opts Options, ref string, progress *os.File) (*Prepared, error) {
	req, err := json.Marshal(Request{Version: version, Store: opts, Ref: ref, Progress: progress != nil})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command(tool, "image", ServeCommand)
	cmd.Stdin = bytes.NewReader(req)
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if progress != nil {
		cmd.ExtraFiles = []*os.File{progress}
	}
	runErr := cmd.Run()
	return decodeResponse(tool, out.Bytes(), runErr)
}

// decodeResponse reads runnc-image's answer; runErr is how it exited.
func decodeResponse(tool string, out []byte, runErr error) (*Prepared, error) {
	var resp response
	if err := json.Unmarshal(out, &resp); err != nil || (resp.Prepared == nil) == (resp.Error == nil) {
		why := "no answer"
		if runErr != nil {
			why += " (" + runErr.Error() + ")"
		}
		return nil, errclass.Errorf(ErrProtocol, "%s gave runnc %s to a request for an image's bundle: install the runnc-image built with this runnc", tool, why)
	}
	if resp.Error != nil {
		return nil, resp.Error.decode()
	}
	return resp.Prepared, nil
}

// Serve answers one Request read from in with prepare's result, on out.
// It fails only when it cannot read the request or write the answer; the
// request's failure is the answer. With Request.Progress, prepare gets fd
// 3 for a pull's progress, else nil.
func Serve(in io.Reader, out io.Writer, prepare func(*Request, io.Writer) (*Prepared, error)) error {
	var req Request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("read runnc's request: %w", err)
	}
	var resp response
	if req.Version != version {
		resp.Error = encodeError(errclass.Errorf(ErrProtocol, "runnc speaks version %d of runnc-image's protocol, and this runnc-image version %d: install runnc and runnc-image of one build", req.Version, version))
	} else {
		var progress io.Writer
		if req.Progress {
			progress = os.NewFile(3, "progress")
		}
		p, err := prepare(&req, progress)
		if err != nil {
			resp.Error = encodeError(err)
		} else {
			resp.Prepared = p
		}
	}
	if err := json.NewEncoder(out).Encode(resp); err != nil {
		return fmt.Errorf("answer runnc: %w", err)
	}
	return nil
}
