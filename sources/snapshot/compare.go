package snapshot

import (
	"slices"
	"strings"
)

// Diff is how two lists of files differ, path by path.
type Diff struct {
	Added   []string // paths only in new, sorted
	Removed []string // paths only in old, sorted
	Changed []string // paths in both whose Blob or Mode differ, sorted
	Same    int      // paths in both with the same Blob and Mode
}

// Compare compares two lists of files: two snapshots, or a snapshot and a
// git tree's files. Both should be sorted by Path, as Read returns them;
// a list that is not is sorted first (in a copy). A path listed twice in
// one list counts once, with its first entry.
func Compare(old, new []File) Diff {
	old, new = sortedByPath(old), sortedByPath(new)
	var d Diff
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		var c int
		switch {
		case i == len(old):
			c = 1
		case j == len(new):
			c = -1
		default:
			c = strings.Compare(old[i].Path, new[j].Path)
		}
		switch {
		case c < 0:
			d.Removed = append(d.Removed, old[i].Path)
			i = skipSame(old, i)
		case c > 0:
			d.Added = append(d.Added, new[j].Path)
			j = skipSame(new, j)
		default:
			if old[i].Blob != new[j].Blob || old[i].Mode != new[j].Mode {
				d.Changed = append(d.Changed, old[i].Path)
			} else {
				d.Same++
			}
			i, j = skipSame(old, i), skipSame(new, j)
		}
	}
	return d
}

// skipSame returns the index after files[i] and the entries after it
// with the same path.
func skipSame(files []File, i int) int {
	p := files[i].Path
	for i++; i < len(files) && files[i].Path == p; i++ {
	}
	return i
}

func byPath(a, b File) int { return strings.Compare(a.Path, b.Path) }

// sortedByPath returns files if sorted by Path, else a sorted copy.
func sortedByPath(files []File) []File {
	if slices.IsSortedFunc(files, byPath) {
		return files
	}
	files = slices.Clone(files)
	slices.SortStableFunc(files, byPath)
	return files
}
