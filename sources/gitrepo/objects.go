package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"container/list"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectStore reads the objects of one repository itself: its packs
// (packfile.go), its loose objects and those of its alternates. go-git
// keeps refs, config and fetching; every object read of gitrepo comes
// here. It is safe for concurrent use: packs are read with pread, indexes
// are mapped read-only, and the cache of delta bases has a lock, so the
// diff workers of one sync share one store (and one cache) per repository.
type objectStore struct {
	dir string // the objects directory

	mu       sync.RWMutex
	packs    []*pack
	packSeen map[string]bool
	scanned  time.Time // the pack directory's modification time at the last scan

	alternates []*objectStore
	bases      *baseCache
	inflaters  sync.Pool

	refMu sync.Mutex
	refs  int // Repos holding the store (Open and Worker)
}

// noLimit is a read that takes an object of any size.
const noLimit = -1

// maxChain is a longer delta chain than git writes (its --depth is at
// most 4095): longer means a cycle in a damaged pack.
const maxChain = 10000

// baseCacheSize bounds the inflated delta bases a store keeps, like git's
// core.deltaBaseCacheLimit (96 MiB): the base of a chain is inflated once
// for the commits whose trees and files are deltas against it.
const baseCacheSize = 64 << 20

// packedCount is the number of objects in the packs of the store and its
// alternates, as git counts them for the default length of an
// abbreviated id.
func (s *objectStore) packedCount() int {
	s.mu.RLock()
	n := 0
	for _, p := range s.packs {
		n += p.idx.n
	}
	s.mu.RUnlock()
	for _, a := range s.alternates {
		n += a.packedCount()
	}
	return n
}

// acquire gives one more Repo (a Worker) a hold on the store.
func (s *objectStore) acquire() {
	s.refMu.Lock()
	s.refs++
	s.refMu.Unlock()
}

// release gives back a hold on the store; the last one closes it.
func (s *objectStore) release() error {
	s.refMu.Lock()
	defer s.refMu.Unlock()
	s.refs--
	if s.refs > 0 {
		return nil
	}
	return s.close()
}

// openStore opens the objects directory dir and, to a depth of 5 as git
// does, its alternates (objects/info/alternates).
func openStore(dir string, depth int) (*objectStore, error) {
	s := &objectStore{dir: dir, packSeen: map[string]bool{}, bases: newBaseCache(baseCacheSize)}
	s.inflaters.New = func() any { return newInflater() }
	if err := s.scanPacks(); err != nil {
		s.close()
		return nil, err
	}
	if depth < 5 {
		b, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				line = strings.TrimSpace(line)
				if line == "" || line[0] == '#' {
					continue
				}
				if !filepath.IsAbs(line) {
					line = filepath.Join(dir, line)
				}
				alt, err := openStore(line, depth+1)
				if err != nil {
					s.close()
					return nil, fmt.Errorf("alternate %s of %s: %w", line, dir, err)
				}
				s.alternates = append(s.alternates, alt)
			}
		}
	}
	return s, nil
}

func (s *objectStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, p := range s.packs {
		if err := p.close(); err != nil && first == nil {
			first = err
		}
	}
	s.packs = nil
	for _, a := range s.alternates {
		a.close()
	}
	return first
}

// scanPacks opens the packs added since the last scan: at open, and when
// an object is not found and the pack directory changed (a fetch or a
// repack in between), as git's reprepare_packed_git does.
func (s *objectStore) scanPacks() error {
	packDir := filepath.Join(s.dir, "pack")
	fi, err := os.Stat(packDir)
	if err != nil {
		return nil // no packs
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fi.ModTime().Equal(s.scanned) && !s.scanned.IsZero() {
		return nil
	}
	s.scanned = fi.ModTime()
	idxs, err := filepath.Glob(filepath.Join(packDir, "*.idx"))
	if err != nil {
		return err
	}
	for _, path := range idxs {
		if s.packSeen[path] {
			continue
		}
		if _, err := os.Stat(strings.TrimSuffix(path, ".idx") + ".pack"); err != nil {
			continue // an index being written, or left without its pack
		}
		p, err := openPack(path)
		if err != nil {
			return err
		}
		s.packSeen[path] = true
		s.packs = append(s.packs, p)
	}
	return nil
}

// packDirChanged says whether a scan may find new packs.
func (s *objectStore) packDirChanged() bool {
	fi, err := os.Stat(filepath.Join(s.dir, "pack"))
	if err != nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !fi.ModTime().Equal(s.scanned)
}

// findPacked returns the pack and offset of h.
func (s *objectStore) findPacked(h plumbing.Hash) (*pack, int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.packs {
		off, ok, err := p.idx.find(h)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			return p, off, nil
		}
	}
	return nil, 0, nil
}

// read returns the type and content of object h. An object over limit
// bytes (unless limit is noLimit) is a *tooBigError, known from its
// header (a delta's from the size it makes) before its content is read.
// A missing object is plumbing.ErrObjectNotFound. The bytes are the
// caller's.
func (s *objectStore) read(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	for try := 0; try < 2; try++ {
		p, off, err := s.findPacked(h)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if p != nil {
			return s.readPacked(p, off, limit)
		}
		t, b, err := s.readLoose(h, limit, false)
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return t, b, err
		}
		if try > 0 || !s.packDirChanged() {
			break
		}
		if err := s.scanPacks(); err != nil {
			return plumbing.InvalidObject, nil, err
		}
	}
	for _, a := range s.alternates {
		t, b, err := a.read(h, limit)
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return t, b, err
		}
	}
	return plumbing.InvalidObject, nil, plumbing.ErrObjectNotFound
}

// info returns the type and size of object h, reading headers only.
func (s *objectStore) info(h plumbing.Hash) (plumbing.ObjectType, int64, error) {
	for try := 0; try < 2; try++ {
		p, off, err := s.findPacked(h)
		if err != nil {
			return plumbing.InvalidObject, 0, err
		}
		if p != nil {
			return s.infoPacked(p, off)
		}
		_, _, err = s.readLoose(h, 0, true)
		var big *tooBigError
		if errors.As(err, &big) {
			t, _ := plumbing.ParseObjectType(big.kind)
			return t, big.size, nil
		}
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.InvalidObject, 0, err
		}
		if try > 0 || !s.packDirChanged() {
			break
		}
		if err := s.scanPacks(); err != nil {
			return plumbing.InvalidObject, 0, err
		}
	}
	for _, a := range s.alternates {
		t, n, err := a.info(h)
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return t, n, err
		}
	}
	return plumbing.InvalidObject, 0, plumbing.ErrObjectNotFound
}

func (s *objectStore) inflater(p *pack, off int64) *inflater {
	in := s.inflaters.Get().(*inflater)
	in.reset(p.f, off)
	return in
}

// done gives an inflater back; its window on the pack stays for the next
// read that falls in it.
func (s *objectStore) done(in *inflater) {
	s.inflaters.Put(in)
}

// link is one delta of a chain being resolved.
type link struct {
	p     *pack
	off   int64
	delta []byte
}

// readPacked resolves the entry at off in p: it follows the chain of
// deltas down to a whole object or a cached base, then applies the deltas
// back up, caching each result that is itself a base.
func (s *objectStore) readPacked(p *pack, off int64, limit int64) (plumbing.ObjectType, []byte, error) {
	var links [16]link // most chains fit: no allocation for them
	chain := links[:0]
	var typ plumbing.ObjectType
	var data []byte
	for {
		if len(chain) > maxChain {
			return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: delta chain longer than %d", p.path, off, maxChain)
		}
		if t, b, ok := s.bases.get(p, off); ok {
			if len(chain) == 0 {
				if limit >= 0 && int64(len(b)) > limit {
					return plumbing.InvalidObject, nil, &tooBigError{size: int64(len(b))}
				}
				b = append([]byte(nil), b...) // the cache's bytes are shared
			}
			typ, data = t, b
			break
		}
		in := s.inflater(p, off)
		e, err := in.header(off)
		if err != nil {
			s.done(in)
			return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: header: %w", p.path, off, unexpected(err))
		}
		top := len(chain) == 0
		if e.kind != objOfsDelta && e.kind != objRefDelta {
			if top && limit >= 0 && e.size > limit {
				s.done(in)
				return plumbing.InvalidObject, nil, &tooBigError{size: e.size}
			}
			data, err = in.inflateAll(e.size)
			s.done(in)
			if err != nil {
				return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: %w", p.path, off, err)
			}
			typ = objectType(e.kind)
			if !top {
				s.bases.put(p, off, typ, data)
			}
			break
		}
		lim := int64(noLimit)
		if top {
			lim = limit
		}
		delta, err := in.inflateDelta(e.size, lim)
		s.done(in)
		if err != nil {
			var big *tooBigError
			if errors.As(err, &big) {
				return plumbing.InvalidObject, nil, err
			}
			return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: %w", p.path, off, err)
		}
		chain = append(chain, link{p: p, off: off, delta: delta})
		if e.kind == objOfsDelta {
			off = e.baseOff
			continue
		}
		bp, boff, err := s.findPacked(e.baseRef)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if bp == nil {
			// A base outside the packs (git does not write such packs,
			// but a thin pack completed by hand may have one).
			if typ, data, err = s.read(e.baseRef, noLimit); err != nil {
				return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: delta base %s: %w", p.path, off, e.baseRef, err)
			}
			break
		}
		p, off = bp, boff
	}
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		out, err := applyDelta(data, l.delta)
		if err != nil {
			return plumbing.InvalidObject, nil, fmt.Errorf("pack %s at %d: %w", l.p.path, l.off, err)
		}
		data = out
		if i > 0 {
			s.bases.put(l.p, l.off, typ, data)
		}
	}
	return typ, data, nil
}

// infoPacked reads the type and size of the entry at off in p: the size
// from its header (a delta's from the start of the delta), the type from
// the end of its chain.
func (s *objectStore) infoPacked(p *pack, off int64) (plumbing.ObjectType, int64, error) {
	size := int64(-1)
	for n := 0; n <= maxChain; n++ {
		if t, b, ok := s.bases.get(p, off); ok {
			if size < 0 {
				size = int64(len(b))
			}
			return t, size, nil
		}
		in := s.inflater(p, off)
		e, err := in.header(off)
		if err != nil {
			s.done(in)
			return plumbing.InvalidObject, 0, fmt.Errorf("pack %s at %d: header: %w", p.path, off, unexpected(err))
		}
		if e.kind != objOfsDelta && e.kind != objRefDelta {
			s.done(in)
			if size < 0 {
				size = e.size
			}
			return objectType(e.kind), size, nil
		}
		if size < 0 {
			if _, _, size, err = in.deltaHead(e.size); err != nil {
				s.done(in)
				return plumbing.InvalidObject, 0, fmt.Errorf("pack %s at %d: %w", p.path, off, err)
			}
		}
		s.done(in)
		if e.kind == objOfsDelta {
			off = e.baseOff
			continue
		}
		bp, boff, err := s.findPacked(e.baseRef)
		if err != nil {
			return plumbing.InvalidObject, 0, err
		}
		if bp == nil {
			t, _, err := s.info(e.baseRef)
			if err != nil {
				return plumbing.InvalidObject, 0, fmt.Errorf("pack %s at %d: delta base %s: %w", p.path, off, e.baseRef, err)
			}
			return t, size, nil
		}
		p, off = bp, boff
	}
	return plumbing.InvalidObject, 0, fmt.Errorf("pack %s at %d: delta chain longer than %d", p.path, off, maxChain)
}

// readLoose reads objects/xx/yyyy...: a zlib stream of "<type> <size>\0"
// and the content. With headerOnly it stops after the header, saying
// what it found as a *tooBigError.
func (s *objectStore) readLoose(h plumbing.Hash, limit int64, headerOnly bool) (plumbing.ObjectType, []byte, error) {
	hex := h.String()
	path := filepath.Join(s.dir, hex[:2], hex[2:])
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return plumbing.InvalidObject, nil, plumbing.ErrObjectNotFound
	}
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer f.Close()
	zr, err := zlib.NewReader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object %s: %w", path, err)
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 512)
	hdr, err := br.ReadSlice(0)
	if err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object %s: header: %w", path, unexpected(err))
	}
	kind, sizeText, ok := strings.Cut(string(hdr[:len(hdr)-1]), " ")
	typ, terr := plumbing.ParseObjectType(kind)
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || terr != nil || serr != nil || size < 0 {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object %s: header %q, want \"<type> <size>\"", path, hdr)
	}
	if headerOnly || limit >= 0 && size > limit {
		return plumbing.InvalidObject, nil, &tooBigError{size: size, kind: kind}
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object %s: %w", path, unexpected(err))
	}
	if err := finish(br, make([]byte, 1)); err != nil {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object %s: %w", path, err)
	}
	return typ, data, nil
}

// withPrefix lists the objects whose hex id starts with prefix (at least
// two hex digits), packed, loose or in an alternate.
func (s *objectStore) withPrefix(prefix string) []plumbing.Hash {
	prefix = strings.ToLower(prefix)
	if len(prefix) < 2 || len(prefix) > 40 || !isHex(prefix) {
		return nil
	}
	s.scanPacks()
	var out []plumbing.Hash
	s.mu.RLock()
	for _, p := range s.packs {
		out = p.idx.withPrefix(prefix, out)
	}
	s.mu.RUnlock()
	if names, err := os.ReadDir(filepath.Join(s.dir, prefix[:2])); err == nil {
		for _, n := range names {
			if len(n.Name()) == 38 && strings.HasPrefix(prefix[:2]+n.Name(), prefix) && isHex(n.Name()) {
				out = append(out, plumbing.NewHash(prefix[:2]+n.Name()))
			}
		}
	}
	for _, a := range s.alternates {
		out = append(out, a.withPrefix(prefix)...)
	}
	// The same object may be in two packs, or packed and loose.
	seen := map[plumbing.Hash]bool{}
	kept := out[:0]
	for _, h := range out {
		if !seen[h] {
			seen[h] = true
			kept = append(kept, h)
		}
	}
	return kept
}

// baseCache keeps inflated delta bases by pack and offset, least recently
// used first out, bounded in bytes.
type baseCache struct {
	mu   sync.Mutex
	max  int64
	used int64
	m    map[baseKey]*list.Element
	lru  list.List // of *cachedBase, most recent at the front
}

type baseKey struct {
	p   *pack
	off int64
}

type cachedBase struct {
	key  baseKey
	typ  plumbing.ObjectType
	data []byte
}

func newBaseCache(max int64) *baseCache {
	return &baseCache{max: max, m: map[baseKey]*list.Element{}}
}

func (c *baseCache) get(p *pack, off int64) (plumbing.ObjectType, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.m[baseKey{p, off}]
	if el == nil {
		return plumbing.InvalidObject, nil, false
	}
	c.lru.MoveToFront(el)
	b := el.Value.(*cachedBase)
	return b.typ, b.data, true
}

// put keeps data, which nobody may change from now on. An object over an
// eighth of the cache is not kept: it would push out the many small
// trees that most chains end in.
func (c *baseCache) put(p *pack, off int64, typ plumbing.ObjectType, data []byte) {
	n := int64(len(data))
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := baseKey{p, off}
	if _, ok := c.m[k]; ok {
		return
	}
	c.m[k] = c.lru.PushFront(&cachedBase{key: k, typ: typ, data: data})
	c.used += n
	for c.used > c.max {
		el := c.lru.Back()
		b := el.Value.(*cachedBase)
		c.lru.Remove(el)
		delete(c.m, b.key)
		c.used -= int64(len(b.data))
	}
}

// parseTagTarget reads the object an annotated tag names.
func parseTagTarget(data []byte) (plumbing.Hash, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	hex, ok := bytes.CutPrefix(line, []byte("object "))
	if !ok || len(hex) != 40 || !isHex(string(hex)) {
		return plumbing.ZeroHash, fmt.Errorf("tag starts %q, want \"object <id>\"", line)
	}
	return plumbing.NewHash(string(hex)), nil
}
