package snapshot

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	f := func(path, blob string, mode uint32) File { return File{Path: path, Blob: blob, Mode: mode} }
	const r = ModeFile
	tests := []struct {
		name     string
		old, new []File
		want     Diff
	}{
		{"both empty", nil, nil, Diff{}},
		{"all added", nil, []File{f("a", "1", r), f("b", "2", r)}, Diff{Added: []string{"a", "b"}}},
		{"all removed", []File{f("a", "1", r)}, nil, Diff{Removed: []string{"a"}}},
		{"same", []File{f("a", "1", r)}, []File{f("a", "1", r)}, Diff{Same: 1}},
		{"changed blob", []File{f("a", "1", r)}, []File{f("a", "2", r)}, Diff{Changed: []string{"a"}}},
		{"changed mode", []File{f("a", "1", r)}, []File{f("a", "1", ModeExecutable)}, Diff{Changed: []string{"a"}}},
		{"file became symlink", []File{f("a", "1", r)}, []File{f("a", "1", ModeSymlink)}, Diff{Changed: []string{"a"}}},
		{"mixed",
			[]File{f("a", "1", r), f("b/x", "2", r), f("c", "3", r), f("e", "5", r)},
			[]File{f("a", "1", r), f("b/y", "2", r), f("c", "9", r), f("d", "4", r), f("e", "5", r)},
			Diff{Added: []string{"b/y", "d"}, Removed: []string{"b/x"}, Changed: []string{"c"}, Same: 2}},
		{"unsorted input",
			[]File{f("c", "3", r), f("a", "1", r)},
			[]File{f("b", "2", r), f("a", "1", r), f("c", "4", r)},
			Diff{Added: []string{"b"}, Changed: []string{"c"}, Same: 1}},
		{"byte order, not directory order",
			[]File{f("a-b", "1", r), f("a/b", "2", r), f("a.c", "3", r)},
			[]File{f("a.c", "3", r), f("a/b", "2", r)},
			Diff{Removed: []string{"a-b"}, Same: 2}},
		{"duplicate path counts once", []File{f("a", "1", r), f("a", "2", r)}, []File{f("a", "1", r)}, Diff{Same: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := append([]File(nil), tt.old...)
			got := Compare(tt.old, tt.new)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Compare = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(old, tt.old) {
				t.Errorf("Compare changed its input")
			}
			// Swapping the sides swaps Added and Removed.
			back := Compare(tt.new, tt.old)
			if !reflect.DeepEqual(back.Added, tt.want.Removed) || !reflect.DeepEqual(back.Removed, tt.want.Added) || back.Same != tt.want.Same {
				t.Errorf("Compare(new, old) = %+v", back)
			}
		})
	}
}

// TestErrorText: a refusal names the file, the entry quoted and cut, and
// what is wrong, on one line; what a name or message holds is shown
// escaped, never obeyed (a terminal control in an archive's name).
func TestErrorText(t *testing.T) {
	tests := []struct {
		file, entry, msg string
		want             string
	}{
		{"a.tgz", "", "not a tar", "a.tgz: not a tar"},
		{"a.tgz", "x/y", "FIFO", `a.tgz: "x/y": FIFO`},
		{"a\nb.tgz", "x\ny", "bad\nthing", `a\nb.tgz: "x\ny": bad\nthing`},
		{"\x1b]0;t\x07.tgz", "\u202eevil\u202c", "read \x1b[2J", `\x1b]0;t\x07.tgz: "\u202eevil\u202c": read \x1b[2J`},
		{"a.tgz", `q"\`, "m", `a.tgz: "q\"\\": m`},
		{"a.tgz", strings.Repeat("d/", 150), "m", `a.tgz: "` + strings.Repeat("d/", 100) + `...": m`},
	}
	for _, tt := range tests {
		if got := entryError(tt.file, tt.entry, tt.msg, nil).Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestHashBlobSize(t *testing.T) {
	buf := make([]byte, 8)
	if id, err := hashBlob(strings.NewReader("hello world\n"), 12, buf); err != nil || id != "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" {
		t.Errorf("hashBlob = %q, %v; want git's id of hello world", id, err)
	}
	if _, err := hashBlob(strings.NewReader("grown"), 3, buf); err == nil || !strings.Contains(err.Error(), "more than the 3 bytes") {
		t.Errorf("grown: err = %v", err)
	}
	if _, err := hashBlob(strings.NewReader("ab"), 3, buf); err == nil || !strings.Contains(err.Error(), "holds 2 bytes, not the 3") {
		t.Errorf("shrunk: err = %v", err)
	}
}
