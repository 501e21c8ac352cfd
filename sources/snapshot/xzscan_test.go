package snapshot

import (
	"bytes"
	"crypto/sha256"
	"os/exec"
	"strings"
	"testing"
)

func TestScanXZ(t *testing.T) {
	small := xzOf(t, tarOf(t, file("a", "hello")))
	if _, msg, _ := scanXZ(bytes.NewReader(small)); msg != "" {
		t.Fatalf("scanXZ refused a good file: %s", msg)
	}
	// Every proper prefix of a one-stream file is incomplete.
	for n := range len(small) {
		if _, msg, kind := scanXZ(bytes.NewReader(small[:n])); msg == "" || kind != ErrDamaged {
			t.Fatalf("scanXZ accepted the first %d of %d bytes", n, len(small))
		}
	}
	set := func(b []byte, i int, v byte) []byte {
		b = bytes.Clone(b)
		b[i] = v
		return b
	}
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"bad stream flags", set(small, 6, 1), "unsupported stream flags"},
		{"reserved block flags", set(small, 13, 0x04), "reserved block flags"},
		{"other filter", set(small, 14, 0x04), "unsupported xz filter 0x4"},
		{"bad LZMA2 properties", set(small, 16, 41), "bad LZMA2 properties"},
		{"bad footer", set(small, len(small)-1, 'X'), "bad stream footer"},
		{"garbage after", append(bytes.Clone(small), "garbage, not xz"...), "not an xz stream header"},
		{"odd padding", append(bytes.Clone(small), 0, 0, 0), "not a multiple of 4"},
	}
	for _, tt := range tests {
		if _, msg, _ := scanXZ(bytes.NewReader(tt.data)); !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: scanXZ = %q, want %q", tt.name, msg, tt.msg)
		}
	}
	for c, want := range map[byte]int64{0: 1 << 11 * 2, 1: 1 << 11 * 3, 18: 1 << 21, 22: 1 << 23, 40: 1<<32 - 1} {
		if got := dictSize(c); got != want {
			t.Errorf("dictSize(%d) = %d, want %d", c, got, want)
		}
	}
}

// TestScanXZTool checks the scanner on what the xz program makes of
// incompressible data (LZMA2's uncompressed chunks) and with a BCJ filter
// (refused: the decoder only knows LZMA2).
func TestScanXZTool(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("no xz")
	}
	var noise []byte
	for i := 0; len(noise) < 300<<10; i++ {
		s := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		noise = append(noise, s[:]...)
	}
	run := func(args ...string) []byte {
		cmd := exec.Command("xz", append([]string{"-c"}, args...)...)
		cmd.Stdin = bytes.NewReader(noise)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xz %v: %v", args, err)
		}
		return out
	}
	if _, msg, _ := scanXZ(bytes.NewReader(run())); msg != "" {
		t.Errorf("incompressible data: %s", msg)
	}
	if _, msg, _ := scanXZ(bytes.NewReader(run("--x86", "--lzma2"))); !strings.Contains(msg, "only LZMA2") {
		t.Errorf("x86 filter: scanXZ = %q", msg)
	}
}
