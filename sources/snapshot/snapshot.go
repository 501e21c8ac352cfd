// Package snapshot reads release drops that come without history (a
// WinOFED or OFED source release as a directory, a tarball compressed with
// gzip or xz, or a plain tar file) and lists their regular files with the
// git blob id of each, so that a drop can be compared file by file with a
// git tree or with another drop.
//
// Nothing is extracted: an archive is read as one stream and each file is
// hashed while it streams past. Hostile archives are refused rather than
// trusted: paths that leave the root, symlinks or hard links that lead out
// of it, device files, duplicate paths, decompression bombs and corrupt
// streams each get a *fileerr.Error that names the archive and the entry.
package snapshot

import (
	"context"
	"os"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// File is one regular file (or symlink) of a snapshot.
type File struct {
	Path string // slash-separated, relative to the snapshot's root, clean
	Size int64  // bytes of contents (for a symlink, of its target)
	Blob string // git blob id of the contents, 40 hex digits, as `git hash-object` prints it
	Mode uint32 // as git records it: 0o100644, 0o100755 or 0o120000 (symlink)
}

// The modes of a File, as git records them.
const (
	ModeFile       uint32 = 0o100644
	ModeExecutable uint32 = 0o100755
	ModeSymlink    uint32 = 0o120000
)

// Snapshot is what Read found.
type Snapshot struct {
	Root     string // the directory or archive as given to Read
	Stripped string // the archive's single top-level directory that was stripped from every path; "" if none
	Files    []File // sorted by Path
}

// Limits bound what a snapshot may hold. A zero (or negative) field takes
// its default.
type Limits struct {
	// MaxFileSize bounds the bytes of one file.
	MaxFileSize int64
	// MaxTotalSize bounds the bytes of all files together and, for an
	// archive, also the bytes of its uncompressed tar stream as actually
	// read (headers, padding and whatever follows the end-of-archive
	// marker count too), so that a small compressed file cannot make Read
	// decompress without end.
	MaxTotalSize int64
	// MaxFiles bounds the entries of any kind: files, symlinks, hard
	// links, directories (in an archive, also those under .git).
	MaxFiles int
}

// The default limits. The largest releases kdelta is meant for (an OFED
// drop with a whole kernel tree) hold about 100,000 files and 1.5 GiB; the
// defaults leave room several times over while still stopping an archive
// that would make Read work for hours or fill memory with file names.
const (
	DefaultMaxFileSize  int64 = 256 << 20 // 256 MiB: larger than any source file or firmware blob of a release
	DefaultMaxTotalSize int64 = 8 << 30   // 8 GiB of uncompressed data
	DefaultMaxFiles           = 500_000   // entries
)

// DefaultLimits returns the limits a zero Limits stands for.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:  DefaultMaxFileSize,
		MaxTotalSize: DefaultMaxTotalSize,
		MaxFiles:     DefaultMaxFiles,
	}
}

// withDefaults returns l with each zero or negative field set to its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	return l
}

// Read lists the regular files and symlinks of a directory or an archive,
// sorted by Path.
//
// An archive is recognized by its first bytes, whatever its name: a tar
// file, or a tar file compressed with gzip (.tar.gz, .tgz) or xz (.tar.xz,
// .txz). If every entry of an archive lies under one top-level directory
// ("WinOF-3.2/"), that directory is stripped from the paths and named in
// Snapshot.Stripped. A directory is read as it is, nothing stripped.
//
// Directories themselves are not listed (git does not track them), nor is
// anything under a ".git" directory, in a directory or in an archive.
// A symlink is listed as git records it: mode 0o120000, its contents the
// link target. A hard link in an archive is listed as a copy of the earlier
// entry it names.
//
// Read refuses, with a *fileerr.Error whose File is path and whose Where
// is the entry at fault quoted (its name in the archive, its path in the
// directory; "" when none), "drop.tgz: \"a/b.c\": ...": a path that leaves the root ("../x", "/etc/x", "a/../../x"),
// a symlink whose target is absolute or leads out of the root (also by
// way of other symlinks), a symlink loop or a chain of more than 40
// symlinks, a hard link to anything but an earlier file or symlink of the
// archive, device files, FIFOs, sockets and other special entries, two
// entries with the same path (the later one would overwrite the earlier),
// a file and a directory with the same path, paths and link targets over
// 4096 bytes, anything over lim, trailing data after the end of a tar
// archive, and a truncated or corrupt gzip, xz or tar stream (the message
// gives the byte offset). Its Err is ErrUnsafe, ErrLimit or ErrFormat, or
// the error of the file system or of ctx.
//
// ctx is checked between entries.
func Read(ctx context.Context, path string, lim Limits) (Snapshot, error) {
	lim = lim.withDefaults()
	fi, err := os.Stat(path)
	if err != nil {
		return Snapshot{}, fsError(path, "", err)
	}
	switch {
	case fi.IsDir():
		return readDir(ctx, path, lim)
	case fi.Mode().IsRegular():
		return readArchive(ctx, path, lim)
	}
	return Snapshot{}, &fileerr.Error{File: path, Msg: "neither a directory nor a regular file", Err: ErrFormat}
}
