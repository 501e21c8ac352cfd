package snapshot

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// The kinds of refusal; a refusal's Err is one of them unless the file
// system or the context failed.
var (
	// ErrUnsafe: an entry that would write or point outside the root, a
	// special file, or two entries fighting over one path.
	ErrUnsafe = errors.New("unsafe entry")
	// ErrLimit: more than Limits allow.
	ErrLimit = errors.New("over a limit")
	// ErrFormat: not a directory, tar, gzip or xz file, or a truncated or
	// corrupt one.
	ErrFormat = errors.New("bad archive")
	// ErrDamaged: an archive cut short or corrupt (a tar, gzip or xz
	// stream), not something else than an archive; it is an ErrFormat too.
	ErrDamaged = fmt.Errorf("damaged archive: %w", ErrFormat)
)

// entryError returns the refusal of the snapshot file about entry ("" for
// none).
func entryError(file, entry, msg string, err error) *fileerr.Error {
	return &fileerr.Error{File: file, Where: entryWhere(entry), Msg: msg, Err: err}
}

// entryWhere is how an error names an entry: quoted, as a name may hold
// any byte (": " too), and cut to maxShownEntry bytes.
func entryWhere(entry string) string {
	if entry == "" {
		return ""
	}
	if len(entry) > maxShownEntry {
		entry = entry[:maxShownEntry] + "..."
	}
	return strconv.Quote(entry)
}

// maxShownEntry is how much of an entry's name an error shows: a name can
// be 4096 bytes long.
const maxShownEntry = 200

// fsError returns the refusal for a failure of the file system, whose
// message leaves out the path the error already names.
func fsError(file, entry string, err error) *fileerr.Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Op + ": " + pe.Err.Error()
	}
	return entryError(file, entry, msg, err)
}
