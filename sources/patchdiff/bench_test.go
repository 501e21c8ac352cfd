package patchdiff_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/mbox"
	"github.com/kdelta/kdelta/sources/patchdiff"
	"github.com/kdelta/kdelta/sources/patchfile"
)

// fixtureDiffs are the diffs of the repository's series, OFED and mbox
// fixtures, as their readers hand them to patchdiff.
func fixtureDiffs(b *testing.B) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob("../../testdata/*/*/*.patch")
	more, _ := filepath.Glob("../*/testdata/*.patch")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		pf, err := patchfile.Parse(p, data)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, pf.Diff)
	}
	msgs, _, err := mbox.Read("../mbox/testdata/linux-rdma.mbox")
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		if m.Diff != nil {
			out = append(out, m.Diff)
		}
	}
	if len(out) < 10 {
		b.Fatalf("%d fixture diffs", len(out))
	}
	return out
}

// BenchmarkParse reads every fixture diff once per iteration.
func BenchmarkParse(b *testing.B) {
	diffs := fixtureDiffs(b)
	n := 0
	for _, d := range diffs {
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		for _, d := range diffs {
			if _, err := patchdiff.Parse(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPatchIDOnly is the reference: the same diffs through the
// patch-id accumulator alone (fingerprint.Text), which every fingerprint
// of a patch file pays too.
func BenchmarkPatchIDOnly(b *testing.B) {
	diffs := fixtureDiffs(b)
	n := 0
	for _, d := range diffs {
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		for _, d := range diffs {
			fingerprint.Text(d)
		}
	}
}
