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
		{"where after the file", &Error{File: "k.json", Where: "tests[2]", Msg: "status missing"}, "k.json: tests[2]: status missing"},
		{"where as a line", &Error{File: "a.xml", Where: "line 3", Msg: "bad"}, "a.xml: line 3: bad"},
		{"where after file and line", &Error{File: "a.c", Line: 4, Where: `"x/y"`, Msg: "m"}, `a.c:4: "x/y": m`},
		{"where without a file", &Error{Where: "--target", Msg: "no such source"}, "--target: no such source"},
		// What the input holds is shown, escaped, never obeyed nor folded:
		// "evil\nname" is not the file "evil name".
		{"line breaks in file and message", &Error{File: "evil\nname", Line: 2, Msg: "want\r\nthis\u2028or\u0085that"}, `evil\nname:2: want\r\nthis\u2028or\u0085that`},
		{"blank lines each shown", &Error{File: "f", Msg: "a\n\nb"}, `f: a\n\nb`},
		{"terminal controls in every part", &Error{File: "\x1b]0;t\x07.tgz", Where: "tests[\x1b[2J]", Msg: "got \u202eevil\tand \u009b2J"}, `\x1b]0;t\x07.tgz: tests[\x1b[2J]: got \u202eevil\tand \u009b2J`},
		{"bytes that are not UTF-8", &Error{File: "f\xff", Msg: "bad \xfe"}, `f\xff: bad \xfe`},
		{"quoted text kept as it is", &Error{File: "d.tgz", Where: `"x\ny"`, Msg: `name "a\\b"`}, `d.tgz: "x\ny": name "a\\b"`},
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
