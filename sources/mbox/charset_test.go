package mbox

import "testing"

// toUTF8 decodes the single-byte charsets mail from a kernel list comes
// in; a byte the charset leaves undefined is U+FFFD, never a control.
func TestToUTF8(t *testing.T) {
	for _, tc := range []struct {
		charset, in, want string
	}{
		{"utf-8", "caf\xc3\xa9", "café"},
		{"us-ascii", "plain", "plain"},
		{"ISO-8859-1", "caf\xe9 \xa4 \xbd", "café ¤ ½"},
		{"latin1", "\x80\x9f", "\u0080\u009f"}, // ISO-8859-1 has the C1 controls
		{"iso-8859-15", "\xa4 \xa6\xa8 \xb4\xb8 \xbc\xbd\xbe \xe9", "€ Šš Žž ŒœŸ é"},
		{"windows-1252", "\x80 5 \x96 \x93q\x94 \x9f", "€ 5 – “q” Ÿ"},
		// The five bytes windows-1252 leaves undefined: they were once the
		// C1 controls of the same value; a mail reader shows U+FFFD.
		{"cp1252", "\x81\x8d\x8f\x90\x9d", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"iso-8859-2", "\xb1\xe6", "ąć"},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"x-unknown", "caf\xc3\xa9", "café"},
	} {
		got := string(toUTF8(tc.charset, []byte(tc.in)))
		if got != tc.want {
			t.Errorf("toUTF8(%s, %q) = %q, want %q", tc.charset, tc.in, got, tc.want)
		}
	}
}
