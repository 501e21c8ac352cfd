package ingest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// syncBase records where a downstream ref starts on its upstream, and
// what each side did since. The base is the configured one (a tag or
// commit), or else the merge-base of the ref with the upstream's
// configured refs, found on the commit graph of both repositories
// together: upstream is what those refs reach, nothing else, so a commit
// the upstream mirror holds only under another ref (a stable release tag,
// another branch, the downstream's own branch) never becomes a base.
func (s *syncer) syncBase(ctx context.Context, src project.Source, ref store.Ref, repo *gitrepo.Repo, tip plumbing.Hash, rep *RefReport) error {
	if src.Upstream == "" {
		return nil
	}
	up, upRef, upRepo, err := s.upstreamOf(ctx, src)
	if err != nil || upRepo == nil {
		return err
	}
	upTips, upAt, err := s.upstreamTips(ctx, *up)
	if err != nil {
		return err
	}
	label := src.Name + "@" + ref.Name
	if upTips == nil {
		s.opts.Progress.Note("%s: the base is found once %s is synced ('kdelta sync %s')", label, up.Name, up.Name)
		return nil
	}
	upLabel := up.Name + "@" + strings.Join(up.Refs, ",")
	graph := gitrepo.Graph{repo, upRepo}
	old, oldErr := s.db.GetBase(ctx, ref.ID)
	how := "merge-base of " + label + " and " + upLabel
	if src.Base != "" {
		how = "configured base " + src.Base
	}
	unchanged := oldErr == nil && old.Tip == tip.String() && old.UpstreamTip == upAt
	if oldErr == nil && old.Tip == tip.String() && old.How == how && !unchanged {
		if done, err := s.upstreamMovedOn(ctx, src, ref, repo, upRepo, upRef, old, upTips, upAt, rep); err != nil || done {
			return err
		}
	}
	var base plumbing.Hash
	if src.Base == "" {
		if unchanged && old.How == how {
			// Neither side moved: the merge-base cannot have.
			rep.Base = old.How + ": " + old.Commit[:12]
			return nil
		}
		bases, err := graph.MergeBases(ctx, []plumbing.Hash{tip}, upTips)
		if err != nil {
			return fmt.Errorf("source %s: merge-base with %s: %w", src.Name, up.Name, err)
		}
		if len(bases) == 0 {
			s.opts.Progress.Note("%s shares no history with %s: set base = \"<tag or commit>\" for %s in %s", label, upLabel, src.Name, s.cfg.File)
			return nil
		}
		base = bases[0]
		if len(bases) > 1 {
			s.opts.Progress.Note("%s has %d merge-bases with %s (criss-cross merges); using the newest, %s", label, len(bases), upLabel, base.String()[:12])
		}
	} else {
		if base, err = upRepo.Resolve(src.Base); err != nil {
			if base, err = repo.Resolve(src.Base); err != nil {
				return fmt.Errorf("source %s: base %q is not a tag or commit of %s or %s: %w", src.Name, src.Base, up.Name, src.Name, gitrepo.ErrUnknownRef)
			}
		}
		if unchanged && old.How == how && old.Commit == base.String() {
			rep.Base = how + ": " + base.String()[:12]
			return nil
		}
		if ok, err := graph.IsAncestor(ctx, base, []plumbing.Hash{tip}); err != nil {
			return fmt.Errorf("source %s: %w", src.Name, err)
		} else if !ok {
			s.opts.Progress.Note("warning: the base %s (%s) of %s is not an ancestor of %s: the delta counts from a commit the downstream does not start from", src.Base, base.String()[:12], src.Name, label)
		}
		if ok, err := graph.IsAncestor(ctx, base, upTips); err != nil {
			return fmt.Errorf("source %s: %w", up.Name, err)
		} else if !ok {
			s.opts.Progress.Note("warning: the base %s (%s) of %s is not reachable from %s: it is not an upstream commit", src.Base, base.String()[:12], src.Name, upLabel)
		}
	}
	rep.Base = how + ": " + base.String()[:12]
	if oldErr == nil && old.Commit == base.String() && old.How == how && old.Tip == tip.String() && old.UpstreamTip == upAt {
		return nil
	}
	// What each side did since the base: the downstream's own commits, and
	// upstream's, which the analyzer measures them against.
	mine, err := s.sinceBase(ctx, repo, []plumbing.Hash{tip}, base)
	if err != nil {
		return fmt.Errorf("source %s: %w", src.Name, err)
	}
	theirs, err := s.sinceBase(ctx, upRepo, upTips, base)
	if err != nil {
		return fmt.Errorf("source %s: %w", up.Name, err)
	}
	return s.db.PutBase(ctx, store.Base{RefID: ref.ID, UpstreamRefID: upRef.ID, Commit: base.String(), How: how,
		Tip: tip.String(), UpstreamTip: upAt}, mine, theirs)
}

// upstreamMovedOn updates the base of a downstream that did not move
// when its upstream only moved forward, as a merge window moves Linus'
// tree: the base stays what it was unless one of upstream's new commits
// is in the downstream's history, which the downstream's repository would
// then hold, and upstream's commits since the base are the old ones and
// the new ones. At kernel size this reads the ten thousand new commits
// instead of the half a million between the base and upstream's tip. done
// is false when it cannot tell, and the base is found anew.
func (s *syncer) upstreamMovedOn(ctx context.Context, src project.Source, ref store.Ref, repo, upRepo *gitrepo.Repo, upRef store.Ref,
	old store.Base, upTips []plumbing.Hash, upAt string, rep *RefReport) (done bool, err error) {
	if src.Base != "" {
		if b, err := upRepo.Resolve(src.Base); err != nil || b.String() != old.Commit {
			return false, nil // the configured base names another commit now
		}
	}
	oldAt := strings.Split(old.UpstreamTip, ",")
	if len(oldAt) != len(upTips) {
		return false, nil // another set of refs
	}
	oldTips := make([]plumbing.Hash, len(oldAt))
	for i, at := range oldAt {
		if len(at) != 40 {
			return false, nil
		}
		oldTips[i] = plumbing.NewHash(at)
	}
	fresh, ok, err := s.fastForward(ctx, upRepo, oldTips, upTips)
	if err != nil {
		return false, fmt.Errorf("source %s: %w", src.Upstream, err)
	}
	if !ok {
		return false, nil // a force-push: the base is found anew
	}
	if src.Base == "" {
		for _, n := range fresh {
			if repo.Has(n.Hash) {
				return false, nil // upstream merged some of the downstream's history
			}
		}
	}
	mine, err := s.db.SinceBase(ctx, ref.ID, "downstream")
	if err != nil {
		return false, err
	}
	theirs, err := s.db.SinceBase(ctx, ref.ID, "upstream")
	if err != nil {
		return false, err
	}
	ids, err := s.db.CommitIDs(ctx, oidsOf(fresh))
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		theirs = append(theirs, id)
	}
	rep.Base = old.How + ": " + old.Commit[:12]
	return true, s.db.PutBase(ctx, store.Base{RefID: ref.ID, UpstreamRefID: upRef.ID, Commit: old.Commit, How: old.How,
		Tip: old.Tip, UpstreamTip: upAt}, mine, theirs)
}

// upstreamTips returns the commits an upstream's configured refs name, as
// its last sync stored them (what the store's fingerprints describe), and
// one string naming them all; nil when a ref was never synced.
func (s *syncer) upstreamTips(ctx context.Context, up project.Source) ([]plumbing.Hash, string, error) {
	upID, err := s.putSource(ctx, up)
	if err != nil {
		return nil, "", err
	}
	var tips []plumbing.Hash
	var at []string
	for _, name := range up.Refs {
		r, err := s.db.EnsureRef(ctx, upID, name)
		if err != nil {
			return nil, "", err
		}
		if r.Tip == "" {
			return nil, "", nil
		}
		tips = append(tips, plumbing.NewHash(r.Tip))
		at = append(at, r.Tip)
	}
	return tips, strings.Join(at, ","), nil
}

// sinceBase returns the store ids of the stored commits reachable from
// tips but not from base; all of theirs when the repository lacks base.
func (s *syncer) sinceBase(ctx context.Context, repo *gitrepo.Repo, tips []plumbing.Hash, base plumbing.Hash) ([]int64, error) {
	var exclude []plumbing.Hash
	if repo.Has(base) {
		exclude = []plumbing.Hash{base}
	}
	nodes, err := repo.RevList(ctx, tips, exclude)
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

// checkBases refuses, before any history is walked, a configured base of
// a git downstream that neither its upstream's mirror nor its own has: a
// typo in the project file should not cost a first sync to find.
func (s *syncer) checkBases(sources []project.Source) error {
	for _, src := range sources {
		if !src.IsGit() || src.Base == "" || src.Upstream == "" {
			continue
		}
		up := s.cfg.Source(src.Upstream)
		if up == nil || !up.IsGit() {
			continue
		}
		if _, err := os.Stat(s.mirrorDir(*up)); err != nil {
			continue // the upstream is not mirrored yet: it may have it
		}
		found := false
		for _, p := range []project.Source{*up, src} {
			repo, err := s.repo(p)
			if err != nil {
				continue
			}
			if _, err := repo.Resolve(src.Base); err == nil {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("source %s: base %q is not a tag or commit of %s or %s (set base in %s to a tag or commit id upstream has): %w",
				src.Name, src.Base, up.Name, src.Name, s.cfg.File, gitrepo.ErrUnknownRef)
		}
	}
	return nil
}

// forward is what Repo.FastForward found.
type forward struct {
	fresh []gitrepo.Node
	ok    bool
}

// fastForward is repo.FastForward, each question asked once a sync.
func (s *syncer) fastForward(ctx context.Context, repo *gitrepo.Repo, old, tips []plumbing.Hash) ([]gitrepo.Node, bool, error) {
	// The question, whatever order the tips come in.
	var key strings.Builder
	key.WriteString(repo.Path)
	for _, side := range [][]plumbing.Hash{old, tips} {
		ids := make([]string, len(side))
		for i, h := range side {
			ids[i] = h.String()
		}
		sort.Strings(ids)
		key.WriteString("|" + strings.Join(ids, ","))
	}
	if f, ok := s.forwards[key.String()]; ok {
		return f.fresh, f.ok, nil
	}
	fresh, ok, err := repo.FastForward(ctx, old, tips)
	if err != nil {
		return nil, false, err
	}
	if s.forwards == nil {
		s.forwards = map[string]forward{}
	}
	s.forwards[key.String()] = forward{fresh, ok}
	return fresh, ok, nil
}
