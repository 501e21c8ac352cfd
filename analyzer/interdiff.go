package analyzer

import (
	"strings"

	"github.com/kdelta/kdelta/sources/patchdiff"
)

// DiffFile is one file of a unified diff.
type DiffFile struct {
	Path    string   // the path after the change (before it, for a deletion)
	OldPath string   // the path before a rename or a copy; "" otherwise
	Header  []string // the lines before the first hunk: diff --git, index, ---, +++
	Hunks   []DiffHunk
}

// DiffHunk is one hunk of a file's diff.
type DiffHunk struct {
	Header string   // the @@ line
	Lines  []string // the body, each line with its ' ', '+', '-' or '\' prefix
}

// Changed returns the hunk's added and removed lines without their
// prefix, whitespace trimmed: what the hunk does, context and line
// numbers aside.
func (h DiffHunk) Changed() (added, removed []string) {
	for _, l := range h.Lines {
		if l == "" {
			continue
		}
		switch l[0] {
		case '+':
			added = append(added, strings.TrimSpace(l[1:]))
		case '-':
			removed = append(removed, strings.TrimSpace(l[1:]))
		}
	}
	return added, removed
}

// key is what two hunks must share to be the same change.
func (h DiffHunk) key() string {
	a, r := h.Changed()
	return strings.Join(r, "\n") + "\x00" + strings.Join(a, "\n")
}

// ParseDiff reads a unified diff, as git or diff -u prints it, into its
// files and hunks, with sources/patchdiff (the reader of every patch
// text). Lines outside a file's diff (a message before it, a signature
// after it) are left out; a hunk's length comes from its @@ line, so a
// removed line that looks like a "--- " header stays in it. A malformed
// diff gives the files read before the problem, a hunk cut short with the
// lines it has.
func ParseDiff(text string) []DiffFile {
	d, _ := patchdiff.Parse([]byte(text))
	files := make([]DiffFile, 0, len(d.Files))
	for _, f := range d.Files {
		df := DiffFile{Path: f.Path, OldPath: f.OldPath}
		if f.CopyFrom != "" {
			df.OldPath = f.CopyFrom
		}
		for _, l := range d.Lines[f.Start:f.HeaderEnd()] {
			df.Header = append(df.Header, lineText(l))
		}
		for _, h := range f.Hunks {
			dh := DiffHunk{Header: lineText(d.Lines[h.Line])}
			for _, l := range d.Lines[h.Line+1 : h.End] {
				t := lineText(l)
				if t == "" {
					t = " " // an empty context line whose space was lost
				}
				dh.Lines = append(dh.Lines, t)
			}
			df.Hunks = append(df.Hunks, dh)
		}
		files = append(files, df)
	}
	return files
}

// lineText is a line of the diff without its line end.
func lineText(l []byte) string {
	return strings.TrimSuffix(strings.TrimSuffix(string(l), "\n"), "\r")
}

// InterHunk is a hunk of one side of an interdiff.
type InterHunk struct {
	DiffHunk
	// Same says the other side has a hunk with the same added and removed
	// lines, whitespace trimmed (context and line numbers aside).
	Same bool
	// Pair is, for a same hunk, its counterpart's index on the other side
	// of this file; -1 when it is in another file (after a rename).
	Pair int
}

// InterFile is one file of an interdiff: the file on each side, paired by
// path, through a rename, or by the hunks they share, with each side's
// hunks.
type InterFile struct {
	Upstream   *DiffFile // nil when only downstream has the file
	Downstream *DiffFile // nil when only upstream has it
	Up         []InterHunk
	Down       []InterHunk
}

// Path names the file: its downstream path, or upstream's when only
// upstream has it.
func (f InterFile) Path() string {
	if f.Downstream != nil {
		return f.Downstream.Path
	}
	if f.Upstream != nil {
		return f.Upstream.Path
	}
	return ""
}

// Renamed says the two sides name the file differently.
func (f InterFile) Renamed() bool {
	return f.Upstream != nil && f.Downstream != nil && f.Upstream.Path != f.Downstream.Path
}

// Same says both sides change the file the same way.
func (f InterFile) Same() bool {
	if f.Upstream == nil || f.Downstream == nil {
		return false
	}
	for _, h := range f.Up {
		if !h.Same {
			return false
		}
	}
	for _, h := range f.Down {
		if !h.Same {
			return false
		}
	}
	return true
}

// Interdiff compares an upstream change's diff with the diff of the
// downstream change that carries it (several commits' diffs may be given
// one after the other): per file, which hunks both have and which only one
// side has, which is what a backporter had to change. Files are in the
// downstream's order, then upstream's files downstream lacks.
func Interdiff(upstream, downstream string) []InterFile {
	ups := mergeFiles(ParseDiff(upstream))
	downs := mergeFiles(ParseDiff(downstream))
	upKeys, downKeys := hunkKeys(ups), hunkKeys(downs)

	pairOf := make([]int, len(downs)) // downstream file -> upstream file, or -1
	taken := make([]bool, len(ups))
	for i := range pairOf {
		pairOf[i] = -1
	}
	pair := func(same func(u, d *DiffFile) bool) {
		for i := range downs {
			if pairOf[i] >= 0 {
				continue
			}
			for j := range ups {
				if !taken[j] && same(&ups[j], &downs[i]) {
					pairOf[i], taken[j] = j, true
					break
				}
			}
		}
	}
	pair(func(u, d *DiffFile) bool { return u.Path == d.Path })
	pair(func(u, d *DiffFile) bool {
		return u.OldPath != "" && u.OldPath == d.Path || d.OldPath != "" && (d.OldPath == u.Path || d.OldPath == u.OldPath)
	})
	// A file the two trees name differently: the unpaired upstream file
	// that shares the most hunks.
	for i := range downs {
		if pairOf[i] >= 0 {
			continue
		}
		best, bestN := -1, 0
		for j := range ups {
			if taken[j] {
				continue
			}
			if n := shared(upKeys[j], downKeys[i]); n > bestN {
				best, bestN = j, n
			}
		}
		if best >= 0 {
			pairOf[i], taken[best] = best, true
		}
	}

	var out []InterFile
	var upOf, downOf []int // each file's index in ups and downs, or -1
	for i := range downs {
		f := InterFile{Downstream: &downs[i], Down: interHunks(downs[i].Hunks)}
		j := pairOf[i]
		if j >= 0 {
			f.Upstream, f.Up = &ups[j], interHunks(ups[j].Hunks)
		}
		out, upOf, downOf = append(out, f), append(upOf, j), append(downOf, i)
	}
	for j := range ups {
		if !taken[j] {
			out = append(out, InterFile{Upstream: &ups[j], Up: interHunks(ups[j].Hunks)})
			upOf, downOf = append(upOf, j), append(downOf, -1)
		}
	}

	// Same hunks in the same file, one to one, in order.
	for fi := range out {
		f := &out[fi]
		if upOf[fi] < 0 || downOf[fi] < 0 {
			continue
		}
		for ui := range f.Up {
			k := upKeys[upOf[fi]][ui]
			for di := range f.Down {
				if !f.Down[di].Same && downKeys[downOf[fi]][di] == k {
					f.Up[ui].Same, f.Up[ui].Pair = true, di
					f.Down[di].Same, f.Down[di].Pair = true, ui
					break
				}
			}
		}
	}
	// After a rename, a hunk may be in any file of the other side.
	for fi := range out {
		f := &out[fi]
		if !f.Renamed() {
			continue
		}
		for ui := range f.Up {
			if f.Up[ui].Same {
				continue
			}
			k := upKeys[upOf[fi]][ui]
		findDown:
			for gi := range out {
				for di := range out[gi].Down {
					if !out[gi].Down[di].Same && downKeys[downOf[gi]][di] == k {
						f.Up[ui].Same, out[gi].Down[di].Same = true, true
						break findDown
					}
				}
			}
		}
		for di := range f.Down {
			if f.Down[di].Same {
				continue
			}
			k := downKeys[downOf[fi]][di]
		findUp:
			for gi := range out {
				for ui := range out[gi].Up {
					if !out[gi].Up[ui].Same && upKeys[upOf[gi]][ui] == k {
						f.Down[di].Same, out[gi].Up[ui].Same = true, true
						break findUp
					}
				}
			}
		}
	}
	return out
}

// mergeFiles joins the hunks of files a diff names twice (several commits
// one after the other).
func mergeFiles(files []DiffFile) []DiffFile {
	var out []DiffFile
	at := map[string]int{}
	for _, f := range files {
		if i, ok := at[f.Path]; ok {
			out[i].Hunks = append(out[i].Hunks, f.Hunks...)
			continue
		}
		at[f.Path] = len(out)
		out = append(out, f)
	}
	return out
}

func hunkKeys(files []DiffFile) [][]string {
	out := make([][]string, len(files))
	for i, f := range files {
		for _, h := range f.Hunks {
			out[i] = append(out[i], h.key())
		}
	}
	return out
}

// shared counts the keys of a that b has too.
func shared(a, b []string) int {
	in := map[string]int{}
	for _, k := range b {
		in[k]++
	}
	n := 0
	for _, k := range a {
		if in[k] > 0 {
			in[k]--
			n++
		}
	}
	return n
}

func interHunks(hs []DiffHunk) []InterHunk {
	out := make([]InterHunk, len(hs))
	for i, h := range hs {
		out[i] = InterHunk{DiffHunk: h, Pair: -1}
	}
	return out
}

// HunkRow is one row of a side-by-side view of a file: an upstream hunk
// and a downstream hunk shown next to each other, by index into Up and
// Down; -1 when that side has none in the row.
type HunkRow struct{ Up, Down int }

// Rows lines the file's hunks up for a side-by-side view, in order: same
// hunks next to each other, and between them the changed hunks, each next
// to the most similar changed hunk of the other side (so a reworked hunk
// sits by the upstream hunk it reworks).
func (f InterFile) Rows() []HunkRow {
	var rows []HunkRow
	var pendUp []int
	j := 0
	flush := func(upTo int) {
		var pendDown []int
		for ; j < upTo; j++ {
			pendDown = append(pendDown, j)
		}
		rows = append(rows, align(f, pendUp, pendDown)...)
		pendUp = nil
	}
	for i, h := range f.Up {
		if h.Same && h.Pair >= j {
			flush(h.Pair)
			rows = append(rows, HunkRow{Up: i, Down: h.Pair})
			j = h.Pair + 1
			continue
		}
		pendUp = append(pendUp, i)
	}
	flush(len(f.Down))
	return rows
}

// align pairs two runs of hunks in order, most shared lines first (a
// small sequence alignment); the rest stand alone.
func align(f InterFile, up, down []int) []HunkRow {
	n, m := len(up), len(down)
	if n == 0 || m == 0 {
		var rows []HunkRow
		for _, u := range up {
			rows = append(rows, HunkRow{Up: u, Down: -1})
		}
		for _, d := range down {
			rows = append(rows, HunkRow{Up: -1, Down: d})
		}
		return rows
	}
	sim := make([][]int, n)
	for a := range up {
		sim[a] = make([]int, m)
		for b := range down {
			sim[a][b] = similarity(f.Up[up[a]].DiffHunk, f.Down[down[b]].DiffHunk)
		}
	}
	// best[a][b]: the most shared lines pairing up[a:] with down[b:].
	best := make([][]int, n+1)
	for a := range best {
		best[a] = make([]int, m+1)
	}
	for a := n - 1; a >= 0; a-- {
		for b := m - 1; b >= 0; b-- {
			v := max(best[a+1][b], best[a][b+1])
			if s := sim[a][b]; s > 0 {
				v = max(v, s+best[a+1][b+1])
			}
			best[a][b] = v
		}
	}
	var rows []HunkRow
	a, b := 0, 0
	for a < n && b < m {
		switch {
		case sim[a][b] > 0 && best[a][b] == sim[a][b]+best[a+1][b+1]:
			rows = append(rows, HunkRow{Up: up[a], Down: down[b]})
			a++
			b++
		case best[a][b] == best[a+1][b]:
			rows = append(rows, HunkRow{Up: up[a], Down: -1})
			a++
		default:
			rows = append(rows, HunkRow{Up: -1, Down: down[b]})
			b++
		}
	}
	for ; a < n; a++ {
		rows = append(rows, HunkRow{Up: up[a], Down: -1})
	}
	for ; b < m; b++ {
		rows = append(rows, HunkRow{Up: -1, Down: down[b]})
	}
	return rows
}

// similarity counts the lines, whitespace trimmed, two hunks share.
func similarity(a, b DiffHunk) int {
	lines := func(h DiffHunk) []string {
		var out []string
		for _, l := range h.Lines {
			if l == "" || l[0] == '\\' {
				continue
			}
			if t := strings.TrimSpace(l[1:]); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	return shared(lines(a), lines(b))
}
