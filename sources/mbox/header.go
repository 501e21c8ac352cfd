package mbox

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// field is one header field: its name in lower case and its unfolded value.
type field struct {
	name, value string
}

// header is a message's (or a MIME part's) header block, in order.
type header []field

// get returns the value of the first field named name (lower case), or "".
func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// parseHeader splits raw into its header block and its body. It is
// lenient as mail readers are: the header block ends at the first blank
// line, or at the first line that is neither a "Name: value" field nor a
// continuation (that line starts the body); a continuation before any
// field is dropped. Folded values are joined with one space.
func parseHeader(raw []byte) (header, []byte) {
	var h header
	pos := 0
	first := true
	for pos < len(raw) {
		line, next := cutLine(raw, pos)
		if len(line) == 0 {
			return h, raw[next:]
		}
		if first && (bytes.HasPrefix(line, []byte("From ")) || bytes.HasPrefix(line, []byte(">From "))) {
			// A second mbox "From " line, as some archivers leave.
			pos = next
			continue
		}
		first = false
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				v := trimSpace(string(line))
				if v != "" {
					last := &h[len(h)-1]
					if last.value == "" {
						last.value = v
					} else {
						last.value += " " + v
					}
				}
			}
			pos = next
			continue
		}
		name, value, ok := headerField(line)
		if !ok {
			return h, raw[pos:]
		}
		h = append(h, field{name: name, value: value})
		pos = next
	}
	return h, nil
}

// headerField splits "Name: value" (obsolete "Name : value" too). The name
// must be printable ASCII without spaces.
func headerField(line []byte) (name, value string, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return "", "", false
	}
	n := bytes.TrimRight(line[:colon], " \t")
	if len(n) == 0 {
		return "", "", false
	}
	for _, c := range n {
		if c <= ' ' || c > '~' {
			return "", "", false
		}
	}
	return strings.ToLower(string(n)), trimSpace(string(line[colon+1:])), true
}

// cutLine returns the line of b at pos without its "\n" or "\r\n", and the
// position after it.
func cutLine(b []byte, pos int) (line []byte, next int) {
	end := bytes.IndexByte(b[pos:], '\n')
	if end < 0 {
		line, next = b[pos:], len(b)
	} else {
		line, next = b[pos:pos+end], pos+end+1
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, next
}

// wordDecoder returns an RFC 2047 decoder that knows the charsets of
// charset.go and passes any other through.
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charsetReader}
}

// decodeHeader decodes a header value: raw 8-bit bytes are read in the
// message's charset cs, encoded-words are decoded, invalid UTF-8 is
// replaced.
func decodeHeader(v, cs string) string {
	if v == "" {
		return ""
	}
	if !utf8.ValidString(v) {
		v = string(toUTF8(cs, []byte(v)))
	}
	if strings.Contains(v, "=?") {
		if d, err := wordDecoder().DecodeHeader(v); err == nil {
			v = d
		}
	}
	return validString([]byte(v))
}

// firstMsgID returns the first message-id of a header value, without its
// angle brackets; a value without brackets gives its first word.
func firstMsgID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// msgIDs returns the message-ids of a header value (References:), without
// angle brackets. A value without any "<...>" is read as words containing
// "@".
func msgIDs(v string) []string {
	var ids []string
	rest := v
	for {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt+1:], '>')
		if gt < 0 {
			break
		}
		if id := cleanID(rest[lt+1 : lt+1+gt]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[lt+1+gt+1:]
	}
	if ids != nil || strings.IndexByte(v, '<') >= 0 {
		return ids
	}
	for _, w := range strings.Fields(v) {
		w = cleanID(strings.Trim(w, ",;"))
		if w != "" && (strings.IndexByte(w, '@') > 0 || len(ids) == 0 && len(strings.Fields(v)) == 1) {
			ids = append(ids, w)
		}
	}
	return ids
}

// cleanID removes the white space of a folded message-id and any stray
// angle bracket.
func cleanID(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == '<' || r == '>' || r < 0x80 && isSpace(byte(r)) }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isSpace(c) && c != '<' && c != '>' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseDate parses a Date: value; what no mail reader would read gives the
// zero time.
func parseDate(v string) time.Time {
	v = trimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	// A trailing comment ("(PST)") or a doubled weekday are common faults.
	if i := strings.IndexByte(v, '('); i > 0 {
		if t, err := mail.ParseDate(trimSpace(v[:i])); err == nil {
			return t
		}
	}
	layouts := [...]string{
		"Mon Jan _2 15:04:05 2006",       // asctime
		"Mon Jan _2 15:04:05 2006 -0700", // git's default
		"Mon Jan _2 15:04:05 MST 2006",   // date(1)
		time.RFC3339,
		"2006-01-02 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// parseAddress returns the display name and address of a From: value.
func parseAddress(v, cs string) (name, email string) {
	v = trimSpace(v)
	if v == "" {
		return "", ""
	}
	if !utf8.ValidString(v) {
		v = validString(toUTF8(cs, []byte(v)))
	}
	p := mail.AddressParser{WordDecoder: wordDecoder()}
	if a, err := p.Parse(v); err == nil {
		return a.Name, a.Address
	}
	// What net/mail refuses: unquoted specials in the name, a missing
	// bracket, "addr (Name)".
	if lt := strings.LastIndexByte(v, '<'); lt >= 0 {
		rest := v[lt+1:]
		if gt := strings.IndexByte(rest, '>'); gt >= 0 {
			rest = rest[:gt]
		}
		name = strings.Trim(trimSpace(v[:lt]), "\"' ")
		return decodeHeader(name, cs), trimSpace(rest)
	}
	if op := strings.IndexByte(v, '('); op > 0 {
		name = v[op+1:]
		if cp := strings.LastIndexByte(name, ')'); cp >= 0 {
			name = name[:cp]
		}
		return decodeHeader(trimSpace(name), cs), trimSpace(v[:op])
	}
	for _, w := range strings.Fields(v) {
		if strings.IndexByte(w, '@') > 0 {
			return "", strings.Trim(w, "<>,;\"'")
		}
	}
	return decodeHeader(v, cs), ""
}
