package snapshot

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/ulikunitz/xz"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// readBufSize is the size of the buffers between the file, the
// decompressor and the tar reader.
const readBufSize = 64 << 10

var (
	gzipMagic = []byte{0x1f, 0x8b}
	xzMagic   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// archive is the state of reading one archive.
type archive struct {
	c      *collector
	format string        // "gzip", "xz" or "tar"
	raw    *counter      // the file
	rawBuf *bufio.Reader // over raw; the decompressor reads it
	dec    *errRecorder  // the decompressor's output (for a plain tar, rawBuf)
	st     *counter      // the uncompressed tar stream, as the tar reader reads it
	buf    []byte        // scratch for hashing
}

// readArchive reads the tar, tar.gz or tar.xz file name.
func readArchive(ctx context.Context, name string, lim Limits) (Snapshot, error) {
	f, err := os.Open(name)
	if err != nil {
		return Snapshot{}, fsError(name, "", err)
	}
	defer f.Close()

	a := &archive{c: newCollector(name, lim), raw: &counter{r: f}, buf: make([]byte, copyBufSize)}
	a.rawBuf = bufio.NewReaderSize(a.raw, readBufSize)
	head, _ := a.rawBuf.Peek(blockSize) // a short file shows as a short head; errors come again below
	if a.raw.err != nil {
		return Snapshot{}, a.ioError("", a.raw.err)
	}

	var dec io.Reader
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		a.format = "gzip"
		zr, err := gzip.NewReader(a.rawBuf)
		if err != nil {
			return Snapshot{}, a.corrupt("", err)
		}
		zr.Multistream(false)
		dec = &gzipMembers{z: zr, r: a.rawBuf}
	case bytes.HasPrefix(head, xzMagic):
		a.format = "xz"
		fi, err := f.Stat()
		if err != nil {
			return Snapshot{}, a.ioError("", err)
		}
		if off, msg, kind := scanXZ(io.NewSectionReader(f, 0, fi.Size())); msg != "" {
			return Snapshot{}, a.c.fail("", kind, "xz stream at byte %d: %s", off, msg)
		}
		xr, err := xz.NewReader(a.rawBuf)
		if err != nil {
			return Snapshot{}, a.corrupt("", err)
		}
		dec = xr
	case isTarHeader(head):
		a.format = "tar"
		dec = a.rawBuf
	default:
		return Snapshot{}, a.c.fail("", ErrFormat, "not a directory, tar, tar.gz or tar.xz file")
	}

	a.dec = &errRecorder{r: dec}
	tb := bufio.NewReaderSize(a.dec, readBufSize)
	if a.format != "tar" {
		inner, _ := tb.Peek(blockSize)
		if a.dec.err != nil {
			return Snapshot{}, a.corrupt("", a.dec.err)
		}
		if !isTarHeader(inner) {
			return Snapshot{}, a.c.fail("", ErrFormat, "the %s stream does not hold a tar archive", a.format)
		}
	}
	a.st = &counter{r: tb, limit: lim.MaxTotalSize}
	if err := a.entries(ctx, tar.NewReader(a.st)); err != nil {
		return Snapshot{}, err
	}
	if err := a.trailer(); err != nil {
		return Snapshot{}, err
	}
	return a.c.finish(true)
}

// entries reads every entry of the tar stream.
func (a *archive) entries(ctx context.Context, tr *tar.Reader) error {
	prev := ""
	for {
		if err := ctx.Err(); err != nil {
			msg := "canceled"
			if prev != "" {
				msg = "canceled after this entry"
			}
			return entryError(a.c.name, prev, msg, err)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			return a.headerError(prev, err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // pax_global_header: metadata (git archive puts the commit id there), not a file
		}
		if err := a.entry(tr, hdr); err != nil {
			return err
		}
		prev = hdr.Name
	}
}

// entry records one entry of the archive.
func (a *archive) entry(tr *tar.Reader, hdr *tar.Header) error {
	c, name := a.c, hdr.Name
	if err := c.count(name); err != nil {
		return err
	}
	p, msg := cleanPath(name)
	if msg != "" {
		return c.fail(name, ErrUnsafe, "%s", msg)
	}
	if inGit(p) {
		return nil
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if p == "." {
			return nil
		}
		return c.addDir(name, p)
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		if p == "." {
			return c.fail(name, ErrUnsafe, "file with the root's path")
		}
		if err := c.reserve(name, hdr.Size); err != nil {
			return err
		}
		blob, err := hashBlob(tr, hdr.Size, a.buf)
		if err != nil {
			return a.streamError(name, err)
		}
		mode := ModeFile
		if hdr.Mode&0o100 != 0 {
			mode = ModeExecutable
		}
		return c.addFile(name, File{Path: p, Size: hdr.Size, Blob: blob, Mode: mode})
	case tar.TypeSymlink:
		if p == "." {
			return c.fail(name, ErrUnsafe, "symlink with the root's path")
		}
		return c.addLink(name, p, hdr.Linkname)
	case tar.TypeLink:
		if p == "." {
			return c.fail(name, ErrUnsafe, "hard link with the root's path")
		}
		return c.addHardLink(name, p, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return c.fail(name, ErrUnsafe, "device file")
	case tar.TypeFifo:
		return c.fail(name, ErrUnsafe, "FIFO")
	}
	return c.fail(name, ErrUnsafe, "unsupported tar entry type %q", hdr.Typeflag)
}

// trailer checks that the tar stream ended with its end-of-archive marker
// (two zero blocks) and that nothing but zeros follows it: a truncated
// plain tar file would otherwise pass for a smaller archive, and entries
// hidden after the marker would be silently left out. Reading to the end
// also makes the decompressor check its checksums.
func (a *archive) trailer() error {
	if !a.st.endsWithZeros() {
		return a.c.fail("", ErrDamaged, "truncated: the tar archive ends at byte %d without its end-of-archive marker", a.st.n)
	}
	for {
		n, err := a.st.Read(a.buf)
		if i := bytes.IndexFunc(a.buf[:n], func(r rune) bool { return r != 0 }); i >= 0 {
			return a.c.fail("", ErrFormat, "data after the end-of-archive marker, at byte %d", a.st.n-int64(n)+int64(i))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return a.streamError("", err)
		}
	}
}

// headerError explains an error of the tar reader's Next.
func (a *archive) headerError(prev string, err error) error {
	after := ""
	if prev != "" {
		after = ", after entry " + strconv.Quote(prev)
	}
	if a.raw.err == nil && !a.st.over && a.dec.err == nil {
		if errors.Is(err, tar.ErrHeader) {
			return a.c.fail("", ErrDamaged, "invalid tar header at byte %d%s", a.headerStart(), after)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return a.c.fail("", ErrDamaged, "truncated at byte %d%s", a.st.n, after)
		}
	}
	e := a.streamError("", err)
	e.Msg += after
	return e
}

// headerStart is where the header that failed started, as well as can be
// told: the block boundary before the bytes read so far.
func (a *archive) headerStart() int64 {
	n := a.st.n - blockSize
	if n < 0 {
		return 0
	}
	return n - n%blockSize
}

// streamError explains an error met while reading the stream, inside
// entry ("" between entries).
func (a *archive) streamError(entry string, err error) *fileerr.Error {
	var se *sizeError
	switch {
	case a.raw.err != nil:
		return a.ioError(entry, a.raw.err)
	case a.st != nil && a.st.over:
		return a.c.fail(entry, ErrLimit, "the uncompressed archive is larger than the limit of %d bytes", a.c.lim.MaxTotalSize)
	case a.dec.err != nil && a.format != "tar":
		return a.corrupt(entry, a.dec.err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return a.c.fail(entry, ErrDamaged, "truncated at byte %d", a.st.n)
	case errors.As(err, &se):
		return a.c.fail(entry, ErrFormat, "entry %s", se.Error())
	}
	return a.c.fail(entry, ErrDamaged, "bad tar stream at byte %d: %v", a.st.n, err)
}

// corrupt explains an error of the decompressor.
func (a *archive) corrupt(entry string, err error) *fileerr.Error {
	if a.raw.err != nil {
		return a.ioError(entry, a.raw.err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return a.c.fail(entry, ErrDamaged, "truncated %s stream (%d bytes)", a.format, a.raw.n)
	}
	return a.c.fail(entry, ErrDamaged, "corrupt %s stream near byte %d: %v", a.format, a.raw.n-int64(a.rawBuf.Buffered()), err)
}

// ioError explains an error reading the file itself.
func (a *archive) ioError(entry string, err error) *fileerr.Error {
	return fsError(a.c.name, entry, err)
}

// blockSize is the tar block size.
const blockSize = 512

// isTarHeader tells whether b starts with a tar header block whose
// checksum is right, or with a zero block (an empty archive).
func isTarHeader(b []byte) bool {
	if len(b) < blockSize {
		return false
	}
	b = b[:blockSize]
	if bytes.Count(b, []byte{0}) == blockSize {
		return true
	}
	// The checksum field (8 bytes at 148) holds octal digits, ended by NUL
	// or space; it sums the block with the field taken as spaces. Old
	// tars summed signed bytes.
	field := bytes.Trim(b[148:156], " \x00")
	want, err := strconv.ParseInt(string(field), 8, 64)
	if err != nil || len(field) == 0 {
		return false
	}
	var unsigned, signed int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}

// counter counts the bytes read through it, remembers the first error,
// fails once more than limit bytes were read (if limit > 0), and keeps
// the last 1024 bytes so that the end of a tar archive can be checked.
type counter struct {
	r     io.Reader
	n     int64
	limit int64
	over  bool
	err   error // first error other than io.EOF
	tail  [2 * blockSize]byte
}

var errTooBig = errors.New("over the size limit")

func (c *counter) Read(p []byte) (int, error) {
	if c.over {
		return 0, errTooBig
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n >= len(c.tail) {
		copy(c.tail[:], p[n-len(c.tail):n])
	} else if n > 0 {
		copy(c.tail[:], c.tail[n:])
		copy(c.tail[len(c.tail)-n:], p[:n])
	}
	if c.limit > 0 && c.n > c.limit {
		c.over = true
		return n, errTooBig
	}
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// endsWithZeros tells whether the last 1024 bytes read were zeros.
func (c *counter) endsWithZeros() bool {
	return c.n >= int64(len(c.tail)) && bytes.Count(c.tail[:], []byte{0}) == len(c.tail)
}

// errRecorder remembers the first error other than io.EOF of a reader.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// gzipMembers reads the members of a gzip file one after the other, as
// gzip -d does, and allows zero bytes after the last one (tape padding),
// which Go's gzip reader would take for a bad header.
type gzipMembers struct {
	z *gzip.Reader
	r *bufio.Reader
}

var errGzipTrailer = errors.New("data after the last gzip member")

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.z.Read(p)
		if err == io.EOF && n > 0 {
			return n, nil // the next call looks for another member
		}
		if err != io.EOF {
			return n, err
		}
		next, _ := g.r.Peek(len(gzipMagic))
		switch {
		case len(next) == 0:
			return 0, io.EOF
		case bytes.Equal(next, gzipMagic):
			if err := g.z.Reset(g.r); err != nil {
				return 0, err
			}
			g.z.Multistream(false)
		default:
			for {
				b, err := g.r.ReadByte()
				if err == io.EOF {
					return 0, io.EOF
				}
				if err != nil {
					return 0, err
				}
				if b != 0 {
					return 0, errGzipTrailer
				}
			}
		}
	}
}
