package match

import (
	"sort"
	"strings"
)

// Subjects as compared. Release branches and the tools around them dress a
// backport's subject: a branch tag in front ("[v1.18.x] prov/efa: ...",
// "[backport]", "[PATCH 6.1 v2 3/7]", "[cherry-picked]"), a provenance
// word (Android's and ChromeOS's "UPSTREAM:", "BACKPORT:", "FROMGIT:",
// "FROMLIST:", Ubuntu's "UBUNTU: SAUCE:"), a branch note behind ("(for
// 1.6.x)"), a trailing period, and title limits cut it short, sometimes
// with "...". subjectKey takes all of that off; two subjects agree when
// their keys are equal, or when one key is a truncation of the other.

// leadWords are provenance words that prefix a subject, each followed by
// a colon.
var leadWords = [...]string{"upstream", "backport", "fromgit", "fromlist", "android", "chromium", "ubuntu", "sauce",
	"nvidia", "rhel", "pending", "local"}

// tailWords open a trailing branch or backport note: "(for 1.6.x)",
// "(backport)", "[cherry-picked from 6.2]".
var tailWords = [...]string{"for ", "backport", "cherry-pick", "cherry pick", "cherrypick", "partial", "stable"}

// subjectKey is a subject as compared: lower case, single spaces, without
// branch and backport tags, provenance words, branch notes, a trailing
// period or truncation mark. truncated says the subject ended in a
// truncation mark ("..." or "…"). It runs on every upstream subject, so
// it is written out rather than in regular expressions.
func subjectKey(s string) (key string, truncated bool) {
	s = strings.TrimSpace(s)
	for changed := true; changed; {
		changed = false
		// Leading bracketed tags of any kind ("[v5.14.y]", "[PATCH v2
		// 1/3]", "[infiniband]").
		for len(s) > 0 && s[0] == '[' {
			j := strings.IndexByte(s, ']')
			if j < 0 || j > 61 || strings.IndexByte(s[1:j], '[') >= 0 {
				break
			}
			s, changed = strings.TrimSpace(s[j+1:]), true
		}
		// Leading provenance words ("BACKPORT:", "UBUNTU: SAUCE:").
		for _, w := range leadWords {
			if len(s) > len(w) && strings.EqualFold(s[:len(w)], w) {
				rest := strings.TrimLeft(s[len(w):], " \t")
				if len(rest) > 0 && rest[0] == ':' {
					s, changed = strings.TrimSpace(rest[1:]), true
				}
			}
		}
	}
	// Trailing branch notes.
	for len(s) > 0 && (s[len(s)-1] == ')' || s[len(s)-1] == ']') {
		open := byte('(')
		if s[len(s)-1] == ']' {
			open = '['
		}
		i := strings.LastIndexByte(s, open)
		if i <= 0 || !tailNote(s[i+1:len(s)-1]) {
			break
		}
		s = strings.TrimSpace(s[:i])
	}
	// OFED's "[ofed]" marker after the prefix.
	if i := strings.IndexByte(s, '['); i >= 0 {
		for _, m := range []string{"[ofed] ", "[mlnx_ofed] ", "[backport] "} {
			if j := indexFold(s, m); j >= 0 {
				s = s[:j] + s[j+len(m):]
			}
		}
	}
	switch {
	case strings.HasSuffix(s, "..."):
		s, truncated = strings.TrimRight(s, ". "), true
	case strings.HasSuffix(s, "…"):
		s, truncated = strings.TrimSpace(strings.TrimSuffix(s, "…")), true
	default:
		s = strings.TrimRight(s, ". ")
	}
	s = strings.ToLower(s)
	if strings.Contains(s, "  ") || strings.ContainsAny(s, "\t\r\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s, truncated
}

// tailNote says whether the text of a trailing parenthesis is a branch
// or backport note: it starts with a note word or a version ("5.14.y",
// "v6.1").
func tailNote(in string) bool {
	in = strings.TrimSpace(in)
	for _, w := range tailWords {
		if len(in) >= len(w) && strings.EqualFold(in[:len(w)], w) {
			return true
		}
	}
	v := strings.TrimPrefix(strings.TrimPrefix(in, "v"), "V")
	d := 0
	for d < len(v) && v[d] >= '0' && v[d] <= '9' {
		d++
	}
	return d > 0 && d+1 < len(v) && v[d] == '.' && v[d+1] >= '0' && v[d+1] <= '9'
}

// indexFold is strings.Index, ASCII case folded.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// SubjectKey is a subject as the matcher compares it: lower case, without
// branch and backport tags, provenance words, branch notes, a trailing
// period or truncation mark. Two commits whose keys are equal have the
// same subject.
func SubjectKey(s string) string { return normSubject(s) }

// normSubject is the key of a subject (see subjectKey).
func normSubject(s string) string {
	k, _ := subjectKey(s)
	return k
}

// minTruncated: a subject shorter than this (its key) never agrees with
// a longer one as its truncation: "net/mlx5: Fix" says nothing.
const minTruncated = 28

// maxTruncatedPeers: a truncated subject agrees with the upstream
// subjects it begins only when they are this few.
const maxTruncatedPeers = 3

// keysAgree says whether two subject keys agree: equal, or one a
// truncation of the other (its beginning, at least minTruncated long).
func keysAgree(a, b string) bool {
	if a == b {
		return a != ""
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= minTruncated && strings.HasPrefix(b, a)
}

// subjectPeers are the upstream commits whose subject agrees with s: the
// same key, or, when there are none, the few whose key s truncates or
// that truncates s.
func (ix *Index) subjectPeers(s string) []int32 {
	k := normSubject(s)
	if k == "" {
		return nil
	}
	if ks := ix.bySubject[k]; len(ks) > 0 {
		return ks
	}
	if len(k) < minTruncated {
		return nil
	}
	var out []int32
	keys := 0
	// Upstream subjects that k begins (k was cut short).
	for i := sort.SearchStrings(ix.subjectKeys, k); i < len(ix.subjectKeys) && strings.HasPrefix(ix.subjectKeys[i], k); i++ {
		if keys++; keys > maxTruncatedPeers {
			return nil
		}
		out = append(out, ix.bySubject[ix.subjectKeys[i]]...)
	}
	// Upstream subjects that begin k (the upstream one was cut short, or
	// the downstream one has words behind it).
	for n := len(k) - 1; n >= minTruncated; n-- {
		if k[n] != ' ' {
			continue
		}
		if ks := ix.bySubject[k[:n]]; len(ks) > 0 {
			if keys++; keys > maxTruncatedPeers {
				return nil
			}
			out = append(out, ks...)
		}
	}
	return out
}
