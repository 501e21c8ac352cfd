package match

import (
	"regexp"
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

var (
	// reLeadTags: leading bracketed tags of any kind ("[v5.14.y]",
	// "[infiniband]", "[PATCH v2 1/3]", "[ofed]").
	reLeadTags = regexp.MustCompile(`^(\s*\[[^\[\]]{1,60}\])+`)
	// reLeadWords: leading provenance words, each followed by a colon.
	reLeadWords = regexp.MustCompile(`(?i)^(\s*(UPSTREAM|BACKPORT|FROMGIT|FROMLIST|ANDROID|CHROMIUM|UBUNTU|SAUCE|NVIDIA|RHEL|PENDING|LOCAL)\s*:)+`)
	// reTailNote: a trailing branch or backport note in parentheses or
	// brackets ("(for 1.6.x)", "(backport)", "[cherry-picked from 6.2]").
	reTailNote = regexp.MustCompile(`(?i)\s*[(\[]\s*(for|backport|backported|cherry[- ]?pick|cherry[- ]picked|partial|stable|v?\d+\.\d+[.\dxy-]*\b)[^()\[\]]*[)\]]$`)
	// reInnerTag: OFED's "[ofed]" marker after the prefix.
	reInnerTag = regexp.MustCompile(`(?i)\[(ofed|mlnx_ofed|backport)\]\s*`)
)

// subjectKey is a subject as compared: lower case, single spaces, without
// branch and backport tags, provenance words, branch notes, a trailing
// period or truncation mark. truncated says the subject ended in a
// truncation mark ("..." or "…").
func subjectKey(s string) (key string, truncated bool) {
	s = strings.TrimSpace(s)
	for {
		t := reLeadTags.ReplaceAllString(s, "")
		t = strings.TrimSpace(reLeadWords.ReplaceAllString(t, ""))
		if t == s {
			break
		}
		s = t
	}
	for {
		t := strings.TrimSpace(reTailNote.ReplaceAllString(s, ""))
		if t == s || t == "" {
			break
		}
		s = t
	}
	s = reInnerTag.ReplaceAllString(s, "")
	switch {
	case strings.HasSuffix(s, "..."):
		s, truncated = strings.TrimRight(s, ". "), true
	case strings.HasSuffix(s, "…"):
		s, truncated = strings.TrimSpace(strings.TrimSuffix(s, "…")), true
	default:
		s = strings.TrimRight(s, ". ")
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " ")), truncated
}

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

// sameSubject says whether two subjects agree (see keysAgree).
func sameSubject(a, b string) bool { return keysAgree(normSubject(a), normSubject(b)) }

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
