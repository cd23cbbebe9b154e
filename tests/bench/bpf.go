package main

import (
	"encoding/binary"
	"fmt"
)

// A classic BPF seccomp program as PTRACE_SECCOMP_GET_FILTER returns it.
type bpfInsn struct {
	Code   uint16
	Jt, Jf uint8
	K      uint32
}

// decodeBPF decodes struct sock_filter instructions (8 bytes each).
func decodeBPF(raw []byte) []bpfInsn {
	prog := make([]bpfInsn, len(raw)/8)
	for i := range prog {
		b := raw[i*8:]
		prog[i] = bpfInsn{Code: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return prog
}

const (
	auditArchX8664 = 0xc000003e
	retActionFull  = 0xffff0000
	retAllow       = 0x7fff0000
	retLog         = 0x7ffc0000
)

// symbolic is a 32-bit value the analysis may not know: the syscall
// number and arch are known, the arguments and instruction pointer not.
type symbolic struct {
	known bool
	v     uint32
}

type bpfState struct {
	pc   int
	a, x symbolic
	mem  [16]symbolic
}

// mayAllow tells whether some arguments make prog return ALLOW (or LOG)
// for syscall nr on x86_64: it follows both branches of every jump on an
// unknown value, and the only branch of a jump on known ones.
func mayAllow(prog []bpfInsn, nr uint32) (bool, error) {
	seen := map[bpfState]bool{}
	stack := []bpfState{{}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for {
			if s.pc < 0 || s.pc >= len(prog) {
				return false, fmt.Errorf("the filter jumps out of its %d instructions at %d", len(prog), s.pc)
			}
			if seen[s] {
				break
			}
			seen[s] = true
			in := prog[s.pc]
			s.pc++
			class := in.Code & 0x07
			switch class {
			case 0x00, 0x01: // LD, LDX
				v := loadValue(in, &s, nr)
				if class == 0x00 {
					s.a = v
				} else {
					s.x = v
				}
				continue
			case 0x02: // ST
				s.mem[in.K&15] = s.a
				continue
			case 0x03: // STX
				s.mem[in.K&15] = s.x
				continue
			case 0x04: // ALU
				s.a = alu(in, s.a, s.x)
				continue
			case 0x07: // MISC: TAX, TXA
				if in.Code&0xf8 == 0 {
					s.x = s.a
				} else {
					s.a = s.x
				}
				continue
			case 0x06: // RET
				var ret symbolic
				if in.Code&0x18 == 0x10 { // RET A
					ret = s.a
				} else {
					ret = symbolic{true, in.K}
				}
				if !ret.known {
					return true, nil // cannot tell: count it
				}
				if act := ret.v & retActionFull; act == retAllow || act == retLog {
					return true, nil
				}
			case 0x05: // JMP
				op := in.Code & 0xf0
				if op == 0x00 { // JA
					s.pc += int(in.K)
					continue
				}
				operand := symbolic{true, in.K}
				if in.Code&0x08 != 0 {
					operand = s.x
				}
				taken, known := jump(op, s.a, operand)
				t, f := s, s
				t.pc += int(in.Jt)
				f.pc += int(in.Jf)
				switch {
				case !known:
					stack = append(stack, f)
					s = t
				case taken:
					s = t
				default:
					s = f
				}
				continue
			}
			break
		}
	}
	return false, nil
}

func loadValue(in bpfInsn, s *bpfState, nr uint32) symbolic {
	switch in.Code & 0xe0 { // mode
	case 0x00: // IMM
		return symbolic{true, in.K}
	case 0x20: // ABS: seccomp_data
		switch in.K {
		case 0:
			return symbolic{true, nr}
		case 4:
			return symbolic{true, auditArchX8664}
		}
		return symbolic{}
	case 0x60: // MEM
		return s.mem[in.K&15]
	case 0x80: // LEN
		return symbolic{true, 64}
	}
	return symbolic{}
}

func alu(in bpfInsn, a, x symbolic) symbolic {
	b := symbolic{true, in.K}
	if in.Code&0x08 != 0 {
		b = x
	}
	op := in.Code & 0xf0
	if op == 0x80 { // NEG
		return symbolic{a.known, -a.v}
	}
	if !a.known || !b.known {
		return symbolic{}
	}
	switch op {
	case 0x00:
		return symbolic{true, a.v + b.v}
	case 0x10:
		return symbolic{true, a.v - b.v}
	case 0x20:
		return symbolic{true, a.v * b.v}
	case 0x30:
		if b.v == 0 {
			return symbolic{}
		}
		return symbolic{true, a.v / b.v}
	case 0x40:
		return symbolic{true, a.v | b.v}
	case 0x50:
		return symbolic{true, a.v & b.v}
	case 0x60:
		return symbolic{true, a.v << (b.v & 31)}
	case 0x70:
		return symbolic{true, a.v >> (b.v & 31)}
	case 0x90:
		if b.v == 0 {
			return symbolic{}
		}
		return symbolic{true, a.v % b.v}
	case 0xa0:
		return symbolic{true, a.v ^ b.v}
	}
	return symbolic{}
}

// jump evaluates a conditional jump; known is false when either side is
// unknown.
func jump(op uint16, a, b symbolic) (taken, known bool) {
	if !a.known || !b.known {
		return false, false
	}
	switch op {
	case 0x10:
		return a.v == b.v, true
	case 0x20:
		return a.v > b.v, true
	case 0x30:
		return a.v >= b.v, true
	case 0x40:
		return a.v&b.v != 0, true
	}
	return false, false
}
