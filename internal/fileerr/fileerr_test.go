package fileerr

import (
	"errors"
	"io/fs"
	"testing"
)

// TestErrorText: the texts every reader's errors are read by (users,
// tests, goldens): file and line when known, one line always.
func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"file and line", &Error{File: "series.conf", Line: 12, Msg: "patch named twice"}, "series.conf:12: patch named twice"},
		{"file only", &Error{File: "0001-x.patch", Msg: "no diff"}, "0001-x.patch: no diff"},
		{"line only", &Error{Line: 3, Msg: "bad hunk header"}, "line 3: bad hunk header"},
		{"neither", &Error{Msg: "empty"}, "empty"},
		{"line breaks in file and message", &Error{File: "evil\nname", Line: 2, Msg: "want\r\nthis\u2028or\u0085that"}, "evil name:2: want this or that"},
		{"blank lines fold to one space", &Error{File: "f", Msg: "a\n\n\nb"}, "f: a b"},
		{"U+0085 alone", &Error{File: "f", Msg: "a\u0085b"}, "f: a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorUnwraps(t *testing.T) {
	err := error(&Error{File: "kdelta.toml", Msg: "not found", Err: fs.ErrNotExist})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%v does not unwrap to fs.ErrNotExist", err)
	}
	var fe *Error
	if !errors.As(err, &fe) || fe.File != "kdelta.toml" {
		t.Errorf("errors.As: %v", fe)
	}
}
