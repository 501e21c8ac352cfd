package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
// history cannot have changed.
func (s *syncer) syncTags(ctx context.Context, src project.Source, srcID int64, repo *gitrepo.Repo) error {
	tags, err := repo.Tags()
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	var tips []plumbing.Hash
	seenHash := sha256.New()
	for _, name := range src.Refs {
		r, err := s.db.EnsureRef(ctx, srcID, name)
		if err != nil {
			return err
		}
		if r.Tip == "" {
			return nil // a ref not synced yet: nothing reaches anything
		}
		tips = append(tips, plumbing.NewHash(r.Tip))
		fmt.Fprintf(seenHash, "ref %s %s\n", name, r.Tip)
	}
	for _, t := range tags {
		fmt.Fprintf(seenHash, "tag %s %s\n", t.Name, t.Commit)
	}
	seen := hex.EncodeToString(seenHash.Sum(nil))
	oldSeen, oldReleases, err := s.db.ReleaseState(ctx, srcID)
	if err != nil {
		return err
	}
	if oldSeen == seen {
		return nil
	}
	var versions []gitrepo.Tag
	for _, t := range tags {
		if _, ok := parseVersion(t.Name); ok {
			versions = append(versions, t)
		}
	}
	releases, err := reachableTags(ctx, repo, tips, versions)
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	sort.SliceStable(releases, func(i, j int) bool { return versionLess(releases[i].Name, releases[j].Name) })
	// The scope is part of it: commits a new component map brings into
	// scope need their first releases too.
	relHash := sha256.New()
	fmt.Fprintf(relHash, "scope %s\n", s.comps.Hash())
	for _, t := range releases {
		fmt.Fprintf(relHash, "%s %s\n", t.Name, t.Commit)
	}
	relDigest := hex.EncodeToString(relHash.Sum(nil))
	old, err := s.db.Tags(ctx, srcID)
	if err != nil {
		return err
	}
	if relDigest == oldReleases && sameTags(old, tags) {
		return s.db.SetReleaseState(ctx, srcID, seen, relDigest)
	}
	first := map[int64]string{}
	if relDigest != oldReleases {
		s.opts.Progress.Stage(fmt.Sprintf("%s: finding the first release of each commit (%d release tags)", src.Name, len(releases)), len(releases))
		var earlier []plumbing.Hash
		for _, t := range releases {
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
	} else if first, err = s.db.FirstReleases(ctx, srcID); err != nil {
		return err
	}
	rows := make([]store.Tag, len(tags))
	for i, t := range tags {
		rows[i] = store.Tag{Name: t.Name, Commit: t.Commit.String()}
	}
	if err := s.db.PutTags(ctx, srcID, rows, first); err != nil {
		return err
	}
	return s.db.SetReleaseState(ctx, srcID, seen, relDigest)
}

// reachableTags returns the tags whose commit one of tips reaches, in one
// walk of the history.
func reachableTags(ctx context.Context, repo *gitrepo.Repo, tips []plumbing.Hash, tags []gitrepo.Tag) ([]gitrepo.Tag, error) {
	want := map[plumbing.Hash]bool{}
	for _, t := range tags {
		want[t.Commit] = false
	}
	left := len(want)
	if left > 0 {
		err := repo.Walk(ctx, tips, func(n *gitrepo.Node) error {
			if found, ok := want[n.Hash]; ok && !found {
				want[n.Hash] = true
				if left--; left == 0 {
					return errAllFound
				}
			}
			return nil
		})
		if err != nil && err != errAllFound {
			return nil, err
		}
	}
	var out []gitrepo.Tag
	for _, t := range tags {
		if want[t.Commit] {
			out = append(out, t)
		}
	}
	return out, nil
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
