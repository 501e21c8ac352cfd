package snapshot

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
)

// The kinds of refusal; an *Error's Err is one of them unless the file
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
)

// Error is why Read refused a snapshot.
type Error struct {
	File  string // the archive or directory given to Read
	Entry string // the entry at fault (its name in the archive, or its path in the directory); "" if none
	Msg   string // what is wrong, one line
	Err   error  // ErrUnsafe, ErrLimit, ErrFormat, or the underlying file system or context error
}

// Error returns one line: the file, the entry quoted, and the message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(quoteControl(e.File))
	b.WriteString(": ")
	if e.Entry != "" {
		entry := e.Entry
		if len(entry) > maxShownEntry {
			entry = entry[:maxShownEntry] + "..."
		}
		b.WriteString(strconv.Quote(entry))
		b.WriteString(": ")
	}
	b.WriteString(quoteControl(e.Msg))
	return b.String()
}

// maxShownEntry is how much of an entry's name Error shows: a name can be
// 4096 bytes long.
const maxShownEntry = 200

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// quoteControl returns s quoted if it holds a control character (a file name
// from an archive may hold a newline), else s.
func quoteControl(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// fsError returns an *Error for a failure of the file system, whose
// message leaves out the path the *Error already names.
func fsError(file, entry string, err error) *Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Op + ": " + pe.Err.Error()
	}
	return &Error{File: file, Entry: entry, Msg: msg, Err: err}
}
