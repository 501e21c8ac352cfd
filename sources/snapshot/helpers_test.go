package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"
)

// ent is one entry of a test archive.
type ent struct {
	name string
	typ  byte // tar type flag; 0 for a regular file
	body string
	link string // link target of a symlink or hard link
	mode int64  // 0 for 0o644
}

// file, dir, symlink and hardlink make entries.
func file(name, body string) ent        { return ent{name: name, body: body} }
func exe(name, body string) ent         { return ent{name: name, body: body, mode: 0o755} }
func dir(name string) ent               { return ent{name: name, typ: tar.TypeDir} }
func symlink(name, to string) ent       { return ent{name: name, typ: tar.TypeSymlink, link: to} }
func hardlink(name, to string) ent      { return ent{name: name, typ: tar.TypeLink, link: to} }
func special(name string, typ byte) ent { return ent{name: name, typ: typ} }

// tarOf returns a tar archive of ents, with its end-of-archive marker.
func tarOf(t testing.TB, ents ...ent) []byte {
	t.Helper()
	b := tarNoEnd(t, ents...)
	return append(b, make([]byte, 2*blockSize)...)
}

// tarNoEnd returns a tar archive of ents without its end-of-archive marker.
func tarNoEnd(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: e.mode, Format: tar.FormatPAX}
		if e.typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Name: e.name, Typeflag: e.typ, PAXRecords: map[string]string{"comment": "0123abcd"}}
		}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 && h.Typeflag != tar.TypeXGlobalHeader {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar header %q: %v", e.name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatalf("tar body %q: %v", e.name, err)
		}
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTemp writes b to a file called name in a new temporary directory.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// want is a short form of a File for expectations: its contents instead
// of its blob id.
type want struct {
	path, body string
	mode       uint32
}

func wantFiles(ws ...want) []File {
	var fs []File
	for _, w := range ws {
		m := w.mode
		if m == 0 {
			m = ModeFile
		}
		fs = append(fs, File{Path: w.path, Size: int64(len(w.body)), Blob: blobID([]byte(w.body)), Mode: m})
	}
	return fs
}
