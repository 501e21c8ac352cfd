package results

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// Stream is a results file that Open checked whole and that Each reads
// again, case by case: what it holds is a case and a batch, not the file,
// so a JUnit or CSV file of millions of cases takes little memory. A
// kcidb file, whose tests may name builds and checkouts anywhere in it, is
// held whole (it is bounded by MaxSize).
type Stream struct {
	path   string
	format string
	digest string
	count  int
	props  junitProps // JUnit: the suites' properties, from Open's pass
	cases  []Case     // kcidb: every case
}

// Format is the file's format: FormatJUnit, FormatKCIDB or FormatCSV.
func (s *Stream) Format() string { return s.format }

// Digest is the sha256 of the file's bytes, hex, as File.Digest.
func (s *Stream) Digest() string { return s.digest }

// Count is how many cases the file holds.
func (s *Stream) Count() int { return s.count }

// peekSize is how much of a file format detection sees: leading white
// space and a CSV header line must fit in it.
const peekSize = 1 << 20

// Open checks the results file at path whole, as format (FormatJUnit,
// FormatKCIDB, FormatCSV, or "" to Detect it from the first peekSize
// bytes), keeping none of its cases (but a kcidb file's): the first
// problem refuses it with an *fileerr.Error, as Parse would, before anything of it
// is used. Each then reads its cases.
func Open(path, format string) (*Stream, error) {
	s := &Stream{path: path, format: strings.ToLower(strings.TrimSpace(format)), props: junitProps{}}
	digest, err := s.read(true, func(Case) *fileerr.Error {
		s.count++
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.digest = digest
	return s, nil
}

// Each reads the cases again, in file order, and calls fn with batches of
// at most n of them; fn must not keep the slice, which the next batch
// reuses. It stops at fn's first error and returns it. Each may be called
// again, from the start. A file that changed since Open is an *fileerr.Error. A
// JUnit file whose properties are repeated over too many suites and cases
// is refused here, not by Open (the count needs what follows the cases).
func (s *Stream) Each(n int, fn func([]Case) error) error {
	if n <= 0 {
		n = 1
	}
	batch := make([]Case, 0, min(n, 4096))
	var fnErr error
	stop := &fileerr.Error{Msg: "stopped"}
	emit := func(c Case) *fileerr.Error {
		batch = append(batch, c)
		if len(batch) < n {
			return nil
		}
		if fnErr = fn(batch); fnErr != nil {
			return stop
		}
		clear(batch)
		batch = batch[:0]
		return nil
	}
	var digest string
	var err *fileerr.Error
	if s.format == FormatKCIDB {
		for _, c := range s.cases {
			if err = emit(c); err != nil {
				break
			}
		}
		digest = s.digest
	} else {
		digest, err = s.read(false, emit)
	}
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return err
	case digest != s.digest:
		return &fileerr.Error{File: s.path, Msg: "changed while it was read; import it again"}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// read makes one pass over the file: the first (check) detects the format
// when not given and reads kcidb whole; it returns the digest of the
// file's bytes.
func (s *Stream) read(check bool, emit func(Case) *fileerr.Error) (string, *fileerr.Error) {
	fail := func(e *fileerr.Error) (string, *fileerr.Error) {
		if e.File == "" {
			e.File = s.path
		}
		return "", e
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fail(&fileerr.Error{Msg: "cannot read: " + reason(err)})
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return fail(&fileerr.Error{Msg: "is a directory, want a results file"})
		}
		if fi.Mode().IsRegular() && fi.Size() > MaxSize {
			return fail(&fileerr.Error{Msg: msgTooLarge})
		}
	}
	sum := sha256.New()
	counted := &countingReader{r: io.LimitReader(f, MaxSize+1), h: sum}
	br := bufio.NewReaderSize(counted, peekSize)
	head, _ := br.Peek(peekSize)
	if check && s.format == "" {
		format, ok := Detect(head)
		if !ok {
			return fail(&fileerr.Error{Msg: msgNoFormat})
		}
		s.format = format
	}
	// Leading BOMs are skipped; they do not change line numbers.
	skip := len(head) - len(stripBOM(head))
	br.Discard(skip)
	var perr *fileerr.Error
	switch s.format {
	case FormatJUnit:
		perr = readJUnit(br, s.props, !check, emit)
	case FormatCSV:
		perr = readCSV(br, emit)
	case FormatKCIDB:
		if check {
			data, err := io.ReadAll(br)
			if err != nil {
				return fail(&fileerr.Error{Msg: "cannot read: " + reason(err)})
			}
			if counted.n > MaxSize {
				return fail(&fileerr.Error{Msg: msgTooLarge})
			}
			if s.cases, perr = parseKCIDB(data); perr == nil {
				for _, c := range s.cases {
					emit(c)
				}
			}
		}
	default:
		return fail(unknownFormat(s.format))
	}
	if _, err := io.Copy(io.Discard, br); err != nil && perr == nil {
		return fail(&fileerr.Error{Msg: "cannot read: " + reason(err)})
	}
	if counted.n > MaxSize {
		return fail(&fileerr.Error{Msg: msgTooLarge})
	}
	if perr != nil {
		return fail(perr)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// countingReader counts and hashes what is read through it.
type countingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	return n, err
}
