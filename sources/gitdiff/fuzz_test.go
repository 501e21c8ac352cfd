package gitdiff

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// splitRecords splits data into lines, each keeping its '\n' (the last
// one possibly without).
func splitRecords(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// parseRange parses "12" or "12,3" of a hunk header.
func parseRange(s string) (start, count int, err error) {
	count = 1
	if a, b, ok := bytes.Cut([]byte(s), []byte(",")); ok {
		if count, err = strconv.Atoi(string(b)); err != nil {
			return 0, 0, err
		}
		s = string(a)
	}
	start, err = strconv.Atoi(s)
	return start, count, err
}

// applyUnified checks the structure of Unified's output for a -> b and
// applies it to a, returning the reconstructed new file.
func applyUnified(a, out []byte) ([]byte, error) {
	old := splitRecords(a)
	lines := splitRecords(out)
	var res []byte
	pos := 0      // next line of old to copy
	prevEnd := -1 // old-file end (exclusive, 0-based) of the previous hunk
	hunkCount := 0
	for i := 0; i < len(lines); {
		h := lines[i]
		var r1, r2 string
		if n, _ := fmt.Sscanf(string(h), "@@ -%s +%s @@\n", &r1, &r2); n != 2 || !bytes.HasSuffix(h, []byte(" @@\n")) {
			return nil, fmt.Errorf("line %d: expected hunk header, got %q", i+1, h)
		}
		s1, c1, err1 := parseRange(r1)
		s2, c2, err2 := parseRange(r2)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad hunk header %q", h)
		}
		hunkCount++
		i++
		// 0-based index of the first old line of the hunk.
		start1 := s1 - 1
		if c1 == 0 {
			start1 = s1
		}
		start2 := s2 - 1
		if c2 == 0 {
			start2 = s2
		}
		if start1 < pos || start1 > len(old) {
			return nil, fmt.Errorf("hunk %q out of order or out of range", h)
		}
		if prevEnd >= 0 && start1 <= prevEnd {
			return nil, fmt.Errorf("hunk %q touches the previous hunk (should have been merged)", h)
		}
		for ; pos < start1; pos++ {
			res = append(res, old[pos]...)
		}
		if got := bytes.Count(res, []byte{'\n'}); got != start2 {
			return nil, fmt.Errorf("hunk %q: new start %d but %d lines precede it", h, start2, got)
		}
		n1, n2 := 0, 0
		for i < len(lines) && lines[i][0] != '@' {
			l := lines[i]
			body := l[1:]
			noNL := i+1 < len(lines) && bytes.Equal(lines[i+1], []byte(noNewline[1:]))
			if noNL {
				body = body[:len(body)-1]
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(old) || !bytes.Equal(old[pos], body) {
					return nil, fmt.Errorf("hunk %q: line %q does not match old line %d", h, l, pos+1)
				}
				if noNL && pos != len(old)-1 {
					return nil, fmt.Errorf("no-newline marker after old line %d of %d", pos+1, len(old))
				}
				pos++
				n1++
				if l[0] == ' ' {
					res = append(res, body...)
					n2++
				}
			case '+':
				res = append(res, body...)
				n2++
			default:
				return nil, fmt.Errorf("unexpected line %q", l)
			}
			i++
			if noNL {
				i++
			}
		}
		if n1 != c1 || n2 != c2 {
			return nil, fmt.Errorf("hunk %q: counts %d,%d but body has %d,%d", h, c1, c2, n1, n2)
		}
		if n1 == 0 && n2 == 0 {
			return nil, fmt.Errorf("empty hunk %q", h)
		}
		prevEnd = pos
	}
	res = append(res, bytes.Join(old[pos:], nil)...)
	if hunkCount == 0 && len(out) != 0 {
		return nil, fmt.Errorf("output without hunks: %q", out)
	}
	return res, nil
}

// checkUnifiedInvariants verifies Unified's output for a -> b without
// git.
func checkUnifiedInvariants(t *testing.T, a, b []byte) {
	t.Helper()
	out := Unified(nil, a, b)
	if bytes.Equal(a, b) {
		if len(out) != 0 {
			t.Fatalf("identical inputs gave output %q", out)
		}
		return
	}
	if len(out) == 0 {
		t.Fatalf("different inputs gave no hunks")
	}
	got, err := applyUnified(a, out)
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("applying the hunks to a does not give b\n got: %q\nwant: %q\noutput:\n%s", got, b, out)
	}
	// Appending to a non-empty dst must give the same bytes after it.
	if again := Unified([]byte("x"), a, b); !bytes.Equal(again[1:], out) {
		t.Fatalf("output depends on dst")
	}
}

func FuzzUnified(f *testing.F) {
	for _, c := range handCases() {
		f.Add([]byte(c.a), []byte(c.b))
	}
	for i := 0; i < 20; i++ {
		a, b := randomCase(i*7 + 1)
		f.Add(a, b)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkUnifiedInvariants(t, a, b)
	})
}

// TestUnifiedInvariants runs the fuzz checks over the random corpus, so
// they also run where git is missing.
func TestUnifiedInvariants(t *testing.T) {
	for _, c := range handCases() {
		checkUnifiedInvariants(t, []byte(c.a), []byte(c.b))
		checkUnifiedInvariants(t, []byte(c.b), []byte(c.a))
	}
	for i := 0; i < numRandomCases; i++ {
		a, b := randomCase(i)
		checkUnifiedInvariants(t, a, b)
	}
}

func TestApplyUnifiedRejectsBadOutput(t *testing.T) {
	a := []byte("a\nb\nc\n")
	bad := []string{
		"@@ -1,3 +1,3 @@\n a\n-b\n+B\n",              // counts do not match body
		"@@ -1,3 +1,3 @@\n a\n-x\n+B\n c\n",          // removed line not in a
		"@@ -2 +2 @@\n-b\n+B\n@@ -3 +3 @@\n-c\n+C\n", // adjacent hunks
		"garbage\n",
	}
	for _, out := range bad {
		if _, err := applyUnified(a, []byte(out)); err == nil {
			t.Errorf("applyUnified accepted %q", out)
		}
	}
}

// FuzzUnifiedAgainstGit compares Unified with `git diff --no-index` on
// fuzzed inputs. It needs git and runs one git process per input, so it
// is slow; it skips inputs git would treat as binary.
func FuzzUnifiedAgainstGit(f *testing.F) {
	for _, c := range handCases() {
		f.Add([]byte(c.a), []byte(c.b))
	}
	requireGit(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if IsBinary(a) || IsBinary(b) {
			t.Skip("binary")
		}
		g := &gitDiffer{t: t, dir: dir}
		want := g.hunks(a, b)
		if got := Unified(nil, a, b); !bytes.Equal(got, want) {
			t.Fatalf("Unified disagrees with git\n%s", firstDifference(got, want))
		}
	})
}
