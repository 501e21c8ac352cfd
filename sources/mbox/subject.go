package mbox

import (
	"strings"
)

// Tags is what a patch subject's bracket prefix says. For
// "[PATCH rdma-next v3 02/10] RDMA/mlx5: Fix x": Prefixes
// ["PATCH" "rdma-next"], Version 3, Index 2, Total 10, Title
// "RDMA/mlx5: Fix x", Patch true, RFC false, Reply false.
type Tags struct {
	// Patch is set when the prefix marks a patch posting: a PATCH (or
	// PATCHES, PATCHSET), RFC or RFT tag, or an n/m counter.
	Patch bool
	// RFC is set for an RFC (or RFT) posting.
	RFC bool
	// Reply is set when the subject starts with a reply or forward marker
	// ("Re:", "RE:", "Aw:", "Sv:", "Antw:", "Odp:", "Fwd:", "Fw:",
	// "Re[2]:"), before or between the bracket groups. The brackets after
	// it still fill the other fields: they name the patch replied to.
	Reply bool
	// Prefixes are the words of the leading bracket groups, in order, as
	// written, without the version and the counter ("PATCHv2" gives
	// "PATCH").
	Prefixes []string
	// Version is the series version ("v3", "V3", "PATCHv3", "RFC-v3"); 1
	// when the subject names none.
	Version int
	// Index and Total are the n/m counter; both 0 when there is none. A
	// cover letter has Index 0 and Total > 0. A counter with n > m, or
	// m = 0, is not taken as one (its text stays in Prefixes).
	Index, Total int
	// Title is the rest of the subject after the reply markers and the
	// bracket groups, trimmed.
	Title string
}

// Limits of the subject counters: larger numbers are not read as a
// version or an n/m counter (they stay in Prefixes).
const (
	maxVersion     = 999
	maxSeriesTotal = 9999
)

// Cover reports whether the subject is a cover letter's ("[PATCH 0/5]").
func (t Tags) Cover() bool { return t.Index == 0 && t.Total > 0 }

// ParseSubject parses a decoded, unfolded subject line. It never fails:
// what it cannot read as a tag is left in Prefixes or Title.
func ParseSubject(s string) Tags {
	t := Tags{Version: 1}
	rest := s
	for {
		rest = trimLeftSpace(rest)
		if n := replyMarker(rest); n > 0 {
			t.Reply = true
			rest = rest[n:]
			continue
		}
		if len(rest) > 0 && rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				break // an unclosed bracket is part of the title
			}
			t.group(rest[1:end])
			rest = rest[end+1:]
			continue
		}
		break
	}
	t.Title = trimSpace(rest)
	return t
}

// group reads the words of one bracket group.
func (t *Tags) group(g string) {
	for _, w := range strings.FieldsFunc(g, func(r rune) bool {
		return r == ',' || r == '[' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	}) {
		if v, ok := versionWord(w); ok {
			t.Version = v
			continue
		}
		if i, n, ok := counterWord(w); ok {
			t.Index, t.Total = i, n
			t.Patch = true
			continue
		}
		word, v, hasV := splitAttachedVersion(w)
		if hasV {
			t.Version = v
		}
		switch strings.ToUpper(word) {
		case "PATCH", "PATCHES", "PATCHSET":
			t.Patch = true
		case "RFC", "RFT":
			t.Patch = true
			t.RFC = true
		}
		t.Prefixes = append(t.Prefixes, word)
	}
}

// replyMarker returns the length of the reply or forward marker s starts
// with ("Re:", "RE: ", "Re[2]:", "Fwd:"), or 0.
func replyMarker(s string) int {
	i := 0
	for i < len(s) && i < 6 && isLetter(s[i]) {
		i++
	}
	if i == 0 || i == len(s) {
		return 0
	}
	switch strings.ToLower(s[:i]) {
	case "re", "aw", "sv", "antw", "odp", "fwd", "fw":
	default:
		return 0
	}
	if s[i] == '[' { // "Re[2]:"
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 || j >= len(s) || s[j] != ']' {
			return 0
		}
		i = j + 1
	}
	if i >= len(s) || s[i] != ':' {
		return 0
	}
	return i + 1
}

// versionWord reads "v3", "V3" or "v3.1" (the minor part is dropped).
func versionWord(w string) (int, bool) {
	if len(w) < 2 || (w[0] != 'v' && w[0] != 'V') {
		return 0, false
	}
	num := w[1:]
	if dot := strings.IndexByte(num, '.'); dot > 0 {
		if !allDigits(num[dot+1:]) {
			return 0, false
		}
		num = num[:dot]
	}
	n, ok := smallNumber(num, maxVersion)
	if !ok || n < 1 {
		return 0, false
	}
	return n, true
}

// splitAttachedVersion splits "PATCHv2", "PATCH-v2", "PATCH_v2" and
// "RFCv2" into the word and the version.
func splitAttachedVersion(w string) (string, int, bool) {
	up := strings.ToUpper(w)
	for _, word := range [...]string{"PATCH", "RFC"} {
		if !strings.HasPrefix(up, word) || len(w) <= len(word) {
			continue
		}
		rest := w[len(word):]
		if rest[0] == '-' || rest[0] == '_' {
			rest = rest[1:]
		}
		if v, ok := versionWord(rest); ok {
			return w[:len(word)], v, true
		}
	}
	return w, 0, false
}

// counterWord reads "2/10" or "02/10" with 0 <= n <= m and m >= 1.
func counterWord(w string) (index, total int, ok bool) {
	slash := strings.IndexByte(w, '/')
	if slash <= 0 {
		return 0, 0, false
	}
	i, ok1 := smallNumber(w[:slash], maxSeriesTotal)
	n, ok2 := smallNumber(w[slash+1:], maxSeriesTotal)
	if !ok1 || !ok2 || n < 1 || i > n {
		return 0, 0, false
	}
	return i, n, true
}

// smallNumber parses a decimal number of at most max.
func smallNumber(s string, max int) (int, bool) {
	if s == "" || len(s) > 6 || !allDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimLeftSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

func trimSpace(s string) string {
	s = trimLeftSpace(s)
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
