package main

import (
	"encoding/binary"
	"testing"
)

// A filter in the shape seccomp filters have: check the arch, dispatch on
// the number, check an argument for one syscall.
func sampleFilter() []bpfInsn {
	const (
		ldW   = 0x20 // BPF_LD|BPF_W|BPF_ABS
		jeqK  = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
		jgeK  = 0x35
		retK  = 0x06
		kill  = 0x80000000
		allow = retAllow
	)
	return []bpfInsn{
		{ldW, 0, 0, 4},               // 0: A = arch
		{jeqK, 1, 0, auditArchX8664}, // 1: x86_64?
		{retK, 0, 0, kill},           // 2
		{ldW, 0, 0, 0},               // 3: A = nr
		{jgeK, 7, 0, 0x40000000},     // 4: x32 -> kill
		{jeqK, 5, 0, 0},              // 5: read -> allow
		{jeqK, 0, 5, 1},              // 6: write -> check arg0
		{ldW, 0, 0, 16},              // 7: A = args[0] low half
		{jeqK, 2, 0, 1},              // 8: fd 1 -> allow
		{retK, 0, 0, 0x00050001},     // 9: ERRNO
		{retK, 0, 0, kill},           // 10
		{retK, 0, 0, allow},          // 11
		{retK, 0, 0, kill},           // 12
	}
}

func TestMayAllow(t *testing.T) {
	prog := sampleFilter()
	for nr, want := range map[uint32]bool{0: true, 1: true, 2: false, 60: false, 0x40000000: false} {
		got, err := mayAllow(prog, nr)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("mayAllow(nr %d) = %v, want %v", nr, got, want)
		}
	}
}

func TestMayAllowRefusesAJumpOutOfTheProgram(t *testing.T) {
	if _, err := mayAllow([]bpfInsn{{0x05, 0, 0, 5}}, 0); err == nil {
		t.Error("a jump past the end must be an error")
	}
}

func TestDecodeBPF(t *testing.T) {
	raw := make([]byte, 16)
	binary.LittleEndian.PutUint16(raw[0:], 0x15)
	raw[2], raw[3] = 1, 2
	binary.LittleEndian.PutUint32(raw[4:], 0xc000003e)
	binary.LittleEndian.PutUint16(raw[8:], 0x06)
	binary.LittleEndian.PutUint32(raw[12:], retAllow)
	prog := decodeBPF(raw)
	if len(prog) != 2 || prog[0] != (bpfInsn{0x15, 1, 2, 0xc000003e}) || prog[1].K != retAllow {
		t.Errorf("decodeBPF = %+v", prog)
	}
}
