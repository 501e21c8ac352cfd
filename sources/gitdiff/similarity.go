package gitdiff

import "slices"

// MaxScore is git's MAX_SCORE: the similarity score of identical content.
const MaxScore = 60000

// DefaultRenameScore is git's DEFAULT_RENAME_SCORE (50%), the minimum
// similarity for a rename when -M is given without a number.
const DefaultRenameScore = MaxScore / 2

// hashBase is HASHBASE of diffcore-delta.c, a prime between 2^16 and
// 2^17.
const hashBase = 107927

// spanCounts is the output of hash_chars: for each span hash value, the
// number of bytes of the spans hashing to it, sorted by hash value. Each
// element packs hash<<32 | count.
type spanCounts []uint64

// hashChars mirrors hash_chars of diffcore-delta.c: cut data into chunks
// ending at '\n' or after 64 bytes, hash each chunk and sum the chunk
// lengths per hash value. For text the CR of a CRLF pair is skipped. A
// final chunk that ends neither at '\n' nor at 64 bytes is not counted,
// as in git.
func hashChars(data []byte, buf spanCounts) spanCounts {
	isText := !IsBinary(data)
	chunks := buf[:0]
	var accum1, accum2 uint32
	n := uint32(0)
	for i := 0; i < len(data); i++ {
		c := uint32(data[i])
		if isText && c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			continue
		}
		old1 := accum1
		accum1 = (accum1 << 7) ^ (accum2 >> 25)
		accum2 = (accum2 << 7) ^ (old1 >> 25)
		accum1 += c
		n++
		if n < 64 && c != '\n' {
			continue
		}
		h := (accum1 + accum2*0x61) % hashBase
		chunks = append(chunks, uint64(h)<<32|uint64(n))
		n, accum1, accum2 = 0, 0, 0
	}
	slices.Sort(chunks)
	// Merge equal hash values, summing their byte counts.
	out := chunks[:0]
	for _, c := range chunks {
		if len(out) > 0 && out[len(out)-1]>>32 == c>>32 {
			out[len(out)-1] += c & 0xffffffff
			continue
		}
		out = append(out, c)
	}
	return out
}

// copiedBytes mirrors the counting loop of diffcore_count_changes: the
// number of source bytes that also appear in the destination.
func copiedBytes(src, dst spanCounts) uint64 {
	var sc uint64
	i, j := 0, 0
	for i < len(src) && j < len(dst) {
		sh, dh := src[i]>>32, dst[j]>>32
		switch {
		case sh < dh:
			i++
		case sh > dh:
			j++
		default:
			sc += min(src[i]&0xffffffff, dst[j]&0xffffffff)
			i++
			j++
		}
	}
	return sc
}

// sizeTooDifferent is the early exit of estimate_similarity: git does not
// consider pairs whose size difference alone rules out minScore.
func sizeTooDifferent(srcSize, dstSize uint64, minScore int) bool {
	maxSize, baseSize := max(srcSize, dstSize), min(srcSize, dstSize)
	delta := maxSize - baseSize
	return maxSize*uint64(MaxScore-minScore) < delta*MaxScore
}

// scoreFromCopied is the final computation of estimate_similarity.
func scoreFromCopied(copied, srcSize, dstSize uint64) int {
	if dstSize == 0 {
		return 0
	}
	return int(copied * MaxScore / max(srcSize, dstSize))
}

// SimilarityMin mirrors estimate_similarity of diffcore-rename.c for two
// regular files: the share of dst's material copied from src, scaled to
// 0..MaxScore. Pairs whose sizes differ too much to ever reach minScore
// get 0 without looking at the content, as in git.
func SimilarityMin(src, dst []byte, minScore int) int {
	ss, ds := uint64(len(src)), uint64(len(dst))
	if sizeTooDifferent(ss, ds, minScore) {
		return 0
	}
	copied := copiedBytes(hashChars(src, nil), hashChars(dst, nil))
	return scoreFromCopied(copied, ss, ds)
}

// Similarity is SimilarityMin with git's default minimum rename score
// (DefaultRenameScore, 50%). For any pair git reports as an inexact
// rename, this is the score it found.
func Similarity(src, dst []byte) int {
	return SimilarityMin(src, dst, DefaultRenameScore)
}

// SimilarityPercent converts a score to the number git prints in
// "similarity index N%" and in R<NNN> statuses (similarity_index() in
// diff.c).
func SimilarityPercent(score int) int {
	return score * 100 / MaxScore
}
