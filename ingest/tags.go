package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// syncTags stores a source's tags and which release tag first contains
// each stored commit. A release of a source is a version tag that the
// source's configured refs reach: an upstream mirror that also carries the
// tags of stable branches or of a downstream (as linux-stable and
// rdma-core publish them) does not make those releases of upstream. The
// first releases are recomputed only when the reachable release tags
// changed: a commit that is new on a ref is in no existing release, whose
// history cannot have changed. When the refs only moved forward, the
// reachable tags are found in the new commits alone, and release tags
// added after every earlier one in version order (the next -rc of a merge
// window) only give the commits they add their first release: at kernel
// size neither walks the million commits of the whole history.
func (s *syncer) syncTags(ctx context.Context, src project.Source, srcID int64, repo *gitrepo.Repo) error {
	tags, err := repo.Tags()
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	now := reached{tips: map[string]plumbing.Hash{}}
	seenHash := sha256.New()
	for _, name := range src.Refs {
		r, err := s.db.EnsureRef(ctx, srcID, name)
		if err != nil {
			return err
		}
		if r.Tip == "" {
			return nil // a ref not synced yet: nothing reaches anything
		}
		now.tips[name] = plumbing.NewHash(r.Tip)
		fmt.Fprintf(seenHash, "ref %s %s\n", name, r.Tip)
	}
	for _, t := range tags {
		fmt.Fprintf(seenHash, "tag %s %s\n", t.Name, t.Commit)
	}
	seen := hex.EncodeToString(seenHash.Sum(nil))
	old, err := s.db.ReleaseState(ctx, srcID)
	if err != nil {
		return err
	}
	if old.Seen == seen {
		return nil
	}
	var versions []gitrepo.Tag
	for _, t := range tags {
		if _, ok := parseVersion(t.Name); ok {
			versions = append(versions, t)
		}
	}
	prev := parseReached(old.Reached)
	if now.tags, now.missed, err = s.reachableTags(ctx, repo, now.tips, versions, prev); err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	releases := now.tags
	// The scope is part of it: commits a new component map brings into
	// scope need their first releases too.
	state := store.ReleaseState{Seen: seen, Releases: releasesDigest(s.comps.Hash(), releases), Reached: now.String()}
	stored, err := s.db.Tags(ctx, srcID)
	if err != nil {
		return err
	}
	if state.Releases == old.Releases && sameTags(stored, tags) {
		return s.db.SetReleaseState(ctx, srcID, state)
	}
	var first map[int64]string
	// Release tags added after every release first computed from the
	// same scope leave the first releases found as they are.
	todo, earlier := releases, []plumbing.Hash(nil)
	if n := len(prev.tags); n > 0 && n <= len(releases) && slices.Equal(prev.tags, releases[:n]) && old.Releases == releasesDigest(s.comps.Hash(), prev.tags) {
		if first, err = s.db.FirstReleases(ctx, srcID); err != nil {
			return err
		}
		todo = releases[n:]
		for _, t := range prev.tags {
			earlier = append(earlier, t.Commit)
		}
	} else if state.Releases == old.Releases {
		if first, err = s.db.FirstReleases(ctx, srcID); err != nil {
			return err
		}
		todo = nil
	} else {
		first = map[int64]string{}
	}
	if len(todo) > 0 {
		s.opts.Progress.Stage(fmt.Sprintf("%s: finding the first release of each commit (%d release tags)", src.Name, len(todo)), len(todo))
		for _, t := range todo {
			nodes, err := repo.RevList(ctx, []plumbing.Hash{t.Commit}, earlier)
			if err != nil {
				return fmt.Errorf("source %s: tag %s: %w", src.Name, t.Name, err)
			}
			ids, err := s.db.CommitIDs(ctx, oidsOf(nodes))
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, ok := first[id]; !ok {
					first[id] = t.Name
				}
			}
			earlier = append(earlier, t.Commit)
			s.opts.Progress.Advance(1)
		}
	}
	rows := make([]store.Tag, len(tags))
	for i, t := range tags {
		rows[i] = store.Tag{Name: t.Name, Commit: t.Commit.String()}
	}
	if err := s.db.PutTags(ctx, srcID, rows, first); err != nil {
		return err
	}
	return s.db.SetReleaseState(ctx, srcID, state)
}

// releasesDigest is the digest of a scope and its release tags in
// version order.
func releasesDigest(scope string, releases []gitrepo.Tag) string {
	h := sha256.New()
	fmt.Fprintf(h, "scope %s\n", scope)
	for _, t := range releases {
		fmt.Fprintf(h, "%s %s\n", t.Name, t.Commit)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// reached is what a source's configured refs reached: each ref's tip and
// the release tags, in version order; missed are the version tags they
// did not reach.
type reached struct {
	tips   map[string]plumbing.Hash
	tags   []gitrepo.Tag
	missed []gitrepo.Tag
}

func (r reached) String() string {
	var b strings.Builder
	names := make([]string, 0, len(r.tips))
	for name := range r.tips {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "ref %s %s\n", name, r.tips[name])
	}
	for _, t := range r.tags {
		fmt.Fprintf(&b, "tag %s %s\n", t.Name, t.Commit)
	}
	for _, t := range r.missed {
		fmt.Fprintf(&b, "missed %s %s\n", t.Name, t.Commit)
	}
	return b.String()
}

// parseReached reads what reached.String wrote; the zero value for
// anything else (a store from before migration 012).
func parseReached(s string) reached {
	r := reached{tips: map[string]plumbing.Hash{}}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 || len(f[2]) != 40 {
			return reached{}
		}
		h := plumbing.NewHash(f[2])
		switch f[0] {
		case "ref":
			r.tips[f[1]] = h
		case "tag":
			r.tags = append(r.tags, gitrepo.Tag{Name: f[1], Commit: h})
		case "missed":
			r.missed = append(r.missed, gitrepo.Tag{Name: f[1], Commit: h})
		default:
			return reached{}
		}
	}
	if len(r.tips) == 0 {
		return reached{}
	}
	return r
}

// reachableTags returns the tags whose commit one of tips reaches, in
// version order, and the others. When every ref that prev reached from
// is still configured, its tags still point where they did and its tips
// are reached from the new tips, what it reached is still reached, what
// it missed is reached only if one of the commits new since reaches it,
// and only tags made since need a walk of the history: a fetch of a merge
// window reads ten thousand commits, not the whole history. Otherwise it
// walks the whole history once.
func (s *syncer) reachableTags(ctx context.Context, repo *gitrepo.Repo, tips map[string]plumbing.Hash, tags []gitrepo.Tag, prev reached) (reach, missed []gitrepo.Tag, err error) {
	var newTips []plumbing.Hash
	for _, h := range tips {
		newTips = append(newTips, h)
	}
	sortHashes(newTips)
	known, fresh, ok, err := s.reachedSince(ctx, repo, newTips, tags, prev)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		known = nil
	}
	// What is left is found in one walk that stops when it has found
	// them all.
	want := map[plumbing.Hash]bool{}
	for _, t := range tags {
		if _, decided := known[t.Name]; !decided && !fresh[t.Commit] {
			want[t.Commit] = false
		}
	}
	if left := len(want); left > 0 {
		err := repo.Walk(ctx, newTips, func(n *gitrepo.Node) error {
			if found, ok := want[n.Hash]; ok && !found {
				want[n.Hash] = true
				if left--; left == 0 {
					return errAllFound
				}
			}
			return nil
		})
		if err != nil && err != errAllFound {
			return nil, nil, err
		}
	}
	for _, t := range tags {
		is, decided := known[t.Name]
		if !decided {
			is = fresh[t.Commit] || want[t.Commit]
		}
		if is {
			reach = append(reach, t)
		} else {
			missed = append(missed, t)
		}
	}
	sortVersions(reach)
	return reach, missed, nil
}

// reachedSince decides from prev what it can: known says of the tags prev
// knew whether the new tips reach them, fresh are the commits new since
// prev's tips. ok is false when prev cannot tell (a ref went back or
// went, a release tag moved).
func (s *syncer) reachedSince(ctx context.Context, repo *gitrepo.Repo, newTips []plumbing.Hash, tags []gitrepo.Tag, prev reached) (known map[string]bool, fresh map[plumbing.Hash]bool, ok bool, err error) {
	if len(prev.tips) == 0 {
		return nil, nil, false, nil
	}
	commitOf := make(map[string]plumbing.Hash, len(tags))
	for _, t := range tags {
		commitOf[t.Name] = t.Commit
	}
	for _, t := range prev.tags {
		if c, ok := commitOf[t.Name]; !ok || c != t.Commit {
			return nil, nil, false, nil // a release tag moved or went
		}
	}
	var oldTips []plumbing.Hash
	for _, h := range prev.tips {
		oldTips = append(oldTips, h)
	}
	sortHashes(oldTips)
	nodes, ok, err := s.fastForward(ctx, repo, oldTips, newTips)
	if err != nil || !ok {
		return nil, nil, false, err // a ref went back or was removed: it may reach less
	}
	fresh = make(map[plumbing.Hash]bool, len(nodes))
	for _, n := range nodes {
		fresh[n.Hash] = true
	}
	known = map[string]bool{}
	for _, t := range prev.tags {
		known[t.Name] = true
	}
	for _, t := range prev.missed {
		if c, ok := commitOf[t.Name]; ok && c == t.Commit {
			known[t.Name] = fresh[c]
		}
	}
	return known, fresh, true, nil
}

func sortVersions(tags []gitrepo.Tag) {
	sort.SliceStable(tags, func(i, j int) bool { return versionLess(tags[i].Name, tags[j].Name) })
}

func sortHashes(hs []plumbing.Hash) {
	sort.Slice(hs, func(i, j int) bool { return bytes.Compare(hs[i][:], hs[j][:]) < 0 })
}

// errAllFound stops a walk that found what it looked for.
var errAllFound = errors.New("all found")

func sameTags(old []store.Tag, now []gitrepo.Tag) bool {
	if len(old) != len(now) {
		return false
	}
	m := make(map[string]string, len(old))
	for _, t := range old {
		m[t.Name] = t.Commit
	}
	for _, t := range now {
		if m[t.Name] != t.Commit.String() {
			return false
		}
	}
	return true
}

// version is a release tag's numbers: v6.1-rc2 is {6, 1} with rc 2; a
// final release has rc 0 and sorts after its release candidates.
type version struct {
	nums []int
	rc   int
}

// parseVersion reads release tags of the kernel's and rdma-core's forms:
// v5.14, v6.1-rc3, v5.10.12, 5.14, v45.0.
func parseVersion(name string) (version, bool) {
	s := strings.TrimPrefix(name, "v")
	var v version
	if i := strings.Index(s, "-rc"); i >= 0 {
		rc, err := strconv.Atoi(s[i+3:])
		if err != nil || rc <= 0 {
			return v, false
		}
		v.rc = rc
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 && v.rc == 0 && !strings.HasPrefix(name, "v") {
		return v, false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" {
			return v, false
		}
		v.nums = append(v.nums, n)
	}
	return v, len(v.nums) > 0
}

func versionLess(a, b string) bool {
	va, _ := parseVersion(a)
	vb, _ := parseVersion(b)
	for i := 0; i < max(len(va.nums), len(vb.nums)); i++ {
		x, y := 0, 0
		if i < len(va.nums) {
			x = va.nums[i]
		}
		if i < len(vb.nums) {
			y = vb.nums[i]
		}
		if x != y {
			return x < y
		}
	}
	// Same numbers: release candidates first, then the release.
	ra, rb := va.rc, vb.rc
	if ra == 0 {
		ra = 1 << 30
	}
	if rb == 0 {
		rb = 1 << 30
	}
	if ra != rb {
		return ra < rb
	}
	return a < b
}
