package image

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/nabla-containers/runnc/internal/errclass"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
)

// The transports, in skopeo's syntax.
const (
	transportDocker  = "docker://"
	transportOCI     = "oci:"
	transportArchive = "docker-archive:"
)

// ociRefName is the annotation an OCI layout's index.json tags images with.
const ociRefName = "org.opencontainers.image.ref.name"

// Reference is a parsed image reference.
type Reference struct {
	// String is the canonical form the store records: registry names
	// fully qualified, paths absolute.
	String string
	open   func(PullOptions) (v1.Image, error)
}

// ParseReference reads docker://HOST/NAME:TAG (or @DIGEST), oci:DIR[:TAG]
// and docker-archive:FILE. Its errors wrap imageapi.ErrInvalidReference.
func ParseReference(ref string) (*Reference, error) {
	r, err := parseReference(ref)
	if err != nil {
		return nil, errclass.Errorf(imageapi.ErrInvalidReference, "%w", err)
	}
	return r, nil
}

func parseReference(ref string) (*Reference, error) {
	switch {
	case strings.HasPrefix(ref, transportDocker):
		return parseDocker(strings.TrimPrefix(ref, transportDocker))
	case strings.HasPrefix(ref, transportOCI):
		return parseOCI(strings.TrimPrefix(ref, transportOCI))
	case strings.HasPrefix(ref, transportArchive):
		return parseArchive(strings.TrimPrefix(ref, transportArchive))
	}
	return nil, fmt.Errorf("image reference %q has no transport: write docker://HOST/NAME:TAG (a registry), oci:DIR[:TAG] (an OCI image layout) or docker-archive:FILE (what docker save writes)", ref)
}

func parseDocker(s string) (*Reference, error) {
	// Parsed once strictly to canonicalise; Insecure is chosen at pull.
	r, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("image reference docker://%s: %w", s, err)
	}
	canon := transportDocker + r.Name()
	return &Reference{String: canon, open: func(o PullOptions) (v1.Image, error) {
		var nopts []name.Option
		if o.Insecure {
			nopts = append(nopts, name.Insecure)
		}
		r, err := name.ParseReference(s, nopts...)
		if err != nil {
			return nil, err
		}
		return remote.Image(r,
			remote.WithContext(o.context()),
			remote.WithAuthFromKeychain(authn.DefaultKeychain),
			remote.WithPlatform(hostPlatform()))
	}}, nil
}

func parseOCI(s string) (*Reference, error) {
	dir, tag := s, ""
	// DIR may hold colons; a tag is what follows the last colon after the
	// last slash, as skopeo reads it.
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		dir, tag = s[:i], s[i+1:]
	}
	if dir == "" {
		return nil, fmt.Errorf("image reference oci:%s names no directory: write oci:DIR[:TAG]", s)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("image reference oci:%s: %w", s, err)
	}
	canon := transportOCI + abs
	if tag != "" {
		canon += ":" + tag
	}
	return &Reference{String: canon, open: func(PullOptions) (v1.Image, error) {
		return openLayout(abs, tag)
	}}, nil
}

func parseArchive(file string) (*Reference, error) {
	if file == "" {
		return nil, fmt.Errorf("image reference docker-archive: names no file: write docker-archive:FILE")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("image reference docker-archive:%s: %w", file, err)
	}
	return &Reference{String: transportArchive + abs, open: func(PullOptions) (v1.Image, error) {
		return tarball.ImageFromPath(abs, nil)
	}}, nil
}

// openLayout finds the image tagged tag (or the only one, when tag is
// empty) in the OCI layout at dir, choosing this host's platform in an
// index.
func openLayout(dir, tag string) (v1.Image, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("open OCI layout %s: %w", dir, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("read OCI layout %s: %w", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("read index of OCI layout %s: %w", dir, err)
	}
	var found []v1.Descriptor
	for _, d := range im.Manifests {
		if tag == "" || d.Annotations[ociRefName] == tag {
			found = append(found, d)
		}
	}
	switch {
	case len(found) == 0 && tag != "":
		return nil, fmt.Errorf("OCI layout %s has no image tagged %q", dir, tag)
	case len(found) != 1:
		return nil, fmt.Errorf("OCI layout %s holds %d images: name one with oci:%s:TAG", dir, len(found), dir)
	}
	d := found[0]
	if d.MediaType.IsIndex() {
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("read index %s in OCI layout %s: %w", d.Digest, dir, err)
		}
		return imageForHost(child)
	}
	return idx.Image(d.Digest)
}

// imageForHost picks this host's platform from a multi-platform index.
func imageForHost(idx v1.ImageIndex) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	want := hostPlatform()
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Satisfies(want) && d.MediaType.IsImage() {
			return idx.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("image index has no image for %s", want.String())
}

func hostPlatform() v1.Platform {
	return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
}
