package gitdiff

import (
	"bytes"
	"strconv"
)

const noNewline = "\n\\ No newline at end of file\n"

// Unified appends to dst the hunks of the diff from a to b exactly as
// `git diff` (git 2.39, default Myers algorithm, indent heuristic, -U3, no
// whitespace options) prints them after the "+++" line, except that hunk
// headers carry no function name: "@@ -l,s +l,s @@\n" followed by ' ', '-'
// and '+' lines and "\ No newline at end of file" markers. Identical inputs
// produce no hunks.
//
// Unified treats its inputs as text; callers should check IsBinary first,
// as git prints "Binary files differ" instead of hunks for binary blobs.
func Unified(dst, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return dst
	}
	w := workspacePool.Get().(*workspace)
	w.diff(a, b)
	dst = w.emit(dst)
	w.release()
	workspacePool.Put(w)
	return dst
}

// release drops references to the caller's data so the pool does not pin
// it.
func (w *workspace) release() {
	w.f1.data, w.f2.data = nil, nil
	clear(w.cf.line)
	w.cf.line = w.cf.line[:0]
}

// emit mirrors xdl_emit_diff with xdl_get_hunk for ctxlen 3 and
// interhunkctxlen 0.
func (w *workspace) emit(dst []byte) []byte {
	const maxCommon = 2*contextLines + interHunkLines
	s := w.script
	f1, f2 := &w.f1, &w.f2
	for k := 0; k < len(s); {
		// xdl_get_hunk: the last change that belongs in this hunk.
		e := k
		for e+1 < len(s) && s[e+1].i1-(s[e].i1+s[e].chg1) <= maxCommon {
			e++
		}
		xch, xche := s[k], s[e]

		s1 := max(xch.i1-contextLines, 0)
		s2 := max(xch.i2-contextLines, 0)
		lctx := contextLines
		lctx = min(lctx, f1.nrec-(xche.i1+xche.chg1))
		lctx = min(lctx, f2.nrec-(xche.i2+xche.chg2))
		e1 := xche.i1 + xche.chg1 + lctx
		e2 := xche.i2 + xche.chg2 + lctx

		dst = appendHunkHeader(dst, s1+1, e1-s1, s2+1, e2-s2)

		// Pre-context.
		for ; s1 < xch.i1; s1++ {
			dst = appendRecord(dst, ' ', f1.rec(s1))
		}
		s1, s2 = xch.i1, xch.i2
		for j := k; ; j++ {
			c := s[j]
			// Context between the previous change and this one.
			for ; s1 < c.i1 && s2 < c.i2; s1, s2 = s1+1, s2+1 {
				dst = appendRecord(dst, ' ', f1.rec(s1))
			}
			for r := c.i1; r < c.i1+c.chg1; r++ {
				dst = appendRecord(dst, '-', f1.rec(r))
			}
			for r := c.i2; r < c.i2+c.chg2; r++ {
				dst = appendRecord(dst, '+', f2.rec(r))
			}
			if j == e {
				break
			}
			s1 = c.i1 + c.chg1
			s2 = c.i2 + c.chg2
		}

		// Post-context.
		for s1 = xche.i1 + xche.chg1; s1 < e1; s1++ {
			dst = appendRecord(dst, ' ', f1.rec(s1))
		}
		k = e + 1
	}
	return dst
}

// appendHunkHeader mirrors xdl_emit_hunk_hdr (without a function name).
func appendHunkHeader(dst []byte, s1, c1, s2, c2 int) []byte {
	dst = append(dst, "@@ -"...)
	if c1 == 0 {
		s1--
	}
	dst = strconv.AppendInt(dst, int64(s1), 10)
	if c1 != 1 {
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(c1), 10)
	}
	dst = append(dst, " +"...)
	if c2 == 0 {
		s2--
	}
	dst = strconv.AppendInt(dst, int64(s2), 10)
	if c2 != 1 {
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(c2), 10)
	}
	return append(dst, " @@\n"...)
}

// appendRecord mirrors xdl_emit_diffrec.
func appendRecord(dst []byte, prefix byte, rec []byte) []byte {
	dst = append(dst, prefix)
	dst = append(dst, rec...)
	if len(rec) > 0 && rec[len(rec)-1] != '\n' {
		dst = append(dst, noNewline...)
	}
	return dst
}

// IsBinary reports whether git considers data binary: it contains a NUL
// byte within its first 8000 bytes (buffer_is_binary in xdiff-interface.c).
func IsBinary(data []byte) bool {
	const firstFewBytes = 8000
	if len(data) > firstFewBytes {
		data = data[:firstFewBytes]
	}
	return bytes.IndexByte(data, 0) >= 0
}
