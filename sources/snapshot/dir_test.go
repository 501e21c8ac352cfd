package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// tree is a directory to build: path -> contents; a value starting with
// "->" makes a symlink, "x:" an executable file, and a path ending in "/"
// an empty directory.
type tree map[string]string

func (tr tree) build(t *testing.T, root string) {
	t.Helper()
	for p, v := range tr {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(v, "->"):
			err = os.Symlink(v[2:], full)
		case strings.HasPrefix(v, "x:"):
			err = os.WriteFile(full, []byte(v[2:]), 0o755)
		default:
			err = os.WriteFile(full, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadDir(t *testing.T) {
	root := t.TempDir()
	tree{
		"hw/mlx4/main.c":   "int main;\n",
		"hw/mlx4/Makefile": "obj-y += main.o\n",
		"tools/run.sh":     "x:#!/bin/sh\n",
		"inc":              "->hw/mlx4",
		"hw/up":            "->../tools/run.sh",
		"empty/":           "",
		".git/HEAD":        "ref: refs/heads/main\n",
		"sub/.git":         "gitdir: ../.git/modules/sub\n",
	}.build(t, root)
	s, err := Read(context.Background(), root, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := wantFiles(
		want{path: "hw/mlx4/Makefile", body: "obj-y += main.o\n"},
		want{path: "hw/mlx4/main.c", body: "int main;\n"},
		want{path: "hw/up", body: "../tools/run.sh", mode: ModeSymlink},
		want{path: "inc", body: "hw/mlx4", mode: ModeSymlink},
		want{path: "tools/run.sh", body: "#!/bin/sh\n", mode: ModeExecutable},
	)
	if s.Root != root || s.Stripped != "" || !slices.Equal(s.Files, want) {
		t.Errorf("got %q %q %v\nwant %v", s.Root, s.Stripped, s.Files, want)
	}
}

func TestReadDirTopLevelKept(t *testing.T) {
	root := t.TempDir()
	tree{"WinOF-3.2/a.c": "a"}.build(t, root)
	s, err := Read(context.Background(), root, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Stripped != "" || len(s.Files) != 1 || s.Files[0].Path != "WinOF-3.2/a.c" {
		t.Errorf("a directory must be read as is, got %q %v", s.Stripped, s.Files)
	}
}

func TestReadDirRefused(t *testing.T) {
	tests := []struct {
		name  string
		tree  tree
		fifo  string
		lim   Limits
		kind  error
		entry string
		msg   string
	}{
		{"symlink out", tree{"a/l": "->../../outside"}, "", Limits{}, ErrUnsafe, "a/l", "leads out of the root"},
		{"absolute symlink", tree{"l": "->/etc/passwd"}, "", Limits{}, ErrUnsafe, "l", "absolute path"},
		{"symlink out through a symlink", tree{"d/e/up": "->../..", "l": "->d/e/up/../x"}, "", Limits{}, ErrUnsafe, "l", "leads out of the root"},
		{"symlink loop", tree{"a": "->b/..", "b": "->a/.."}, "", Limits{}, ErrUnsafe, "a", "loop"},
		{"fifo", tree{"a": "a"}, "p", Limits{}, ErrUnsafe, "p", "FIFO"},
		{"file too big", tree{"big": strings.Repeat("x", 100)}, "", Limits{MaxFileSize: 99}, ErrLimit, "big", "over the limit of 99"},
		{"total too big", tree{"a": strings.Repeat("x", 60), "b": strings.Repeat("x", 60)}, "", Limits{MaxTotalSize: 100}, ErrLimit, "", "add up to more than"},
		{"too many entries", tree{"d/a": "", "d/b": "", "d/c": ""}, "", Limits{MaxFiles: 3}, ErrLimit, "", "more than 3 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outer := t.TempDir()
			root := filepath.Join(outer, "root")
			tt.tree.build(t, root)
			if err := os.WriteFile(filepath.Join(outer, "outside"), []byte("secret"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.fifo != "" {
				if err := mkfifo(filepath.Join(root, tt.fifo)); err != nil {
					t.Skip("no FIFOs here:", err)
				}
			}
			_, err := Read(context.Background(), root, tt.lim)
			var e *fileerr.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *fileerr.Error", err)
			}
			// Directory order decides which of several entries fails first.
			if e.File != root || (tt.entry != "" && e.Where != entryWhere(tt.entry)) || !errors.Is(err, tt.kind) || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got  %v\nwant entry %q, kind %v, message with %q", err, tt.entry, tt.kind, tt.msg)
			}
		})
	}
}

func TestReadDirCanceled(t *testing.T) {
	root := t.TempDir()
	tree{"a": "a"}.build(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, root, Limits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestReadSpecialRoot(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := mkfifo(p); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, err := Read(context.Background(), p, Limits{})
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}
