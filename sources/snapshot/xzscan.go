package snapshot

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxXZDict is the largest LZMA2 dictionary an xz file may ask for. The
// decoder allocates the whole dictionary for each block, whatever the
// block holds, so a few hundred bytes of xz asking for 4 GiB would cost
// that much memory. xz's presets use at most 64 MiB (-9, -9e); 256 MiB
// leaves room for hand-tuned settings.
const maxXZDict = 256 << 20

// scanXZ walks the structure of an xz file without decompressing it
// (stream headers, block headers, LZMA2 chunk headers, indexes, footers,
// stream padding) to check each block's dictionary size before the decoder
// allocates it. Checksums are left to the decoder. It returns the offset
// of a problem, what it is and its kind (ErrLimit or ErrDamaged); msg is ""
// when the file is fine.
func scanXZ(r io.Reader) (off int64, msg string, kind error) {
	s := &xzScanner{r: bufio.NewReaderSize(r, readBufSize)}
	err := s.file()
	if err == nil {
		return 0, "", nil
	}
	var xe *xzError
	switch {
	case errors.As(err, &xe):
		return s.off, xe.msg, xe.kind
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return s.off, "truncated", ErrDamaged
	}
	return s.off, err.Error(), ErrDamaged
}

// xzError is a problem scanXZ found.
type xzError struct {
	msg  string
	kind error
}

func (e *xzError) Error() string { return e.msg }

func xzBad(format string, args ...any) error {
	return &xzError{msg: fmt.Sprintf(format, args...), kind: ErrDamaged}
}

// xzScanner reads an xz file and counts where it is.
type xzScanner struct {
	r   *bufio.Reader
	off int64
}

// file scans streams and stream padding up to the end of the file.
func (s *xzScanner) file() error {
	for streams := 0; ; streams++ {
		if streams > 0 {
			zeros := int64(0)
			for {
				b, err := s.r.Peek(1)
				if err == io.EOF {
					if zeros%4 != 0 {
						return xzBad("stream padding of %d bytes is not a multiple of 4", zeros)
					}
					return nil
				}
				if err != nil {
					return err
				}
				if b[0] != 0 {
					break
				}
				s.r.ReadByte()
				s.off++
				zeros++
			}
			if zeros%4 != 0 {
				return xzBad("stream padding of %d bytes is not a multiple of 4", zeros)
			}
		}
		if err := s.stream(); err != nil {
			return err
		}
	}
}

// stream scans one stream: header, blocks, index and footer.
func (s *xzScanner) stream() error {
	var h [12]byte
	if err := s.full(h[:]); err != nil {
		return err
	}
	if !bytes.Equal(h[:6], xzMagic) {
		return xzBad("not an xz stream header")
	}
	if h[6] != 0 || h[7]&0xf0 != 0 {
		return xzBad("unsupported stream flags %#x %#x", h[6], h[7])
	}
	check := h[7] & 0x0f
	checkSize := int64(0)
	if check != 0 {
		checkSize = 4 << ((check - 1) / 3)
	}
	for {
		start := s.off
		b, err := s.byte()
		if err != nil {
			return err
		}
		if b == 0 {
			break // the index
		}
		if err := s.blockHeader(int(b)); err != nil {
			return err
		}
		if err := s.lzma2(); err != nil {
			return err
		}
		if err := s.skip(pad4(s.off-start) + checkSize); err != nil {
			return err
		}
	}
	// The index: its indicator was read; records, padding, CRC32.
	start := s.off - 1
	records, err := s.uvarint()
	if err != nil {
		return err
	}
	for i := uint64(0); i < records; i++ {
		if _, err := s.uvarint(); err != nil { // unpadded size
			return err
		}
		if _, err := s.uvarint(); err != nil { // uncompressed size
			return err
		}
	}
	if err := s.skip(pad4(s.off-start) + 4); err != nil {
		return err
	}
	var foot [12]byte
	if err := s.full(foot[:]); err != nil {
		return err
	}
	if foot[10] != 'Y' || foot[11] != 'Z' {
		return xzBad("bad stream footer")
	}
	return nil
}

// blockHeader scans a block header whose first byte was sizeByte.
func (s *xzScanner) blockHeader(sizeByte int) error {
	h := make([]byte, (sizeByte+1)*4-1) // the rest of the header, CRC32 last
	if err := s.full(h); err != nil {
		return err
	}
	body := h[:len(h)-4]
	flags := body[0]
	if flags&0x3c != 0 {
		return xzBad("reserved block flags set (%#x)", flags)
	}
	p := &xzField{b: body[1:]}
	if flags&0x40 != 0 {
		p.uvarint() // compressed size
	}
	if flags&0x80 != 0 {
		p.uvarint() // uncompressed size
	}
	filters := int(flags&3) + 1
	for i := 0; i < filters; i++ {
		id := p.uvarint()
		size := p.uvarint()
		props := p.bytes(size)
		if p.bad {
			return xzBad("bad block header")
		}
		if id != 0x21 || filters != 1 {
			return xzBad("unsupported xz filter %#x: only LZMA2 alone is supported", id)
		}
		if len(props) != 1 || props[0] > 40 {
			return xzBad("bad LZMA2 properties")
		}
		if d := dictSize(props[0]); d > maxXZDict {
			return &xzError{msg: fmt.Sprintf("LZMA2 dictionary of %d bytes is over the limit of %d", d, maxXZDict), kind: ErrLimit}
		}
	}
	if p.bad {
		return xzBad("bad block header")
	}
	return nil
}

// dictSize decodes an LZMA2 dictionary size property (at most 40).
func dictSize(c byte) int64 {
	if c == 40 {
		return 1<<32 - 1
	}
	return int64(2|c&1) << (c/2 + 11)
}

// lzma2 skips the LZMA2 chunks of one block, up to its end marker.
func (s *xzScanner) lzma2() error {
	var h [5]byte
	for {
		c, err := s.byte()
		if err != nil {
			return err
		}
		switch {
		case c == 0:
			return nil
		case c == 1 || c == 2: // uncompressed chunk: size-1, big-endian
			if err := s.full(h[:2]); err != nil {
				return err
			}
			if err := s.skip(int64(h[0])<<8 | int64(h[1]) + 1); err != nil {
				return err
			}
		case c >= 0x80: // LZMA chunk: unpacked size-1 (low 16 bits), packed size-1, props if c >= 0xc0
			n := 4
			if c >= 0xc0 {
				n = 5
			}
			if err := s.full(h[:n]); err != nil {
				return err
			}
			if err := s.skip(int64(h[2])<<8 | int64(h[3]) + 1); err != nil {
				return err
			}
		default:
			return xzBad("invalid LZMA2 chunk %#x", c)
		}
	}
}

func (s *xzScanner) byte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return b, err
}

func (s *xzScanner) full(b []byte) error {
	n, err := io.ReadFull(s.r, b)
	s.off += int64(n)
	return err
}

func (s *xzScanner) skip(n int64) error {
	m, err := io.CopyN(io.Discard, s.r, n)
	s.off += m
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// uvarint reads xz's variable-length integer: at most 9 bytes, 7 bits
// each, low first, no superfluous zero byte.
func (s *xzScanner) uvarint() (uint64, error) {
	var x uint64
	for i := 0; i < 9; i++ {
		b, err := s.byte()
		if err != nil {
			return 0, err
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			if b == 0 && i > 0 {
				return 0, xzBad("bad variable-length integer")
			}
			return x, nil
		}
	}
	return 0, xzBad("variable-length integer too long")
}

// pad4 is how many bytes bring n to a multiple of 4.
func pad4(n int64) int64 { return (4 - n%4) % 4 }

// xzField reads the fields of a block header held in memory.
type xzField struct {
	b   []byte
	bad bool
}

func (f *xzField) uvarint() uint64 {
	var x uint64
	for i := 0; i < 9 && i < len(f.b); i++ {
		c := f.b[i]
		x |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if c == 0 && i > 0 {
				break
			}
			f.b = f.b[i+1:]
			return x
		}
	}
	f.bad = true
	f.b = nil
	return 0
}

func (f *xzField) bytes(n uint64) []byte {
	if f.bad || n > uint64(len(f.b)) {
		f.bad = true
		return nil
	}
	b := f.b[:n]
	f.b = f.b[n:]
	return b
}
