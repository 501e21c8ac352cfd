// Package fingerprint turns a change (the files of a commit, or the text
// of a patch) into what kdelta keeps of it: the diff in git's format, the
// stable patch-id of the whole change and of each file, exactly as
// `git patch-id --stable` computes them, and the fuzzy signature the
// matcher needs.
package fingerprint

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"hash"
)

// PatchID computes a stable patch-id the way git 2.39's builtin/patch-id.c
// does, one line at a time: lines before the first "diff " line are
// ignored, whitespace is removed from every hashed line, hunk headers are
// not hashed (so line numbers do not count), "index" lines are not hashed
// but remember the blob ids a binary diff is hashed by, and every file's
// hunks are hashed separately and summed, so the order of files does not
// matter.
type PatchID struct {
	sum      [sha1.Size]byte
	h        hash.Hash
	before   int
	after    int
	patchlen int
	binary   bool
	done     bool // git stops reading a patch at a line it cannot place
	pre      []byte
	post     []byte
	scratch  []byte
}

// NewPatchID returns an empty patch-id accumulator.
func NewPatchID() *PatchID {
	p := &PatchID{h: sha1.New()}
	p.Reset()
	return p
}

// Reset starts a new patch.
func (p *PatchID) Reset() {
	p.sum = [sha1.Size]byte{}
	p.h.Reset()
	p.before, p.after = -1, -1
	p.patchlen = 0
	p.binary = false
	p.done = false
	p.pre = p.pre[:0]
	p.post = p.post[:0]
}

// flush adds the current hunk's hash to the sum, with carry, as git's
// flush_one_hunk does.
func (p *PatchID) flush() {
	var h [sha1.Size]byte
	p.h.Sum(h[:0])
	p.h.Reset()
	addSum(&p.sum, h)
}

// Line feeds one line of the patch, with or without its newline.
func (p *PatchID) Line(line []byte) {
	if p.done {
		return
	}
	// "\ No newline at end of file" markers are not part of the patch.
	if len(line) > 12 && line[0] == '\\' && line[1] == ' ' {
		return
	}
	if p.patchlen == 0 && !bytes.HasPrefix(line, []byte("diff ")) {
		return
	}
	if p.before == -1 {
		switch {
		case bytes.HasPrefix(line, []byte("GIT binary patch")), bytes.HasPrefix(line, []byte("Binary files")):
			p.binary = true
			p.before = 0
			p.h.Write(p.pre)
			p.h.Write(p.post)
			p.flush()
			return
		case bytes.HasPrefix(line, []byte("index ")):
			p.parseIndex(line)
			return
		case bytes.HasPrefix(line, []byte("--- ")):
			p.before, p.after = 1, 1
		case len(line) == 0 || !isAlpha(line[0]):
			p.done = true
			return
		}
	}
	if p.binary {
		// Nothing of a binary diff is hashed after its ids, not even the
		// "diff " line that starts the next file.
		if bytes.HasPrefix(line, []byte("diff ")) {
			p.binary = false
			p.before = -1
		}
		return
	}
	if p.before == 0 && p.after == 0 {
		if bytes.HasPrefix(line, []byte("@@ -")) {
			scanHunkHeader(line, &p.before, &p.after)
			return
		}
		if !bytes.HasPrefix(line, []byte("diff ")) {
			p.done = true
			return
		}
		p.flush()
		p.before, p.after = -1, -1
	}
	if len(line) > 0 {
		switch line[0] {
		case '-':
			p.before--
		case '+':
			p.after--
		case ' ':
			p.before--
			p.after--
		}
	}
	p.scratch = p.scratch[:0]
	for _, c := range line {
		if !isSpace(c) {
			p.scratch = append(p.scratch, c)
		}
	}
	p.patchlen += len(p.scratch)
	p.h.Write(p.scratch)
}

// parseIndex remembers the blob ids of an "index A..B[ mode]" line, as
// written (abbreviated), for a binary diff that may follow.
func (p *PatchID) parseIndex(line []byte) {
	dots := bytes.Index(line, []byte(".."))
	if dots < len("index ") {
		return
	}
	// The new id ends at the next space, or else git drops the line's last
	// character (its newline).
	end := bytes.IndexByte(line[dots:], ' ')
	if end >= 0 {
		end += dots
	} else {
		end = len(line) - 1
	}
	p.pre = append(p.pre[:0], line[len("index "):dots]...)
	p.post = p.post[:0]
	if dots+2 < end {
		p.post = append(p.post, line[dots+2:end]...)
	}
}

// Sum finishes the patch and returns its id in hex, or "" when the patch
// had nothing to hash (git prints nothing then).
func (p *PatchID) Sum() string {
	raw, ok := p.SumRaw()
	if !ok {
		return ""
	}
	return hex.EncodeToString(raw[:])
}

// SumRaw finishes the patch and returns its id, and false when the patch
// had nothing to hash.
func (p *PatchID) SumRaw() ([sha1.Size]byte, bool) {
	p.flush()
	return p.sum, p.patchlen > 0
}

// addSum adds b to a the way git adds hunk hashes: as little-endian
// 160-bit numbers, the last carry dropped.
func addSum(a *[sha1.Size]byte, b [sha1.Size]byte) {
	carry := 0
	for i := range a {
		carry += int(a[i]) + int(b[i])
		a[i] = byte(carry)
		carry >>= 8
	}
}

// scanHunkHeader reads the old and new line counts of "@@ -a,b +c,d @@";
// a count that is left out is 1. It leaves before/after alone on a header
// it cannot read, as git does.
func scanHunkHeader(line []byte, before, after *int) {
	q := line[4:]
	n := digits(q)
	if n < len(q) && q[n] == ',' {
		q = q[n+1:]
		n = digits(q)
	}
	if n == 0 || n+1 >= len(q) || q[n] != ' ' || q[n+1] != '+' {
		return
	}
	b := atoi(q[:n])
	r := q[n+2:]
	n = digits(r)
	if n < len(r) && r[n] == ',' {
		r = r[n+1:]
		n = digits(r)
	}
	if n == 0 {
		return
	}
	*before = b
	*after = atoi(r[:n])
}

func digits(b []byte) int {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

func atoi(b []byte) int {
	v := 0
	for _, c := range b {
		v = v*10 + int(c-'0')
		if v > 1<<30 {
			return 1 << 30
		}
	}
	return v
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// Text computes the stable patch-id of a whole patch text (for example a
// patch file, or `git show` output of one commit).
func Text(patch []byte) string {
	p := NewPatchID()
	for len(patch) > 0 {
		i := bytes.IndexByte(patch, '\n')
		var line []byte
		if i < 0 {
			line, patch = patch, nil
		} else {
			line, patch = patch[:i+1], patch[i+1:]
		}
		p.Line(line)
	}
	return p.Sum()
}
