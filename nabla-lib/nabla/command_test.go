package nabla

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCommandOf(t *testing.T) {
	urunc := uruncConfig{Binary: "/unikernel/kernel", Cmdline: "  --hello=Hola   --x "}
	for _, tc := range []struct {
		name  string
		args  []string
		cwd   string
		urunc uruncConfig
		want  guestCommand
		argv  []string
	}{
		{"runnc's way", []string{"hello.spt", "a b", "c"}, "/", uruncConfig{}, guestCommand{entry: "hello.spt", source: "process.args[0]", argv0: "hello.spt", args: []string{"a b", "c"}}, []string{"hello.spt", "a b", "c"}},
		{"no args", nil, "/", uruncConfig{}, guestCommand{source: "process.args[0]"}, nil},
		{"a cmdline without a binary is not urunc's", []string{"k"}, "/", uruncConfig{Cmdline: "x"}, guestCommand{entry: "k", source: "process.args[0]", argv0: "k", args: []string{}}, []string{"k"}},
		{"urunc: the args are the command line", []string{"--hello=Holahola"}, "/", urunc, guestCommand{entry: urunc.Binary, source: uruncBinary, args: []string{"--hello=Holahola"}}, []string{"--hello=Holahola"}},
		{"urunc: no args, the cmdline key", nil, "/", urunc, guestCommand{entry: urunc.Binary, source: uruncBinary, args: []string{"--hello=Hola", "--x"}}, []string{"--hello=Hola", "--x"}},
		{"urunc: the binary as Docker's command", []string{"kernel"}, "/unikernel", urunc, guestCommand{entry: urunc.Binary, source: uruncBinary, args: []string{"--hello=Hola", "--x"}}, nil},
		{"urunc: the binary and arguments", []string{"/unikernel/kernel", "-v"}, "/", urunc, guestCommand{entry: urunc.Binary, source: uruncBinary, args: []string{"-v"}}, []string{"-v"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := commandOf(&specs.Process{Args: tc.args, Cwd: tc.cwd}, tc.urunc)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if tc.argv != nil && !reflect.DeepEqual(got.argv(), tc.argv) {
				t.Fatalf("argv %q, want %q", got.argv(), tc.argv)
			}
		})
	}
}
