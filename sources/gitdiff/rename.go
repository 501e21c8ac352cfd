package gitdiff

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultRenameLimit is git's diff.renameLimit default for diff and log
// (git 2.33 and later): inexact rename detection is skipped when
// remaining destinations × remaining sources exceeds its square.
const DefaultRenameLimit = 1000

// numCandidatePerDst is NUM_CANDIDATE_PER_DST of diffcore-rename.c.
const numCandidatePerDst = 4

// Candidate is one side of a potential rename: a deleted path (source) or
// an added path (destination) of a commit.
type Candidate struct {
	Path string
	Mode uint32   // git mode, e.g. 0100644, 0100755, 0120000, 0160000
	Hash [20]byte // blob id
	// Data loads the blob content. It is called at most once per
	// candidate, and only when content is needed (inexact matching of
	// regular files).
	Data func() ([]byte, error)
}

// Pair is a detected rename: deleted[From] was renamed to added[To] with
// similarity Score (MaxScore for exact renames).
type Pair struct {
	From, To int
	Score    int
}

// RenameOptions tunes DetectRenames; the zero value gives git's defaults.
type RenameOptions struct {
	// MinScore is the minimum similarity of an inexact rename (git's
	// -M<n>); 0 means DefaultRenameScore (50%).
	MinScore int
	// Limit is git's rename limit (-l<n>, diff.renameLimit); 0 means
	// DefaultRenameLimit and a negative value means unlimited.
	Limit int
}

// DetectRenames pairs deleted and added paths the way git 2.39's
// diffcore_rename does for a plain `git log -p` / `git show` (renames
// only: no -C, no -B, default score and limit). The order of the input
// slices does not matter: like git's diff queue, candidates are processed
// in path order. Paths must be unique within each slice.
//
// The returned pairs are sorted by To.
func DetectRenames(deleted, added []Candidate) ([]Pair, error) {
	return RenameOptions{}.Detect(deleted, added)
}

// renameEntry is a source or destination of rename detection together
// with the data git caches on its diff_filespec.
type renameEntry struct {
	c      *Candidate
	index  int  // index in the caller's slice
	used   bool // source: rename_used; destination: is_rename
	loaded bool
	size   uint64
	data   []byte // dropped once spans is computed, as git frees blobs
	spans  spanCounts
	hashed bool
}

func (e *renameEntry) load() error {
	if e.loaded {
		return nil
	}
	if e.c.Data == nil {
		return fmt.Errorf("gitdiff: no data loader for %q", e.c.Path)
	}
	d, err := e.c.Data()
	if err != nil {
		return fmt.Errorf("gitdiff: loading %q: %w", e.c.Path, err)
	}
	e.data, e.size, e.loaded = d, uint64(len(d)), true
	return nil
}

func (e *renameEntry) spanCounts() spanCounts {
	if !e.hashed {
		e.spans = hashChars(e.data, nil)
		e.hashed = true
		e.data = nil
	}
	return e.spans
}

func isRegular(mode uint32) bool { return mode&0o170000 == 0o100000 }

// estimateSimilarity mirrors estimate_similarity of diffcore-rename.c.
func estimateSimilarity(src, dst *renameEntry, minScore int) (int, error) {
	// Only regular files are renamed with edits; symlinks and gitlinks
	// only as exact renames.
	if !isRegular(src.c.Mode) || !isRegular(dst.c.Mode) {
		return 0, nil
	}
	if err := src.load(); err != nil {
		return 0, err
	}
	if err := dst.load(); err != nil {
		return 0, err
	}
	ss, ds := src.size, dst.size
	if sizeTooDifferent(ss, ds, minScore) {
		return 0, nil
	}
	copied := copiedBytes(src.spanCounts(), dst.spanCounts())
	return scoreFromCopied(copied, ss, ds), nil
}

// basenameSame mirrors basename_same of diffcore-rename.c.
func basenameSame(src, dst string) bool {
	i, j := len(src), len(dst)
	for i > 0 && j > 0 {
		i--
		j--
		c1, c2 := src[i], dst[j]
		if c1 != c2 {
			return false
		}
		if c1 == '/' {
			return true
		}
	}
	return (i == 0 || src[i-1] == '/') && (j == 0 || dst[j-1] == '/')
}

// baseName mirrors get_basename of diffcore-rename.c.
func baseName(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// diffScore mirrors struct diff_score; dst < 0 marks an empty slot.
type diffScore struct {
	src, dst  int
	score     int
	nameScore int
}

// scoreCompare mirrors score_compare: best candidates first, empty slots
// last.
func scoreCompare(a, b diffScore) int {
	if a.dst < 0 {
		if b.dst >= 0 {
			return 1
		}
		return 0
	}
	if b.dst < 0 {
		return -1
	}
	if a.score == b.score {
		return b.nameScore - a.nameScore
	}
	return b.score - a.score
}

// recordIfBetter mirrors record_if_better.
func recordIfBetter(m []diffScore, o diffScore) {
	worst := 0
	for i := 1; i < len(m); i++ {
		if scoreCompare(m[i], m[worst]) > 0 {
			worst = i
		}
	}
	if scoreCompare(m[worst], o) > 0 {
		m[worst] = o
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Detect is DetectRenames with explicit options.
func (o RenameOptions) Detect(deleted, added []Candidate) ([]Pair, error) {
	minScore := o.MinScore
	if minScore <= 0 {
		minScore = DefaultRenameScore
	}
	if minScore > MaxScore {
		return nil, errors.New("gitdiff: MinScore above MaxScore")
	}
	limit := o.Limit
	if limit == 0 {
		limit = DefaultRenameLimit
	}
	if len(deleted) == 0 || len(added) == 0 {
		return nil, nil
	}

	// The diff queue is in path order.
	srcs := make([]*renameEntry, len(deleted))
	for i := range deleted {
		srcs[i] = &renameEntry{c: &deleted[i], index: i}
	}
	dsts := make([]*renameEntry, len(added))
	for i := range added {
		dsts[i] = &renameEntry{c: &added[i], index: i}
	}
	byPath := func(a, b *renameEntry) int { return strings.Compare(a.c.Path, b.c.Path) }
	slices.SortStableFunc(srcs, byPath)
	slices.SortStableFunc(dsts, byPath)

	var pairs []Pair
	record := func(src, dst *renameEntry, score int) {
		src.used = true
		dst.used = true
		pairs = append(pairs, Pair{From: src.index, To: dst.index, Score: score})
	}

	// find_exact_renames: for each destination, the first unused
	// source (in path order) with the same blob and a compatible mode,
	// preferring one with the same basename among the first 100.
	bySha := make(map[[20]byte][]*renameEntry, len(srcs))
	for _, s := range srcs {
		bySha[s.c.Hash] = append(bySha[s.c.Hash], s)
	}
	for _, d := range dsts {
		var best *renameEntry
		bestScore, left := -1, 100
		for _, s := range bySha[d.c.Hash] {
			if (!isRegular(s.c.Mode) || !isRegular(d.c.Mode)) && s.c.Mode != d.c.Mode {
				continue
			}
			if s.used {
				continue
			}
			score := 1 + b2i(basenameSame(s.c.Path, d.c.Path))
			if score > bestScore {
				best, bestScore = s, score
				if score == 2 {
					break
				}
			}
			if left--; left == 0 {
				break
			}
		}
		if best != nil {
			record(best, d, MaxScore)
		}
	}
	if minScore == MaxScore {
		return sortPairs(pairs), nil
	}

	// remove_unneeded_paths_from_src
	cull := func() {
		srcs = slices.DeleteFunc(srcs, func(s *renameEntry) bool { return s.used })
	}
	cull()

	// find_basename_matches: a source whose basename is unique among
	// the remaining sources is compared with the destination whose
	// basename is unique among the remaining destinations, with a
	// higher bar.
	minBasenameScore := minScore + (MaxScore-minScore)/2
	srcByBase := make(map[string]int, len(srcs))
	for i, s := range srcs {
		b := baseName(s.c.Path)
		if _, dup := srcByBase[b]; dup {
			srcByBase[b] = -1
		} else {
			srcByBase[b] = i
		}
	}
	dstByBase := make(map[string]int, len(dsts))
	for i, d := range dsts {
		if d.used {
			continue
		}
		b := baseName(d.c.Path)
		if _, dup := dstByBase[b]; dup {
			dstByBase[b] = -1
		} else {
			dstByBase[b] = i
		}
	}
	for i, s := range srcs {
		b := baseName(s.c.Path)
		di, ok := dstByBase[b]
		if !ok || srcByBase[b] != i || di == -1 {
			continue
		}
		d := dsts[di]
		if d.used {
			continue
		}
		score, err := estimateSimilarity(s, d, minBasenameScore)
		if err != nil {
			return nil, err
		}
		if score < minBasenameScore {
			continue
		}
		record(s, d, score)
	}
	cull()

	numDst := 0
	for _, d := range dsts {
		if !d.used {
			numDst++
		}
	}
	numSrc := len(srcs)
	if numDst == 0 || numSrc == 0 {
		return sortPairs(pairs), nil
	}
	// too_many_rename_candidates (no -C -C): skip inexact detection.
	if limit > 0 && uint64(numDst)*uint64(numSrc) > uint64(limit)*uint64(limit) {
		return sortPairs(pairs), nil
	}

	// The similarity matrix keeps the best NUM_CANDIDATE_PER_DST sources
	// of every destination.
	mx := make([]diffScore, 0, numCandidatePerDst*numDst)
	for di, d := range dsts {
		if d.used {
			continue
		}
		m := mx[len(mx) : len(mx)+numCandidatePerDst]
		for j := range m {
			m[j] = diffScore{dst: -1}
		}
		for si, s := range srcs {
			score, err := estimateSimilarity(s, d, minScore)
			if err != nil {
				return nil, err
			}
			recordIfBetter(m, diffScore{
				src:       si,
				dst:       di,
				score:     score,
				nameScore: b2i(basenameSame(s.c.Path, d.c.Path)),
			})
		}
		mx = mx[:len(mx)+numCandidatePerDst]
	}
	slices.SortStableFunc(mx, scoreCompare)

	// find_renames: greedy, best score first.
	for _, m := range mx {
		if m.dst < 0 || m.score < minScore {
			break
		}
		d, s := dsts[m.dst], srcs[m.src]
		if d.used || s.used {
			continue
		}
		record(s, d, m.score)
	}
	return sortPairs(pairs), nil
}

func sortPairs(p []Pair) []Pair {
	slices.SortFunc(p, func(a, b Pair) int { return a.To - b.To })
	return p
}
