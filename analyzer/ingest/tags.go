package ingest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// syncTags stores a source's tags and, when they changed, which release
// tag first contains each stored commit. While the tags stay the same the
// first releases do too: a commit that is new on a ref is in no existing
// release, whose history cannot have changed.
func (s *syncer) syncTags(ctx context.Context, src project.Source, srcID int64, repo *gitrepo.Repo) error {
	tags, err := repo.Tags()
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	old, err := s.db.Tags(ctx, srcID)
	if err != nil {
		return err
	}
	if sameTags(old, tags) {
		return nil
	}
	var releases []gitrepo.Tag
	for _, t := range tags {
		if _, ok := parseVersion(t.Name); ok {
			releases = append(releases, t)
		}
	}
	sort.SliceStable(releases, func(i, j int) bool { return versionLess(releases[i].Name, releases[j].Name) })
	s.opts.Progress.Stage(fmt.Sprintf("%s: finding the first release of each commit (%d tags)", src.Name, len(releases)), len(releases))
	first := map[int64]string{}
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
	rows := make([]store.Tag, len(tags))
	for i, t := range tags {
		rows[i] = store.Tag{Name: t.Name, Commit: t.Commit.String()}
	}
	return s.db.PutTags(ctx, srcID, rows, first)
}

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

// syncBase records where a downstream ref starts on its upstream: the
// configured base tag, or else the newest commit of the ref's history that
// the upstream repository also has.
func (s *syncer) syncBase(ctx context.Context, src project.Source, ref store.Ref, repo *gitrepo.Repo, tip plumbing.Hash, rep *RefReport) error {
	if src.Upstream == "" {
		return nil
	}
	up, upRef, upRepo, err := s.upstreamOf(ctx, src)
	if err != nil || upRepo == nil {
		return err
	}
	if src.Base == "" {
		// Neither tip moved: the merge-base cannot have.
		upTip, err := upRepo.Resolve(up.Refs[0])
		if err != nil {
			return fmt.Errorf("source %s: %w", up.Name, err)
		}
		if old, err := s.db.GetBase(ctx, ref.ID); err == nil && old.How == "merge-base" && old.Tip == tip.String() && old.UpstreamTip == upTip.String() {
			rep.Base = old.How + " " + old.Commit[:12]
			return nil
		}
	}
	var base plumbing.Hash
	how := "merge-base"
	if src.Base != "" {
		how = "tag " + src.Base
		if base, err = upRepo.Resolve(src.Base); err != nil {
			if base, err = repo.Resolve(src.Base); err != nil {
				return fmt.Errorf("source %s: base %q is not a tag or commit of %s or %s", src.Name, src.Base, up.Name, src.Name)
			}
		}
	} else {
		has := upRepo.Has
		if s.mirrorDir(src) == s.mirrorDir(*up) {
			// One repository holds both (a for-next branch next to
			// master): what upstream has is what its ref reaches.
			upTip, err := upRepo.Resolve(up.Refs[0])
			if err != nil {
				return fmt.Errorf("source %s: %w", up.Name, err)
			}
			nodes, err := upRepo.RevList(ctx, []plumbing.Hash{upTip}, nil)
			if err != nil {
				return fmt.Errorf("source %s: %w", up.Name, err)
			}
			reach := make(map[plumbing.Hash]bool, len(nodes))
			for _, n := range nodes {
				reach[n.Hash] = true
			}
			has = func(h plumbing.Hash) bool { return reach[h] }
		}
		base, err = repo.MergeBase(ctx, tip, has)
		if err != nil {
			return fmt.Errorf("source %s: merge-base with %s: %w", src.Name, up.Name, err)
		}
		if base.IsZero() {
			s.opts.Progress.Note("%s@%s shares no history with %s: set base = \"<tag>\" in %s", src.Name, ref.Name, up.Name, s.cfg.File)
			return nil
		}
	}
	rep.Base = how + " " + base.String()[:12]
	upTip, err := upRepo.Resolve(up.Refs[0])
	if err != nil {
		return fmt.Errorf("source %s: %w", up.Name, err)
	}
	old, err := s.db.GetBase(ctx, ref.ID)
	if err == nil && old.Commit == base.String() && old.How == how && old.Tip == tip.String() && old.UpstreamTip == upTip.String() {
		return nil
	}
	// What each side did since the base: the downstream's own commits, and
	// upstream's, which the analyzer measures them against.
	mine, err := s.sinceBase(ctx, repo, tip, base)
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	theirs, err := s.sinceBase(ctx, upRepo, upTip, base)
	if err != nil {
		return fmt.Errorf("source %s: %w", up.Name, err)
	}
	return s.db.PutBase(ctx, store.Base{RefID: ref.ID, UpstreamRefID: upRef.ID, Commit: base.String(), How: how,
		Tip: tip.String(), UpstreamTip: upTip.String()}, mine, theirs)
}

// sinceBase returns the store ids of the stored commits reachable from tip
// but not from base; all of tip's when the repository lacks base.
func (s *syncer) sinceBase(ctx context.Context, repo *gitrepo.Repo, tip, base plumbing.Hash) ([]int64, error) {
	var exclude []plumbing.Hash
	if repo.Has(base) {
		exclude = []plumbing.Hash{base}
	}
	nodes, err := repo.RevList(ctx, []plumbing.Hash{tip}, exclude)
	if err != nil {
		return nil, err
	}
	ids, err := s.db.CommitIDs(ctx, oidsOf(nodes))
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		out = append(out, id)
	}
	return out, nil
}

// upstreamOf returns a source's git upstream, the store's row of its first
// ref and its opened mirror; a nil repository when there is none yet (the
// base waits for the upstream's first sync).
func (s *syncer) upstreamOf(ctx context.Context, src project.Source) (*project.Source, store.Ref, *gitrepo.Repo, error) {
	up := s.cfg.Source(src.Upstream)
	if up == nil || !up.IsGit() || len(up.Refs) == 0 {
		return nil, store.Ref{}, nil, nil
	}
	upID, err := s.putSource(ctx, *up)
	if err != nil {
		return nil, store.Ref{}, nil, err
	}
	upRef, err := s.db.EnsureRef(ctx, upID, up.Refs[0])
	if err != nil {
		return nil, store.Ref{}, nil, err
	}
	upRepo, err := s.repo(*up)
	if err != nil {
		s.opts.Progress.Note("%s: the base is found once %s is synced", src.Name, up.Name)
		return nil, store.Ref{}, nil, nil
	}
	return up, upRef, upRepo, nil
}
