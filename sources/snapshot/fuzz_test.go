package snapshot

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// FuzzRead reads arbitrary bytes as an archive. Read must not panic; when
// it accepts, every File has a clean relative path inside the root, no
// .git path, a well-formed blob id and a git mode, and the list is sorted
// without duplicates; when it refuses, the error is a one-line
// *fileerr.Error that names the file and says which kind of refusal it is.
func FuzzRead(f *testing.F) {
	relTar := tarOf(f, release...)
	f.Add(relTar)
	f.Add(gzipOf(f, relTar))
	f.Add(xzOf(f, relTar))
	f.Add(tarOf(f, file("a", "a"), symlink("d/e/up", "../.."), symlink("l", "d/e/up/../x"), hardlink("h", "a")))
	f.Add(tarOf(f, file("p/a", "a"), symlink("p/l", "../p/a"), special("p/dev", 'c')))
	f.Add(gzipOf(f, tarOf(f, file("../x", "x"))))
	f.Add(append(gzipOf(f, relTar[:700]), gzipOf(f, relTar[700:])...))
	f.Add(tarNoEnd(f, file("x", "y")))
	f.Add(make([]byte, 1024))
	f.Add([]byte("\x1f\x8b"))
	f.Add([]byte("\xfd7zXZ\x00"))
	f.Add([]byte("not an archive"))
	lim := Limits{MaxFileSize: 1 << 20, MaxTotalSize: 8 << 20, MaxFiles: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "fuzz.tgz")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Read(context.Background(), p, lim)
		if err != nil {
			var e *fileerr.Error
			if !errors.As(err, &e) || e.File != p {
				t.Fatalf("error %T %v does not name the file", err, err)
			}
			if !errors.Is(err, ErrUnsafe) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v has no kind (Err %T %v)", err, e.Err, e.Err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if strings.Contains(s.Stripped, "/") {
			t.Fatalf("stripped %q is not one directory", s.Stripped)
		}
		var total int64
		for i, f := range s.Files {
			if f.Path == "" || f.Path == "." || path.Clean(f.Path) != f.Path || path.IsAbs(f.Path) ||
				f.Path == ".." || strings.HasPrefix(f.Path, "../") || inGit(f.Path) {
				t.Fatalf("bad path %q", f.Path)
			}
			if i > 0 && s.Files[i-1].Path >= f.Path {
				t.Fatalf("not sorted or duplicate: %q then %q", s.Files[i-1].Path, f.Path)
			}
			if b, err := hex.DecodeString(f.Blob); err != nil || len(b) != 20 || strings.ToLower(f.Blob) != f.Blob {
				t.Fatalf("%q: bad blob id %q", f.Path, f.Blob)
			}
			if f.Mode != ModeFile && f.Mode != ModeExecutable && f.Mode != ModeSymlink {
				t.Fatalf("%q: bad mode %o", f.Path, f.Mode)
			}
			if f.Size < 0 || f.Size > lim.MaxFileSize && f.Mode != ModeSymlink {
				t.Fatalf("%q: size %d", f.Path, f.Size)
			}
			total += f.Size
		}
		if len(s.Files) > lim.MaxFiles {
			t.Fatalf("%d files", len(s.Files))
		}
	})
}

// FuzzCheckLinks builds small sets of symlinks from a few names, "." and
// "..", and checks every set checkLinks accepts against the system's own
// resolution on disk: no accepted link may resolve outside the root.
func FuzzCheckLinks(f *testing.F) {
	f.Add([]byte{0x10, 0x44, 0x31, 0x01, 0x02})
	f.Add([]byte("\x21\x33\x33\x00\x00\x12\x40\x33"))
	f.Add([]byte{0x30, 0x41, 0x42, 0x43, 0x44})
	// a/b/c -> ../.. and b -> a/b/c/../a: b climbs out only by way of a/b/c.
	f.Add([]byte{0x06, 0, 1, 2, 4, 4, 0x10, 1, 0, 1, 2, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		links := linksFrom(data)
		if len(links) == 0 {
			return
		}
		if bad, _ := checkLinks(links); bad == "" {
			checkOnDisk(t, links)
		} else if _, ok := links[bad]; !ok {
			t.Fatalf("checkLinks blamed %q, which is no symlink", bad)
		}
	})
}

// linksFrom decodes up to 6 symlinks from data. Each takes a header byte
// (low 2 bits: path depth - 1; next 3 bits: target length - 1) and then
// one byte per path and target component, chosen from a, b, c, "." and
// "..". Paths that would lie below another link, or that would make one
// a directory, are dropped, as the collector refuses them.
func linksFrom(data []byte) map[string]string {
	names := []string{"a", "b", "c"}
	comps := []string{"a", "b", "c", ".", "..", ".."}
	links := map[string]string{}
	for len(data) > 0 && len(links) < 6 {
		h := data[0]
		data = data[1:]
		depth, tlen := int(h&3)+1, int(h>>2&7)+1
		if len(data) < depth+tlen {
			break
		}
		var p, tg []string
		for _, b := range data[:depth] {
			p = append(p, names[int(b)%len(names)])
		}
		for _, b := range data[depth : depth+tlen] {
			tg = append(tg, comps[int(b)%len(comps)])
		}
		data = data[depth+tlen:]
		lp := strings.Join(p, "/")
		ok := true
		for q := range links {
			if q == lp || strings.HasPrefix(q, lp+"/") || strings.HasPrefix(lp, q+"/") {
				ok = false
			}
		}
		if ok {
			links[lp] = strings.Join(tg, "/")
		}
	}
	return links
}
