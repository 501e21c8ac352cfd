package mbox

import (
	"net/url"
	"strings"
	"time"
)

// MinTitleOverlap is how much the patch titles of two versions of a
// series must share, as a fraction of the smaller set, to be taken for the
// same series: half, so that a v2 that drops the patches merged from v1,
// or splits one, still links to it.
const MinTitleOverlap = 0.5

// linkVersions sets each series' Previous: the series an explicit link in
// its cover letter or its patches' notes names as an earlier version
// ("v1: https://lore.kernel.org/r/<msgid>", "Link to v1: ...", "Changes
// since v1 [1]" with "[1] https://..."), else the series by the same
// sender with matching titles (equal after normalisation, or patch titles
// that overlap by MinTitleOverlap of the smaller set) posted before it.
// Only a lower version qualifies; among several, the highest version,
// then the latest posted.
func linkVersions(series []Series) {
	n := len(series)
	byMsg := map[string]int{}
	dates := make([]time.Time, n)
	senders := make([]string, n)
	titles := make([]string, n)
	patchTitles := make([]map[string]bool, n)
	// byTitle finds the series of one sender with a title, or a patch
	// title, in common: the only candidates the title test can accept.
	type senderTitle struct{ sender, title string }
	byTitle := map[senderTitle][]int{}
	for i := range series {
		s := &series[i]
		if s.Cover != nil && s.Cover.MessageID != "" {
			byMsg[s.Cover.MessageID] = i
		}
		for _, p := range s.Patches {
			if p.MessageID != "" {
				byMsg[p.MessageID] = i
			}
		}
		dates[i], senders[i], titles[i] = seriesDate(s), seriesSender(s), normTitle(s.Title)
		patchTitles[i] = map[string]bool{}
		for _, p := range s.Patches {
			if t := normTitle(p.Tags.Title); t != "" {
				patchTitles[i][t] = true
			}
		}
		if senders[i] == "" {
			continue
		}
		keys := map[string]bool{titles[i]: true}
		for t := range patchTitles[i] {
			keys[t] = true
		}
		for t := range keys {
			if t != "" {
				k := senderTitle{senders[i], t}
				byTitle[k] = append(byTitle[k], i)
			}
		}
	}
	for i := range series {
		s := &series[i]
		if s.Version <= 1 {
			continue
		}
		best := -1
		consider := func(j int) {
			t := &series[j]
			if j == i || t.Version >= s.Version {
				return
			}
			if !dates[i].IsZero() && !dates[j].IsZero() && dates[j].After(dates[i]) {
				return
			}
			if best < 0 || t.Version > series[best].Version ||
				t.Version == series[best].Version && dates[j].After(dates[best]) {
				best = j
			}
		}
		for _, id := range seriesLinks(s) {
			if j, ok := byMsg[id]; ok {
				consider(j)
			}
		}
		if best < 0 && senders[i] != "" {
			seen := map[int]bool{}
			check := func(title string) {
				for _, j := range byTitle[senderTitle{senders[i], title}] {
					if seen[j] || j == i || series[j].Version >= s.Version {
						continue
					}
					seen[j] = true
					if titles[i] != "" && titles[i] == titles[j] || overlaps(patchTitles[i], patchTitles[j]) {
						consider(j)
					}
				}
			}
			if titles[i] != "" {
				check(titles[i])
			}
			for t := range patchTitles[i] {
				check(t)
			}
		}
		if best >= 0 {
			s.Previous = series[best].ID
		}
	}
}

// seriesSender is the address that posted a series, lower case.
func seriesSender(s *Series) string {
	if s.Cover != nil {
		return strings.ToLower(s.Cover.FromEmail)
	}
	if len(s.Patches) > 0 {
		return strings.ToLower(s.Patches[0].FromEmail)
	}
	return ""
}

// overlaps reports whether two sets of patch titles share at least
// MinTitleOverlap of the smaller.
func overlaps(a, b map[string]bool) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return false
	}
	common := 0
	for t := range a {
		if b[t] {
			common++
		}
	}
	return float64(common) >= MinTitleOverlap*float64(len(a))
}

// normTitle lower-cases a title, collapses its white space and drops a
// final period.
func normTitle(t string) string {
	t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
	return strings.TrimRight(t, ". ")
}

// seriesLinks returns the message-ids that a series' cover letter and
// patch notes link to as earlier versions.
func seriesLinks(s *Series) []string {
	var ids []string
	if s.Cover != nil {
		ids = append(ids, versionLinks(s.Cover.Body)...)
	}
	for _, p := range s.Patches {
		ids = append(ids, versionLinks(p.Notes)...)
	}
	return ids
}

// versionLinks returns the message-ids of the links in text that are said
// to be an earlier version: on a line, or under a line, that names a
// version ("v1:", "Link to v1:", "previous version"), or a footnote
// "[n] URL" that such a line refers to ("Changes since v1 [1]:").
func versionLinks(text string) []string {
	var ids []string
	notes := map[string]bool{}
	prevVersion := false
	for _, line := range strings.Split(text, "\n") {
		l := trimSpace(line)
		if l == "" {
			continue
		}
		us := urls(l)
		named := namesVersion(withoutURLs(l, us))
		if named {
			for _, n := range footnoteRefs(l) {
				notes[n] = true
			}
		}
		if len(us) > 0 {
			ok := named || prevVersion
			if n, isNote := footnote(l); isNote {
				ok = notes[n]
			}
			if ok {
				for _, u := range us {
					if id := urlMsgID(u); id != "" {
						ids = append(ids, id)
					}
				}
			}
		}
		prevVersion = named && len(us) == 0
	}
	return ids
}

// withoutURLs returns line without the URLs found in it (a message-id
// such as "...-v1-0-...@kernel.org" does not name a version).
func withoutURLs(line string, us []string) string {
	for _, u := range us {
		line = strings.Replace(line, u, " ", 1)
	}
	return line
}

// namesVersion reports whether a line speaks of a version: "v2", "V3",
// "version", "previous", "earlier".
func namesVersion(l string) bool {
	low := strings.ToLower(l)
	if strings.Contains(low, "version") || strings.Contains(low, "previous") || strings.Contains(low, "earlier") {
		return true
	}
	for i := 0; i+1 < len(low); i++ {
		if low[i] == 'v' && isDigit(low[i+1]) && (i == 0 || !isLetter(low[i-1]) && !isDigit(low[i-1])) {
			j := i + 1
			for j < len(low) && isDigit(low[j]) {
				j++
			}
			if j == len(low) || !isLetter(low[j]) {
				return true
			}
		}
	}
	return false
}

// footnoteRefs returns the n of each "[n]" in a line.
func footnoteRefs(l string) []string {
	var out []string
	for {
		i := strings.IndexByte(l, '[')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(l[i:], ']')
		if j < 0 {
			return out
		}
		if n := l[i+1 : i+j]; allDigits(n) && len(n) <= 3 {
			out = append(out, n)
		}
		l = l[i+j+1:]
	}
}

// footnote returns the n of a footnote line "[n] ..." (or "[n]: ...").
func footnote(l string) (string, bool) {
	if !strings.HasPrefix(l, "[") {
		return "", false
	}
	j := strings.IndexByte(l, ']')
	if j < 2 || !allDigits(l[1:j]) {
		return "", false
	}
	return l[1:j], true
}

// urls returns the http(s) URLs of a line, without trailing punctuation
// or enclosing brackets.
func urls(l string) []string {
	var out []string
	for {
		i := strings.Index(l, "http")
		if i < 0 {
			return out
		}
		rest := l[i:]
		if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
			l = rest[4:]
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '>' || r == '"' || r == '\'' || r == ')' || r == ']'
		})
		if end < 0 {
			end = len(rest)
		}
		out = append(out, strings.TrimRight(rest[:end], ".,;:"))
		l = rest[end:]
	}
}

// urlMsgID returns the message-id a URL names: the first path segment
// that holds an "@" (lore.kernel.org/r/ID, lore.kernel.org/LIST/ID/,
// patch.msgid.link/ID, patchwork's /patch/ID/), or "".
func urlMsgID(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	segs := strings.Split(rest, "/")
	for _, seg := range segs[1:] {
		if p, err := url.PathUnescape(seg); err == nil {
			seg = p
		}
		seg = strings.Trim(seg, "<>")
		if at := strings.IndexByte(seg, '@'); at > 0 && at < len(seg)-1 {
			return seg
		}
	}
	return ""
}
