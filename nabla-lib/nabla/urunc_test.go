package nabla

import (
	"encoding/base64"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestReadUrunc(t *testing.T) {
	spt := map[string]string{
		uruncType: b64("mirage"), uruncBinary: b64("/unikernel/net.spt"),
		uruncCmdline: b64("--hello=x"), uruncHypervisor: b64("spt"), uruncBlock: b64("/data.img"),
	}
	want := uruncConfig{Type: "mirage", Binary: "/unikernel/net.spt", Cmdline: "--hello=x", Block: "/data.img"}
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		json        string // urunc.json in the rootfs, "" for none
		want        uruncConfig
		err         string
	}{
		{"none", map[string]string{"other": "x"}, "", uruncConfig{}, ""},
		{"annotations", spt, "", want, ""},
		{"annotations win over urunc.json", spt, `{"com.urunc.unikernel.binary":"` + b64("/other") + `"}`, want, ""},
		{"urunc.json when Docker passes no annotations", nil,
			`{"com.urunc.unikernel.unikernelType":"` + b64("mirage") + `","com.urunc.unikernel.binary":"` + b64("/unikernel/net.spt") +
				`","com.urunc.unikernel.cmdline":"` + b64("--hello=x") + `","com.urunc.unikernel.hypervisor":"` + b64("spt") +
				`","com.urunc.unikernel.block":"` + b64("/data.img") + `","com.urunc.unikernel.useDMBlock":""}`, want, ""},
		{"empty annotations fall back", map[string]string{uruncType: ""}, `{"com.urunc.unikernel.binary":"` + b64("/k") + `"}`, uruncConfig{Binary: "/k"}, ""},
		{"another monitor", map[string]string{uruncHypervisor: b64("qemu")}, "", uruncConfig{}, "packaged for urunc's qemu monitor"},
		{"plain text is not urunc's", map[string]string{uruncType: "mirage"}, "", uruncConfig{}, "is not base64, as urunc requires"},
		{"urunc.json not base64", nil, `{"com.urunc.unikernel.binary":"/k"}`, uruncConfig{}, "urunc.json key com.urunc.unikernel.binary"},
		{"urunc.json not JSON", nil, `{"com.urunc.unikernel.binary":`, uruncConfig{}, "not a JSON object of strings"},
		{"urunc.json with a number", nil, `{"com.urunc.unikernel.binary":1}`, uruncConfig{}, "not a JSON object of strings"},
		{"urunc.json too big", nil, `{"x":"` + strings.Repeat("x", maxUruncJSON) + `"}`, uruncConfig{}, "bigger than the 64 KiB runnc reads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.json != "" {
				writeFile(t, root, uruncJSON, []byte(tc.json))
			}
			got, err := readUrunc(tc.annotations, root)
			if tc.err == "" && (err != nil || got != tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.err)
			}
		})
	}
}

// A urunc.json that is a directory or a FIFO is refused, and never blocks.
func TestReadUruncJSONNotRegular(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "urunc.json/x", nil)
	if _, err := readUrunc(nil, root); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v, want a not-regular refusal", err)
	}
}
