package mbox

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ReadMbox reads an mbox (mboxo or mboxrd; lore.kernel.org serves mboxrd,
// `git format-patch --stdout` writes mboxo) named name, for errors and
// Message.File. Messages start at "From " lines that carry a time
// ("From x Thu Jan  1 00:00:00 1970") and follow a blank line or the start
// of the file; one ">" is removed from ">From ", ">>From " ... lines.
//
// A file whose first non-blank line is not a "From " line is not an mbox
// and is refused; so is a message over MaxMessageSize or more than
// MaxMessages messages. Errors are *Error.
func ReadMbox(name string, r io.Reader) ([]Message, error) {
	msgs, _, err := scanMbox(name, r)
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// scanMbox is ReadMbox that, on a read error (a stream that ends early),
// also returns the messages read before it and the line of the message it
// was reading then (0 when between messages).
func scanMbox(name string, r io.Reader) (msgs []Message, cut int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		cur       []byte // the current message, "From " line excluded
		curLine   int    // line of its "From " line; 0 before the first
		lineNo    int
		prevBlank = true
		line      []byte
	)
	flush := func() error {
		if curLine == 0 {
			return nil
		}
		if len(msgs) >= MaxMessages {
			return &Error{File: name, Line: curLine, Msg: fmt.Sprintf("more than %d messages; not a mailing-list archive this tool can hold", MaxMessages)}
		}
		// The blank line before the next "From " line is the mbox's, not
		// the message's.
		raw := cur
		if bytes.HasSuffix(raw, []byte("\n\n")) {
			raw = raw[:len(raw)-1]
		} else if bytes.HasSuffix(raw, []byte("\r\n\r\n")) {
			raw = raw[:len(raw)-2]
		}
		msgs = append(msgs, parseMessage(raw, name, curLine))
		return nil
	}
	for {
		var err error
		line, err = readLine(br, line[:0])
		if err != nil && !errors.Is(err, io.EOF) {
			return msgs, curLine, &Error{File: name, Line: lineNo + 1, Msg: "read: " + err.Error(), Err: err}
		}
		if len(line) == 0 && err != nil {
			break
		}
		lineNo++
		if len(line) > MaxMessageSize {
			return nil, 0, &Error{File: name, Line: lineNo, Msg: fmt.Sprintf("line longer than %d bytes; expected a mail archive", MaxMessageSize)}
		}
		content := bytes.TrimRight(line, "\r\n")
		if lineNo == 1 {
			content = bytes.TrimPrefix(content, []byte("\uFEFF")) // a byte order mark
		}
		if curLine == 0 {
			if len(bytes.TrimSpace(content)) == 0 {
				continue
			}
			if !bytes.HasPrefix(content, []byte("From ")) {
				return nil, 0, &Error{File: name, Line: lineNo, Msg: fmt.Sprintf("not an mbox: expected a \"From \" line, found %q", clip(content))}
			}
			curLine = lineNo
			prevBlank = false
			continue
		}
		if prevBlank && isFromLine(content) {
			if err := flush(); err != nil {
				return nil, 0, err
			}
			cur = cur[:0] // parseMessage keeps nothing of raw
			curLine = lineNo
			prevBlank = false
			continue
		}
		prevBlank = len(content) == 0
		if fromQuoted(content) {
			line = line[1:]
		}
		if len(cur)+len(line) > MaxMessageSize {
			return nil, 0, &Error{File: name, Line: curLine, Msg: fmt.Sprintf("message larger than %d bytes", MaxMessageSize)}
		}
		cur = append(cur, line...)
		if err != nil {
			break
		}
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}
	return msgs, 0, nil
}

// readLine appends the next line of br (with its "\n") to buf. Lines are
// read whole up to MaxMessageSize+1 bytes.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
		if len(buf) > MaxMessageSize {
			return buf, nil
		}
	}
}

// isFromLine reports whether line separates messages: "From ", a sender,
// and a date with a month name, a time of day and a year, in any order
// ("From x Thu Jan  1 00:00:00 1970", "From x Mon Sep 17 00:00:00 2001",
// "From x Tue Jun  4 09:00:00 +0300 2024"). A line of prose that starts
// with "From " rarely has all three.
func isFromLine(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("From ")) {
		return false
	}
	words := strings.Fields(string(line[5:]))
	if len(words) < 4 {
		return false
	}
	var month, clock, year bool
	for _, w := range words[1:] {
		switch {
		case len(w) == 3 && strings.Contains("JanFebMarAprMayJunJulAugSepOctNovDec", w) && w[0] >= 'A' && w[0] <= 'Z':
			month = true
		case isClock(w):
			clock = true
		case len(w) == 4 && allDigits(w):
			year = true
		}
	}
	return month && clock && year
}

// isClock reports whether w is a time of day: "9:05", "09:05", "09:05:00".
func isClock(w string) bool {
	parts := strings.Split(w, ":")
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || !allDigits(parts[0]) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 2 || !allDigits(p) {
			return false
		}
	}
	return true
}

// fromQuoted reports whether line is an escaped "From " line: one or more
// ">" then "From ".
func fromQuoted(line []byte) bool {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	return i > 0 && bytes.HasPrefix(line[i:], []byte("From "))
}

// clip shortens a line quoted in an error.
func clip(b []byte) string {
	const max = 60
	s := validString(b)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// Read reads the archive at path: an mbox file (gzip-compressed when its
// name ends in ".gz"), a single-message file (".eml", ".msg", or ".patch"
// without a "From " line), a public-inbox repository (v1 bare git
// repository, or v2 directory with git/N.git epochs), a maildir (cur/ and
// new/) or a directory of single-message and mbox files (".eml", ".msg",
// ".patch", ".mbox", ".mbx", ".mbox.gz"; not descended into).
//
// What a damaged archive lacks is a Skip, and the rest is read: a message
// whose object a public-inbox clone is missing, the end of a compressed
// mbox that stops early.
func Read(path string) ([]Message, []Skip, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, &Error{File: path, Msg: "expected a mail archive: " + errText(err), Err: err}
	}
	if !fi.IsDir() {
		return readFile(path)
	}
	switch {
	case isPublicInbox(path):
		return ReadPublicInbox(path)
	case isDir(filepath.Join(path, "cur")) || isDir(filepath.Join(path, "new")):
		msgs, err := readMaildir(path)
		return msgs, nil, err
	}
	return readDir(path)
}

// readFile reads one file: an mbox, or a single message.
func readFile(path string) ([]Message, []Skip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &Error{File: path, Msg: "open: " + errText(err), Err: err}
	}
	defer f.Close()
	var r io.Reader = f
	lower := strings.ToLower(path)
	gz := strings.HasSuffix(lower, ".gz")
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, &Error{File: path, Msg: "expected a gzip-compressed mbox: " + err.Error(), Err: err}
		}
		defer zr.Close()
		r = zr
		lower = strings.TrimSuffix(lower, ".gz")
	}
	if single(lower) {
		br := bufio.NewReader(r)
		head, _ := br.Peek(5)
		if !bytes.Equal(head, []byte("From ")) {
			m, err := readSingle(path, br)
			if err != nil || m == nil {
				return nil, nil, err
			}
			return []Message{*m}, nil, nil
		}
		r = br
	}
	msgs, cut, err := scanMbox(path, r)
	var e *Error
	if gz && errors.As(err, &e) && e.Err != nil {
		// A compressed mbox that stops early (a download cut short) still
		// holds the messages before the cut; the one it cuts may be partial.
		what := "the messages after it"
		if cut > 0 {
			what = fmt.Sprintf("the message at line %d and any after it", cut)
		}
		return msgs, []Skip{{File: path, Object: fmt.Sprintf("line %d", e.Line),
			Reason: fmt.Sprintf("the gzip stream ends early at line %d (%v): %s not read", e.Line, e.Err, what)}}, nil
	}
	return msgs, nil, err
}

// single reports whether a file name is that of a single-message file.
func single(lower string) bool {
	return strings.HasSuffix(lower, ".eml") || strings.HasSuffix(lower, ".msg") || strings.HasSuffix(lower, ".patch")
}

// readSingle reads one message that is a whole file; an empty file gives
// nil.
func readSingle(path string, r io.Reader) (*Message, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "read: " + err.Error(), Err: err}
	}
	if len(raw) > MaxMessageSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("message larger than %d bytes", MaxMessageSize)}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	m := parseMessage(raw, path, 0)
	return &m, nil
}

// readMaildir reads the messages of a maildir's cur/ and new/.
func readMaildir(dir string) ([]Message, error) {
	var msgs []Message
	for _, sub := range []string{"cur", "new"} {
		d := filepath.Join(dir, sub)
		if !isDir(d) {
			continue
		}
		names, err := fileNames(d)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if strings.HasPrefix(n, ".") {
				continue
			}
			p := filepath.Join(d, n)
			m, err := readSingleFile(p)
			if err != nil {
				return nil, err
			}
			if m != nil {
				if len(msgs) >= MaxMessages {
					return nil, &Error{File: dir, Msg: fmt.Sprintf("more than %d messages", MaxMessages)}
				}
				msgs = append(msgs, *m)
			}
		}
	}
	return msgs, nil
}

// readDir reads the single-message and mbox files of a directory, in name
// order.
func readDir(dir string) ([]Message, []Skip, error) {
	names, err := fileNames(dir)
	if err != nil {
		return nil, nil, err
	}
	var msgs []Message
	var skips []Skip
	for _, n := range names {
		lower := strings.ToLower(n)
		if strings.HasPrefix(n, ".") {
			continue
		}
		var got []Message
		var skipped []Skip
		switch {
		case single(lower):
			got, skipped, err = readFile(filepath.Join(dir, n))
		case strings.HasSuffix(lower, ".mbox"), strings.HasSuffix(lower, ".mbx"), strings.HasSuffix(lower, ".mbox.gz"):
			got, skipped, err = readFile(filepath.Join(dir, n))
		default:
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if len(msgs)+len(got) > MaxMessages {
			return nil, nil, &Error{File: dir, Msg: fmt.Sprintf("more than %d messages", MaxMessages)}
		}
		msgs = append(msgs, got...)
		skips = append(skips, skipped...)
	}
	return msgs, skips, nil
}

// readSingleFile reads a file that holds one message.
func readSingleFile(path string) (*Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "open: " + errText(err), Err: err}
	}
	defer f.Close()
	return readSingle(path, f)
}

// fileNames returns the names of the regular files of dir, sorted.
func fileNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{File: dir, Msg: "read directory: " + errText(err), Err: err}
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// errText is an error's text without the path os already put in it.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
