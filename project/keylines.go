package project

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// BurntSushi/toml v1.6.0 reports the line of syntax errors (ParseError.Position)
// but keeps the positions of keys private (MetaData.keyInfo), and even those
// are keyed without array indexes, so the second [[source]]'s "kind" would
// overwrite the first's. MetaData.Keys does list every key, in document order.
// So keyLines scans the (already parsed, so valid) document once more,
// recording the line of every key path with array indexes ("source[1].kind",
// "component[0].paths.linux", "source[0].refs[2]"), and checks the keys it saw
// against MetaData.Keys: if they differ in any way, it returns nil and errors
// carry no line rather than a wrong one.

// keyLines returns the line of each key path of text, or nil when the scan
// does not agree with want (the parser's keys, in document order).
func keyLines(text string, want []toml.Key) map[string]int {
	switch {
	case strings.HasPrefix(text, "\xff\xfe"), strings.HasPrefix(text, "\xfe\xff"):
		text = text[2:]
	case strings.HasPrefix(text, "\xef\xbb\xbf"):
		text = text[3:]
	}
	k := &kscan{s: text, line: 1, lines: map[string]int{}, arrays: map[string]int{}}
	k.document()
	if k.bad || len(k.keys) != len(want) {
		return nil
	}
	for i, key := range k.keys {
		if len(key) != len(want[i]) {
			return nil
		}
		for j := range key {
			if key[j] != want[i][j] {
				return nil
			}
		}
	}
	return k.lines
}

// keyPath returns the path of key k under parent, quoting k when it is not
// a bare key, so that paths are unambiguous.
func keyPath(parent, k string) string {
	q := k
	if !isBareKey(k) {
		q = strconv.Quote(k)
	}
	if parent == "" {
		return q
	}
	return parent + "." + q
}

// indexPath returns the path of element i of the array at path.
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isBareByte(k[i]) {
			return false
		}
	}
	return true
}

func isBareByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// kscan is a scanner for valid TOML that records where keys are. On
// anything it does not expect it sets bad and stops.
type kscan struct {
	s      string
	i      int
	line   int
	bad    bool
	depth  int
	lines  map[string]int
	keys   [][]string
	arrays map[string]int // path of an array of tables -> tables so far
}

func (k *kscan) eof() bool { return k.bad || k.i >= len(k.s) }

func (k *kscan) fail() { k.bad = true }

func (k *kscan) peek() byte {
	if k.i < len(k.s) {
		return k.s[k.i]
	}
	return 0
}

// skipSpace skips blanks on the current line.
func (k *kscan) skipSpace() {
	for k.i < len(k.s) && (k.s[k.i] == ' ' || k.s[k.i] == '\t') {
		k.i++
	}
}

// skipAll skips blanks, line breaks and comments.
func (k *kscan) skipAll() {
	for k.i < len(k.s) {
		switch k.s[k.i] {
		case ' ', '\t', '\r':
			k.i++
		case '\n':
			k.i++
			k.line++
		case '#':
			for k.i < len(k.s) && k.s[k.i] != '\n' {
				k.i++
			}
		default:
			return
		}
	}
}

func (k *kscan) document() {
	var ctxKey []string
	ctxPath := ""
	for {
		k.skipAll()
		if k.eof() {
			return
		}
		line := k.line
		if k.s[k.i] == '[' {
			array := strings.HasPrefix(k.s[k.i:], "[[")
			if array {
				k.i += 2
			} else {
				k.i++
			}
			parts := k.keyParts()
			k.skipSpace()
			end := "]"
			if array {
				end = "]]"
			}
			if k.bad || !strings.HasPrefix(k.s[k.i:], end) {
				k.fail()
				return
			}
			k.i += len(end)
			ctxKey, ctxPath = parts, k.header(parts, array, line)
			k.keys = append(k.keys, parts)
			continue
		}
		k.keyValue(ctxKey, ctxPath, line)
		if k.bad {
			return
		}
	}
}

// header resolves a table header to its indexed path and records it.
func (k *kscan) header(parts []string, array bool, line int) string {
	p := ""
	for j, part := range parts {
		p = keyPath(p, part)
		last := j == len(parts)-1
		if last && array {
			n := k.arrays[p]
			k.arrays[p] = n + 1
			if _, ok := k.lines[p]; !ok {
				k.lines[p] = line
			}
			p = indexPath(p, n)
			break
		}
		if n, ok := k.arrays[p]; ok && n > 0 {
			p = indexPath(p, n-1)
		}
		if _, ok := k.lines[p]; !ok || last {
			k.lines[p] = line
		}
	}
	k.lines[p] = line
	return p
}

// keyValue reads "key = value" in the context of a table (or inline table).
func (k *kscan) keyValue(ctxKey []string, ctxPath string, line int) {
	parts := k.keyParts()
	k.skipSpace()
	if k.bad || k.peek() != '=' {
		k.fail()
		return
	}
	k.i++
	k.skipSpace()
	full := make([]string, 0, len(ctxKey)+len(parts))
	full = append(full, ctxKey...)
	full = append(full, parts...)
	p := ctxPath
	for j, part := range parts {
		p = keyPath(p, part)
		if _, ok := k.lines[p]; !ok || j == len(parts)-1 {
			k.lines[p] = line
		}
	}
	k.keys = append(k.keys, full)
	k.value(full, p)
}

// keyParts reads a possibly dotted key.
func (k *kscan) keyParts() []string {
	var parts []string
	for {
		k.skipSpace()
		if k.eof() {
			k.fail()
			return nil
		}
		switch k.s[k.i] {
		case '"':
			raw, ok := k.basicString()
			if !ok {
				k.fail()
				return nil
			}
			v, ok := unescapeBasic(raw)
			if !ok {
				k.fail()
				return nil
			}
			parts = append(parts, v)
		case '\'':
			start := k.i + 1
			end := strings.IndexAny(k.s[start:], "'\n")
			if end < 0 || k.s[start+end] != '\'' {
				k.fail()
				return nil
			}
			parts = append(parts, k.s[start:start+end])
			k.i = start + end + 1
		default:
			start := k.i
			for k.i < len(k.s) && isBareByte(k.s[k.i]) {
				k.i++
			}
			if k.i == start {
				k.fail()
				return nil
			}
			parts = append(parts, k.s[start:k.i])
		}
		k.skipSpace()
		if k.peek() != '.' {
			return parts
		}
		k.i++
	}
}

// basicString reads a single-line "..." string and returns its raw content.
func (k *kscan) basicString() (string, bool) {
	start := k.i + 1
	for j := start; j < len(k.s); j++ {
		switch k.s[j] {
		case '\\':
			j++
		case '"':
			k.i = j + 1
			return k.s[start:j], true
		case '\n':
			return "", false
		}
	}
	return "", false
}

// value skips one value, recording the lines of the keys and array elements
// inside it.
func (k *kscan) value(key []string, path string) {
	if k.eof() {
		k.fail()
		return
	}
	k.depth++
	defer func() { k.depth-- }()
	if k.depth > 1000 {
		k.fail()
		return
	}
	switch k.s[k.i] {
	case '"':
		if strings.HasPrefix(k.s[k.i:], `"""`) {
			k.multiline(`"""`, true)
			return
		}
		if _, ok := k.basicString(); !ok {
			k.fail()
		}
	case '\'':
		if strings.HasPrefix(k.s[k.i:], "'''") {
			k.multiline("'''", false)
			return
		}
		end := strings.IndexAny(k.s[k.i+1:], "'\n")
		if end < 0 || k.s[k.i+1+end] != '\'' {
			k.fail()
			return
		}
		k.i += end + 2
	case '[':
		k.i++
		for n := 0; ; n++ {
			k.skipAll()
			if k.eof() {
				k.fail()
				return
			}
			if k.s[k.i] == ']' {
				k.i++
				return
			}
			ep := indexPath(path, n)
			k.lines[ep] = k.line
			k.value(key, ep)
			k.skipAll()
			switch k.peek() {
			case ',':
				k.i++
			case ']':
				k.i++
				return
			default:
				k.fail()
				return
			}
		}
	case '{':
		k.i++
		for {
			k.skipAll()
			if k.eof() {
				k.fail()
				return
			}
			if k.s[k.i] == '}' {
				k.i++
				return
			}
			k.keyValue(key, path, k.line)
			if k.bad {
				return
			}
			k.skipAll()
			switch k.peek() {
			case ',':
				k.i++
			case '}':
				k.i++
				return
			default:
				k.fail()
				return
			}
		}
	default:
		// A number, boolean or date-time: up to the next delimiter (a
		// date-time may contain a space).
		start := k.i
		for k.i < len(k.s) && !strings.ContainsRune(",]}\n\r#", rune(k.s[k.i])) {
			k.i++
		}
		if k.i == start {
			k.fail()
		}
	}
}

// multiline skips a multi-line string opened by delim at k.i.
func (k *kscan) multiline(delim string, escapes bool) {
	k.i += 3
	for k.i < len(k.s) {
		c := k.s[k.i]
		switch {
		case c == '\\' && escapes:
			k.i++
			if k.i < len(k.s) && k.s[k.i] == '\n' {
				k.line++
			}
			k.i++
		case c == '\n':
			k.line++
			k.i++
		case strings.HasPrefix(k.s[k.i:], delim):
			k.i += 3
			// Up to two quotes may end the content right before the delimiter.
			for n := 0; n < 2 && k.i < len(k.s) && k.s[k.i] == delim[0]; n++ {
				k.i++
			}
			return
		default:
			k.i++
		}
	}
	k.fail()
}

// unescapeBasic decodes the escapes of a TOML basic string.
func unescapeBasic(raw string) (string, bool) {
	if !strings.Contains(raw, `\`) {
		return raw, true
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", false
		}
		switch raw[i] {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"':
			b.WriteByte('"')
		case '\\':
			b.WriteByte('\\')
		case 'x', 'u', 'U':
			n := 2
			if raw[i] == 'u' {
				n = 4
			} else if raw[i] == 'U' {
				n = 8
			}
			if i+1+n > len(raw) {
				return "", false
			}
			v, err := strconv.ParseUint(raw[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", false
			}
			b.WriteRune(rune(v))
			i += n
		default:
			return "", false
		}
	}
	return b.String(), true
}
