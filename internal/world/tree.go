package world

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// oid is a git object id.
type oid [20]byte

func (h oid) String() string { return hex.EncodeToString(h[:]) }

// short is the 12-digit abbreviation kernel trailers use.
func (h oid) short() string { return h.String()[:12] }

const (
	modeFile = 0o100644
	modeExec = 0o100755
	modeDir  = 0o40000
)

// git object types, as pack entries number them.
const (
	objCommit = 1
	objTree   = 2
	objBlob   = 3
	objTag    = 4
	objOfs    = 6
)

var typeNames = [...]string{objCommit: "commit", objTree: "tree", objBlob: "blob", objTag: "tag"}

// hashObject computes the id git gives an object of type t with content data.
func hashObject(t int, data []byte) oid {
	h := sha1.New()
	h.Write([]byte(typeNames[t]))
	h.Write([]byte{' '})
	h.Write([]byte(strconv.Itoa(len(data))))
	h.Write([]byte{0})
	h.Write(data)
	var out oid
	h.Sum(out[:0])
	return out
}

// fileVer is one immutable version of a file. Text files keep their lines
// (without newlines; the content is each line followed by "\n"); binary
// files keep their bytes.
type fileVer struct {
	lines []string
	data  []byte
	mode  uint32

	hash   oid
	hashed bool

	// How this version was made from a previous one, so the pack writer can
	// store it as a delta. Cleared once the object is written.
	base *fileVer
	segs []seg
}

func textFile(lines []string) *fileVer { return &fileVer{lines: lines, mode: modeFile} }

func (f *fileVer) binary() bool { return f.data != nil }

// bytes is the blob content.
func (f *fileVer) bytes() []byte {
	if f.data != nil {
		return f.data
	}
	n := 0
	for _, l := range f.lines {
		n += len(l) + 1
	}
	b := make([]byte, 0, n)
	for _, l := range f.lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return b
}

func (f *fileVer) id() oid {
	if !f.hashed {
		f.hash = hashObject(objBlob, f.bytes())
		f.hashed = true
	}
	return f.hash
}

// derive makes a new text version from f with the given lines and the
// segments that describe it in terms of f's lines.
func (f *fileVer) derive(lines []string, segs []seg) *fileVer {
	return &fileVer{lines: lines, mode: f.mode, base: f, segs: segs}
}

// dir is one immutable directory version. Changing a path copies the
// directories along it (persistent tree), so a snapshot is just a root.
type dir struct {
	entries []entry
	hash    oid
	hashed  bool
	prev    *dir // the version this one was copied from, a delta base
}

type entry struct {
	name string
	sub  *dir
	file *fileVer
}

func (e entry) mode() uint32 {
	if e.sub != nil {
		return modeDir
	}
	return e.file.mode
}

// less orders tree entries as git does: a directory sorts as if its name
// ended in "/".
func entryLess(a string, aDir bool, b string, bDir bool) bool {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c < 0
	}
	ca, cb := byte(0), byte(0)
	if len(a) > n {
		ca = a[n]
	} else if aDir {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bDir {
		cb = '/'
	}
	return ca < cb
}

func (d *dir) find(name string) int {
	for i, e := range d.entries {
		if e.name == name {
			return i
		}
	}
	return -1
}

// get returns the file at path, or nil.
func (d *dir) get(path string) *fileVer {
	for d != nil {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			if j := d.find(path); j >= 0 {
				return d.entries[j].file
			}
			return nil
		}
		j := d.find(path[:i])
		if j < 0 {
			return nil
		}
		d, path = d.entries[j].sub, path[i+1:]
	}
	return nil
}

// getDir returns the directory at path ("" is d itself), or nil.
func (d *dir) getDir(path string) *dir {
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return d
	}
	for _, part := range strings.Split(path, "/") {
		if d == nil {
			return nil
		}
		j := d.find(part)
		if j < 0 {
			return nil
		}
		d = d.entries[j].sub
	}
	return d
}

// set returns a new root with path set to f (nil removes it; directories
// left empty are removed).
func (d *dir) set(path string, f *fileVer) *dir {
	nd := &dir{prev: d}
	if d != nil {
		nd.entries = append(make([]entry, 0, len(d.entries)+1), d.entries...)
	}
	i := strings.IndexByte(path, '/')
	name := path
	if i >= 0 {
		name = path[:i]
	}
	j := nd.find(name)
	if i < 0 {
		switch {
		case f == nil && j >= 0:
			nd.entries = append(nd.entries[:j], nd.entries[j+1:]...)
		case f == nil:
			return d
		case j >= 0:
			nd.entries[j].file = f
		default:
			nd.insert(entry{name: name, file: f})
		}
	} else {
		var sub *dir
		if j >= 0 {
			sub = nd.entries[j].sub
		}
		nsub := sub.set(path[i+1:], f)
		switch {
		case nsub == sub:
			return d
		case len(nsub.entries) == 0 && j >= 0:
			nd.entries = append(nd.entries[:j], nd.entries[j+1:]...)
		case len(nsub.entries) == 0:
			return d
		case j >= 0:
			nd.entries[j].sub = nsub
		default:
			nd.insert(entry{name: name, sub: nsub})
		}
	}
	if d == nil {
		nd.prev = nil
	}
	return nd
}

func (d *dir) insert(e entry) {
	i := sort.Search(len(d.entries), func(i int) bool {
		o := d.entries[i]
		return !entryLess(o.name, o.sub != nil, e.name, e.sub != nil)
	})
	d.entries = append(d.entries, entry{})
	copy(d.entries[i+1:], d.entries[i:])
	d.entries[i] = e
}

// files lists the paths of all files under d, prefixed with prefix, in
// tree order.
func (d *dir) files(prefix string, out []string) []string {
	if d == nil {
		return out
	}
	for _, e := range d.entries {
		if e.sub != nil {
			out = e.sub.files(prefix+e.name+"/", out)
		} else {
			out = append(out, prefix+e.name)
		}
	}
	return out
}

// serialize is the tree object content; every child must be hashed.
func (d *dir) serialize() []byte {
	n := 0
	for _, e := range d.entries {
		n += len(e.name) + 28
	}
	b := make([]byte, 0, n)
	for _, e := range d.entries {
		b = strconv.AppendUint(b, uint64(e.mode()), 8)
		b = append(b, ' ')
		b = append(b, e.name...)
		b = append(b, 0)
		if e.sub != nil {
			b = append(b, e.sub.hash[:]...)
		} else {
			h := e.file.id()
			b = append(b, h[:]...)
		}
	}
	return b
}

// commitObj is the content of a commit object.
type commitObj struct {
	tree       oid
	parents    []oid
	author     person
	authorTime int64
	committer  person
	commitTime int64
	message    string
}

func signature(p person, t int64) string {
	sign := '+'
	tz := p.tz
	if tz < 0 {
		sign, tz = '-', -tz
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", p.name, p.email, t, sign, tz/60, tz%60)
}

func (c *commitObj) encode() []byte {
	var b strings.Builder
	b.WriteString("tree " + c.tree.String() + "\n")
	for _, p := range c.parents {
		b.WriteString("parent " + p.String() + "\n")
	}
	b.WriteString("author " + signature(c.author, c.authorTime) + "\n")
	b.WriteString("committer " + signature(c.committer, c.commitTime) + "\n\n")
	b.WriteString(c.message)
	return []byte(b.String())
}

func encodeTag(target oid, name string, tagger person, t int64, message string) []byte {
	return []byte("object " + target.String() + "\ntype commit\ntag " + name + "\ntagger " + signature(tagger, t) + "\n\n" + message)
}
