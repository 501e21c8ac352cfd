// Package patchdiff reads the unified diff of a patch file (a quilt or
// SUSE series patch, an OFED backport, an mbox posting, a Patchwork
// patch, an interdiff's input) with github.com/sourcegraph/go-diff, and
// gives every reader of patch text the same answer: each file's names and
// status, its header lines and its hunks, every line exactly as it is in
// the text, with its position.
//
// go-diff finds where files start, reads the extended git headers and the
// hunk headers (line numbers, counts, section). What it leaves out and a
// patch-id needs, the adapter recovers from the text itself:
//
//   - Positions. go-diff's line numbers are not kept across files (its
//     MultiFileDiffReader says so), so each file and hunk go-diff returns is
//     laid over the text's lines: Lines keeps every line as it is (CR,
//     "\ No newline at end of file" markers and all; go-diff drops the
//     markers and glues lines), and errors name the diff's own line.
//   - Where a hunk ends. go-diff reads a hunk until a line that cannot be
//     one, without its header's counts, so it takes a format-patch
//     signature "-- " for a removed line. A hunk here ends when its
//     header's counts are used up, as in git apply and git patch-id; a
//     hunk cut short, or longer than its header says, is an error.
//   - Binary files and mode lines. go-diff keeps "GIT binary patch" data,
//     "Binary files ... differ", mode, rename and copy lines as Extended
//     strings, with any text before the file; the adapter reads them into
//     File's fields and keeps them out of the file's section when they are
//     not its header.
//   - Names. go-diff unquotes names Go's way and fails the whole diff on a
//     timestamp it cannot read ("--- a/x.c\t(revision 12)"); names are read
//     from the raw lines (C quoting, -p1, GNU diff -N's epoch), and go-diff
//     is shown the "---"/"+++" lines without what follows their tab, and
//     "_" for an empty name (it drops the hunks of a file whose "+++ " line
//     names none).
//   - Hunk headers git apply reads otherwise. go-diff reads the numbers
//     with fmt.Sscanf (which takes "+1", "-1" and any number of digits),
//     wants a space after the closing "@@", and takes any "@@ " line for a
//     header; the adapter refuses signed or overlong numbers, shows go-diff
//     the space, and hides "@@ " lines that are not "@@ -" from it.
//   - Text it cannot place. A "--- " line with no "+++ " after it, or a
//     hunk header it cannot read after other lines, ends go-diff's
//     reading; outside a git file's header that is text git apply skips,
//     so the adapter places what go-diff read up to there and has go-diff
//     read on after it. Hunks right after git header lines (no "---"/"+++")
//     and hunks after a removed "--" and an added "++" line that the counts
//     take (go-diff starts a file there) are read one header at a time with
//     go-diff's hunk reader.
//
// Errors come in the order git apply meets them: what precedes a file,
// then its hunks, then its name, then the lines after its last hunk.
package patchdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	godiff "github.com/sourcegraph/go-diff/diff"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/fileerr"
)

// Error is a malformed diff: the 1-based line of the diff text where the
// problem is and what was expected there ("line N: msg"; no File).
type Error = fileerr.Error

// Diff is a unified diff read into files.
type Diff struct {
	// Lines is the text cut after each "\n", every line as it is.
	Lines [][]byte
	Files []File
}

// File is one file's diff.
type File struct {
	// Start and End bound the file's section of the text, Lines[Start:End]:
	// from its "diff " line (or "--- " line) to the end of its last hunk
	// or binary patch. Its patch-id is that of this section alone.
	Start, End int
	// Path is the file's name after the change (before it, for a deletion
	// or a copy source left alone); OldPath its name before a rename.
	// Paths lose their first component ("a/", "linux.orig/"), as with -p1.
	Path, OldPath string
	// Status is Added, Deleted, Modified or Renamed; a copy adds a file.
	Status change.Status
	// CopyFrom is the source of a copy ("copy from"), "" otherwise.
	CopyFrom string
	// Binary says the file's change is a binary patch or "Binary files
	// ... differ".
	Binary bool
	Hunks  []Hunk
}

// HeaderEnd is the index of the line after the file's header lines (its
// "diff --git", extended, "---" and "+++" lines): its first hunk's header,
// or End.
func (f *File) HeaderEnd() int {
	if len(f.Hunks) > 0 {
		return f.Hunks[0].Line
	}
	return f.End
}

// Hunk is one hunk of a file's diff.
type Hunk struct {
	// Line is the index in Lines of the hunk's "@@" line, End that of the
	// line after its last line (a "\ No newline at end of file" marker
	// that follows its last line included): its body is Lines[Line+1:End].
	Line, End int
	// The header's line counts, as go-diff read them.
	OldLines, NewLines int
	// Cut says the text ends, or goes on with something else, before the
	// header's counts are used up (set only with an error from Parse).
	Cut bool
}

// Parse reads a unified diff. Lines before the first file, and between
// files, that start none are skipped, as git apply skips them ("Index:"
// lines of quilt, a commit message, "Only in" lines of diff -r).
//
// A malformed diff (a hunk cut short or longer than its header says, a
// hunk header that cannot be read or changes nothing, a "---" line of a
// git file diff without "+++", a "diff --git" line without a change) is an
// *Error; the Diff then holds the files read before it, the last one with
// its hunks up to the bad one (a cut hunk marked Cut), for readers that
// show what they can.
func Parse(text []byte) (*Diff, error) {
	p := &parser{d: &Diff{Lines: splitLines(text)}}
	p.lines = p.d.Lines
	p.gd = goDiffLines(p.lines)
	if len(p.gd) > 0 && &p.gd[0] == &p.lines[0] {
		p.gdText = text // nothing to hide from go-diff
	}
	err := p.parse()
	return p.d, err
}

// parser holds the state of one Parse call.
type parser struct {
	d     *Diff
	lines [][]byte
	gd    [][]byte // the lines as go-diff is shown them (goDiffLines)
	// gdText is gd joined, gdOff where each line starts in it.
	gdText []byte
	gdOff  []int
	cur    int // the first line not yet placed
	// restart is set when the last hunk read took, by its counts, the
	// "---"/"+++" lines go-diff starts its next file with: the adapter
	// read the hunks after them itself, and go-diff must read on from
	// p.cur.
	restart bool
}

func splitLines(b []byte) [][]byte {
	out := make([][]byte, 0, bytes.Count(b, []byte("\n"))+1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

func trimEOL(l []byte) []byte {
	l = bytes.TrimSuffix(l, []byte("\n"))
	return bytes.TrimSuffix(l, []byte("\r"))
}

func (p *parser) errorf(i int, format string, args ...any) error {
	return &Error{Line: i + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) has(i int, prefix string) bool {
	return i >= 0 && i < len(p.lines) && bytes.HasPrefix(p.lines[i], []byte(prefix))
}

// goDiffLines are the text's lines as go-diff is shown them: a "--- " or
// "+++ " line ends at its first tab, so that go-diff does not fail on a
// timestamp it cannot read, and an empty name becomes "_", so that go-diff
// does not drop the hunks of a file whose "+++ " line names none (the
// adapter reads names from the text itself); a hunk header gets a space
// after its closing "@@" when a section is glued to it, and a line that
// starts with "@@ " but not "@@ -" (no hunk header to git apply) becomes
// "@_ ...". Other lines are as they are.
func goDiffLines(lines [][]byte) [][]byte {
	out, copied := lines, false
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("@@ -")) {
			// git apply takes "@@ -1 +1 @@x" (a section glued to the
			// closing "@@"); go-diff wants a space there.
			if j := bytes.Index(l[4:], []byte(" @@")); j >= 0 {
				if k := 4 + j + 3; k < len(l) && l[k] != ' ' && len(trimEOL(l[k:])) > 0 {
					if !copied {
						out, copied = append([][]byte(nil), lines...), true
					}
					out[i] = append(append(append([]byte(nil), l[:k]...), ' '), l[k:]...)
				}
			}
			continue
		}
		if bytes.HasPrefix(l, []byte("@@ ")) {
			// Not a hunk header to git apply (it wants "@@ -"): go-diff
			// is shown a line that is not one either.
			if !copied {
				out, copied = append([][]byte(nil), lines...), true
			}
			out[i] = append([]byte("@_"), l[2:]...)
			continue
		}
		if !bytes.HasPrefix(l, []byte("--- ")) && !bytes.HasPrefix(l, []byte("+++ ")) {
			continue
		}
		name := l[4:]
		if t := bytes.IndexByte(name, '\t'); t >= 0 {
			name = name[:t]
		} else {
			name = trimEOL(name)
		}
		if len(bytes.TrimSpace(name)) == 0 {
			name = []byte("_")
		}
		if len(name) == len(trimEOL(l[4:])) && bytes.Equal(name, trimEOL(l[4:])) {
			continue
		}
		if !copied {
			out, copied = append([][]byte(nil), lines...), true
		}
		m := append(append([]byte(nil), l[:4]...), name...)
		if bytes.HasSuffix(l, []byte("\n")) {
			m = append(m, '\n')
		}
		out[i] = m
	}
	return out
}

// forGoDiff is the text from line i on as go-diff is shown it (built
// once: go-diff may be restarted many times on one text).
func (p *parser) forGoDiff(i int) []byte {
	if p.gdOff == nil {
		join := p.gdText == nil
		if join {
			n := 0
			for _, l := range p.gd {
				n += len(l)
			}
			p.gdText = make([]byte, 0, n)
		}
		p.gdOff = make([]int, 0, len(p.gd)+1)
		off := 0
		for _, l := range p.gd {
			p.gdOff = append(p.gdOff, off)
			if join {
				p.gdText = append(p.gdText, l...)
			}
			off += len(l)
		}
		p.gdOff = append(p.gdOff, off)
	}
	return p.gdText[p.gdOff[i]:]
}

// parse lays go-diff's files over the text's lines.
func (p *parser) parse() error {
	for {
		r := godiff.NewMultiFileDiffReader(bytes.NewReader(p.forGoDiff(p.cur)))
		restart, err := p.read(r)
		if err != nil || !restart {
			return err
		}
	}
}

// read places the files r returns; restart says go-diff stopped at text it
// cannot read that git apply skips, and p.cur is the line to read on from.
func (p *parser) read(r *godiff.MultiFileDiffReader) (restart bool, err error) {
	for {
		fd, _, err := r.ReadFileWithTrailingContent()
		if err == io.EOF {
			if dash := p.dashLine(); dash < len(p.lines) {
				// go-diff takes a "--- " line at the end of the text
				// for the end of the diff.
				return p.badFileHeader(dash)
			}
			if err := p.noHeaders(p.cur, len(p.lines)); err != nil || !p.restart {
				return false, err
			}
			p.restart = false
			return true, nil
		}
		if err != nil {
			return p.goDiffError(err)
		}
		if err := p.file(fd); err != nil {
			return false, err
		}
		if p.restart {
			p.restart = false
			return true, nil
		}
	}
}

// goDiffError turns an error of go-diff reading the file that starts at
// p.cur into a positioned one, or skips the text it stopped at.
func (p *parser) goDiffError(err error) (bool, error) {
	var pe *godiff.ParseError
	dash := p.dashLine()
	if errors.As(err, &pe) && (pe.Err == godiff.ErrBadFileHeader || pe.Err == godiff.ErrNoFileHeader) && dash < len(p.lines) && !p.has(dash+1, "+++ ") {
		return p.badFileHeader(dash)
	}
	// A hunk header go-diff cannot read fails its whole reading. The
	// adapter reads the file up to it with go-diff's hunks one by one: a
	// bad header right after a hunk is an error, one after other lines
	// comes after the file (git apply reads it as text), and go-diff reads
	// on from there.
	if first := dash + 2; first < len(p.lines) && p.has(dash+1, "+++ ") && bytes.HasPrefix(p.gd[first], []byte("@@ ")) {
		fd := &godiff.FileDiff{}
		for i := p.cur; i < dash; i++ {
			fd.Extended = append(fd.Extended, string(trimEOL(p.gd[i])))
		}
		bad, lastEnd := -1, -1
		for h := first; ; {
			hs, herr := godiff.ParseHunks(trimEOL(p.gd[h]))
			if herr != nil || len(hs) != 1 {
				bad = h
				break
			}
			fd.Hunks = append(fd.Hunks, hs[0])
			end, cerr := p.count(&Hunk{Line: h, OldLines: int(hs[0].OrigLines), NewLines: int(hs[0].NewLines)})
			if cerr != nil {
				break // p.file reports it
			}
			lastEnd = end
			if h = p.goDiffEnd(h); h >= len(p.gd) || !bytes.HasPrefix(p.gd[h], []byte("@@ ")) {
				break
			}
		}
		if bad >= 0 && (len(fd.Hunks) == 0 || lastEnd == bad) {
			// What comes before the file is wrong first.
			if g := p.gitLine(p.cur, dash); g >= 0 {
				if err := p.skipped(p.cur, g); err != nil {
					return false, err
				}
				h, end, herr := p.gitHeader(g, dash)
				if herr != nil {
					return false, herr
				}
				if end != dash || h.binary {
					if err := p.noHeaders(p.cur, dash); err != nil {
						return false, err
					}
				}
			} else if err := p.skipped(p.cur, dash); err != nil {
				return false, err
			}
			return false, p.errorf(bad, `bad hunk header: expected "@@ -a,b +c,d @@"`)
		}
		if err := p.file(fd); err != nil {
			return false, err
		}
		if p.restart {
			p.restart = false
			return true, nil
		}
		if bad < 0 {
			return false, p.errorf(p.cur, "cannot read the diff: %v", err)
		}
		p.cur = bad
		return true, nil
	}
	return false, p.errorf(p.cur, "cannot read the diff: %v", err)
}

// dashLine is the index of the first "--- " line from p.cur on, where
// go-diff's extended headers end, or len(p.lines).
func (p *parser) dashLine() int {
	dash := p.cur
	for dash < len(p.lines) && !p.has(dash, "--- ") {
		dash++
	}
	return dash
}

// badFileHeader handles a "--- " line at dash that no "+++ " line follows:
// an error in a git file's header, else text that git apply skips, read
// on after.
func (p *parser) badFileHeader(dash int) (bool, error) {
	if g := p.gitLine(p.cur, dash); g >= 0 {
		if err := p.skipped(p.cur, g); err != nil {
			return false, err
		}
		if h, end, herr := p.gitHeader(g, dash); herr == nil && end == dash && !h.binary {
			return false, p.errorf(dash+1, `expected a "+++ " line after the "--- " line`)
		}
	}
	if err := p.noHeaders(p.cur, dash+1); err != nil {
		return false, err
	}
	p.cur = dash + 1
	return true, nil
}

// misplaced reports that go-diff's reading of the text and the text do not
// agree at line i (the adapter's own mistake, never the input's).
func (p *parser) misplaced(i int, what string) error {
	return p.errorf(i, "the diff reader lost its place (%s)", what)
}

// file places one file go-diff read, starting at p.cur.
func (p *parser) file(fd *godiff.FileDiff) error {
	segEnd := p.cur + len(fd.Extended)
	if segEnd > len(p.lines) {
		return p.misplaced(p.cur, "extended headers")
	}
	for k, x := range fd.Extended {
		if !bytes.Equal(trimEOL(p.gd[p.cur+k]), []byte(x)) {
			return p.misplaced(p.cur+k, "extended header")
		}
	}
	if p.has(segEnd, "Only in ") && len(fd.Hunks) == 0 {
		if err := p.noHeaders(p.cur, segEnd); err != nil {
			return err
		}
		p.cur = segEnd + 1
		return nil
	}
	if !(p.has(segEnd, "--- ") && p.has(segEnd+1, "+++ ")) {
		// No "---"/"+++" lines: a git file without hunks, or text.
		if len(fd.Hunks) != 0 {
			return p.misplaced(segEnd, "hunks without file headers")
		}
		if err := p.noHeaders(p.cur, segEnd); err != nil {
			return err
		}
		p.cur = segEnd
		return nil
	}
	// go-diff read "---"/"+++" lines at segEnd: they are the header of a
	// git file when nothing but git header lines come between, else they
	// start a diff made without git (when hunks follow).
	start := p.cur
	g := p.gitLine(start, segEnd)
	var f File
	if g >= 0 {
		h, end, err := p.gitHeader(g, segEnd)
		if err != nil {
			return err
		}
		if end == segEnd && !h.binary {
			if err := p.skipped(start, g); err != nil {
				return err
			}
			f.Start = g
			h.names(p.lines[segEnd], p.lines[segEnd+1])
			if len(fd.Hunks) == 0 {
				return p.errorf(segEnd+2, `expected a hunk header "@@ -a,b +c,d @@" after the "+++ " line`)
			}
			p.cur = segEnd + 2
			return p.withHunks(f, h, fd.Hunks, g)
		}
		if err := p.noHeaders(start, segEnd); err != nil {
			return err
		}
	} else if err := p.skipped(start, segEnd); err != nil {
		return err
	}
	if len(fd.Hunks) == 0 {
		// "---"/"+++" lines without a hunk and without git: text.
		p.cur = segEnd + 2
		return nil
	}
	f.Start = segEnd
	if p.has(segEnd-1, "diff ") && !p.has(segEnd-1, "diff --git ") && segEnd-1 >= start {
		f.Start = segEnd - 1 // GNU diff -r names the file first; git patch-id starts there
	}
	var h fileHead
	h.names(p.lines[segEnd], p.lines[segEnd+1])
	h.traditional()
	p.cur = segEnd + 2
	return p.withHunks(f, &h, fd.Hunks, segEnd)
}

// withHunks reads the hunks of f and adds it; a name it lacks is an error
// at nameLine (its "diff --git" line, or the "---" line of a diff made
// without git).
func (p *parser) withHunks(f File, h *fileHead, hunks []*godiff.Hunk, nameLine int) error {
	nameErr := h.record(&f)
	f.End = p.cur // its "---"/"+++" lines, until a hunk is read
	p.d.Files = append(p.d.Files, f)
	late, err := p.hunks(hunks, &p.d.Files[len(p.d.Files)-1])
	if nameErr != nil {
		// The hunks' errors come first, as git apply reads them first.
		p.d.Files = p.d.Files[:len(p.d.Files)-1]
		if err == nil {
			err = p.errorf(nameLine, "%s", nameErr.Error())
		}
	}
	if err != nil {
		return err
	}
	return late
}

// gitLine returns the index of the first "diff --git" line in [from, to),
// or -1.
func (p *parser) gitLine(from, to int) int {
	for i := from; i < to; i++ {
		if p.has(i, "diff --git ") {
			return i
		}
	}
	return -1
}

// noHeaders places lines [from, to) that go-diff read as extended headers
// with no "---"/"+++" lines after them: text, and maybe a git file without
// hunks (a mode change, a rename, a binary patch) starting at its "diff
// --git" line.
func (p *parser) noHeaders(from, to int) error {
	g := p.gitLine(from, to)
	if g < 0 {
		return p.skipped(from, to)
	}
	if err := p.skipped(from, g); err != nil {
		return err
	}
	h, end, err := p.gitHeader(g, to)
	if err != nil {
		return err
	}
	if !h.binary && end < to && bytes.HasPrefix(p.gd[end], []byte("@@ ")) {
		// Hunks right after the git header lines, with no "---"/"+++"
		// lines: git apply reads them; go-diff takes them for text. The
		// adapter reads them, and go-diff reads on after them.
		f := File{Start: g, End: end}
		nameErr := h.record(&f)
		p.d.Files = append(p.d.Files, f)
		late, err := p.moreHunks(&p.d.Files[len(p.d.Files)-1], end)
		p.restart = true
		if nameErr != nil {
			p.d.Files = p.d.Files[:len(p.d.Files)-1]
			if err == nil {
				err = p.errorf(g, "%s", nameErr.Error())
			}
		}
		if err != nil {
			return err
		}
		return late
	}
	if !h.binary && !h.isNew && !h.isDelete && !h.modeChange && h.renameFrom == "" && h.copyTo == "" {
		return p.errorf(g, `"diff --git" without a change: expected mode, rename or copy lines, a binary patch or hunks`)
	}
	f := File{Start: g, End: end}
	if err := h.record(&f); err != nil {
		return p.errorf(g, "%s", err.Error())
	}
	p.d.Files = append(p.d.Files, f)
	return p.skipped(end, to)
}

// skipped checks lines [from, to) that start no file: a hunk header there
// has no file.
func (p *parser) skipped(from, to int) error {
	for i := from; i < to; i++ {
		if p.has(i, "@@ -") {
			return p.errorf(i, `hunk header outside a file diff: expected "diff --git" or "--- "/"+++ " lines before it`)
		}
	}
	return nil
}

// goDiffEnd is the index of the line at which go-diff ends the hunk whose
// header is at hdr: the next hunk header, a line that cannot be a hunk
// line, or a "---" line followed by "+++" and "@@ " lines.
func (p *parser) goDiffEnd(hdr int) int {
	gdHas := func(i int, prefix string) bool {
		return i < len(p.gd) && bytes.HasPrefix(p.gd[i], []byte(prefix))
	}
	for i := hdr + 1; i < len(p.gd); i++ {
		l := trimEOL(p.gd[i])
		switch {
		case bytes.HasPrefix(l, []byte("---")) && gdHas(i+1, "+++") && gdHas(i+2, "@@ "):
			return i
		case bytes.HasPrefix(l, []byte("@@ ")):
			return i
		case len(l) > 0 && l[0] != ' ' && l[0] != '-' && l[0] != '+' && l[0] != '\\':
			return i
		}
	}
	return len(p.gd)
}

// hunks places go-diff's hunks of f, the first one's header at p.cur, and
// ends each where its header's counts are used up. err is a malformed
// hunk; late is a problem with the lines after the last hunk, which git
// apply finds after the file (and its name) is read.
func (p *parser) hunks(hunks []*godiff.Hunk, f *File) (late, err error) {
	for k, gh := range hunks {
		hdr := p.cur
		if !p.has(hdr, "@@ ") {
			return nil, p.misplaced(hdr, "hunk header")
		}
		if gh.OrigStartLine < 0 || gh.OrigLines < 0 || gh.NewStartLine < 0 || gh.NewLines < 0 || !unsigned(p.lines[hdr]) {
			return nil, p.errorf(hdr, `bad hunk header: expected "@@ -a,b +c,d @@"`)
		}
		h := Hunk{Line: hdr, OldLines: int(gh.OrigLines), NewLines: int(gh.NewLines)}
		end, err := p.count(&h)
		if err != nil {
			h.Cut, h.End = true, end
			f.Hunks = append(f.Hunks, h)
			f.End = end
			return nil, err
		}
		h.End = end
		f.Hunks = append(f.Hunks, h)
		f.End = end
		goEnd := p.goDiffEnd(hdr)
		switch {
		case end < goEnd:
			// go-diff took more lines (a signature "-- " after the last
			// hunk): they are outside the file. What is wrong with them
			// comes after what is wrong with the file (its name).
			p.cur = goEnd
			if err := p.afterHunk(end); err != nil {
				return err, nil
			}
			if k+1 < len(hunks) {
				return p.errorf(goEnd, `hunk header outside a file diff: expected "diff --git" or "--- "/"+++ " lines before it`), nil
			}
			return p.skipped(end, goEnd), nil
		case end == goEnd+1:
			// The counts end on a "---" line go-diff starts a file with.
			return p.afterHunk(end), nil
		case end == goEnd+2:
			// The counts take go-diff's "---"/"+++" lines: the hunks
			// after them are this file's, and go-diff reads on after.
			if k+1 != len(hunks) {
				return nil, p.misplaced(end, "hunks after a file header")
			}
			p.restart = true
			return p.moreHunks(f, end)
		case end > goEnd:
			return nil, p.misplaced(goEnd, "end of a hunk")
		case k+1 == len(hunks):
			// go-diff ended the hunk where its counts end: the line
			// there may still look like one more line of it ("---").
			late = p.afterHunk(end)
		}
		p.cur = max(end, goEnd)
	}
	return late, nil
}

// unsigned says the numbers of a hunk header are plain digits, nine at
// most: go-diff reads them with fmt.Sscanf, which takes a sign ("@@ -+1,-1
// +1 @@") and leading zeros without end.
func unsigned(hdr []byte) bool {
	end := bytes.Index(hdr[3:], []byte(" @@"))
	if end < 0 {
		return false
	}
	ranges := hdr[3 : 3+end] // "-a,b +c,d"
	run := 0
	for i, c := range ranges {
		if c >= '0' && c <= '9' {
			if run++; run > 9 {
				return false
			}
			continue
		}
		run = 0
		if c == '-' || c == '+' || c == ',' {
			if i+1 >= len(ranges) || ranges[i+1] < '0' || ranges[i+1] > '9' {
				return false
			}
		}
	}
	return true
}

// moreHunks reads the hunks of f that follow one another from line i on,
// each header read by go-diff on its own, and leaves p.cur after them.
func (p *parser) moreHunks(f *File, i int) (late, err error) {
	for i < len(p.gd) && bytes.HasPrefix(p.gd[i], []byte("@@ ")) {
		hs, herr := godiff.ParseHunks(trimEOL(p.gd[i]))
		if herr != nil || len(hs) != 1 || !unsigned(p.lines[i]) {
			return nil, p.errorf(i, `bad hunk header: expected "@@ -a,b +c,d @@"`)
		}
		gh := hs[0]
		h := Hunk{Line: i, OldLines: int(gh.OrigLines), NewLines: int(gh.NewLines)}
		end, cerr := p.count(&h)
		h.End, h.Cut = end, cerr != nil
		f.Hunks = append(f.Hunks, h)
		f.End = end
		if cerr != nil {
			return nil, cerr
		}
		i = end
	}
	p.cur = i
	return p.afterHunk(i), nil
}

// count reads the body of hunk h by its header's counts and returns the
// index of the line after it (after one "\ No newline" marker that
// follows it). A line that cannot belong to the hunk before the counts
// are used up, or the end of the text, is an error.
func (p *parser) count(h *Hunk) (int, error) {
	before, after := h.OldLines, h.NewLines
	hdr := h.Line
	i := hdr + 1
	changed := false
	for before > 0 || after > 0 {
		if i >= len(p.lines) {
			return i, p.errorf(i-1, "the diff ends inside the hunk of line %d: %d old and %d new lines missing", hdr+1, before, after)
		}
		c := byte(' ') // an empty line is an empty context line whose space was lost
		if l := trimEOL(p.lines[i]); len(l) > 0 {
			c = l[0]
		}
		switch c {
		case ' ':
			before--
			after--
		case '-':
			before--
			changed = true
		case '+':
			after--
			changed = true
		case '\\': // "\ No newline at end of file"
		default:
			return i, p.errorf(i, "expected a hunk line starting with ' ', '-' or '+': the hunk of line %d still has %d old and %d new lines", hdr+1, before, after)
		}
		if before < 0 || after < 0 {
			// One side ran out while the other still expects lines: a
			// patch cut short (a mail cut inside a hunk) or a wrong header.
			over, short := "old", "new"
			if after < 0 {
				over, short = "new", "old"
			}
			return i, p.errorf(i, "the hunk of line %d does not match its header: more %s lines than it says while %d %s lines it promises are missing (a patch cut short, or a wrong header)",
				hdr+1, over, max(before, after), short)
		}
		i++
	}
	if p.has(i, "\\") {
		i++
	}
	if !changed {
		return i, p.errorf(hdr, "the hunk changes nothing: expected '-' or '+' lines")
	}
	return i, nil
}

// afterHunk rejects a line right after a complete hunk that looks like one
// more line of it: the hunk was longer than its header says. A
// format-patch signature ("-- ") is not such a line.
func (p *parser) afterHunk(i int) error {
	if i >= len(p.lines) {
		return nil
	}
	l := trimEOL(p.lines[i])
	if len(l) == 0 || string(l) == "-- " || bytes.HasPrefix(l, []byte("--- ")) {
		return nil
	}
	switch l[0] {
	case '+', '-', ' ':
		return p.errorf(i, "a hunk line after the end of the hunk: the hunk header's line counts are too small")
	}
	return nil
}
