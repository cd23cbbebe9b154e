package image

import (
	"fmt"
	"io"
)

// progress writes a layer's stored bytes on one terminal line, redrawn
// as they arrive and ended when the layer is done.
type progress struct {
	w     io.Writer
	name  string
	total int64
	n     int64
	shown int64
}

// redrawEvery limits redraws to one per this many bytes.
const redrawEvery = 256 << 10

func newProgress(w io.Writer, digest string, total int64) *progress {
	p := &progress{w: w, name: ShortID(digest), total: total}
	p.draw()
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.n-p.shown >= redrawEvery || p.n == p.total {
		p.draw()
	}
	return len(b), nil
}

func (p *progress) draw() {
	p.shown = p.n
	fmt.Fprintf(p.w, "\r%s: %d / %d bytes", p.name, p.n, p.total)
}

func (p *progress) done() {
	p.draw()
	fmt.Fprintln(p.w)
}

// ShortID is a digest's first 12 hex digits, as image listings show it.
func ShortID(digest string) string {
	h := hexOf(digest)
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}
