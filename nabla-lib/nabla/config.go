package nabla

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// guestConfig is what the guest learns from CONFIG.
type guestConfig struct {
	Args []string
	Env  []string
	Cwd  string
	// Net is nil when the guest has no NIC.
	Net *guestNet
	// Disk tells whether the guest has a root disk.
	Disk bool
	// Files are per-container files, guest path -> content.
	Files map[string]string
	// Mounts are the volumes and the devices the guest reads them from.
	Mounts []volumeDevice
	// RumprunOnly leaves out runnc's keys (argv, files): rumprun stops on
	// a key it does not know.
	RumprunOnly bool
}

type guestNet struct {
	Addr    string
	Prefix  string // prefix length, "24"
	Gateway string // "" when there is no default route
}

// buildConfig writes CONFIG, the rumprun-style JSON document upstream
// nabla-run hands the guest, plus runnc's "argv", "files" and "mounts"
// unless c.RumprunOnly. It is written by hand because rumprun takes a list as
// repeated keys ("env" once per variable), which encoding/json cannot
// produce; json is used only to escape strings.
//
// "cmdline" is the arguments joined by spaces, as upstream wrote it (guests
// split it on spaces with no quoting); "argv" carries them intact, and the
// runnc guest SDK prefers it.
func buildConfig(c guestConfig) string {
	var b strings.Builder
	b.WriteString(`{"cmdline":`)
	b.WriteString(quote(strings.Join(c.Args, " ")))
	for _, e := range c.Env {
		b.WriteString(`,"env":`)
		b.WriteString(quote(e))
	}
	if c.Net != nil {
		b.WriteString(`,"net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static","addr":`)
		b.WriteString(quote(c.Net.Addr))
		b.WriteString(`,"mask":`)
		b.WriteString(quote(c.Net.Prefix))
		if c.Net.Gateway != "" {
			b.WriteString(`,"gw":`)
			b.WriteString(quote(c.Net.Gateway))
		}
		b.WriteString(`}`)
	}
	if c.Disk {
		b.WriteString(`,"blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk","mountpoint":"/"}`)
	}
	b.WriteString(`,"cwd":`)
	b.WriteString(quote(c.Cwd))
	if !c.RumprunOnly {
		writeRunncKeys(&b, c)
	}
	b.WriteString(`}`)
	return b.String()
}

// writeRunncKeys writes runnc's own keys, which the runnc guest SDK reads.
func writeRunncKeys(b *strings.Builder, c guestConfig) {
	b.WriteString(`,"argv":[`)
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(quote(a))
	}
	b.WriteString(`]`)
	if len(c.Files) > 0 {
		paths := make([]string, 0, len(c.Files))
		for p := range c.Files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		b.WriteString(`,"files":{`)
		for i, p := range paths {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(quote(p))
			b.WriteString(":")
			b.WriteString(quote(c.Files[p]))
		}
		b.WriteString(`}`)
	}
	for i, m := range c.Mounts {
		if i == 0 {
			b.WriteString(`,"mounts":[`)
		} else {
			b.WriteString(",")
		}
		b.WriteString(`{"device":`)
		b.WriteString(quote(m.Device))
		b.WriteString(`,"path":`)
		b.WriteString(quote(m.Destination))
		b.WriteString(`,"type":`)
		b.WriteString(quote(m.Type))
		b.WriteString(`}`)
		if i == len(c.Mounts)-1 {
			b.WriteString(`]`)
		}
	}
}

// quote is s as a JSON string. HTML escaping is off: CONFIG is never
// embedded in HTML, and "<" is easier to read than "\u003c".
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Encoding a string cannot fail.
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
