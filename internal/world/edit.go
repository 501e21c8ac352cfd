package world

// The edit model. A change is a list of file changes; a text modification
// is a list of hunks anchored on line content, like a unified diff with
// three lines of context. Applying a change to another tree (a downstream)
// looks the hunks up by content, exactly (every context line equal, which
// gives the same diff and so the same patch-id) or fuzzily (patch's fuzz
// factor 2: only the line next to the change on each side must match), so
// what a downstream commit contains is always what applying really gives.

const ctxLines = 3

// hunk is one contiguous replacement of Del by Add, with its context.
type hunk struct {
	Before []string // up to ctxLines lines before Del (fewer only at the start of the file)
	Del    []string
	Add    []string
	After  []string // up to ctxLines lines after Del (fewer only at the end of the file)
	At     int      // index of Del's first line in the version the hunk was made against
}

func (h hunk) inverse() hunk {
	return hunk{Before: h.Before, Del: h.Add, Add: h.Del, After: h.After, At: h.At}
}

type fileOp byte

const (
	opModify fileOp = 'M'
	opCreate fileOp = 'A'
	opDelete fileOp = 'D'
	opRename fileOp = 'R'
	opMode   fileOp = 'T'
)

// fileChange is what one change does to one path.
type fileChange struct {
	Op      fileOp
	Path    string // path after the change (the path itself for a deletion)
	OldPath string // rename source
	Hunks   []hunk // opModify, opRename
	Lines   []string
	Data    []byte // binary content of an opCreate
	Mode    uint32 // opCreate, opMode
}

// changeSet is the content of one commit.
type changeSet struct {
	Files []fileChange
}

func (c *changeSet) hunks() int {
	n := 0
	for _, f := range c.Files {
		n += max(1, len(f.Hunks))
	}
	return n
}

func (c *changeSet) paths() []string {
	var out []string
	for _, f := range c.Files {
		out = append(out, f.Path)
	}
	return out
}

// addedLines lists the lines the change adds, for fixes that target them.
func (c *changeSet) addedLines(path string) []string {
	var out []string
	for _, f := range c.Files {
		if f.Path != path {
			continue
		}
		for _, h := range f.Hunks {
			out = append(out, h.Add...)
		}
		if f.Op == opCreate {
			out = append(out, f.Lines...)
		}
	}
	return out
}

func (c *changeSet) inverse() *changeSet {
	out := &changeSet{}
	for i := len(c.Files) - 1; i >= 0; i-- {
		f := c.Files[i]
		g := f
		switch f.Op {
		case opCreate:
			g = fileChange{Op: opDelete, Path: f.Path, Lines: f.Lines, Data: f.Data, Mode: f.Mode}
		case opDelete:
			g = fileChange{Op: opCreate, Path: f.Path, Lines: f.Lines, Data: f.Data, Mode: f.Mode}
		case opRename:
			g = fileChange{Op: opRename, Path: f.OldPath, OldPath: f.Path}
		case opMode:
			continue // the generator never reverts a mode change
		}
		if len(f.Hunks) > 0 {
			g.Hunks = make([]hunk, len(f.Hunks))
			shift := 0
			for j, h := range f.Hunks {
				inv := h.inverse()
				inv.At = h.At + shift
				shift += len(h.Add) - len(h.Del)
				g.Hunks[j] = inv
			}
		}
		out.Files = append(out.Files, g)
	}
	return out
}

// seg is one piece of a new file version: a run of the old version's lines,
// or new lines.
type seg struct {
	copy     bool
	from, to int
	lines    []string
}

// mkHunk builds the hunk that replaces lines[at:at+ndel] by add.
func mkHunk(lines []string, at, ndel int, add []string) hunk {
	b := max(0, at-ctxLines)
	e := min(len(lines), at+ndel+ctxLines)
	return hunk{
		Before: clone(lines[b:at]),
		Del:    clone(lines[at : at+ndel]),
		Add:    add,
		After:  clone(lines[at+ndel : e]),
		At:     at,
	}
}

// clone copies a window of a file's lines so that a hunk does not keep the
// whole version alive.
func clone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append(make([]string, 0, len(s)), s...)
}

func equalAt(lines []string, i int, seq []string) bool {
	if i < 0 || i+len(seq) > len(lines) {
		return false
	}
	for k, s := range seq {
		if lines[i+k] != s {
			return false
		}
	}
	return true
}

// count returns how many times seq occurs in lines (at most 2) and where it
// first occurs.
func count(lines []string, seq []string) (int, int) {
	if len(seq) == 0 {
		return 2, -1
	}
	n, first := 0, -1
	for i := 0; i+len(seq) <= len(lines); i++ {
		if lines[i] == seq[0] && equalAt(lines, i, seq) {
			if n == 0 {
				first = i
			}
			n++
			if n == 2 {
				break
			}
		}
	}
	return n, first
}

func concat(parts ...[]string) []string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]string, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// uniqueHunk reports whether h's full text occurs once in lines, which the
// generator requires so that the hunk is a well-defined anchor.
func uniqueHunk(lines []string, h hunk) bool {
	n, _ := count(lines, concat(h.Before, h.Del, h.After))
	return n == 1
}

type fit byte

const (
	fitNone fit = iota
	fitFuzzy
	fitExact
)

// locate finds where h's Del starts in lines. An exact fit needs every
// context line, and a short context only at the file's edge; a fuzzy fit
// needs the Del lines and one line of context on each side, once.
func locate(lines []string, h hunk) (int, fit) {
	full := concat(h.Before, h.Del, h.After)
	if n, i := count(lines, full); n == 1 {
		okStart := len(h.Before) == ctxLines || i == 0
		okEnd := len(h.After) == ctxLines || i+len(full) == len(lines)
		if okStart && okEnd {
			return i + len(h.Before), fitExact
		}
	}
	var core []string
	lead := 0
	if len(h.Before) > 0 {
		core = append(core, h.Before[len(h.Before)-1])
		lead = 1
	}
	core = append(core, h.Del...)
	if len(h.After) > 0 {
		core = append(core, h.After[0])
	}
	if len(core) < 2 {
		return 0, fitNone
	}
	if n, i := count(lines, core); n == 1 {
		return i + lead, fitFuzzy
	}
	return 0, fitNone
}

// applyHunks applies hunks to lines. With exact, every hunk must fit
// exactly and hunks must stay as far apart as a diff keeps them separate.
// It returns the new lines, the segments that build them from lines, and
// how many hunks fit only fuzzily.
func applyHunks(lines []string, hunks []hunk, exact bool) ([]string, []seg, int, bool) {
	type placed struct {
		pos int
		h   hunk
	}
	ps := make([]placed, 0, len(hunks))
	fuzzy := 0
	for _, h := range hunks {
		pos, f := locate(lines, h)
		if f == fitNone || (exact && f != fitExact) {
			return nil, nil, 0, false
		}
		if f == fitFuzzy {
			fuzzy++
		}
		ps = append(ps, placed{pos, h})
	}
	// Sort by position (few hunks: insertion sort).
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].pos < ps[j-1].pos; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for i := 1; i < len(ps); i++ {
		end := ps[i-1].pos + len(ps[i-1].h.Del)
		gap := ps[i].pos - end
		if gap < 0 || (exact && gap <= 2*ctxLines) {
			return nil, nil, 0, false
		}
	}
	var segs []seg
	n := len(lines)
	for _, p := range ps {
		n += len(p.h.Add) - len(p.h.Del)
	}
	out := make([]string, 0, n)
	cur := 0
	for _, p := range ps {
		if p.pos > cur {
			segs = append(segs, seg{copy: true, from: cur, to: p.pos})
			out = append(out, lines[cur:p.pos]...)
		}
		if len(p.h.Add) > 0 {
			segs = append(segs, seg{lines: p.h.Add})
			out = append(out, p.h.Add...)
		}
		cur = p.pos + len(p.h.Del)
	}
	if cur < len(lines) {
		segs = append(segs, seg{copy: true, from: cur, to: len(lines)})
		out = append(out, lines[cur:]...)
	}
	return out, segs, fuzzy, true
}

// applyResult says how a change went onto a tree.
type applyResult struct {
	root  *dir
	fuzzy int // hunks that fit only fuzzily
}

// applyChange applies c to root. With exact, the result's diff against
// root is the diff c was made with.
func applyChange(root *dir, c *changeSet, exact bool) (applyResult, bool) {
	res := applyResult{root: root}
	for _, fc := range c.Files {
		switch fc.Op {
		case opModify:
			f := res.root.get(fc.Path)
			if f == nil || f.binary() {
				return res, false
			}
			lines, segs, fz, ok := applyHunks(f.lines, fc.Hunks, exact)
			if !ok {
				return res, false
			}
			res.fuzzy += fz
			res.root = res.root.set(fc.Path, f.derive(lines, segs))
		case opCreate:
			if res.root.get(fc.Path) != nil {
				return res, false
			}
			nf := &fileVer{lines: fc.Lines, data: fc.Data, mode: fc.Mode}
			res.root = res.root.set(fc.Path, nf)
		case opDelete:
			f := res.root.get(fc.Path)
			if f == nil {
				return res, false
			}
			if exact && !sameLines(f.lines, fc.Lines) {
				return res, false
			}
			res.root = res.root.set(fc.Path, nil)
		case opRename:
			f := res.root.get(fc.OldPath)
			if f == nil || res.root.get(fc.Path) != nil {
				return res, false
			}
			nf := f
			if len(fc.Hunks) > 0 {
				lines, segs, fz, ok := applyHunks(f.lines, fc.Hunks, exact)
				if !ok {
					return res, false
				}
				res.fuzzy += fz
				nf = f.derive(lines, segs)
			}
			res.root = res.root.set(fc.OldPath, nil).set(fc.Path, nf)
		case opMode:
			f := res.root.get(fc.Path)
			if f == nil || f.mode == fc.Mode {
				return res, false
			}
			nf := &fileVer{lines: f.lines, data: f.data, mode: fc.Mode, hash: f.hash, hashed: f.hashed}
			res.root = res.root.set(fc.Path, nf)
		}
	}
	return res, true
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// subset returns the change restricted to the hunks whose index (counted
// over the whole change, one per file without hunks) keep says to keep.
func (c *changeSet) subset(keep func(i int) bool) *changeSet {
	out := &changeSet{}
	i := 0
	for _, f := range c.Files {
		if len(f.Hunks) == 0 {
			if keep(i) {
				out.Files = append(out.Files, f)
			}
			i++
			continue
		}
		g := f
		g.Hunks = nil
		for _, h := range f.Hunks {
			if keep(i) {
				g.Hunks = append(g.Hunks, h)
			}
			i++
		}
		if len(g.Hunks) > 0 {
			out.Files = append(out.Files, g)
		} else if f.Op == opRename {
			g.Hunks = nil
			out.Files = append(out.Files, g)
		}
	}
	return out
}

// mapHunks returns a copy of c with every hunk h replaced by fn(path, h).
func (c *changeSet) mapHunks(fn func(path string, h hunk) hunk) *changeSet {
	out := &changeSet{Files: make([]fileChange, len(c.Files))}
	for i, f := range c.Files {
		g := f
		if len(f.Hunks) > 0 {
			g.Hunks = make([]hunk, len(f.Hunks))
			for j, h := range f.Hunks {
				g.Hunks[j] = fn(f.Path, h)
			}
		}
		out.Files[i] = g
	}
	return out
}

func (c *changeSet) onlyText() bool {
	for _, f := range c.Files {
		if f.Data != nil {
			return false
		}
	}
	return true
}

// diffLines computes the hunks that turn old into cur, grouped as a
// unified diff with ctxLines of context groups them. It is used on files
// read back from git, where no edit record exists.
func diffLines(old, cur []string) []hunk {
	p := 0
	for p < len(old) && p < len(cur) && old[p] == cur[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(cur)-p && old[len(old)-1-s] == cur[len(cur)-1-s] {
		s++
	}
	a, b := old[p:len(old)-s], cur[p:len(cur)-s]
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	if len(a)*len(b) > 1<<22 {
		return []hunk{mkHunk(old, p, len(a), clone(b))}
	}
	// LCS lengths of suffixes.
	w := len(b) + 1
	dp := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i*w+j] = dp[(i+1)*w+j+1] + 1
			} else {
				dp[i*w+j] = max(dp[(i+1)*w+j], dp[i*w+j+1])
			}
		}
	}
	// Changed regions, in old and new coordinates relative to a and b.
	type region struct{ a0, a1, b0, b1 int }
	var regs []region
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if i < len(a) && j < len(b) && a[i] == b[j] {
			i++
			j++
			continue
		}
		r := region{a0: i, b0: j}
		for i < len(a) || j < len(b) {
			if i < len(a) && j < len(b) && a[i] == b[j] {
				break
			}
			if j >= len(b) || (i < len(a) && dp[(i+1)*w+j] >= dp[i*w+j+1]) {
				i++
			} else {
				j++
			}
		}
		r.a1, r.b1 = i, j
		regs = append(regs, r)
	}
	var out []hunk
	for k := 0; k < len(regs); {
		r := regs[k]
		k++
		for k < len(regs) && regs[k].a0-r.a1 <= 2*ctxLines {
			r.a1, r.b1 = regs[k].a1, regs[k].b1
			k++
		}
		out = append(out, mkHunk(old, p+r.a0, r.a1-r.a0, clone(b[r.b0:r.b1])))
	}
	return out
}
