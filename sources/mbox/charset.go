package mbox

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// The charsets named here are decoded by golang.org/x/text's charmap
// by their own names (the WHATWG labels would read ISO-8859-1 as
// windows-1252); the others a kernel list sees (iso-8859-2, koi8-r,
// windows-1251, gb2312, gbk, gb18030, big5, euc-jp, shift_jis,
// iso-2022-jp, euc-kr ...) by the label golang.org/x/text finds for them.
// An unknown charset is read as UTF-8 (invalid bytes are then replaced
// where text is shown).
const (
	csUTF8 = iota
	csLatin1
	csLatin9
	csWindows1252
	csOther
)

// charsetKind maps a charset name (any case) to what decodes it.
func charsetKind(name string) int {
	switch strings.ToLower(trimSpace(name)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us":
		// Mail that says ASCII yet holds 8-bit bytes is UTF-8 more often
		// than anything: read as it is.
		return csUTF8
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819":
		return csLatin1
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9":
		return csLatin9
	case "windows-1252", "cp1252", "x-cp1252":
		return csWindows1252
	}
	if otherCharset(name) != nil {
		return csOther
	}
	return csUTF8
}

// otherCharset returns the decoder golang.org/x/text has for a charset
// name: by its WHATWG label (which reads gb2312 as its superset gbk, as
// mail readers do), else by its IANA name; nil for UTF-8 and for a name
// neither knows.
func otherCharset(name string) encoding.Encoding {
	name = strings.ToLower(trimSpace(name))
	e, err := htmlindex.Get(name)
	if err != nil || e == nil {
		if e, err = ianaindex.MIME.Encoding(name); err != nil || e == nil {
			if e, err = ianaindex.IANA.Encoding(name); err != nil || e == nil {
				return nil
			}
		}
	}
	if n, err := htmlindex.Name(e); err == nil && n == "utf-8" {
		return nil
	}
	return e
}

// stateful reports whether a charset can hold text in plain ASCII bytes
// that decode to something else (ISO-2022-JP's escapes, UTF-16, UTF-7).
func stateful(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "2022") || strings.HasPrefix(name, "utf-16") || strings.HasPrefix(name, "utf-7")
}

// toUTF8 converts b from charset to UTF-8. UTF-8 and unknown charsets are
// returned as they are (b itself).
func toUTF8(charset string, b []byte) []byte {
	kind := charsetKind(charset)
	if kind == csUTF8 {
		return b
	}
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii && !stateful(charset) {
		return b
	}
	var dec encoding.Encoding
	switch kind {
	case csLatin1:
		dec = charmap.ISO8859_1
	case csLatin9:
		dec = charmap.ISO8859_15
	case csWindows1252:
		// The five bytes windows-1252 leaves undefined (0x81, 0x8d,
		// 0x8f, 0x90, 0x9d) become U+FFFD: in mail they are damage, not
		// the C1 controls of the same value.
		dec = charmap.Windows1252
	default:
		dec = otherCharset(charset)
	}
	// Bytes the charset does not define become U+FFFD.
	out, err := dec.NewDecoder().Bytes(b)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return out
}

// charsetReader is the mime.WordDecoder's CharsetReader: it never fails,
// reading an unknown charset's bytes as they are.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, MaxMessageSize))
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(toUTF8(charset, b)), nil
}

// validString returns b as a string with invalid UTF-8 replaced by U+FFFD.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
