package fingerprint

import (
	"bytes"
	"fmt"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/fileerr"
	"github.com/kdelta/kdelta/sources/patchdiff"
)

// DiffError is a malformed diff: the 1-based line of the diff text where
// the problem is and what was expected there ("line N: msg"; no File).
type DiffError = fileerr.Error

// MaxPatchLines is the most lines Patch reads: a 64 MiB patch of real code
// has about two million.
const MaxPatchLines = 8 << 20

// Patch fingerprints the unified diff of a patch file or email: the text
// from its first "diff --git" (or "--- a/..."/"+++ b/..." pair, for patches
// made without git) to the end.
//
// The whole patch-id is Text(diff): what `git patch-id --stable` prints for
// the text ("" for a diff without "diff " lines, as git prints nothing
// then). Each file's record is what Builder.Build makes of the same change:
// its PatchID is that of the file's section of the text alone.
//
// The diff is read by sources/patchdiff (github.com/sourcegraph/go-diff,
// with what a patch-id needs kept): a hunk ends when the line counts of
// its header are used up, so text after the last hunk (a format-patch
// signature "-- \n2.39.5") is not part of it; lines between files that
// start none are skipped, as git apply skips them ("Index:" lines of
// quilt, "Only in" lines of diff -r); paths lose their first component
// ("a/", "b/", "linux.orig/"), as with -p1.
//
// A malformed diff (a hunk cut short or longer than its header says, a
// hunk header that cannot be read, a "---" line without "+++", no file at
// all) is a *DiffError.
func Patch(diff []byte) (patchID string, files []change.File, err error) {
	if n := bytes.Count(diff, []byte("\n")); n > MaxPatchLines {
		return "", nil, &DiffError{Line: MaxPatchLines + 1, Msg: fmt.Sprintf("%d lines, more than the %d a patch may have", n, MaxPatchLines)}
	}
	d, err := patchdiff.Parse(diff)
	if err != nil {
		return "", nil, err
	}
	if len(d.Files) == 0 {
		return "", nil, &DiffError{Line: 1, Msg: `no file diff: expected a "diff --git" line or "--- a/..." and "+++ b/..." lines`}
	}
	files = make([]change.File, 0, len(d.Files))
	for i := range d.Files {
		files = append(files, fileRecord(d, &d.Files[i]))
	}
	return Text(diff), files, nil
}

// fileRecord is what Builder.one makes of the same change: the file's
// names and status, its changed lines and their signatures, and the
// patch-id of its section of the text.
func fileRecord(d *patchdiff.Diff, f *patchdiff.File) change.File {
	rec := change.File{Path: f.Path, OldPath: f.OldPath, Status: f.Status, Binary: f.Binary}
	for _, h := range f.Hunks {
		for _, l := range d.Lines[h.Line+1 : h.End] {
			switch l[0] {
			case '-':
				rec.Deleted++
				if h, ok := signatureHash(l[1:]); ok {
					rec.Minus = append(rec.Minus, h)
				}
			case '+':
				rec.Added++
				if h, ok := signatureHash(l[1:]); ok {
					rec.Plus = append(rec.Plus, h)
				}
			}
		}
	}
	id := NewPatchID()
	for _, l := range d.Lines[f.Start:f.End] {
		id.Line(l)
	}
	rec.PatchID = id.Sum()
	return rec
}
