package guest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// The service-account directory as the kubelet writes it: the files in a
// timestamped directory, "..data" pointing at it, each name pointing
// through "..data" (relative symlinks all).
const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// volumeDisks builds the rootfs and three volumes as ISOs, and the tender
// options that attach them read-only (rootfs, vol0 .. vol2), with CONFIG
// "mounts" putting vol0 at /data, vol1 at /data/sub and vol2 at saDir.
func volumeDisks(t *testing.T) ([]string, []testenv.GuestMount) {
	t.Helper()
	rootfs := makeISO(t, isoTree{
		"/etc/hosts": []byte("rootfs hosts\n"),
		"/data/file": []byte("rootfs's own /data/file, under the mount\n"),
	}, map[string]string{
		"/abs-into-mount": "/data/file",
		"/rel-into-mount": "data/file",
	})
	data := makeISO(t, isoTree{
		"/file":      []byte("data file\n"),
		"/etc/hosts": []byte("data hosts\n"),
		"/sub/x":     []byte("data's own sub/x, under the mount\n"),
	}, map[string]string{
		"/abs":   "/etc/hosts",
		"/up":    "../../../etc/hosts",
		"/tosub": "sub/x",
		"/k8s":   saDir + "/token",
	})
	sub := makeISO(t, isoTree{"/x": []byte("sub x\n")}, map[string]string{
		"/escape": "../../../etc/hosts",
		"/parent": "/data/file",
		"/loop":   "/data/sub/loop",
	})
	sa := makeISO(t, isoTree{
		"/..2026_12_05_19_00_00.123456789/token":     []byte("eyJhbGciOiJSUzI1NiJ9.token"),
		"/..2026_12_05_19_00_00.123456789/namespace": []byte("default"),
	}, map[string]string{
		"/..data":    "..2026_12_05_19_00_00.123456789",
		"/token":     "..data/token",
		"/namespace": "..data/namespace",
	})
	opts := []string{"--block:rootfs=" + rootfs, "--block:vol0=" + data, "--block:vol1=" + sub,
		"--block:vol2=" + sa, "--disk-readonly"}
	mounts := []testenv.GuestMount{
		{Device: "vol0", Path: "/data", Type: "iso9660"},
		{Device: "vol1", Path: "/data/sub", Type: "iso9660"},
		{Device: "vol2", Path: saDir, Type: "iso9660"},
	}
	return opts, mounts
}

// cat reads across the rootfs and the ISO mounts: the mount with the
// longest path prefix serves a path, relative symlinks stay inside their
// disk, absolute ones start again at "/" across mounts.
func TestCatMounts(t *testing.T) {
	opts, mounts := volumeDisks(t)
	cases := []struct{ cwd, path, want string }{
		{"/", "/etc/hosts", "rootfs hosts\n"},
		{"/", "/data/file", "data file\n"},
		{"/", "/data/etc/hosts", "data hosts\n"},
		{"/", "/data/sub/x", "sub x\n"}, // /data/sub, not /data's own sub/x
		{"/", "/data/sub/../file", "data file\n"},
		{"/", "/data/abs", "rootfs hosts\n"}, // absolute: back to the rootfs
		{"/", "/data/up", "data hosts\n"},    // "..": stops at the disk's root
		{"/", "/data/tosub", "sub x\n"},      // relative, into the nested mount
		{"/", "/data/sub/parent", "data file\n"},
		{"/", "/abs-into-mount", "data file\n"},
		{"/", "/rel-into-mount", "data file\n"},
		{"/", saDir + "/token", "eyJhbGciOiJSUzI1NiJ9.token"},
		{"/", saDir + "/namespace", "default"},
		{"/", saDir + "/..data/token", "eyJhbGciOiJSUzI1NiJ9.token"},
		{"/", "/data/k8s", "eyJhbGciOiJSUzI1NiJ9.token"},
		{"/data", "sub/x", "sub x\n"},
		{"/data/sub", "../../etc/hosts", "rootfs hosts\n"},
	}
	for _, c := range cases {
		r := runGuest(t, "cat", opts, configJSON(t, "argv", []string{"cat", c.path}, "cwd", c.cwd, "mounts", mounts))
		if r.status != 0 || r.stdout != c.want {
			t.Errorf("cat %s (cwd %s): %v, want %q", c.path, c.cwd, r, c.want)
		}
	}
	for path, why := range map[string]string{
		"/data/sub/escape": "no such file", // /data/sub's own root: no etc/hosts
		"/data/sub/loop":   "too many symbolic links",
		"/data/nothing":    "no such file",
		"/data/file/x":     "not a directory",
		"/data/sub":        "is a directory",
	} {
		r := runGuest(t, "cat", opts, configJSON(t, "argv", []string{"cat", path}, "mounts", mounts))
		if r.status != 1 || r.stdout != "cat: "+path+": "+why+"\n" {
			t.Errorf("cat %s: %v, want exit 1 and %q", path, r, why)
		}
	}
}

// CONFIG "files" shadow the mounts too; a raw mount serves no files (the
// rootfs below it does); a mount of a disk that is no ISO fails its reads.
func TestCatMountsShadowsAndRaw(t *testing.T) {
	opts, mounts := volumeDisks(t)
	blank := filepath.Join(t.TempDir(), "blank.img")
	if err := os.WriteFile(blank, make([]byte, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	opts = append(opts, "--block:vol3="+blank, "--block:vol4="+blank)
	mounts = append(mounts, testenv.GuestMount{Device: "vol3", Path: "/etc", Type: "raw"},
		testenv.GuestMount{Device: "vol4", Path: "/blank", Type: "iso9660"})
	files := map[string]string{"/data/file": "from CONFIG\n"}
	for path, want := range map[string]string{
		"/data/file":  "from CONFIG\n",
		"/etc/hosts":  "rootfs hosts\n",
		"/blank/x":    "cat: /blank/x: cannot read the disk\n",
		"/data/sub/x": "sub x\n",
	} {
		r := runGuest(t, "cat", opts, configJSON(t, "argv", []string{"cat", path}, "mounts", mounts, "files", files))
		if r.stdout != want {
			t.Errorf("cat %s: %v, want %q", path, r, want)
		}
	}
}

// A CONFIG "mounts" the guest cannot honour stops it before main with one
// line naming the entry and what is wrong, and exit status 1: what the
// parser refuses, and devices its manifest does not declare or the tender
// did not attach.
func TestBadMountsStopTheGuest(t *testing.T) {
	disk := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(disk, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := []string{"--block:vol0=" + disk}
	raw := func(device, path string) testenv.GuestMount {
		return testenv.GuestMount{Device: device, Path: path, Type: "raw"}
	}
	for _, c := range []struct {
		name   string
		mounts any
		want   string
	}{
		{"unknown key", []map[string]any{{"device": "vol0", "path": "/d", "type": "raw", "readonly": true}},
			`"mounts"[0]: a key other than "device", "path" and "type"`},
		{"relative path", []testenv.GuestMount{raw("vol0", "data")}, `"mounts"[0] (data): the path is not absolute`},
		{"unclean path", []testenv.GuestMount{raw("vol0", "/a/../b")}, `"mounts"[0] (/a/../b): the path is not clean`},
		{"the root", []testenv.GuestMount{raw("vol0", "/")}, `"mounts"[0] (/): the path is "/"`},
		{"duplicate path", []testenv.GuestMount{raw("vol0", "/d"), raw("vol0", "/d")},
			`"mounts"[1] (/d): the path is also "mounts"[0]'s`},
		{"unknown type", []testenv.GuestMount{{Device: "vol0", Path: "/d", Type: "ext4"}},
			`"mounts"[0] (/d): the type is neither "iso9660" nor "raw"`},
		{"too many", func() []testenv.GuestMount {
			var m []testenv.GuestMount
			for _, p := range strings.Fields("/a /b /c /d /e /f /g /h /i") {
				m = append(m, raw("vol0", p))
			}
			return m
		}(), `"mounts"[8]: one entry too many: at most 8`},
		{"device not declared", []testenv.GuestMount{raw("vol0", "/a"), raw("vol9", "/b")},
			`"mounts"[1] (/b): device vol9 is not a block device or volume slot of this unikernel's manifest`},
		{"a device only other guests declare", []testenv.GuestMount{raw("rootfs", "/a")},
			`"mounts"[0] (/a): device rootfs is not a block device or volume slot`},
		{"device not attached", []testenv.GuestMount{raw("vol3", "/a")},
			`"mounts"[0] (/a): device vol3 is not attached: a volume slot needs nabla-run --block:vol3=FILE`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runGuest(t, "disk", opts, configJSON(t, "argv", []string{"disk", "/a", "read", "0", "512"}, "mounts", c.mounts))
			if r.status != 1 || r.stderr != "" || strings.Count(r.stdout, "\n") != 1 ||
				!strings.HasPrefix(r.stdout, "nabla: CONFIG: "+c.want) || !strings.HasSuffix(r.stdout, ")\n") {
				t.Fatalf("want exit 1 and one line \"nabla: CONFIG: %s ... (at byte N)\", got %v", c.want, r)
			}
		})
	}
}

// The disk app writes and reads the raw mounts by path, in whole blocks of
// the disk's own size; the file sees exactly the blocks written.
func TestDiskReadWrite(t *testing.T) {
	a, aData := testenv.RawDisk(t, 1<<20, 0xaa, 0o644)
	b, bData := testenv.RawDisk(t, 64<<10, 0xaa, 0o644)
	opts := []string{"--block:vol2=" + a, "--block:vol5=" + b, "--block-sector-size:vol5=4096"}
	mounts := []testenv.GuestMount{{Device: "vol2", Path: "/storage", Type: "raw"},
		{Device: "vol5", Path: "/scratch", Type: "raw"}}
	disk := func(args ...string) result {
		return runGuest(t, "disk", opts, configJSON(t, "argv", append([]string{"disk"}, args...), "mounts", mounts))
	}

	text := "runnc volumes, with spaces"
	if r := disk("/storage", "write", "1024", text); r.status != 0 || r.stdout != "wrote 512 bytes\n" {
		t.Fatalf("write /storage: %v", r)
	}
	if r := disk("/scratch", "write", "8192", text); r.status != 0 || r.stdout != "wrote 4096 bytes\n" {
		t.Fatalf("write /scratch: %v", r)
	}
	want := func(data []byte, off, block int) []byte {
		w := bytes.Clone(data)
		copy(w[off:off+block], append([]byte(text), make([]byte, block-len(text))...))
		return w
	}
	if got := testenv.ReadFile(t, a); !bytes.Equal(got, want(aData, 1024, 512)) {
		t.Errorf("/storage's file: want the text and zeros in block 2 only")
	}
	if got := testenv.ReadFile(t, b); !bytes.Equal(got, want(bData, 8192, 4096)) {
		t.Errorf("/scratch's file: want the text and zeros in its third 4096-byte block only")
	}
	r := disk("/storage", "read", "1024", "1024")
	if wantOut := text + string(make([]byte, 512-len(text))) + string(aData[:512]); r.status != 0 || r.stdout != wantOut {
		t.Errorf("read /storage 1024 1024: %v, want %q", r, wantOut)
	}
	if r := disk("/scratch", "read", "0", "65536"); r.status != 0 || r.stdout != string(want(bData, 8192, 4096)) {
		t.Errorf("read all of /scratch: %v", r)
	}
	// Any range inside the disk reads: the blocks around it are read, only
	// it printed, across the app's 64 KiB reads too.
	aNow := want(aData, 1024, 512)
	for _, rg := range [][2]int{{1024, 14}, {1030, 3}, {1000, 40}, {0, 70000}, {100, 1<<20 - 100}, {1<<20 - 1, 1}, {5, 0}} {
		r := disk("/storage", "read", strconv.Itoa(rg[0]), strconv.Itoa(rg[1]))
		if r.status != 0 || r.stdout != string(aNow[rg[0]:rg[0]+rg[1]]) {
			t.Errorf("read /storage %d %d: exit %d, %d bytes, want those of the file", rg[0], rg[1], r.status, len(r.stdout))
		}
	}
}

// Refusals: a read-only disk (by option or mode 0444: EROFS from the
// tender), a write not at a block boundary, ranges past the end, a path
// with no raw disk. One line, exit 1, and the file unchanged.
func TestDiskRefusals(t *testing.T) {
	mounts := []testenv.GuestMount{{Device: "vol0", Path: "/storage", Type: "raw"},
		{Device: "vol1", Path: "/tree", Type: "raw"}}
	const past = "run past the end of the disk (65536 bytes)"
	for _, c := range []struct {
		name  string
		perm  os.FileMode
		flags []string
		args  []string
		want  string
	}{
		{"read-only option", 0o644, []string{"--block-readonly:vol0"}, []string{"/storage", "write", "0", "x"},
			"disk: /storage: read-only"},
		{"read-only file mode", 0o444, nil, []string{"/storage", "write", "0", "x"}, "disk: /storage: read-only"},
		{"unaligned write", 0o644, nil, []string{"/storage", "write", "100", "x"},
			"disk: /storage: offset 100 is not a multiple of the block size (512)"},
		{"write past the end", 0o644, nil, []string{"/storage", "write", "65536", "x"},
			"disk: /storage: 512 bytes at offset 65536 " + past},
		{"write across the end", 0o644, nil, []string{"/storage", "write", "65024", strings.Repeat("x", 513)},
			"disk: /storage: 1024 bytes at offset 65024 " + past},
		{"read past the end", 0o644, nil, []string{"/storage", "read", "65536", "1"},
			"disk: /storage: 1 bytes at offset 65536 " + past},
		{"read across the end", 0o644, nil, []string{"/storage", "read", "65000", "537"},
			"disk: /storage: 537 bytes at offset 65000 " + past},
		{"a huge read", 0o644, nil, []string{"/storage", "read", "512", "18446744073709551000"},
			"disk: /storage: 18446744073709551000 bytes at offset 512 " + past},
		{"no raw disk there", 0o644, nil, []string{"/nothing", "read", "0", "512"},
			`disk: /nothing: no raw disk is mounted there (CONFIG "mounts", type "raw")`},
		{"an offset that is no number", 0o644, nil, []string{"/storage", "read", "0x10", "512"}, "usage: disk PATH"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, data := testenv.RawDisk(t, 64<<10, 0xaa, c.perm)
			opts := append([]string{"--block:vol0=" + p, "--block:vol1=" + p}, c.flags...)
			r := runGuest(t, "disk", opts, configJSON(t, "argv", append([]string{"disk"}, c.args...), "mounts", mounts))
			if r.status != 1 || strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(r.stdout, c.want) {
				t.Errorf("want exit 1 and %q, got %v", c.want, r)
			}
			if !bytes.Equal(testenv.ReadFile(t, p), data) {
				t.Errorf("the disk's file changed")
			}
		})
	}
}

// storage, the stand-in for a Solo5 guest with a block device "storage",
// writes its line at offset 0 and prints it back; a read-only disk makes
// it fail with one line.
func TestStorageGuest(t *testing.T) {
	p, data := testenv.RawDisk(t, 4096, 0xaa, 0o644)
	r := runGuest(t, "storage", []string{"--block:storage=" + p}, "{}")
	if r.status != 0 || r.stdout != "runnc was here\n" {
		t.Fatalf("storage: %v, want its line back", r)
	}
	line := []byte("runnc was here\n")
	want := append(append(line, make([]byte, 512-len(line))...), data[512:]...)
	if !bytes.Equal(testenv.ReadFile(t, p), want) {
		t.Errorf("the disk should hold the line, zeros to 512 bytes, and the rest as it was")
	}
	p, data = testenv.RawDisk(t, 4096, 0xaa, 0o644)
	r = runGuest(t, "storage", []string{"--block:storage=" + p, "--block-readonly:storage"}, "{}")
	if r.status != 1 || r.stdout != "storage: write: read-only\n" || !bytes.Equal(testenv.ReadFile(t, p), data) {
		t.Fatalf("storage on a read-only disk: %v, want one line, exit 1, the file unchanged", r)
	}
}
