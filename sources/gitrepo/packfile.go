package gitrepo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// A pack index (version 2) is read in place, mapped or read whole: the
// fan-out table narrows a look-up to the names that share its first byte,
// and a binary search of those sorted names gives the object's position,
// hence its offset in the pack. Nothing is decoded per object, so memory
// does not grow with the number of objects (go-git's MemoryIndex keeps
// two maps of every object: 170 MB for the kernel-mini world's one pack).
//
// Layout (gitformat-pack(5)): "\377tOc", version 2, 256 fan-out counts,
// n names of 20 bytes, n CRC32s, n 4-byte offsets (MSB set: index into
// the 8-byte offset table that follows), the pack's and the index's
// checksums.
const (
	idxFanout  = 8
	idxNames   = idxFanout + 256*4
	idxTrailer = 2 * 20
)

var idxMagic = []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}

// packIndex is one opened .idx file.
type packIndex struct {
	path  string
	data  []byte
	n     int
	unmap func() error
}

// openIndex opens and checks the pack index at path.
func openIndex(path string) (*packIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, unmap, err := mapFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("pack index %s: %w", path, err)
	}
	x := &packIndex{path: path, data: data, unmap: unmap}
	if err := x.check(); err != nil {
		unmap()
		return nil, fmt.Errorf("pack index %s: %w", path, err)
	}
	return x, nil
}

func (x *packIndex) check() error {
	if len(x.data) < idxNames+idxTrailer || !bytes.Equal(x.data[:8], idxMagic) {
		return errors.New("not a version 2 pack index")
	}
	prev := uint32(0)
	for i := 0; i < 256; i++ {
		c := binary.BigEndian.Uint32(x.data[idxFanout+4*i:])
		if c < prev {
			return fmt.Errorf("fan-out entry %d goes down (%d after %d)", i, c, prev)
		}
		prev = c
	}
	x.n = int(prev)
	rest := len(x.data) - idxNames - 28*x.n - idxTrailer
	if rest < 0 || rest%8 != 0 {
		return fmt.Errorf("%d bytes for %d objects, want %d plus a multiple of 8", len(x.data), x.n, idxNames+28*x.n+idxTrailer)
	}
	return nil
}

func (x *packIndex) close() error { return x.unmap() }

func (x *packIndex) fan(b int) int {
	if b < 0 {
		return 0
	}
	return int(binary.BigEndian.Uint32(x.data[idxFanout+4*b:]))
}

func (x *packIndex) name(i int) []byte { return x.data[idxNames+20*i : idxNames+20*i+20] }

// search returns the position of the first name not below h among those
// that share its first byte, and whether it is h.
func (x *packIndex) search(h []byte) (int, bool) {
	lo, hi := x.fan(int(h[0])-1), x.fan(int(h[0]))
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		c := bytes.Compare(x.name(m), h)
		if c == 0 {
			return m, true
		}
		if c < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, false
}

// find gives the pack offset of object h.
func (x *packIndex) find(h plumbing.Hash) (int64, bool, error) {
	i, ok := x.search(h[:])
	if !ok {
		return 0, false, nil
	}
	off, err := x.offset(i)
	return off, err == nil, err
}

// offset reads the pack offset of the object at position i, from the
// 64-bit table when its 32-bit entry says so.
func (x *packIndex) offset(i int) (int64, error) {
	o := binary.BigEndian.Uint32(x.data[idxNames+24*x.n+4*i:])
	if o&0x80000000 == 0 {
		return int64(o), nil
	}
	at := idxNames + 28*x.n + 8*int(o&0x7fffffff)
	if at+8 > len(x.data)-idxTrailer {
		return 0, fmt.Errorf("pack index %s: object %x: large offset entry %d past the table", x.path, x.name(i), o&0x7fffffff)
	}
	return int64(binary.BigEndian.Uint64(x.data[at:])), nil
}

// withPrefix appends the objects whose hex id starts with prefix.
func (x *packIndex) withPrefix(prefix string, out []plumbing.Hash) []plumbing.Hash {
	var low plumbing.Hash
	raw := prefix[:len(prefix)/2*2]
	if _, err := hexDecode(low[:], raw); err != nil {
		return out
	}
	if len(prefix)%2 == 1 {
		b, _ := hexNibble(prefix[len(prefix)-1])
		low[len(raw)/2] = b << 4
	}
	i, _ := x.search(low[:])
	for ; i < x.n; i++ {
		var h plumbing.Hash
		copy(h[:], x.name(i))
		if !strings.HasPrefix(h.String(), prefix) {
			break
		}
		out = append(out, h)
	}
	return out
}

// Pack entry types (gitformat-pack(5)).
const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
)

func objectType(t int) plumbing.ObjectType {
	switch t {
	case objCommit:
		return plumbing.CommitObject
	case objTree:
		return plumbing.TreeObject
	case objBlob:
		return plumbing.BlobObject
	case objTag:
		return plumbing.TagObject
	}
	return plumbing.InvalidObject
}

// pack is one .pack file and its index. It is read with pread, so any
// number of goroutines may read it at once.
type pack struct {
	path string
	f    *os.File
	size int64
	idx  *packIndex
}

func openPack(idxPath string) (*pack, error) {
	idx, err := openIndex(idxPath)
	if err != nil {
		return nil, err
	}
	path := strings.TrimSuffix(idxPath, ".idx") + ".pack"
	f, err := os.Open(path)
	if err != nil {
		idx.close()
		return nil, err
	}
	p := &pack{path: path, f: f, idx: idx}
	if err := p.check(); err != nil {
		p.close()
		return nil, fmt.Errorf("pack %s: %w", path, err)
	}
	return p, nil
}

func (p *pack) check() error {
	fi, err := p.f.Stat()
	if err != nil {
		return err
	}
	p.size = fi.Size()
	var hdr [12]byte
	if _, err := p.f.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if string(hdr[:4]) != "PACK" {
		return errors.New("not a pack file")
	}
	if v := binary.BigEndian.Uint32(hdr[4:]); v != 2 && v != 3 {
		return fmt.Errorf("pack version %d, want 2 or 3", v)
	}
	if n := binary.BigEndian.Uint32(hdr[8:]); int(n) != p.idx.n {
		return fmt.Errorf("%d objects, its index lists %d", n, p.idx.n)
	}
	return nil
}

func (p *pack) close() error {
	p.idx.close()
	return p.f.Close()
}

// packEntry is the header of one pack entry.
type packEntry struct {
	kind    int   // objCommit ... objRefDelta
	size    int64 // inflated size of its data: the object, or the delta
	baseOff int64 // objOfsDelta: the base's offset in the same pack
	baseRef plumbing.Hash
}

// window reads a pack from an offset on, with pread, keeping the bytes
// of its last read: the next entry is often in them (a pack keeps the
// trees of consecutive commits, and a delta's base, close together), and
// then it costs no system call. Pack files do not change once written.
type window struct {
	f     io.ReaderAt
	buf   []byte
	start int64 // file offset of buf[0]
	pos   int64 // file offset of the next byte to read
}

// windowSize is the read size: a tree or a delta is a few hundred bytes
// compressed, so one read holds an entry's header and data. Larger
// windows save few reads (first sync of kernel-mini: 90,700 preads with
// 4 KiB, 87,600 with 16 KiB, 74,600 with 64 KiB) and cost more copying
// in the kernel than they save.
const windowSize = 4 << 10

func (w *window) reset(f io.ReaderAt, off int64) {
	if f != w.f {
		w.f, w.buf = f, w.buf[:0]
	}
	w.pos = off
}

func (w *window) fill() error {
	if w.pos >= w.start && w.pos < w.start+int64(len(w.buf)) {
		return nil
	}
	n, err := w.f.ReadAt(w.buf[:cap(w.buf)], w.pos)
	w.buf, w.start = w.buf[:n], w.pos
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (w *window) ReadByte() (byte, error) {
	if err := w.fill(); err != nil {
		return 0, err
	}
	c := w.buf[w.pos-w.start]
	w.pos++
	return c, nil
}

func (w *window) Read(b []byte) (int, error) {
	if err := w.fill(); err != nil {
		return 0, err
	}
	n := copy(b, w.buf[w.pos-w.start:])
	w.pos += int64(n)
	return n, nil
}

// inflater reads one pack entry: a window on the pack and a zlib reader,
// reused through the store's pool.
type inflater struct {
	br   window
	zr   io.ReadCloser
	head [20]byte // the start of a delta (deltaHead)
	one  [1]byte  // finish's read past the end
}

func newInflater() *inflater {
	return &inflater{br: window{buf: make([]byte, 0, windowSize)}}
}

func (in *inflater) reset(f io.ReaderAt, off int64) {
	in.br.reset(f, off)
}

// header parses the entry header at the reader's position, which is off.
func (in *inflater) header(off int64) (packEntry, error) {
	var e packEntry
	c, err := in.br.ReadByte()
	if err != nil {
		return e, err
	}
	e.kind = int(c>>4) & 7
	e.size = int64(c & 0x0f)
	for shift := 4; c&0x80 != 0; shift += 7 {
		if shift > 60 {
			return e, errors.New("object size overflows")
		}
		if c, err = in.br.ReadByte(); err != nil {
			return e, err
		}
		e.size |= int64(c&0x7f) << shift
	}
	switch e.kind {
	case objCommit, objTree, objBlob, objTag:
	case objOfsDelta:
		if c, err = in.br.ReadByte(); err != nil {
			return e, err
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if rel >= 1<<55 {
				return e, errors.New("delta base offset overflows")
			}
			if c, err = in.br.ReadByte(); err != nil {
				return e, err
			}
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return e, fmt.Errorf("delta base offset %d points outside the pack", rel)
		}
		e.baseOff = off - rel
	case objRefDelta:
		for i := range e.baseRef {
			if e.baseRef[i], err = in.br.ReadByte(); err != nil {
				return e, err
			}
		}
	default:
		return e, fmt.Errorf("unknown object type %d", e.kind)
	}
	return e, nil
}

// stream starts inflating at the reader's position.
func (in *inflater) stream() (io.Reader, error) {
	if in.zr == nil {
		zr, err := zlib.NewReader(&in.br)
		if err != nil {
			return nil, err
		}
		in.zr = zr
		return zr, nil
	}
	if err := in.zr.(zlib.Resetter).Reset(&in.br, nil); err != nil {
		return nil, err
	}
	return in.zr, nil
}

// finish checks that the zlib stream ends where the object does (and so
// that its checksum holds).
func finish(z io.Reader, one []byte) error {
	n, err := z.Read(one)
	if n > 0 {
		return errors.New("more data than the object's size")
	}
	if err == io.EOF {
		return nil
	}
	if err == nil {
		// A reader may return 0, nil: ask once more.
		if n, err = z.Read(one); n == 0 && err == io.EOF {
			return nil
		}
		return errors.New("more data than the object's size")
	}
	return err
}

// inflateAll reads exactly size inflated bytes and the end of the stream.
func (in *inflater) inflateAll(size int64) ([]byte, error) {
	z, err := in.stream()
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(z, b); err != nil {
		return nil, fmt.Errorf("inflate %d bytes: %w", size, unexpected(err))
	}
	if err := finish(z, in.one[:]); err != nil {
		return nil, err
	}
	return b, nil
}

// deltaHead inflates the start of a delta of size bytes into in.head:
// up to 20 bytes, which hold its two sizes, and the size of the object
// it makes.
func (in *inflater) deltaHead(size int64) (io.Reader, int, int64, error) {
	head := &in.head
	z, err := in.stream()
	if err != nil {
		return nil, 0, 0, err
	}
	k := int(min(size, int64(len(head))))
	if _, err := io.ReadFull(z, head[:k]); err != nil {
		return nil, 0, 0, fmt.Errorf("inflate delta: %w", unexpected(err))
	}
	_, n := deltaVarint(head[:k])
	target, _ := deltaVarint(head[n:k])
	if target < 0 {
		return nil, 0, 0, errors.New("delta without a result size")
	}
	return z, k, target, nil
}

// inflateDelta reads a delta of size bytes, checking the size of the
// object it makes against limit (unless noLimit) before the rest of it.
func (in *inflater) inflateDelta(size, limit int64) ([]byte, error) {
	z, k, target, err := in.deltaHead(size)
	if err != nil {
		return nil, err
	}
	if limit >= 0 && target > limit {
		return nil, &tooBigError{size: target}
	}
	b := make([]byte, size)
	copy(b, in.head[:k])
	if _, err := io.ReadFull(z, b[k:]); err != nil {
		return nil, fmt.Errorf("inflate delta of %d bytes: %w", size, unexpected(err))
	}
	if err := finish(z, in.one[:]); err != nil {
		return nil, err
	}
	return b, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// tooBigError is an object over the size a read allowed, refused from
// its header.
type tooBigError struct {
	size int64
	kind string // a loose object's type, when known
}

func (e *tooBigError) Error() string { return fmt.Sprintf("object of %d bytes over the limit", e.size) }

// deltaVarint reads one of the two sizes at the start of a delta.
func deltaVarint(b []byte) (int64, int) {
	var v int64
	for i, shift := 0, 0; i < len(b) && shift < 63; i, shift = i+1, shift+7 {
		v |= int64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return -1, len(b)
}

// applyDelta rebuilds an object from its base and a delta in git's
// format: the base's and the result's sizes, then copy instructions
// (offset and size in the base) and insert instructions (literal bytes).
func applyDelta(base, delta []byte) ([]byte, error) {
	src, n := deltaVarint(delta)
	if src != int64(len(base)) {
		return nil, fmt.Errorf("delta is for a base of %d bytes, the base has %d", src, len(base))
	}
	delta = delta[n:]
	dst, n := deltaVarint(delta)
	if dst < 0 {
		return nil, errors.New("delta without a result size")
	}
	delta = delta[n:]
	out := make([]byte, 0, dst)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, size uint64
			for i := 0; i < 7; i++ {
				if op&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errors.New("delta copy instruction cut short")
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					size |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) || int64(len(out))+int64(size) > dst {
				return nil, fmt.Errorf("delta copies %d bytes at %d of a base of %d", size, off, len(base))
			}
			out = append(out, base[off:off+size]...)
		case op != 0:
			if int(op) > len(delta) || int64(len(out))+int64(op) > dst {
				return nil, errors.New("delta insert instruction cut short")
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return nil, errors.New("delta instruction 0 is reserved")
		}
	}
	if int64(len(out)) != dst {
		return nil, fmt.Errorf("delta made %d bytes, it promised %d", len(out), dst)
	}
	return out, nil
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func hexDecode(dst []byte, s string) (int, error) {
	if len(s)%2 == 1 || len(s)/2 > len(dst) {
		return 0, errors.New("bad hex length")
	}
	for i := 0; i+1 < len(s); i += 2 {
		a, ok1 := hexNibble(s[i])
		b, ok2 := hexNibble(s[i+1])
		if !ok1 || !ok2 {
			return 0, fmt.Errorf("not hex: %q", s)
		}
		dst[i/2] = a<<4 | b
	}
	return len(s) / 2, nil
}
