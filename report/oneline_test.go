package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestOneLine: text from a baseline file in an error is shown escaped as
// every one-line error shows it, and cut to 120 characters without
// leaving half an escape.
func TestOneLine(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", `invalid character 'k'`, `invalid character 'k'`},
		{"controls and line breaks", "a\x1b[2J\nb\tc\u202ed\x7f", `a\x1b[2J\nb\tc\u202ed\u007f`},
		{"not UTF-8", "a\xffb", `a\xffb`},
		{"cut", strings.Repeat("a", 200), strings.Repeat("a", 119) + "…"},
		{"an escape is not cut in half", strings.Repeat("a", 117) + "\x1bbbb", strings.Repeat("a", 117) + "…"},
		{"120 is not cut", strings.Repeat("a", 120), strings.Repeat("a", 120)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oneLine(tc.in); got != tc.want {
				t.Errorf("oneLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestReadJSONCutsLongValues: a long bad value in a baseline is refused
// with one line, the value's part cut.
func TestReadJSONCutsLongValues(t *testing.T) {
	data := `{"schema_version": 2, "generated": "` + strings.Repeat("x", 300) + `"}`
	_, err := ReadJSON("base.json", []byte(data))
	if err == nil {
		t.Fatal("a bad time was read")
	}
	msg := err.Error()
	head, detail, ok := strings.Cut(msg, `got string "xxxxxxxx`)
	if !ok || !strings.HasPrefix(head, "base.json:1: generated: expected an RFC 3339 time string, ") || !strings.HasSuffix(msg, "…") ||
		utf8.RuneCountInString(msg) > 250 || strings.ContainsAny(detail, "\n\r") {
		t.Errorf("error %q: want one line naming the field, the value's detail cut", msg)
	}
}
