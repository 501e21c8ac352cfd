// Package gitdiff is a Go port of the parts of git's diff machinery that
// kdelta needs to reproduce `git diff` / `git log -p` output byte for byte:
//
//   - Unified: the hunks git's xdiff (Myers algorithm with git's cost
//     heuristics, the default indent heuristic, 3 lines of context) prints
//     after the "+++" line, without function names on hunk headers.
//   - IsBinary: git's "is this buffer binary" rule.
//   - Similarity, SimilarityPercent and DetectRenames: diffcore-delta.c and
//     diffcore-rename.c as used by a plain `git log -p` / `git show`
//     (renames on, no copy or break detection).
//
// The reference is git 2.39; the file and function names of git that each
// piece mirrors are given in the comments.
package gitdiff
