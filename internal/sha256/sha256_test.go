package sha256

import (
	stdsha256 "crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// FIPS 180-4's examples (NIST's SHA256.pdf) and the empty message.
func TestKnownDigests(t *testing.T) {
	for in, want := range map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	} {
		if got := Sum256([]byte(in)); hex.EncodeToString(got[:]) != want {
			t.Errorf("Sum256(%q) = %x, want %s", in, got, want)
		}
	}
}

// Every length across the padding's boundaries, written whole and in
// pieces of every size, against crypto/sha256.
func TestMatchesCryptoSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(data); n++ {
		msg := data[:n]
		want := stdsha256.Sum256(msg)
		if got := Sum256(msg); got != want {
			t.Fatalf("Sum256 of %d bytes = %x, want %x", n, got, want)
		}
		piece := 1 + n%97
		h := New()
		for p := msg; len(p) > 0; {
			m := min(piece, len(p))
			h.Write(p[:m])
			p = p[m:]
		}
		if got := h.Sum(nil); string(got) != string(want[:]) {
			t.Fatalf("New, Write in pieces of %d, Sum of %d bytes = %x, want %x", piece, n, got, want)
		}
	}
}

// Sum leaves the hash as it was: writing on after it continues the message.
func TestSumThenWrite(t *testing.T) {
	h := New()
	h.Write([]byte("hello, "))
	h.Sum(nil)
	h.Write([]byte("world"))
	want := stdsha256.Sum256([]byte("hello, world"))
	if got := h.Sum([]byte("prefix")); string(got[6:]) != string(want[:]) || string(got[:6]) != "prefix" {
		t.Errorf("Sum after Sum and Write = %x, want prefix then %x", got, want)
	}
	h.Reset()
	if got, want := h.Sum(nil), stdsha256.Sum256(nil); string(got) != string(want[:]) {
		t.Errorf("Sum after Reset = %x, want %x", got, want)
	}
}

func FuzzMatchesCryptoSHA256(f *testing.F) {
	f.Add([]byte("abc"), uint8(1))
	f.Add(make([]byte, 119), uint8(64))
	f.Fuzz(func(t *testing.T, msg []byte, piece uint8) {
		want := stdsha256.Sum256(msg)
		h := New()
		step := int(piece%128) + 1
		for p := msg; len(p) > 0; {
			m := min(step, len(p))
			h.Write(p[:m])
			p = p[m:]
		}
		if got := h.Sum(nil); string(got) != string(want[:]) {
			t.Fatalf("%d bytes in pieces of %d: %x, want %x", len(msg), step, got, want)
		}
	})
}
