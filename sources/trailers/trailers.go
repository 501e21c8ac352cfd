// Package trailers splits a commit message (or the message part of a patch)
// into subject and body and parses the conventions that say where a change
// came from and what it fixes: Fixes:, Cc: stable, cherry-pick and backport
// references in the styles of git, the stable tree, RHEL, SUSE, Ubuntu and
// ChromeOS, SUSE Patch-mainline:, RHEL Upstream Status:, Link:,
// Signed-off-by: and CVE ids.
//
// Parse makes one pass over the lines of the message, compiles nothing and
// never panics; it is meant to run on every commit of a tree.
package trailers

import (
	"strings"

	"github.com/kdelta/kdelta/change"
)

// Parse splits message into its subject and body and parses its trailers.
//
// The subject is the first paragraph joined into one line, as git's %s
// prints it (leading blank lines skipped, each line's trailing white space
// dropped, lines joined with one space). The body is the rest, without its
// leading and trailing blank lines, with CRLF line ends turned into LF.
//
// A message that starts with a mail header block (a patch file: "From:",
// "Subject:", "Date:", SUSE's "Patch-mainline:"/"Git-commit:" ...) takes its
// subject from the Subject: header, with leading "[PATCH ...]" tags removed,
// and its header lines are parsed as trailers. The body ends where a patch's
// diff starts: a "---" line followed by a diffstat or diff, or a
// "diff --git" line.
//
// Ids are returned lower case. Lines quoted with ">" are not parsed for
// trailers (CVE ids are found anywhere).
func Parse(message string) (subject, body string, t change.Trailers) {
	p := parser{msg: message}
	pos := skipBlankLines(message, 0)

	if end, subj, ok := headerBlock(message, pos); ok {
		subject = subj
		p.scanCVEs(subject)
		// Header lines are trailers of the patch (SUSE puts Git-commit:,
		// Patch-mainline: and References: there).
		for i := pos; i < end; {
			line, next := nextLine(message, i)
			if strings.HasPrefix(line, "From ") { // mbox separator: the patch's own id
				i = next
				continue
			}
			i = p.line(trimRightSpace(line), next, end)
		}
		p.prose = false // a folded Subject: is not the body's prose
		pos = end
	} else {
		subject, pos = gitSubject(message, pos)
		p.scanCVEs(subject)
	}

	p.t.Prefix = subjectPrefix(subject)

	bodyStart := skipBlankLines(message, pos)
	bodyEnd := p.body(bodyStart)
	body = cleanBody(strings.TrimRight(message[bodyStart:bodyEnd], " \t\r\n\v\f"))

	if p.t.Prefix == "UPSTREAM" || p.t.Prefix == "BACKPORT" || p.t.Prefix == "FROMGIT" {
		// ChromeOS: the prefix says where the commit came from and the
		// cherry-pick line names it; report it once, in the prefix style.
		for i := range p.t.Upstream {
			if p.t.Upstream[i].Style == change.CherryPicked {
				p.t.Upstream[i].Style = change.UpstreamPrefix
				break
			}
		}
	}
	return subject, body, p.t
}

// parser holds the state of one Parse call.
type parser struct {
	msg string
	t   change.Trailers
	// prose is set once the body had a line that is neither blank nor a
	// "Key: value" header; RHEL's leading "commit X" line must come before.
	prose bool
}

// body scans the body lines from start and returns where the body ends.
func (p *parser) body(start int) int {
	end := len(p.msg)
	for i := start; i < len(p.msg); {
		raw, next := nextLine(p.msg, i)
		line := trimRightSpace(raw)
		if isDiffStart(p.msg, line, next) {
			end = i
			break
		}
		i = p.line(line, next, len(p.msg))
	}
	return end
}

// isDiffStart reports whether line (the line before offset next of msg)
// starts the diff part of a patch.
func isDiffStart(msg, line string, next int) bool {
	if strings.HasPrefix(line, "diff --git ") {
		return true
	}
	if line != "---" {
		return false
	}
	for i := next; i < len(msg); {
		l, n := nextLine(msg, i)
		l = trimRightSpace(l)
		if l == "" {
			i = n
			continue
		}
		return strings.HasPrefix(l, "diff ") || strings.HasPrefix(l, "--- ") ||
			strings.HasPrefix(l, "Index: ") ||
			(len(l) > 1 && l[0] == ' ' && strings.IndexByte(l, '|') > 0) ||
			strings.Contains(l, " changed, ")
	}
	return false
}

// line parses one line (trailing white space already removed); next is the
// offset of the following line and limit the end of the region it may look
// ahead into. It returns the offset to continue from (after any lines it
// consumed). References written in prose anywhere in the line count too,
// after the conventions' own forms (which keep their style).
func (p *parser) line(line string, next, limit int) int {
	n := p.conventions(line, next, limit)
	if t := trimLeftSpace(line); t != "" && t[0] != '>' {
		for _, r := range proseRefs(t) {
			p.addRef(r.ID, r.Style, r.Partial)
		}
	}
	return n
}

// conventions parses one line for the trailer conventions (see line).
func (p *parser) conventions(line string, next, limit int) int {
	t := trimLeftSpace(line)
	if t == "" {
		return next
	}
	p.scanCVEs(t)
	if t[0] == '>' { // quoted reply: not this message's trailers
		p.prose = true
		return next
	}

	if k, v, ok := cutKey(t); ok {
		switch {
		case strings.EqualFold(k, "fixes"):
			return p.fixes(v, next, limit)
		case strings.EqualFold(k, "cc"):
			if ccStable(v) {
				p.t.CcStable = true
			}
		case strings.EqualFold(k, "signed-off-by"):
			if v != "" {
				p.t.SignedOffBy = append(p.t.SignedOffBy, v)
			}
		case strings.EqualFold(k, "link"):
			p.link(v)
		case strings.EqualFold(k, "patch-mainline"):
			if p.t.PatchMainline == "" {
				p.t.PatchMainline = v
			}
		case strings.EqualFold(k, "upstream status"), strings.EqualFold(k, "upstream-status"):
			if p.t.UpstreamStatus == "" {
				p.t.UpstreamStatus = v
			}
		case strings.EqualFold(k, "git-commit"):
			if id, rest, ok := hexID(v); ok {
				p.addRef(id, change.GitCommit, hasPrefixFold(trimSpace(rest), "(partial)"))
			}
		case strings.EqualFold(k, "alt-commit"):
			if id, _, ok := hexID(v); ok {
				p.addRef(id, change.AltCommit, false)
			}
		case strings.EqualFold(k, "upstream-commit"):
			if id, _, ok := hexID(v); ok {
				p.addRef(id, change.RHELCommit, false)
			}
		case strings.EqualFold(k, "upstream"):
			// "Upstream: X", as some vendor and Debian trees write it.
			if id, _, ok := hexID(v); ok {
				p.addRef(id, Prose, false)
			}
		case strings.EqualFold(k, "cve"):
			// "CVE: 2023-12345" without the prefix.
			if n := cveNumberLen(v); n > 0 {
				p.addCVE("CVE-" + v[:n])
			}
		}
		return next
	}

	switch c := t[0] | 0x20; {
	case c == 'c':
		if hasPrefixFold(t, "commit ") {
			p.commitLine(t[len("commit "):], next, limit)
			return next
		}
		p.pickedLine(t)
	case c == 'b':
		p.pickedLine(t)
	case t[0] == '(':
		p.pickedLine(t[1:])
	case t[0] == '[':
		// Stable-style "[ Upstream commit X ]".
		in := trimLeftSpace(t[1:])
		if hasPrefixFold(in, "upstream commit ") {
			if id, _, ok := hexID(trimLeftSpace(in[len("upstream commit "):])); ok {
				p.addRef(id, change.UpstreamCommit, false)
				return next
			}
		}
	}
	p.prose = true
	return next
}

// Prose is the style of a reference written in a sentence anywhere in a
// message ("Partially cherry-picked from commit X", "(partial backport of
// X)", "This is a backport of upstream commit X", "based on upstream
// commit X") or in a free-form "Upstream: X" line. (It belongs with the
// other styles in package change; it is here until it moves.)
const Prose change.RefStyle = "prose"

// prosePhrases introduce a reference in prose, longest first; partial
// says the reference carries part of the commit.
var prosePhrases = [...]struct {
	phrase  string
	partial bool
}{
	{"partially cherry-picked from", true},
	{"partially cherry picked from", true},
	{"partial cherry-pick of", true},
	{"partial cherry pick of", true},
	{"partial backport of", true},
	{"extract of", true},
	{"based on upstream", false},
	{"cherry-pick of", false},
	{"backport of", false},
}

// proseFillers may stand between a phrase and the id.
var proseFillers = [...]string{"upstream", "commit", "mainline", "the", "linux", "kernel", "git", "sha", "id", "from"}

// proseRefs finds the references written in prose in one line.
func proseRefs(t string) []change.Ref {
	if !hasHexRun(t, 7) {
		return nil
	}
	low := strings.ToLower(t)
	var out []change.Ref
	for from := 0; from < len(low); {
		at, partial, n := -1, false, 0
		for _, ph := range prosePhrases {
			if i := strings.Index(low[from:], ph.phrase); i >= 0 && (at < 0 || from+i < at) {
				at, partial, n = from+i, ph.partial, len(ph.phrase)
			}
		}
		if at < 0 {
			break
		}
		if at > 0 && isWordByte(low[at-1]) {
			from = at + n
			continue
		}
		rest := low[at+n:]
		for k := 0; k < 4; k++ {
			rest = trimLeftSpace(strings.TrimLeft(rest, ":"))
			filler := false
			for _, f := range proseFillers {
				if strings.HasPrefix(rest, f) && (len(rest) == len(f) || !isWordByte(rest[len(f)])) {
					rest, filler = rest[len(f):], true
					break
				}
			}
			if !filler {
				break
			}
		}
		if id, _, ok := hexID(trimLeftSpace(strings.TrimLeft(trimLeftSpace(rest), ":"))); ok && hasDigit(id) {
			out = append(out, change.Ref{ID: id, Style: Prose, Partial: partial})
		}
		from = at + n
	}
	return out
}

// hasHexRun says whether s has n hex digits in a row.
func hasHexRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isHex(s[i]) {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// hasDigit: an id has a digit ("decaffed" is a word, not an id).
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// pickedLine parses "cherry picked from commit X ..." and
// "backported from commit X ..." (the opening parenthesis already removed).
func (p *parser) pickedLine(t string) {
	t = trimLeftSpace(t)
	var style change.RefStyle
	switch {
	case hasPrefixFold(t, "cherry picked from commit "), hasPrefixFold(t, "cherry-picked from commit "):
		t = t[len("cherry picked from commit "):]
		style = change.CherryPicked
	case hasPrefixFold(t, "backported from commit "):
		t = t[len("backported from commit "):]
		style = change.BackportedFrom
	default:
		p.prose = true
		return
	}
	if id, _, ok := hexID(trimLeftSpace(t)); ok {
		p.addRef(id, style, style == change.BackportedFrom)
	}
}

// commitLine parses what follows "commit " at the start of a line:
// "X upstream." (stable) or a bare 40-hex "X" that opens a RHEL backport.
func (p *parser) commitLine(v string, next, limit int) {
	id, rest, ok := hexID(trimLeftSpace(v))
	if !ok {
		p.prose = true
		return
	}
	rest = trimSpace(rest)
	switch {
	case strings.EqualFold(rest, "upstream.") || strings.EqualFold(rest, "upstream"):
		p.addRef(id, change.CommitUpstream, false)
	case rest == "" && len(id) == 40:
		nl := ""
		if next < limit {
			nl, _ = nextLine(p.msg[:limit], next)
		}
		if !p.prose || hasPrefixFold(trimLeftSpace(nl), "author:") {
			p.addRef(id, change.RHELCommit, false)
			return
		}
		p.prose = true
	default:
		p.prose = true
	}
}

// fixes parses the value of a Fixes: line. A quoted subject that does not
// close on this line may continue on the next two; the lines it takes are
// skipped by returning the offset after them.
func (p *parser) fixes(v string, next, limit int) int {
	if hasPrefixFold(v, "commit ") {
		v = trimLeftSpace(v[len("commit "):])
	}
	id, rest, ok := hexID(v)
	if !ok {
		return next
	}
	rest = trimSpace(rest)
	if rest != "" && rest[0] == ':' {
		rest = trimLeftSpace(rest[1:])
	}
	if rest == "" && next < limit {
		// Subject on its own line: "Fixes: X\n    ("subject")".
		nl, n := nextLine(p.msg[:limit], next)
		if nt := trimSpace(nl); strings.HasPrefix(nt, "(\"") {
			rest, next = nt, n
		}
	}
	var subj string
	switch {
	case rest == "":
	case rest[0] == '(' && len(rest) > 1 && (rest[1] == '"' || rest[1] == '\''):
		subj, next = p.quoted(rest[2:], rest[1], next, limit)
	case rest[0] == '(':
		subj = rest[1:]
		if j := strings.LastIndexByte(subj, ')'); j >= 0 {
			subj = subj[:j]
		}
	case rest[0] == '"' || rest[0] == '\'':
		subj = rest[1:]
		if j := strings.LastIndexByte(subj, rest[0]); j >= 0 {
			subj = subj[:j]
		}
	default:
		subj = rest
	}
	p.addFix(id, trimSpace(subj))
	return next
}

// quoted returns the subject of a Fixes: line whose text after `("` (or
// `('`) is in, with q the quote. The subject ends at the last quote and
// parenthesis on the line when only white space or a "# note" follows them;
// when the line has no such close and its parentheses are still open, the
// subject may continue on up to two more lines, which are then consumed.
func (p *parser) quoted(in string, q byte, next, limit int) (string, int) {
	closer := `")`
	if q == '\'' {
		closer = "')"
	}
	j := strings.LastIndex(in, closer)
	if j >= 0 && closes(in[j+2:]) {
		return in[:j], next
	}
	if j < 0 || parenDepth(in, 1) > 0 {
		var parts []string
		n := next
		for k := 0; k < 2 && n < limit; k++ {
			nl, nn := nextLine(p.msg[:limit], n)
			nt := trimSpace(nl)
			if nt == "" || isKnownTrailer(nt) {
				break
			}
			if c := strings.LastIndex(nt, closer); c >= 0 && closes(nt[c+2:]) {
				parts = append(parts, nt[:c])
				return trimSpace(in) + " " + strings.Join(parts, " "), nn
			}
			parts = append(parts, nt)
			n = nn
		}
	}
	if j >= 0 {
		return in[:j], next
	}
	return strings.TrimRight(in, "\"')"), next
}

// closes reports whether s, the text after a quoted subject's close, ends
// the Fixes: line: nothing, or a "# note".
func closes(s string) bool {
	s = trimSpace(s)
	return s == "" || s[0] == '#'
}

// parenDepth returns depth plus the number of '(' minus the number of ')'
// in s.
func parenDepth(s string, depth int) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	return depth
}

func (p *parser) addFix(id, subj string) {
	for i := range p.t.Fixes {
		if p.t.Fixes[i].ID == id {
			if p.t.Fixes[i].Subject == "" {
				p.t.Fixes[i].Subject = subj
			}
			return
		}
	}
	p.t.Fixes = append(p.t.Fixes, change.Fix{ID: id, Subject: subj})
}

// addRef adds a reference unless the same commit is already named (the
// same id, or one id an abbreviation of the other): then the first mention
// keeps its style, takes the longer id, and is partial if either is.
func (p *parser) addRef(id string, style change.RefStyle, partial bool) {
	for i := range p.t.Upstream {
		r := &p.t.Upstream[i]
		if strings.HasPrefix(r.ID, id) || strings.HasPrefix(id, r.ID) {
			if len(id) > len(r.ID) {
				r.ID = id
			}
			r.Partial = r.Partial || partial
			return
		}
	}
	p.t.Upstream = append(p.t.Upstream, change.Ref{ID: id, Style: style, Partial: partial})
}

// link records a Link: value: its first field, without angle brackets.
func (p *parser) link(v string) {
	if i := strings.IndexAny(v, " \t"); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	if v == "" {
		return
	}
	for _, l := range p.t.Links {
		if l == v {
			return
		}
	}
	p.t.Links = append(p.t.Links, v)
}

// scanCVEs adds every CVE id in s.
func (p *parser) scanCVEs(s string) {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			return
		}
		d := i + j // index of the '-'
		i = d + 1
		if d < 3 || !strings.EqualFold(s[d-3:d], "cve") || (d > 3 && isWordByte(s[d-4])) {
			continue
		}
		n := cveNumberLen(s[d+1:])
		if n == 0 {
			continue
		}
		if s[d-3:d] == "CVE" {
			p.addCVE(s[d-3 : d+1+n])
		} else {
			p.addCVE("CVE-" + s[d+1:d+1+n])
		}
		i = d + 1 + n
	}
}

func (p *parser) addCVE(id string) {
	for _, c := range p.t.CVEs {
		if c == id {
			return
		}
	}
	p.t.CVEs = append(p.t.CVEs, id)
}

// cveNumberLen returns the length of a "YYYY-NNNN..." prefix of s (4 digit
// year, 4 to 7 digit number, not followed by a letter or digit), or 0.
func cveNumberLen(s string) int {
	if len(s) < 9 {
		return 0
	}
	for k := 0; k < 4; k++ {
		if !isDigit(s[k]) {
			return 0
		}
	}
	if s[4] != '-' {
		return 0
	}
	n := 5
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if d := n - 5; d < 4 || d > 7 {
		return 0
	}
	if n < len(s) && isWordByte(s[n]) {
		return 0
	}
	return n
}

// hexID reads a commit id at the start of s: 7 to 40 hex digits not
// followed by a letter, digit or one of "-_/@". It returns the id in lower
// case and the rest of s.
func hexID(s string) (id, rest string, ok bool) {
	n := 0
	for n < len(s) && n <= 40 && isHex(s[n]) {
		n++
	}
	if n < 7 || n > 40 {
		return "", s, false
	}
	if n < len(s) {
		switch c := s[n]; {
		case isWordByte(c), c == '-', c == '/', c == '@':
			return "", s, false
		}
	}
	return strings.ToLower(s[:n]), s[n:], true
}

// cutKey splits a "Key: value" line. The key is a word of letters, digits
// and '-' (or RHEL's two-word "Upstream Status"), at most 32 bytes, directly
// followed by ':' (spaces allowed before it).
func cutKey(t string) (k, v string, ok bool) {
	lim := min(len(t), 40)
	c := strings.IndexByte(t[:lim], ':')
	if c <= 0 {
		return "", "", false
	}
	k = trimRightSpace(t[:c])
	if k == "" || len(k) > 32 {
		return "", "", false
	}
	spaces := 0
	for i := 0; i < len(k); i++ {
		b := k[i]
		switch {
		case isWordByte(b) && b != '_', b == '-':
		case b == ' ':
			spaces++
		default:
			return "", "", false
		}
	}
	if spaces > 0 && !strings.EqualFold(k, "upstream status") {
		return "", "", false
	}
	return k, trimSpace(t[c+1:]), true
}

// isKnownTrailer reports whether t starts with a trailer key that ends a
// wrapped Fixes: subject.
func isKnownTrailer(t string) bool {
	k, _, ok := cutKey(t)
	if !ok {
		return false
	}
	for _, w := range knownKeys {
		if strings.EqualFold(k, w) {
			return true
		}
	}
	return false
}

var knownKeys = [...]string{
	"fixes", "cc", "signed-off-by", "link", "reported-by", "reviewed-by",
	"acked-by", "tested-by", "suggested-by", "co-developed-by", "closes",
	"change-id", "bug", "buglink", "cve", "patch-mainline", "git-commit",
}

// ccStable reports whether a Cc: value names the stable list
// (stable@vger.kernel.org or stable@kernel.org).
func ccStable(v string) bool {
	for i := 0; i < len(v); {
		j := strings.IndexByte(v[i:], '@')
		if j < 0 {
			return false
		}
		at := i + j
		i = at + 1
		if at < 6 || !strings.EqualFold(v[at-6:at], "stable") {
			continue
		}
		if at > 6 && (isWordByte(v[at-7]) || v[at-7] == '-' || v[at-7] == '.') {
			continue
		}
		dom := v[at+1:]
		for _, d := range [...]string{"vger.kernel.org", "kernel.org"} {
			if hasPrefixFold(dom, d) && domainEnds(dom[len(d):]) {
				return true
			}
		}
	}
	return false
}

// subjectPrefix returns the normalized downstream prefix of a subject.
func subjectPrefix(s string) string {
	s = trimLeftSpace(s)
	for _, w := range [...]string{"UPSTREAM", "BACKPORT", "FROMGIT", "FROMLIST"} {
		if rest, ok := strings.CutPrefix(s, w); ok {
			if rest = trimLeftSpace(rest); rest != "" && rest[0] == ':' {
				return w
			}
		}
	}
	if rest, ok := strings.CutPrefix(s, "UBUNTU"); ok {
		rest = trimLeftSpace(rest)
		if rest != "" && rest[0] == ':' {
			if rest, ok = strings.CutPrefix(trimLeftSpace(rest[1:]), "SAUCE"); ok {
				if rest = trimLeftSpace(rest); rest != "" && rest[0] == ':' {
					return "UBUNTU: SAUCE"
				}
			}
		}
	}
	return ""
}

// gitSubject returns the paragraph at pos joined as git's %s does, and the
// offset after it.
func gitSubject(msg string, pos int) (string, int) {
	first, next := nextLine(msg, pos)
	first = trimRightSpace(first)
	if first == "" {
		return "", next
	}
	if next >= len(msg) {
		return first, next
	}
	l, n := nextLine(msg, next)
	if l = trimRightSpace(l); l == "" {
		return first, n
	}
	var b strings.Builder
	b.WriteString(first)
	for {
		b.WriteByte(' ')
		b.WriteString(l)
		next = n
		if next >= len(msg) {
			return b.String(), next
		}
		l, n = nextLine(msg, next)
		if l = trimRightSpace(l); l == "" {
			return b.String(), n
		}
	}
}

// headerBlock recognises a mail header block at pos (a patch file). It
// returns the offset after the block and the cleaned Subject: value.
func headerBlock(msg string, pos int) (end int, subject string, ok bool) {
	if pos >= len(msg) {
		return 0, "", false
	}
	var subj []string
	inSubj, hasSubj, hasFrom := false, false, false
	i := pos
	for first := true; i < len(msg); first = false {
		raw, next := nextLine(msg, i)
		line := trimRightSpace(raw)
		if line == "" {
			i = next
			break
		}
		switch {
		case first && strings.HasPrefix(line, "From "):
			hasFrom = true
		case line[0] == ' ' || line[0] == '\t':
			if first {
				return 0, "", false
			}
			if inSubj {
				subj = append(subj, trimLeftSpace(line))
			}
		default:
			k, v, ok := cutKey(line)
			if !ok {
				return 0, "", false
			}
			inSubj = false
			switch {
			case strings.EqualFold(k, "subject"):
				if hasSubj {
					return 0, "", false
				}
				hasSubj, inSubj = true, true
				subj = append(subj, v)
			case strings.EqualFold(k, "from"), strings.EqualFold(k, "date"):
				hasFrom = true
			}
		}
		i = next
	}
	if !hasSubj || !hasFrom {
		return 0, "", false
	}
	s := subj[0]
	if len(subj) > 1 {
		s = strings.Join(subj, " ")
	}
	return i, stripPatchTags(s), true
}

// stripPatchTags removes leading "[PATCH ...]" and "[RFC ...]" tags.
func stripPatchTags(s string) string {
	for {
		s = trimLeftSpace(s)
		if len(s) < 2 || s[0] != '[' {
			return s
		}
		in := s[1:]
		if !hasPrefixFold(in, "patch") && !hasPrefixFold(in, "rfc") {
			return s
		}
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return s
		}
		s = s[j+1:]
	}
}

// cleanBody turns CRLF line ends into LF; a body without CR is returned as is.
func cleanBody(b string) string {
	if strings.IndexByte(b, '\r') < 0 {
		return b
	}
	return strings.ReplaceAll(b, "\r\n", "\n")
}

// nextLine returns the line at i (without its "\n") and the offset after it.
func nextLine(s string, i int) (string, int) {
	j := strings.IndexByte(s[i:], '\n')
	if j < 0 {
		return s[i:], len(s)
	}
	return s[i : i+j], i + j + 1
}

// skipBlankLines returns the offset of the first non-blank line at or after i.
func skipBlankLines(s string, i int) int {
	for i < len(s) {
		l, n := nextLine(s, i)
		if trimSpace(l) != "" {
			return i
		}
		i = n
	}
	return len(s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

func trimLeftSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimRightSpace(s string) string {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return s[:i]
}

func trimSpace(s string) string { return trimRightSpace(trimLeftSpace(s)) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

func isWordByte(c byte) bool {
	return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c == '_'
}

// domainEnds reports whether s, the text after a domain name, does not
// continue it ("stable@kernel.org." ends a sentence; "kernel.org.uk" would not).
func domainEnds(s string) bool {
	if s == "" {
		return true
	}
	if isWordByte(s[0]) || s[0] == '-' {
		return false
	}
	return s[0] != '.' || len(s) == 1 || !isWordByte(s[1])
}
