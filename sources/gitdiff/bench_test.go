package gitdiff

import (
	"math/rand/v2"
	"testing"
)

// benchPair returns a realistic ~500-line C file and a version of it with
// a few edits.
func benchPair(seed uint64) (a, b []byte) {
	r := rand.New(rand.NewPCG(42, seed))
	orig := genCFile(r, 500)
	return joinLines(orig, true, false), joinLines(mutate(r, orig, 4), true, false)
}

func BenchmarkUnified(b *testing.B) {
	old, new := benchPair(1)
	b.SetBytes(int64(len(old) + len(new)))
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = Unified(buf[:0], old, new)
	}
}

func BenchmarkSimilarity(b *testing.B) {
	old, new := benchPair(2)
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		Similarity(old, new)
	}
}
