package fingerprint

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/gitdiff"
)

// File is one file's change as a tree walk found it.
type File struct {
	OldPath, NewPath string // "" on the side where the file does not exist
	OldMode, NewMode uint32 // 0 on the side where the file does not exist
	OldID, NewID     string // blob ids abbreviated as git prints them on its "index" line
	Old, New         []byte // contents (a symlink's target, a submodule's "Subproject commit X\n")
	Similarity       int    // for a rename: the percent git prints
}

const (
	modeTypeMask = 0o170000
	modeSymlink  = 0o120000
	modeGitlink  = 0o160000
)

// Builder writes changes in git's diff format and fingerprints them. It
// reuses its buffers: one Builder per goroutine.
type Builder struct {
	text  []byte
	whole *PatchID
	file  *PatchID
}

// NewBuilder returns a Builder.
func NewBuilder() *Builder {
	return &Builder{whole: NewPatchID(), file: NewPatchID()}
}

// Change is a fingerprinted change.
type Change struct {
	PatchID string        // of the whole change; "" if git would print none
	Files   []change.File // one per file, in diff order
	Text    []byte        // the diff as `git show` prints it; valid until the next Build
}

// Build writes the files' diff as `git log -p` prints it and computes the
// patch-ids and fuzzy signature. files must be in git's output order.
func (b *Builder) Build(files []File) Change {
	b.text = b.text[:0]
	var out []change.File
	// The whole change's patch-id is the sum of its files' when every file
	// ends in a hunk: git flushes at each file boundary then. A file
	// without hunks (a mode change, a pure rename, a new empty file) or a
	// binary one makes git hash across the boundary, so then the whole
	// text is hashed again.
	var whole [sha1.Size]byte
	summable, any := true, false
	add := func(f change.File, raw [sha1.Size]byte, ok bool) {
		out = append(out, f)
		if f.Binary || f.Added+f.Deleted == 0 || !ok {
			summable = false
			return
		}
		any = true
		addSum(&whole, raw)
	}
	for i := range files {
		f := &files[i]
		if f.OldMode != 0 && f.NewMode != 0 && f.OldMode&modeTypeMask != f.NewMode&modeTypeMask {
			// git splits a change between file, symlink and submodule into
			// a deletion and a creation.
			del := File{OldPath: f.OldPath, OldMode: f.OldMode, OldID: f.OldID, Old: f.Old, NewID: zeroID(f.NewID)}
			addition := File{NewPath: f.NewPath, NewMode: f.NewMode, NewID: f.NewID, New: f.New, OldID: zeroID(f.OldID)}
			add(b.one(&del))
			add(b.one(&addition))
			continue
		}
		add(b.one(f))
	}
	id := ""
	switch {
	case summable && any:
		id = hex.EncodeToString(whole[:])
	case len(out) > 0:
		b.whole.Reset()
		for body := b.text; len(body) > 0; {
			i := bytes.IndexByte(body, '\n')
			b.whole.Line(body[:i+1])
			body = body[i+1:]
		}
		id = b.whole.Sum()
	}
	return Change{PatchID: id, Files: out, Text: b.text}
}

func zeroID(like string) string {
	n := len(like)
	if n == 0 {
		n = 7
	}
	return string(bytes.Repeat([]byte{'0'}, n))
}

// one writes one file's diff, computes its patch-id and returns its record
// with the raw patch-id sum.
func (b *Builder) one(f *File) (change.File, [sha1.Size]byte, bool) {
	start := len(b.text)
	rec := change.File{Path: f.NewPath, Status: change.Modified}
	switch {
	case f.OldPath == "":
		rec.Status = change.Added
	case f.NewPath == "":
		rec.Status = change.Deleted
		rec.Path = f.OldPath
	case f.OldPath != f.NewPath:
		rec.Status = change.Renamed
		rec.OldPath = f.OldPath
	}
	nameA, nameB := f.OldPath, f.NewPath
	if nameA == "" {
		nameA = nameB
	}
	if nameB == "" {
		nameB = nameA
	}
	t := b.text
	t = append(t, "diff --git "...)
	t = appendQuoted2(t, "a/", nameA, "b/", nameB)
	t = append(t, '\n')
	mustShow := false
	switch {
	case f.OldPath == "":
		t = fmt.Appendf(t, "new file mode %06o\n", f.NewMode)
		mustShow = true
	case f.NewPath == "":
		t = fmt.Appendf(t, "deleted file mode %06o\n", f.OldMode)
		mustShow = true
	case f.OldMode != f.NewMode:
		t = fmt.Appendf(t, "old mode %06o\nnew mode %06o\n", f.OldMode, f.NewMode)
		mustShow = true
	}
	if rec.Status == change.Renamed {
		t = fmt.Appendf(t, "similarity index %d%%\nrename from ", f.Similarity)
		t = appendQuoted(t, "", f.OldPath)
		t = append(t, "\nrename to "...)
		t = appendQuoted(t, "", f.NewPath)
		t = append(t, '\n')
		mustShow = true
	}
	if f.OldID != f.NewID || !bytes.Equal(f.Old, f.New) {
		t = append(t, "index "...)
		t = append(t, f.OldID...)
		t = append(t, ".."...)
		t = append(t, f.NewID...)
		if f.OldMode == f.NewMode {
			t = fmt.Appendf(t, " %06o", f.OldMode)
		}
		t = append(t, '\n')
	}
	header := len(t)
	lblA, lblB := "/dev/null", "/dev/null"
	if f.OldPath != "" {
		lblA = string(appendQuoted(nil, "a/", nameA))
	}
	if f.NewPath != "" {
		lblB = string(appendQuoted(nil, "b/", nameB))
	}
	same := bytes.Equal(f.Old, f.New)
	switch {
	case same:
	case isBinary(f.OldMode, f.Old) || isBinary(f.NewMode, f.New):
		rec.Binary = true
		t = append(t, "Binary files "...)
		t = append(t, lblA...)
		t = append(t, " and "...)
		t = append(t, lblB...)
		t = append(t, " differ\n"...)
	default:
		t = append(t, "--- "...)
		t = append(t, lblA...)
		if bytes.IndexByte([]byte(nameA), ' ') >= 0 && f.OldPath != "" {
			t = append(t, '\t')
		}
		t = append(t, "\n+++ "...)
		t = append(t, lblB...)
		if bytes.IndexByte([]byte(nameB), ' ') >= 0 && f.NewPath != "" {
			t = append(t, '\t')
		}
		t = append(t, '\n')
		t = gitdiff.Unified(t, f.Old, f.New)
	}
	if len(t) == header && !mustShow {
		// git shows nothing for this pair.
		b.text = t[:start]
		return rec, [sha1.Size]byte{}, false
	}
	b.text = t
	b.file.Reset()
	inHunk := false
	for body := b.text[start:]; len(body) > 0; {
		i := bytes.IndexByte(body, '\n')
		line := body[:i+1]
		body = body[i+1:]
		b.file.Line(line)
		if !inHunk {
			inHunk = bytes.HasPrefix(line, []byte("@@ -"))
			continue
		}
		switch line[0] {
		case '+':
			rec.Added++
			if h, ok := signatureHash(line[1:]); ok {
				rec.Plus = append(rec.Plus, h)
			}
		case '-':
			rec.Deleted++
			if h, ok := signatureHash(line[1:]); ok {
				rec.Minus = append(rec.Minus, h)
			}
		}
	}
	raw, ok := b.file.SumRaw()
	if ok {
		rec.PatchID = hex.EncodeToString(raw[:])
	}
	return rec, raw, ok
}

// isBinary is git's test, applied to regular files; a submodule or a
// symlink is never binary.
func isBinary(mode uint32, data []byte) bool {
	if mode&modeTypeMask == modeGitlink || mode&modeTypeMask == modeSymlink {
		return false
	}
	return gitdiff.IsBinary(data)
}

// signatureHash normalizes one changed line for the fuzzy signature: all
// whitespace removed, and lines that say nothing on their own (blank
// lines, lone braces, preprocessor guards such as OFED's #ifdef HAVE_*
// wrappers) left out, so that a reworked or wrapped backport keeps the
// signature of its original.
func signatureHash(line []byte) (uint64, bool) {
	var buf [256]byte
	norm := buf[:0]
	for _, c := range line {
		if !isSpace(c) {
			norm = append(norm, c)
		}
	}
	if len(norm) == 0 || trivialLine(norm) {
		return 0, false
	}
	h := fnv.New64a()
	h.Write(norm)
	return h.Sum64(), true
}

var trivialLines = map[string]bool{
	"{": true, "}": true, "};": true, "})": true, "});": true, "(": true, ")": true, ");": true,
	"/*": true, "*/": true, "*": true, "//": true,
	"else": true, "}else{": true, "}else": true, "else{": true,
	"break;": true, "continue;": true, "return;": true, "returnret;": true, "return0;": true,
	"#else": true, "#endif": true, "default:": true,
}

func trivialLine(norm []byte) bool {
	if trivialLines[string(norm)] {
		return true
	}
	for _, p := range [][]byte{[]byte("#ifdefHAVE_"), []byte("#ifndefHAVE_"), []byte("#ifHAVE_"),
		[]byte("#ifdefined(HAVE_"), []byte("#if!defined(HAVE_"), []byte("#elifdefined(HAVE_"),
		[]byte("#endif/*HAVE_"), []byte("#else/*HAVE_"), []byte("#endif//HAVE_")} {
		if bytes.HasPrefix(norm, p) {
			return true
		}
	}
	return false
}

// appendQuoted appends prefix+name, quoted the way git's quote_c_style
// does with core.quotePath on: in double quotes with C escapes when the
// name has a control character, a double quote, a backslash or a byte
// of 0x80 and above.
func appendQuoted(dst []byte, prefix, name string) []byte {
	if !needsQuote(prefix) && !needsQuote(name) {
		dst = append(dst, prefix...)
		return append(dst, name...)
	}
	dst = append(dst, '"')
	dst = appendEscaped(dst, prefix)
	dst = appendEscaped(dst, name)
	return append(dst, '"')
}

// appendQuoted2 appends "a/x b/y" as git's quote_two does for each half.
func appendQuoted2(dst []byte, p1, n1, p2, n2 string) []byte {
	dst = appendQuoted(dst, p1, n1)
	dst = append(dst, ' ')
	return appendQuoted(dst, p2, n2)
}

func needsQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			return true
		}
	}
	return false
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\v':
			dst = append(dst, '\\', 'v')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			if c < 0x20 || c >= 0x7f {
				dst = append(dst, '\\')
				dst = strconv.AppendUint(dst, uint64(c>>6)&7, 10)
				dst = strconv.AppendUint(dst, uint64(c>>3)&7, 10)
				dst = strconv.AppendUint(dst, uint64(c)&7, 10)
			} else {
				dst = append(dst, c)
			}
		}
	}
	return dst
}
