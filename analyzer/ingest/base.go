package ingest

import (
	"context"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// refreshBases recomputes the bases of a downstream's synced refs.
func (s *syncer) refreshBases(ctx context.Context, src project.Source) error {
	if !src.IsGit() {
		return s.refreshOther(ctx, src)
	}
	if _, err := os.Stat(s.mirrorDir(src)); err != nil {
		return nil // never synced: nothing to refresh
	}
	srcID, err := s.putSource(ctx, src)
	if err != nil {
		return err
	}
	repo, err := s.repo(src)
	if err != nil {
		return err
	}
	for _, name := range src.Refs {
		ref, err := s.db.EnsureRef(ctx, srcID, name)
		if err != nil {
			return err
		}
		if ref.Tip == "" {
			continue
		}
		var rep RefReport
		if err := s.syncBase(ctx, src, ref, repo, plumbing.NewHash(ref.Tip), &rep); err != nil {
			return err
		}
	}
	return nil
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
