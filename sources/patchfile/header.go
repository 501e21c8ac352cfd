package patchfile

import (
	"mime"
	"net/mail"
	"strings"
	"time"
)

// header is one header field, unfolded.
type header struct {
	key, value string
	line       int // index of its first line
}

// readHeaders reads the header block that starts at line i: "Key: value"
// lines and their folded continuations. It stops at a blank line (which
// it consumes) or at the first line that is no header, and returns the
// fields and the index of the line after the block.
func readHeaders(lines []line, i int) ([]header, int) {
	var hs []header
	for ; i < len(lines); i++ {
		l := lines[i].text
		if strings.TrimSpace(l) == "" {
			return hs, i + 1
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(hs) == 0 {
				return hs, i
			}
			h := &hs[len(hs)-1]
			h.value = strings.TrimSpace(h.value + " " + strings.TrimSpace(l))
			continue
		}
		k, v, ok := cutKey(l)
		if !ok {
			return hs, i
		}
		hs = append(hs, header{key: k, value: v, line: i})
	}
	return hs, i
}

// cutKey splits a "Key: value" header line. The key is letters, digits,
// '-' and '_' (or RHEL's two-word "Upstream Status"), directly followed by
// ':'.
func cutKey(l string) (k, v string, ok bool) {
	c := strings.IndexByte(l, ':')
	if c <= 0 || c > 64 {
		return "", "", false
	}
	k = l[:c]
	if !strings.EqualFold(k, "upstream status") {
		for i := 0; i < len(k); i++ {
			b := k[i]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
				return "", "", false
			}
		}
	}
	return k, strings.TrimSpace(l[c+1:]), true
}

// isPatchHeader reports whether a header block at the top of a file
// without a "From " line is a patch's header (and not the first line of a
// description that happens to hold a colon): it names the author, the
// subject or the date, or carries a SUSE tag.
func isPatchHeader(hs []header) bool {
	for _, h := range hs {
		switch strings.ToLower(h.key) {
		case "from", "subject", "date", "author", "patch-mainline", "git-commit", "alt-commit":
			return true
		}
	}
	return false
}

// keptKeys are the headers copied into the message, for
// sources/trailers.Parse and for the reader.
var keptKeys = map[string]bool{
	"patch-mainline": true, "git-repo": true, "git-commit": true, "alt-commit": true,
	"references": true, "no-fix": true, "upstream status": true, "upstream-status": true,
}

// headers takes what kdelta needs from a header block.
func (r *reader) headers(hs []header) error {
	from, author := "", ""
	for _, h := range hs {
		v := validUTF8(h.value)
		switch key := strings.ToLower(h.key); key {
		case "from":
			from = v
		case "author":
			author = v
		case "date":
			r.p.Date = parseDate(v)
		case "subject":
			r.p.Subject = stripPatchTags(decodeWords(v))
		case "patch-mainline":
			if r.p.PatchMainline == "" {
				r.p.PatchMainline = v
			}
		case "git-commit", "alt-commit":
			id, rest := "", ""
			if f := strings.Fields(v); len(f) > 0 {
				id, rest = f[0], strings.Join(f[1:], " ")
			}
			if !isHexID(id) {
				return r.errorf(h.line, "%s: expected a commit id (7 to 40 hex digits), got %q", h.key, v)
			}
			id = strings.ToLower(id)
			if key == "git-commit" {
				r.p.GitCommits = append(r.p.GitCommits, GitCommit{ID: id,
					Partial: strings.Contains(strings.ToLower(rest), "(partial)")})
			} else {
				r.p.AltCommits = append(r.p.AltCommits, id)
			}
		case "references":
			refs := splitList(v)
			if len(refs) == 0 {
				continue // a mail's References: names messages only
			}
			r.p.References = append(r.p.References, refs...)
			v = strings.Join(refs, " ")
		case "no-fix":
			r.p.NoFix = append(r.p.NoFix, splitList(v)...)
		case "content-transfer-encoding":
			if enc := strings.ToLower(v); enc == "quoted-printable" || enc == "base64" {
				return r.errorf(h.line, "the body is %s-encoded: expected a patch saved decoded (as git am or b4 save it)", enc)
			}
		case "content-type":
			if mt, _, err := mime.ParseMediaType(v); err == nil && strings.HasPrefix(mt, "multipart/") {
				return r.errorf(h.line, "a %s mail: expected a patch in a plain-text body", mt)
			}
		}
		if keptKeys[strings.ToLower(h.key)] && h.value != "" {
			r.keep = append(r.keep, h.key+": "+v)
		}
	}
	if from == "" {
		from = author
	}
	if from != "" {
		r.p.AuthorName, r.p.AuthorEmail = parseAddress(from)
	}
	return nil
}

// inBodyHeaders reads the "From:", "Subject:" and "Date:" lines git
// format-patch puts at the top of a mail's body when the sender is not the
// author; they override the mail's headers. It returns the line the
// description starts at.
func (r *reader) inBodyHeaders(i int) (int, error) {
	for i < len(r.lines) && strings.TrimSpace(r.lines[i].text) == "" {
		i++
	}
	hs, end := readHeaders(r.lines, i)
	if len(hs) == 0 {
		return i, nil
	}
	for _, h := range hs {
		switch strings.ToLower(h.key) {
		case "from", "subject", "date":
		default:
			return i, nil // a description line, not in-body headers
		}
	}
	if err := r.headers(hs); err != nil {
		return 0, err
	}
	return end, nil
}

// splitList splits a References:/No-Fix: value on white space, commas and
// semicolons, leaving out mail message ids ("<...>").
func splitList(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(c rune) bool {
		return c == ' ' || c == '\t' || c == ',' || c == ';'
	}) {
		if strings.HasPrefix(f, "<") {
			continue
		}
		out = append(out, f)
	}
	return out
}

// decodeWords decodes RFC 2047 encoded words; text it cannot decode (an
// unknown charset) is kept as it is.
func decodeWords(v string) string {
	d := mime.WordDecoder{}
	s, err := d.DecodeHeader(v)
	if err != nil {
		return v
	}
	return validUTF8(s)
}

// parseAddress splits a From: value into name and address. It accepts
// RFC 5322 addresses with encoded words, and falls back to "Name <addr>"
// or a bare address for values net/mail refuses.
func parseAddress(v string) (name, email string) {
	if v == "" {
		return "", ""
	}
	if a, err := mail.ParseAddress(v); err == nil {
		return validUTF8(a.Name), validUTF8(a.Address)
	}
	v = decodeWords(v)
	if lt := strings.LastIndexByte(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt > 0 {
			name = strings.Trim(strings.TrimSpace(v[:lt]), `"`)
			return name, strings.TrimSpace(v[lt+1 : lt+gt])
		}
	}
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " \t") {
		return "", v
	}
	return strings.TrimSpace(v), ""
}

// dateLayouts are the Date: forms seen in patch files besides RFC 5322's.
var dateLayouts = [...]string{
	"Mon Jan 2 15:04:05 2006 -0700", // git's default
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseDate reads a Date: value; zero when it has no form parseDate knows.
func parseDate(v string) time.Time {
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// stripPatchTags removes leading "[PATCH ...]" and "[RFC ...]" tags.
func stripPatchTags(s string) string {
	for {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "[") {
			return s
		}
		in := strings.ToLower(s[1:])
		if !strings.HasPrefix(in, "patch") && !strings.HasPrefix(in, "rfc") {
			return s
		}
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return s
		}
		s = s[j+1:]
	}
}
