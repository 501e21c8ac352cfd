package world

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The pack writer. Every repository is one packfile written straight from
// the generator: commits and tags as full objects, blobs and trees mostly
// as OFS_DELTA against their previous version (a full object every
// maxDepth versions bounds the chains), each entry zlib-compressed, then
// the version 2 .idx, packed-refs, HEAD and config. A downstream repository starts
// with a byte copy of the upstream pack up to its base tag, so shared
// history costs one copy, not a second compression.

const maxDepth = 24

type objInfo struct {
	off   uint64
	depth uint32
}

type idxEntry struct {
	hash oid
	off  uint64
	crc  uint32
}

type packWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	off  uint64

	objs    map[oid]objInfo
	entries []idxEntry

	// shared prefix: objects of src at offsets below prefixEnd
	src       *packWriter
	prefixEnd uint64

	// sorted lists every object id of the finished pack, in order.
	sorted []oid

	// ext is another pack of the same repository: its objects are not
	// written again, but not used as delta bases either.
	ext *packWriter

	zbuf bytes.Buffer
	zw   *zlib.Writer
	hdr  []byte
}

// newPackWriter starts a pack at path; objects is an estimate of how many
// objects it will hold, so that the index does not grow by copying.
func newPackWriter(path string, objects int) (*packWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := &packWriter{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20),
		objs: make(map[oid]objInfo, objects), entries: make([]idxEntry, 0, objects)}
	w.zw, _ = zlib.NewWriterLevel(&w.zbuf, zlib.BestSpeed)
	// The object count is patched in when the pack is finished.
	if _, err := w.w.Write([]byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0}); err != nil {
		return nil, err
	}
	w.off = 12
	return w, nil
}

// sharePrefix makes w start with src's objects up to offset end (which must
// be an object boundary). w must be empty.
func (w *packWriter) sharePrefix(src *packWriter, end uint64) error {
	if w.off != 12 {
		return fmt.Errorf("pack: prefix after objects")
	}
	f, err := os.Open(src.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(12, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.CopyN(w.w, f, int64(end-12)); err != nil {
		return fmt.Errorf("pack: copy prefix: %w", err)
	}
	w.src, w.prefixEnd, w.off = src, end, end
	return nil
}

func (w *packWriter) lookup(h oid) (objInfo, bool) {
	if o, ok := w.objs[h]; ok {
		return o, true
	}
	if w.src != nil {
		if o, ok := w.src.objs[h]; ok && o.off < w.prefixEnd {
			return o, true
		}
	}
	return objInfo{}, false
}

func (w *packWriter) has(h oid) bool {
	if _, ok := w.lookup(h); ok {
		return true
	}
	if w.ext != nil {
		return w.ext.has(h)
	}
	return false
}

func (w *packWriter) header(t int, size int) []byte {
	b := w.hdr[:0]
	c := byte(t<<4) | byte(size&0x0f)
	size >>= 4
	for size > 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	b = append(b, c)
	w.hdr = b
	return b
}

func (w *packWriter) entry(h oid, hdr []byte, data []byte, depth uint32) error {
	w.zbuf.Reset()
	if len(data) < storedMax {
		storedZlib(&w.zbuf, data)
	} else {
		w.zw.Reset(&w.zbuf)
		if _, err := w.zw.Write(data); err != nil {
			return err
		}
		if err := w.zw.Close(); err != nil {
			return err
		}
	}
	crc := crc32.NewIEEE()
	crc.Write(hdr)
	crc.Write(w.zbuf.Bytes())
	if _, err := w.w.Write(hdr); err != nil {
		return err
	}
	if _, err := w.w.Write(w.zbuf.Bytes()); err != nil {
		return err
	}
	w.objs[h] = objInfo{off: w.off, depth: depth}
	w.entries = append(w.entries, idxEntry{hash: h, off: w.off, crc: crc.Sum32()})
	w.off += uint64(len(hdr) + w.zbuf.Len())
	return nil
}

// storedMax is the size under which an entry is stored in zlib without
// compression: building Huffman tables for a 50-byte delta costs more
// than it saves.
const storedMax = 256

// storedZlib writes data as a zlib stream of one stored deflate block.
func storedZlib(b *bytes.Buffer, data []byte) {
	n := len(data)
	b.Write([]byte{0x78, 0x01, 0x01, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
	b.Write(data)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], adler32.Checksum(data))
	b.Write(sum[:])
}

// put writes an object as a whole unless it is already in the pack.
func (w *packWriter) put(t int, data []byte) (oid, error) {
	h := hashObject(t, data)
	if w.has(h) {
		return h, nil
	}
	return h, w.entry(h, w.header(t, len(data)), data, 0)
}

// putDelta writes object h (content data, type t) as a delta against base
// when base is in the pack and the chain is not too deep, else whole.
// delta builds the delta data; it is called only when needed.
func (w *packWriter) putDelta(t int, h oid, data []byte, base oid, delta func() []byte) error {
	if w.has(h) {
		return nil
	}
	if bi, ok := w.lookup(base); ok && bi.depth < maxDepth {
		d := delta()
		if len(d) < len(data)/2 {
			hdr := append([]byte(nil), w.header(objOfs, len(d))...)
			hdr = appendOfs(hdr, w.off-bi.off)
			return w.entry(h, hdr, d, bi.depth+1)
		}
	}
	return w.entry(h, w.header(t, len(data)), data, 0)
}

func appendOfs(b []byte, n uint64) []byte {
	var tmp [16]byte
	i := len(tmp) - 1
	tmp[i] = byte(n & 0x7f)
	for n >>= 7; n != 0; n >>= 7 {
		n--
		i--
		tmp[i] = 0x80 | byte(n&0x7f)
	}
	return append(b, tmp[i:]...)
}

// deltaBuilder writes git delta instructions.
type deltaBuilder struct{ b []byte }

func newDelta(src, dst int) *deltaBuilder {
	d := &deltaBuilder{}
	d.varint(src)
	d.varint(dst)
	return d
}

func (d *deltaBuilder) varint(n int) {
	for n >= 0x80 {
		d.b = append(d.b, byte(n)|0x80)
		n >>= 7
	}
	d.b = append(d.b, byte(n))
}

func (d *deltaBuilder) copy(off, n int) {
	for n > 0 {
		m := min(n, 0xffff)
		cmd := byte(0x80)
		var args [7]byte
		k := 0
		for i := 0; i < 4; i++ {
			if v := byte(off >> (8 * i)); v != 0 {
				cmd |= 1 << i
				args[k] = v
				k++
			}
		}
		for i := 0; i < 3; i++ {
			if v := byte(m >> (8 * i)); v != 0 {
				cmd |= 0x10 << i
				args[k] = v
				k++
			}
		}
		d.b = append(d.b, cmd)
		d.b = append(d.b, args[:k]...)
		off += m
		n -= m
	}
}

func (d *deltaBuilder) insert(p []byte) {
	for len(p) > 0 {
		m := min(len(p), 127)
		d.b = append(d.b, byte(m))
		d.b = append(d.b, p[:m]...)
		p = p[m:]
	}
}

// prefixSuffixDelta is the delta that copies the common prefix and suffix
// of src and dst and inserts the rest: ideal for a tree with one changed
// entry.
func prefixSuffixDelta(src, dst []byte) []byte {
	p := 0
	for p < len(src) && p < len(dst) && src[p] == dst[p] {
		p++
	}
	s := 0
	for s < len(src)-p && s < len(dst)-p && src[len(src)-1-s] == dst[len(dst)-1-s] {
		s++
	}
	d := newDelta(len(src), len(dst))
	d.copy(0, p)
	d.insert(dst[p : len(dst)-s])
	d.copy(len(src)-s, s)
	return d.b
}

// segDelta is the delta that builds a text file from its base's lines.
func segDelta(base *fileVer, segs []seg, dstLen int) []byte {
	offs := make([]int, len(base.lines)+1)
	for i, l := range base.lines {
		offs[i+1] = offs[i] + len(l) + 1
	}
	d := newDelta(offs[len(base.lines)], dstLen)
	var lit []byte
	for _, s := range segs {
		if s.copy {
			d.insert(lit)
			lit = lit[:0]
			d.copy(offs[s.from], offs[s.to]-offs[s.from])
			continue
		}
		for _, l := range s.lines {
			lit = append(lit, l...)
			lit = append(lit, '\n')
		}
	}
	d.insert(lit)
	return d.b
}

// putFile writes a blob.
func (w *packWriter) putFile(f *fileVer) (oid, error) {
	var data []byte
	if !f.hashed {
		data = f.bytes()
		f.hash, f.hashed = hashObject(objBlob, data), true
	}
	h := f.hash
	if w.has(h) {
		f.base, f.segs = nil, nil
		return h, nil
	}
	if data == nil {
		data = f.bytes()
	}
	var err error
	if f.base != nil && f.segs != nil && f.base.hashed {
		base := f.base
		err = w.putDelta(objBlob, h, data, base.hash, func() []byte { return segDelta(base, f.segs, len(data)) })
	} else {
		err = w.entry(h, w.header(objBlob, len(data)), data, 0)
	}
	f.base, f.segs = nil, nil
	return h, err
}

// putTree writes d and everything under it that the pack lacks.
func (w *packWriter) putTree(d *dir) (oid, error) {
	if d.hashed && w.has(d.hash) {
		d.prev = nil
		return d.hash, nil
	}
	for _, e := range d.entries {
		var err error
		if e.sub != nil {
			_, err = w.putTree(e.sub)
		} else {
			_, err = w.putFile(e.file)
		}
		if err != nil {
			return oid{}, err
		}
	}
	data := d.serialize()
	d.hash, d.hashed = hashObject(objTree, data), true
	var err error
	if p := d.prev; p != nil && p.hashed {
		err = w.putDelta(objTree, d.hash, data, p.hash, func() []byte { return prefixSuffixDelta(p.serialize(), data) })
	} else if !w.has(d.hash) {
		err = w.entry(d.hash, w.header(objTree, len(data)), data, 0)
	}
	d.prev = nil
	return d.hash, err
}

// finish completes the pack and its index in dir/objects/pack.
func (w *packWriter) finish(repoDir string) error {
	if err := w.w.Flush(); err != nil {
		return err
	}
	n := len(w.entries)
	if w.src != nil {
		n += w.prefixCount()
	}
	var cnt [4]byte
	binary.BigEndian.PutUint32(cnt[:], uint32(n))
	if _, err := w.f.WriteAt(cnt[:], 8); err != nil {
		return err
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sum := sha1.New()
	if _, err := io.Copy(sum, bufio.NewReaderSize(w.f, 1<<20)); err != nil {
		return err
	}
	var ck oid
	sum.Sum(ck[:0])
	if _, err := w.f.Write(ck[:]); err != nil {
		return err
	}
	if err := w.f.Close(); err != nil {
		return err
	}

	all := make([]idxEntry, 0, n)
	if w.src != nil {
		all = append(all, w.src.entries[:w.prefixCount()]...)
	}
	all = append(all, w.entries...)
	base := filepath.Join(repoDir, "objects", "pack", "pack-"+ck.String())
	if err := writeIdx(base+".idx", all, ck); err != nil {
		return err
	}
	w.sorted = make([]oid, len(all))
	for i, e := range all {
		w.sorted[i] = e.hash
	}
	if err := os.Rename(w.path, base+".pack"); err != nil {
		return err
	}
	w.path = base + ".pack"
	return nil
}

func (w *packWriter) prefixCount() int {
	return sort.Search(len(w.src.entries), func(i int) bool { return w.src.entries[i].off >= w.prefixEnd })
}

// ref is one reference of a repository.
type ref struct {
	name   string // full name, refs/heads/... or refs/tags/...
	target oid
	peeled oid  // the commit an annotated tag points to
	tag    bool // target is an annotated tag object
}

// initRepo creates the skeleton of a bare repository.
func initRepo(repoDir string) error {
	for _, d := range []string{"objects/pack", "objects/info", "refs/heads", "refs/tags", "info"} {
		if err := os.MkdirAll(filepath.Join(repoDir, d), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// writeRefs writes packed-refs, HEAD and config of a bare repository.
func writeRefs(repoDir, head string, refs []ref) error {
	sort.Slice(refs, func(i, j int) bool { return refs[i].name < refs[j].name })
	var b strings.Builder
	b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
	for _, r := range refs {
		fmt.Fprintf(&b, "%s %s\n", r.target, r.name)
		if r.tag {
			fmt.Fprintf(&b, "^%s\n", r.peeled)
		}
	}
	files := map[string]string{
		"packed-refs":  b.String(),
		"HEAD":         "ref: refs/heads/" + head + "\n",
		"config":       "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n",
		"description":  "Synthetic RDMA world repository; see truth.json.\n",
		"info/exclude": "",
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(repoDir, n), []byte(files[n]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeIdx writes a version 2 pack index for entries (which it sorts).
func writeIdx(path string, entries []idxEntry, packSum oid) error {
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].hash[:], entries[j].hash[:]) < 0 })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	sum := sha1.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, sum), 1<<20)
	var b [8]byte
	put32 := func(v uint32) {
		binary.BigEndian.PutUint32(b[:4], v)
		w.Write(b[:4])
	}
	w.Write([]byte{0xff, 't', 'O', 'c'})
	put32(2)
	var fan [256]uint32
	for _, e := range entries {
		fan[e.hash[0]]++
	}
	total := uint32(0)
	for i := range fan {
		total += fan[i]
		put32(total)
	}
	for _, e := range entries {
		w.Write(e.hash[:])
	}
	for _, e := range entries {
		put32(e.crc)
	}
	var large []uint64
	for _, e := range entries {
		if e.off < 1<<31 {
			put32(uint32(e.off))
			continue
		}
		put32(1<<31 | uint32(len(large)))
		large = append(large, e.off)
	}
	for _, off := range large {
		binary.BigEndian.PutUint64(b[:], off)
		w.Write(b[:])
	}
	w.Write(packSum[:])
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(sum.Sum(nil)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// abbrev abbreviates an object id of the finished pack as git does on a
// diff's "index" line: half the bits of the object count, rounded up, in
// hex digits (at least 7), lengthened until no other object of the pack
// shares the prefix.
func (w *packWriter) abbrev(h oid) string {
	n := max(7, (bits.Len(uint(len(w.sorted)))+1)/2)
	i := sort.Search(len(w.sorted), func(i int) bool { return bytes.Compare(w.sorted[i][:], h[:]) >= 0 })
	for _, j := range []int{i - 1, i + 1} {
		if j >= 0 && j < len(w.sorted) {
			n = max(n, commonHex(w.sorted[j], h)+1)
		}
	}
	if i < len(w.sorted) && w.sorted[i] != h {
		n = max(n, commonHex(w.sorted[i], h)+1)
	}
	return h.String()[:min(n, 40)]
}

// commonHex is the number of leading hex digits a and b share.
func commonHex(a, b oid) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i]>>4 == b[i]>>4 {
				return 2*i + 1
			}
			return 2 * i
		}
	}
	return 40
}
