package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/trailers"
	"github.com/kdelta/kdelta/store"
)

// gitFormat reads a git repository: it mirrors it (go-git, or the git
// CLI), walks each configured ref, fingerprints every commit in scope the
// store lacks, and records ref membership, tags, first releases and bases.
type gitFormat struct{}

func (gitFormat) Rules() project.FormatRules { return builtin(project.FormatGit) }

// Prepare mirrors each repository once, however many sources read it, and
// then refuses a configured base that no mirror has, before any history is
// walked.
func (gitFormat) Prepare(ctx context.Context, s *syncer, srcs []project.Source) error {
	// Mirror each repository once, however many sources read it.
	mirrored := map[string]bool{}
	for _, src := range srcs {
		dir := s.mirrorDir(src)
		if mirrored[dir] {
			continue
		}
		mirrored[dir] = true
		s.opts.Progress.Stage(fmt.Sprintf("%s: mirroring %s", src.Name, src.URL), 0)
		res, err := gitrepo.Mirror(ctx, s.url(src), dir, src.Mirror, nil)
		if err != nil {
			if _, statErr := os.Stat(filepath.Join(dir, "HEAD")); statErr != nil || ctx.Err() != nil {
				return fmt.Errorf("source %s: %w", src.Name, err)
			}
			// A mirror that could not be updated still holds what it held.
			if err := s.skip(ctx, store.Skip{Source: src.Name, Kind: store.SkipDamaged, Object: src.URL,
				Reason: fmt.Sprintf("%v; read the mirror as it was", err)}); err != nil {
				return err
			}
			continue
		}
		switch {
		case res.Cloned:
			s.opts.Progress.Note("%s: cloned %s with %s", src.Name, src.URL, res.With)
		case res.Changed:
			s.opts.Progress.Note("%s: fetched %s", src.Name, src.URL)
		}
	}
	return s.checkBases(srcs)
}

func (gitFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	return s.syncSource(ctx, src)
}

// Refresh recomputes the bases of a downstream's synced refs.
func (gitFormat) Refresh(ctx context.Context, s *syncer, src project.Source) error {
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

func (s *syncer) syncSource(ctx context.Context, src project.Source) ([]RefReport, error) {
	layout := src.Layout
	srcID, err := s.putSource(ctx, src)
	if err != nil {
		return nil, err
	}
	if err := s.reclassify(ctx, layout); err != nil {
		return nil, err
	}
	repo, err := s.repo(src)
	if err != nil {
		return nil, err
	}
	gone, err := s.db.ForgetRefsExcept(ctx, srcID, src.Refs)
	if err != nil {
		return nil, err
	}
	for _, name := range gone {
		s.opts.Progress.Note("%s: %s is no longer in its refs; what it held is forgotten", src.Name, name)
	}
	scope := gitrepo.NewScope(s.comps.Prefixes(layout))
	scopeHash := s.comps.Hash()
	var reports []RefReport
	for _, refName := range src.Refs {
		rep, err := s.syncRef(ctx, src, srcID, repo, refName, scope, scopeHash)
		reports = append(reports, rep)
		if err != nil {
			return reports, err
		}
	}
	err = s.syncTags(ctx, src, srcID, repo)
	var de *gitrepo.DamagedError
	if errors.As(err, &de) {
		// Tried again by the next sync: the releases were not stored.
		err = s.skip(ctx, store.Skip{Source: src.Name, Kind: store.SkipDamaged, Object: de.Object,
			Reason: "first releases not computed: " + err.Error()})
	}
	return reports, err
}

// incomplete marks the scope hash of a ref that was read around damage:
// the next sync reads the ref whole again, and so tries again what could
// not be read.
const incomplete = " (incomplete)"

// walker walks the commits of a ref for ingest: yield gets each commit,
// missing each commit that could not be read (with the commit that names
// it as a parent), whose history is not walked.
type walker func(yield func(*gitrepo.Node) error, missing func(h, child plumbing.Hash, err error) error) error

func (s *syncer) syncRef(ctx context.Context, src project.Source, srcID int64, repo *gitrepo.Repo, refName string,
	scope *gitrepo.Scope, scopeHash string) (RefReport, error) {
	rep := RefReport{Source: src.Name, Ref: refName, Unit: src.Rules().Unit}
	label := src.Name + "@" + refName
	// What could not be read of this ref is tried again now.
	if _, err := s.db.ClearSkips(ctx, src.Name, refName, store.SkipDamaged); err != nil {
		return rep, err
	}
	tip, err := repo.Resolve(refName)
	var de *gitrepo.DamagedError
	switch {
	case errors.As(err, &de):
		// The ref names a commit the mirror cannot read: it keeps what it held.
		rep.Unread++
		return rep, s.skip(ctx, store.Skip{Source: src.Name, Ref: refName, Kind: store.SkipDamaged, Object: de.Object,
			Reason: fmt.Sprintf("ref %s not read: its tip %v", refName, err)})
	case errors.Is(err, gitrepo.ErrUnknownRef):
		return rep, fmt.Errorf("source %s: ref %q is not a branch, tag or commit of %s: %w", src.Name, refName, src.URL, gitrepo.ErrUnknownRef)
	case err != nil:
		return rep, fmt.Errorf("source %s: %w", src.Name, err)
	}
	rep.Tip = tip.String()
	ref, err := s.db.EnsureRef(ctx, srcID, refName)
	if err != nil {
		return rep, err
	}
	if ref.Tip == tip.String() && ref.ScopeHash == scopeHash {
		rep.Unchanged = true
		return rep, s.base(ctx, src, ref, repo, tip, &rep)
	}
	reset := ref.Tip == "" || ref.ScopeHash != scopeHash
	if !reset && !repo.Has(plumbing.NewHash(ref.Tip)) {
		s.opts.Progress.Note("%s: the tip synced last, %.12s, is not in the mirror of %s (a new clone, or another repository); reading the ref anew",
			label, ref.Tip, src.URL)
		reset = true
	}
	// A first walk streams commits to the workers as it finds them; an
	// incremental one is short, and must know what left the ref as well.
	var walk walker
	var removed []int64
	if !reset {
		exclude := []plumbing.Hash{plumbing.NewHash(ref.Tip)}
		s.opts.Progress.Stage(label+": walking history", 0)
		nodes, err := repo.RevList(ctx, []plumbing.Hash{tip}, exclude)
		switch {
		case errors.Is(err, gitrepo.ErrDamaged):
			reset = true // the new history cannot be followed whole: walk around the damage
		case err != nil:
			return rep, fmt.Errorf("%s: %w", label, err)
		default:
			gone, err := repo.RevList(ctx, exclude, []plumbing.Hash{tip})
			if err != nil {
				// The old tip's history cannot be read: start over.
				reset = true
			} else if len(gone) > 0 {
				ids, err := s.db.CommitIDs(ctx, oidsOf(gone))
				if err != nil {
					return rep, err
				}
				for _, id := range ids {
					removed = append(removed, id)
				}
			}
			walk = nodesWalker(nodes)
		}
	}
	if reset {
		removed = nil
		walk = func(yield func(*gitrepo.Node) error, missing func(h, child plumbing.Hash, err error) error) error {
			return repo.WalkDamaged(ctx, []plumbing.Hash{tip}, yield, missing)
		}
	}
	add, err := s.ingest(ctx, src, repo, scope, label, walk, &rep)
	if err != nil {
		return rep, err
	}
	hash := scopeHash
	if rep.Unread > 0 {
		hash += incomplete
	}
	if err := s.db.UpdateRef(ctx, store.RefUpdate{RefID: ref.ID, Tip: tip.String(), ScopeHash: hash, Reset: reset,
		Add: add, Remove: removed}); err != nil {
		return rep, err
	}
	rep.Removed = len(removed)
	return rep, s.base(ctx, src, ref, repo, tip, &rep)
}

// base records a ref's base; a base that damage keeps from being found is
// a skip, tried again by the next sync.
func (s *syncer) base(ctx context.Context, src project.Source, ref store.Ref, repo *gitrepo.Repo, tip plumbing.Hash, rep *RefReport) error {
	err := s.syncBase(ctx, src, ref, repo, tip, rep)
	var de *gitrepo.DamagedError
	if !errors.As(err, &de) {
		return err
	}
	rep.Unread++
	return s.skip(ctx, store.Skip{Source: src.Name, Ref: ref.Name, Kind: store.SkipDamaged, Object: de.Object,
		Reason: "base not computed: " + err.Error()})
}

// nodesWalker walks a list of commits already read, in its order.
func nodesWalker(nodes []gitrepo.Node) walker {
	return func(yield func(*gitrepo.Node) error, _ func(h, child plumbing.Hash, err error) error) error {
		for i := range nodes {
			if err := yield(&nodes[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

func oidsOf(ns []gitrepo.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Hash.String()
	}
	return out
}

// task is one commit to fingerprint, with its tree and its parent's.
type task struct {
	hash, tree, parentTree plumbing.Hash
}

// job is a run of consecutive commits: one worker diffing a commit and
// then its parent finds the parent's trees and blobs in its caches.
type job struct {
	tasks []task
}

// jobSize is the length of a job's run of commits.
const jobSize = 64

type result struct {
	known    int64               // the store id of a commit stored before
	fp       *change.Fingerprint // nil when out of scope
	encoding string              // a note when the message was not UTF-8
	damage   *damage             // what could not be read; nothing is stored
	err      error
}

// damage is a commit that could not be read: a missing or corrupt commit,
// tree or blob. It is recorded as a skip, never stored with what could be
// read of it.
type damage struct {
	commit  plumbing.Hash
	object  string // the object that could not be read
	reason  string
	missing bool // the commit itself: the walk did not visit it
}

// damaged turns an error reading a commit into its damage, when it is one.
func damaged(h plumbing.Hash, what string, err error) *damage {
	var de *gitrepo.DamagedError
	if !errors.As(err, &de) {
		return nil
	}
	return &damage{commit: h, object: de.Object, reason: what + ": " + err.Error()}
}

// batchSize is how many fingerprints go into one store transaction: large
// enough to amortize the commit, small enough that an interrupted sync
// loses little.
const batchSize = 1024

// ingest walks a ref's new commits and stores them: the walk runs in its
// own goroutine on repo, looks each run of commits up in the store, and
// hands those it lacks to a pool of workers, each with its own handle on
// the repository (sharing its object store); this goroutine writes their fingerprints in batches.
// It returns the store ids of every non-merge commit in scope walked.
func (s *syncer) ingest(ctx context.Context, src project.Source, repo *gitrepo.Repo, scope *gitrepo.Scope,
	label string, walk walker, rep *RefReport) ([]int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.opts.Progress.Stage(label+": walking and fingerprinting", 0)
	jobs := make(chan job, s.opts.Workers)
	results := make(chan result, 256)
	var wg sync.WaitGroup
	for w := 0; w < s.opts.Workers; w++ {
		r, err := repo.Worker()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		wg.Add(1)
		go func(r *gitrepo.Repo) {
			defer wg.Done()
			b := fingerprint.NewBuilder()
			for j := range jobs {
				for _, t := range j.tasks {
					res := s.one(r, b, scope, src.Layout, t)
					select {
					case results <- res:
					case <-ctx.Done():
						return
					}
				}
			}
		}(r)
	}
	send := func(r result) bool {
		select {
		case results <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		var run []*gitrepo.Node
		// dispatch looks a run of commits up in the store: those it has are
		// reported at once, the others go to the workers.
		dispatch := func() error {
			known, err := s.db.CommitIDs(ctx, oidsOfPtr(run))
			if err != nil {
				return err
			}
			var tasks []task
			for _, n := range run {
				if id, ok := known[n.Hash.String()]; ok {
					if !send(result{known: id}) {
						return ctx.Err()
					}
					continue
				}
				t := task{hash: n.Hash, tree: n.Tree}
				if len(n.Parents) == 1 {
					p, err := repo.Node(n.Parents[0])
					if d := damaged(n.Hash, "diff not read: its parent", err); d != nil {
						if !send(result{damage: d}) {
							return ctx.Err()
						}
						continue
					}
					if err != nil {
						return err
					}
					t.parentTree = p.Tree
				}
				tasks = append(tasks, t)
			}
			for i := 0; i < len(tasks); i += jobSize {
				select {
				case jobs <- job{tasks: tasks[i:min(i+jobSize, len(tasks))]}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			run = run[:0]
			return nil
		}
		err := walk(func(n *gitrepo.Node) error {
			if len(n.Parents) > 1 {
				return nil // merges carry no change of their own
			}
			run = append(run, n)
			if len(run) == lookupSize {
				return dispatch()
			}
			return nil
		}, func(h, child plumbing.Hash, err error) error {
			what := fmt.Sprintf("neither it nor the history behind it read (a parent of %.12s)", child.String())
			if child.IsZero() {
				what = "the ref's tip: neither it nor the history behind it read"
			}
			d := damaged(h, what, err)
			if d == nil {
				return err
			}
			d.missing = true
			if !send(result{damage: d}) {
				return ctx.Err()
			}
			return nil
		})
		if err == nil && len(run) > 0 {
			err = dispatch()
		}
		if err != nil {
			send(result{err: fmt.Errorf("walk: %w", err)})
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var ids []int64
	var batch []*change.Fingerprint
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// A batch is written even when the run is being interrupted, so the
		// work done so far is kept and the next run resumes after it.
		m, err := s.db.PutFingerprints(context.WithoutCancel(ctx), src.Layout, batch)
		if err != nil {
			return err
		}
		for _, fp := range batch {
			ids = append(ids, m[fp.ID])
		}
		s.opts.Progress.Advance(len(batch))
		batch = batch[:0]
		return nil
	}
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	pending := 0
	for res := range results {
		if firstErr != nil {
			continue
		}
		if res.damage == nil || !res.damage.missing {
			rep.Walked++
		}
		switch {
		case res.err != nil:
			fail(res.err)
			continue
		case res.damage != nil:
			rep.Unread++
			d := res.damage
			if err := s.skip(ctx, store.Skip{Source: src.Name, Ref: rep.Ref, Kind: store.SkipDamaged, Commit: d.commit.String(),
				Object: d.object, Reason: d.reason}); err != nil {
				fail(err)
			}
			continue
		case res.known != 0:
			rep.Reused++
			ids = append(ids, res.known)
			pending++
		case res.fp == nil:
			rep.OutOfScope++
			pending++
		default:
			// A diff over the limits is stored without it, and said so.
			if res.fp.Skip != "" {
				if err := s.skip(ctx, store.Skip{Source: src.Name, Ref: rep.Ref, Kind: store.SkipLimit, Commit: res.fp.ID, Reason: res.fp.Skip}); err != nil {
					fail(err)
				}
				rep.Skipped++
			}
			if res.encoding != "" {
				if err := s.skip(ctx, store.Skip{Source: src.Name, Ref: rep.Ref, Kind: store.SkipNote, Commit: res.fp.ID, Reason: res.encoding}); err != nil {
					fail(err)
				}
			}
			rep.Fingerprinted++
			batch = append(batch, res.fp)
		}
		if len(batch) >= batchSize {
			if err := flush(); err != nil {
				fail(err)
			}
		}
		if pending >= batchSize {
			s.opts.Progress.Advance(pending)
			pending = 0
		}
	}
	if err := flush(); err != nil {
		fail(err)
	}
	s.opts.Progress.Advance(pending)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil && !errors.Is(firstErr, context.Canceled) {
		return nil, fmt.Errorf("%s: %w", label, firstErr)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return ids, nil
}

// lookupSize is how many walked commits are looked up in the store at once.
const lookupSize = 512

func oidsOfPtr(ns []*gitrepo.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Hash.String()
	}
	return out
}

// one fingerprints one commit, or says it is out of scope.
func (s *syncer) one(r *gitrepo.Repo, b *fingerprint.Builder, scope *gitrepo.Scope, layout string, t task) result {
	h := t.hash
	files, err := r.DiffTrees(t.parentTree, t.tree, scope, s.opts.Limits)
	var tooLarge *gitrepo.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
	case err != nil:
		if d := damaged(h, "diff not read", err); d != nil {
			return result{damage: d}
		}
		return result{err: fmt.Errorf("commit %s: %w", h, err)}
	case len(files) == 0:
		return result{} // nothing in scope
	}
	c, err := r.Commit(h)
	if d := damaged(h, "message not read", err); d != nil {
		return result{damage: d}
	}
	if err != nil {
		return result{err: err}
	}
	msg, note := text(c.Message)
	subject, body, tr := trailers.Parse(msg)
	an, _ := text(c.Author.Name)
	ae, _ := text(c.Author.Email)
	cn, _ := text(c.Committer.Name)
	ce, _ := text(c.Committer.Email)
	fp := &change.Fingerprint{
		ID:             h.String(),
		AuthorName:     an,
		AuthorEmail:    ae,
		AuthorTime:     c.Author.When,
		CommitterName:  cn,
		CommitterEmail: ce,
		CommitTime:     c.Committer.When,
		Subject:        subject,
		Body:           body,
		Trailers:       tr,
	}
	res := result{fp: fp}
	if note != "" {
		res.encoding = "message is not UTF-8; stored decoded as Latin-1"
	}
	if tooLarge != nil {
		fp.Skip = "diff not fingerprinted: " + tooLarge.What
		fp.Components = s.comps.Classify(layout, nil, subject)
		return res
	}
	ch := b.Build(files)
	fp.PatchID = ch.PatchID
	fp.Files = ch.Files
	paths := make([]string, 0, len(ch.Files))
	for _, f := range ch.Files {
		paths = append(paths, f.Path)
		if f.OldPath != "" {
			paths = append(paths, f.OldPath)
		}
	}
	fp.Components = s.comps.Classify(layout, paths, subject)
	return res
}
