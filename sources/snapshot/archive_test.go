package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// release is a small WinOFED-like release under one top-level directory.
var release = []ent{
	dir("WinOF-3.2/"),
	dir("WinOF-3.2/ulp/"),
	dir("WinOF-3.2/ulp/ipoib/"),
	file("WinOF-3.2/ulp/ipoib/ipoib.c", "int ipoib;\n"),
	file("WinOF-3.2/ulp/ipoib/ipoib.h", "#pragma once\n"),
	exe("WinOF-3.2/build.sh", "#!/bin/sh\nmake\n"),
	symlink("WinOF-3.2/inc", "ulp/ipoib"),
	hardlink("WinOF-3.2/ulp/ipoib/copy.h", "WinOF-3.2/ulp/ipoib/ipoib.h"),
	dir("WinOF-3.2/.git/"),
	file("WinOF-3.2/.git/HEAD", "ref: refs/heads/main\n"),
}

var releaseFiles = wantFiles(
	want{path: "build.sh", body: "#!/bin/sh\nmake\n", mode: ModeExecutable},
	want{path: "inc", body: "ulp/ipoib", mode: ModeSymlink},
	want{path: "ulp/ipoib/copy.h", body: "#pragma once\n"},
	want{path: "ulp/ipoib/ipoib.c", body: "int ipoib;\n"},
	want{path: "ulp/ipoib/ipoib.h", body: "#pragma once\n"},
)

func TestReadArchive(t *testing.T) {
	relTar := tarOf(t, release...)
	flat := tarOf(t, file("README", "hi\n"), dir("src"), file("src/a.c", "a\n"))
	flatFiles := wantFiles(want{path: "README", body: "hi\n"}, want{path: "src/a.c", body: "a\n"})
	twoMembers := append(gzipOf(t, relTar[:1000]), gzipOf(t, relTar[1000:])...)

	tests := []struct {
		name     string
		file     string
		data     []byte
		stripped string
		files    []File
	}{
		{"tar.gz with a top-level directory", "WinOF-3.2.tar.gz", gzipOf(t, relTar), "WinOF-3.2", releaseFiles},
		{"tar.xz", "WinOF-3.2.tar.xz", xzOf(t, relTar), "WinOF-3.2", releaseFiles},
		{"plain tar", "WinOF-3.2.tar", relTar, "WinOF-3.2", releaseFiles},
		{"format by magic, not by name", "WinOF-3.2.zip", gzipOf(t, relTar), "WinOF-3.2", releaseFiles},
		{"no top-level directory", "flat.tgz", gzipOf(t, flat), "", flatFiles},
		{"top-level directory implied, ./ prefix", "dot.tar",
			tarOf(t, dir("./"), file("./OFED-5.8/a.c", "a\n"), file("./OFED-5.8/docs/b.txt", "b\n")),
			"OFED-5.8", wantFiles(want{path: "a.c", body: "a\n"}, want{path: "docs/b.txt", body: "b\n"})},
		{"one top-level file is not stripped", "one.tar", tarOf(t, file("README", "x")), "",
			wantFiles(want{path: "README", body: "x"})},
		{"two top-level directories", "two.tar", tarOf(t, file("a/x", "1"), file("b/y", "2")), "",
			wantFiles(want{path: "a/x", body: "1"}, want{path: "b/y", body: "2"})},
		{"empty archive", "empty.tar", make([]byte, 10240), "", nil},
		{"only a directory", "d.tar", tarOf(t, dir("d/")), "", nil},
		{"pax global header of git archive", "git.tar",
			tarOf(t, ent{name: "pax_global_header", typ: tar.TypeXGlobalHeader}, file("p/a", "a")), "p",
			wantFiles(want{path: "a", body: "a"})},
		{"gzip members one after the other", "multi.tar.gz", twoMembers, "WinOF-3.2", releaseFiles},
		{"zeros after the gzip stream", "pad.tar.gz", append(gzipOf(t, relTar), make([]byte, 4096)...), "WinOF-3.2", releaseFiles},
		{"zeros after the end-of-archive marker", "pad.tar", append(slices.Clone(relTar), make([]byte, 9000)...), "WinOF-3.2", releaseFiles},
		{"a/../b is b", "dots.tar", tarOf(t, file("a/../b", "b"), file("c", "c")), "",
			wantFiles(want{path: "b", body: "b"}, want{path: "c", body: "c"})},
		{"symlinks within the root", "links.tar", tarOf(t,
			file("top/inc/x.h", "x"),
			symlink("top/a/b/up", "../../inc/x.h"),
			symlink("top/a/here", "."),
			symlink("top/a/chain", "b/up"),
			symlink("top/dangling", "no/such/file"),
			symlink("top/a/via", "here/../inc/x.h"),
		), "top", wantFiles(
			want{path: "a/b/up", body: "../../inc/x.h", mode: ModeSymlink},
			want{path: "a/chain", body: "b/up", mode: ModeSymlink},
			want{path: "a/here", body: ".", mode: ModeSymlink},
			want{path: "a/via", body: "here/../inc/x.h", mode: ModeSymlink},
			want{path: "dangling", body: "no/such/file", mode: ModeSymlink},
			want{path: "inc/x.h", body: "x"},
		)},
		{"hard link to a symlink", "hl.tar", tarOf(t, file("a", "A"), symlink("l", "a"), hardlink("m", "l")), "",
			wantFiles(want{path: "a", body: "A"}, want{path: "l", body: "a", mode: ModeSymlink}, want{path: "m", body: "a", mode: ModeSymlink})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, tt.file, tt.data)
			s, err := Read(context.Background(), p, Limits{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if s.Root != p || s.Stripped != tt.stripped {
				t.Errorf("Root, Stripped = %q, %q; want %q, %q", s.Root, s.Stripped, p, tt.stripped)
			}
			if !slices.Equal(s.Files, tt.files) {
				t.Errorf("files:\n got %v\nwant %v", s.Files, tt.files)
			}
		})
	}
}

// patchSize rewrites the size field of the first tar header in b and its
// checksum, so that the header lies about the contents that follow.
func patchSize(b []byte, size int64) []byte {
	b = slices.Clone(b)
	copy(b[124:136], []byte(strings.Repeat("0", 11-len(octal(size)))+octal(size)+"\x00"))
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b[:blockSize] {
		sum += int64(c)
	}
	o := octal(sum)
	copy(b[148:156], strings.Repeat("0", 6-len(o))+o+"\x00 ")
	return b
}

func octal(n int64) string {
	const digits = "01234567"
	if n == 0 {
		return "0"
	}
	var s []byte
	for ; n > 0; n /= 8 {
		s = append([]byte{digits[n%8]}, s...)
	}
	return string(s)
}

// patchXZDict sets the dictionary size property of the first block of an
// xz file made by xzOf and fixes the block header's CRC32.
func patchXZDict(t *testing.T, b []byte, prop byte) []byte {
	t.Helper()
	b = slices.Clone(b)
	h := b[12:]
	size := (int(h[0]) + 1) * 4
	if h[1] != 0 || h[2] != 0x21 || h[3] != 1 {
		t.Fatalf("unexpected xz block header % x", h[:size])
	}
	h[4] = prop
	crc := crc32.ChecksumIEEE(h[:size-4])
	h[size-4], h[size-3], h[size-2], h[size-1] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	return b
}

func TestReadArchiveRefused(t *testing.T) {
	good := tarOf(t, release...)
	big := strings.Repeat("x", 5000)
	corruptGz := gzipOf(t, good)
	corruptGz[len(corruptGz)/2] ^= 0xff
	badCRC := gzipOf(t, good)
	badCRC[len(badCRC)-6] ^= 0xff
	corruptXz := xzOf(t, good)
	corruptXz[len(corruptXz)/2] ^= 0xff
	// header says small, stream is big: 5000 bytes follow a header that says 10
	headerSmall := patchSize(tarOf(t, file("f", big), file("g", "g")), 10)
	// header says big, stream is small
	headerBig := patchSize(tarNoEnd(t, file("f", "short")), 1<<20)
	// a bomb: a tiny gzip file that inflates to 64 MiB of zeros after the archive
	bomb := gzipOf(t, append(tarOf(t, file("a", "a")), make([]byte, 64<<20)...))
	small := Limits{MaxFileSize: 4096, MaxTotalSize: 1 << 20, MaxFiles: 5}

	tests := []struct {
		name  string
		data  []byte
		lim   Limits
		kind  error
		entry string
		msg   string
	}{
		{"parent path", tarOf(t, file("../x", "x")), Limits{}, ErrUnsafe, "../x", "leads out of the root"},
		{"absolute path", tarOf(t, file("/etc/x", "x")), Limits{}, ErrUnsafe, "/etc/x", "absolute path"},
		{"climbing path", tarOf(t, file("a/../../x", "x")), Limits{}, ErrUnsafe, "a/../../x", "leads out of the root"},
		{"file at the root's path", tarOf(t, file(".", "x")), Limits{}, ErrUnsafe, ".", "root's path"},
		{"path too long", tarOf(t, file(strings.Repeat("a/", 2100)+"f", "x")), Limits{}, ErrUnsafe, strings.Repeat("a/", 2100) + "f", "longer than 4096"},
		{"absolute symlink", tarOf(t, symlink("p/l", "/etc/passwd")), Limits{}, ErrUnsafe, "p/l", "absolute path"},
		{"symlink out", tarOf(t, symlink("p/l", "../../x")), Limits{}, ErrUnsafe, "p/l", "leads out of the root"},
		{"symlink out of the stripped directory", tarOf(t, file("p/a", "a"), symlink("p/l", "../p/a")), Limits{}, ErrUnsafe, "p/l", "leads out of the root"},
		{"symlink out through a symlink", tarOf(t,
			file("a", "a"), symlink("d/e/up", "../.."), symlink("l", "d/e/up/../x")), Limits{}, ErrUnsafe, "l", "leads out of the root"},
		{"symlink through a bad symlink", tarOf(t, file("a", "a"), symlink("l", "m/x"), symlink("m", "..")), Limits{}, ErrUnsafe, "m", "leads out of the root"},
		{"symlink loop", tarOf(t, file("a", "a"), symlink("l", "m/.."), symlink("m", "l/..")), Limits{}, ErrUnsafe, "l", "loop"},
		{"empty symlink", tarOf(t, symlink("l", "")), Limits{}, ErrUnsafe, "l", "empty target"},
		{"entry below a symlink", tarOf(t, dir("d"), symlink("l", "d"), file("l/x", "x")), Limits{}, ErrUnsafe, "l/x", "which is a file or symlink"},
		{"hard link out", tarOf(t, hardlink("h", "../etc/passwd")), Limits{}, ErrUnsafe, "h", "leads out of the root"},
		{"hard link to a later entry", tarOf(t, hardlink("h", "a"), file("a", "a")), Limits{}, ErrUnsafe, "h", "not an earlier file"},
		{"hard link to a directory", tarOf(t, dir("d"), hardlink("h", "d")), Limits{}, ErrUnsafe, "h", "not an earlier file"},
		{"hard link to itself", tarOf(t, hardlink("h", "h")), Limits{}, ErrUnsafe, "h", "not an earlier file"},
		{"character device", tarOf(t, special("dev/null", tar.TypeChar)), Limits{}, ErrUnsafe, "dev/null", "device file"},
		{"block device", tarOf(t, special("dev/sda", tar.TypeBlock)), Limits{}, ErrUnsafe, "dev/sda", "device file"},
		{"fifo", tarOf(t, special("p", tar.TypeFifo)), Limits{}, ErrUnsafe, "p", "FIFO"},
		{"unknown type", tarOf(t, special("v", 'V')), Limits{}, ErrUnsafe, "v", "unsupported tar entry type"},
		{"duplicate path", tarOf(t, file("a/b", "1"), file("a/./b", "2")), Limits{}, ErrUnsafe, "a/./b", "duplicate path"},
		{"file where a directory was", tarOf(t, file("a/b", "1"), file("a", "2")), Limits{}, ErrUnsafe, "a", "path of a directory"},
		{"directory where a file was", tarOf(t, file("a", "2"), dir("a/")), Limits{}, ErrUnsafe, "a/", "path of an earlier file"},
		{"file too big", tarOf(t, file("f", big)), small, ErrLimit, "f", "over the limit of 4096"},
		{"files too big together", tarOf(t, file("f", big[:4000]), file("g", big[:4000])),
			Limits{MaxFileSize: 4096, MaxTotalSize: 6000}, ErrLimit, "g", "add up to more than"},
		{"too many entries", tarOf(t, dir("d"), file("d/1", ""), file("d/2", ""), file("d/3", ""), file("d/4", ""), file("d/5", "")), small, ErrLimit, "d/5", "more than 5 entries"},
		{"gzip bomb", bomb, small, ErrLimit, "", "uncompressed archive is larger"},
		{"header says small, stream is big", headerSmall, Limits{}, ErrDamaged, "", `invalid tar header at byte 1024, after entry "f"`},
		{"header says big, stream is small", headerBig, Limits{}, ErrDamaged, "f", "truncated"},
		{"header says big, stream is small, gzip", gzipOf(t, headerBig), Limits{}, ErrDamaged, "f", "truncated"},
		{"corrupt gzip", corruptGz, Limits{}, ErrDamaged, "", "corrupt gzip stream near byte"},
		{"gzip checksum", badCRC, Limits{}, ErrDamaged, "", "gzip: invalid checksum"},
		{"truncated gzip", gzipOf(t, good)[:300], Limits{}, ErrDamaged, "", "truncated gzip stream"},
		{"corrupt xz", corruptXz, Limits{}, ErrDamaged, "", "xz"},
		{"truncated xz", xzOf(t, good)[:200], Limits{}, ErrDamaged, "", "xz stream at byte 200: truncated"},
		{"xz dictionary too big", patchXZDict(t, xzOf(t, good), 40), Limits{}, ErrLimit, "", "dictionary of 4294967295 bytes"},
		{"truncated tar", tarNoEnd(t, release...), Limits{}, ErrDamaged, "", "without its end-of-archive marker"},
		{"data after the end", append(slices.Clone(good), tarOf(t, file("hidden", "x"))...), Limits{}, ErrFormat, "", "data after the end-of-archive marker"},
		{"garbage after gzip", append(gzipOf(t, good), "garbage"...), Limits{}, ErrDamaged, "", "data after the last gzip member"},
		{"gzip of something else", gzipOf(t, []byte("just text\n")), Limits{}, ErrFormat, "", "does not hold a tar archive"},
		{"not an archive", []byte("PK\x03\x04 a zip file"), Limits{}, ErrFormat, "", "not a directory, tar"},
		{"empty file", nil, Limits{}, ErrFormat, "", "not a directory, tar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "drop.tar.gz", tt.data)
			s, err := Read(context.Background(), p, tt.lim)
			if err == nil {
				t.Fatalf("Read accepted it: %v", s.Files)
			}
			var e *fileerr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not a *fileerr.Error", err, err)
			}
			if e.File != p || e.Where != entryWhere(tt.entry) || !errors.Is(err, tt.kind) || !strings.Contains(e.Msg, tt.msg) ||
				tt.kind == ErrFormat && errors.Is(err, ErrDamaged) {
				t.Errorf("got  %v (where %s, kind %v)\nwant entry %q, kind %v, message with %q", err, e.Where, e.Err, tt.entry, tt.kind, tt.msg)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err.Error())
			}
		})
	}
}

// TestRefusalNamesTheEntryEscaped: an archive whose name and entry hold
// terminal controls and a line break is refused on one line that shows them.
func TestRefusalNamesTheEntryEscaped(t *testing.T) {
	p := writeTemp(t, "drop\x1b[2J.tar", tarOf(t, special("p\n\x1b]0;pwned\x07", tar.TypeFifo)))
	_, err := Read(context.Background(), p, Limits{})
	want := strings.TrimSuffix(p, "drop\x1b[2J.tar") + `drop\x1b[2J.tar: "p\n\x1b]0;pwned\a": `
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("error %q, want it to start with %q and name a FIFO", err, want)
	}
}

func TestReadCanceled(t *testing.T) {
	p := writeTemp(t, "r.tar", tarOf(t, release...))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, p, Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestReadMissing(t *testing.T) {
	_, err := Read(context.Background(), "/no/such/drop.tgz", Limits{})
	var e *fileerr.Error
	if !errors.As(err, &e) || e.File != "/no/such/drop.tgz" || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestIsTarHeader(t *testing.T) {
	good := tarOf(t, file("a", "a"))
	signed := bytes.Clone(good[:blockSize])
	signed[100] = 0xff // a byte over 127 makes the signed and unsigned sums differ
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"header", good, true},
		{"zero block", make([]byte, blockSize), true},
		{"short", good[:511], false},
		{"bad checksum", signed, false},
		{"text", bytes.Repeat([]byte("text "), 200), false},
	}
	for _, tt := range tests {
		if got := isTarHeader(tt.b); got != tt.want {
			t.Errorf("%s: isTarHeader = %v, want %v", tt.name, got, tt.want)
		}
	}
}
