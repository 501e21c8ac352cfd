package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/internal/fileerr"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/results"
	"github.com/kdelta/kdelta/store"
)

// ResultsImport says what to import: one results file.
type ResultsImport struct {
	File   string
	Format string // junit, kcidb, csv; "" to detect
	// Target (SOURCE@REF, SOURCE@TAG or SOURCE@COMMIT) is what the results
	// ran on, for results whose file does not say (a kcidb checkout or a
	// CSV target column does, and wins).
	Target   string
	Lab      string // when set, replaces the lab the file names
	Hardware string // when set, replaces the hardware the file names
}

// ResultsReport says what an import did.
type ResultsReport struct {
	File      string
	Format    string
	Cases     int      // results in the file
	Added     int      // stored now (the rest were stored before)
	Duplicate bool     // the same file was imported before: nothing added
	Targets   []string // SOURCE@LABEL of every target, sorted
}

// resultsBatch is how many results an import resolves and stores at a
// time.
const resultsBatch = 2000

// ImportResults checks a results file whole, then reads it again in
// batches, resolving every result's target to a commit of a synced source,
// and stores them in one transaction: memory is bounded by a batch, not by
// the file (a JUnit file of a million cases). A malformed file, an unknown
// source or a target that does not resolve is an error wrapping
// ErrBadSource, and nothing of the file is stored.
func ImportResults(ctx context.Context, db *store.DB, cfg *project.Config, in ResultsImport) (*ResultsReport, error) {
	f, err := results.Open(in.File, in.Format)
	if err != nil {
		return nil, badSource(err)
	}
	r := &resolver{ctx: ctx, db: db, cfg: cfg, file: in.File, repos: map[string]*gitrepo.Repo{}, done: map[[2]string]store.TestTarget{}}
	defer r.close()
	var fallback *results.Target
	if in.Target != "" {
		src, ref, ok := strings.Cut(in.Target, "@")
		if !ok || src == "" || ref == "" {
			return nil, badSource(fmt.Errorf("--target %q: expected SOURCE@REF, SOURCE@TAG or SOURCE@COMMIT", in.Target))
		}
		fallback = &results.Target{Source: src, Ref: ref}
		// A wrong --target is reported even when the file names every target.
		if _, err := r.resolve(*fallback, "--target"); err != nil {
			return nil, err
		}
	}
	rep := &ResultsReport{File: in.File, Format: f.Format(), Cases: f.Count()}
	var seen map[string]bool
	var commits map[string]map[plumbing.Hash]bool // by source: the targets' commits
	// each reads the file's results in batches, the targets resolved.
	each := func(fn func(rows []store.TestResult) error) error {
		rep.Targets, seen, commits = nil, map[string]bool{}, map[string]map[plumbing.Hash]bool{}
		rows := make([]store.TestResult, 0, resultsBatch)
		err := f.Each(resultsBatch, func(cases []results.Case) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rows = rows[:0]
			for _, c := range cases {
				row, err := r.result(c, in, fallback)
				if err != nil {
					return err
				}
				if label := row.Target.Source + "@" + row.Target.Label; !seen[label] {
					seen[label] = true
					rep.Targets = append(rep.Targets, label)
				}
				if row.Target.Commit != "" {
					if commits[row.Target.Source] == nil {
						commits[row.Target.Source] = map[plumbing.Hash]bool{}
					}
					commits[row.Target.Source][plumbing.NewHash(row.Target.Commit)] = true
				}
				rows = append(rows, row)
			}
			return fn(rows)
		})
		var re *fileerr.Error
		if errors.As(err, &re) && !errors.Is(err, ErrBadSource) {
			err = badSource(err)
		}
		return err
	}
	var failed error // what reading the file failed with, as it is
	fill := func(put func([]store.TestResult) error) error {
		// From the start: the store may run the transaction again.
		err := each(put)
		if errors.Is(err, ErrBadSource) {
			failed = err
		}
		return err
	}
	rep.Added, rep.Duplicate, err = db.ImportResultsFrom(ctx, store.ResultFile{Digest: f.Digest(), Name: in.File, Format: f.Format()}, fill)
	if failed != nil {
		return nil, failed
	}
	if err != nil {
		return nil, err
	}
	if rep.Duplicate {
		// What the file ran on, for the report; nothing is stored again.
		if err := each(func([]store.TestResult) error { return nil }); err != nil {
			return nil, err
		}
	}
	sort.Strings(rep.Targets)
	if err := r.fingerprintTargets(commits); err != nil {
		return rep, err
	}
	return rep, nil
}

// result is the row a case stores: its target resolved (the file's, else
// the --target fallback), the lab and hardware the import names.
func (r *resolver) result(c results.Case, in ResultsImport, fallback *results.Target) (store.TestResult, error) {
	t := c.Target
	where := c.Where
	if t.Source == "" && t.RepoURL == "" {
		if fallback == nil {
			return store.TestResult{}, badSource(&fileerr.Error{File: in.File, Where: c.Where,
				Msg: fmt.Sprintf("test %s names no target; pass --target SOURCE@REF", c.Path)})
		}
		t, where = *fallback, "--target"
	}
	tg, err := r.resolve(t, where)
	if err != nil {
		return store.TestResult{}, err
	}
	row := store.TestResult{Target: tg, Lab: c.Lab, Hardware: c.Hardware, Suite: c.Suite, Path: c.Path,
		Status: c.Status, Started: c.Start, Duration: c.Duration, LogURL: c.LogURL, Message: c.Message, Properties: c.Properties}
	if in.Lab != "" {
		row.Lab = in.Lab
	}
	if in.Hardware != "" {
		row.Hardware = in.Hardware
	}
	return row, nil
}

// fingerprintTargets stores the fingerprints of the commits that the
// results' targets reach off their source's configured refs: a release
// tag that a force-push left behind still names the build the tests ran
// on, and the changes between two targets (a regression's suspects) must
// be the same whether the store saw that history before or not. bySource
// holds the targets' commits by source.
func (r *resolver) fingerprintTargets(bySource map[string]map[plumbing.Hash]bool) error {
	if len(bySource) == 0 {
		return nil
	}
	comps, err := r.cfg.Components()
	if err != nil {
		return err
	}
	// A commit that cannot be read is a recorded skip, as in a sync.
	s := newSyncer(r.cfg, comps, r.db, Options{}.withDefaults(), &Report{})
	defer s.closeRepos()
	names := make([]string, 0, len(bySource))
	for name := range bySource {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		src := r.cfg.Source(name)
		repo := r.repos[name]
		if src == nil || repo == nil {
			continue
		}
		var targets, tips []plumbing.Hash
		for h := range bySource[name] {
			targets = append(targets, h)
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].String() < targets[j].String() })
		for _, refName := range src.Refs {
			if _, ref, err := r.db.FindRef(r.ctx, name, refName); err == nil && ref.Tip != "" {
				tips = append(tips, plumbing.NewHash(ref.Tip))
			}
		}
		nodes, err := repo.RevList(r.ctx, targets, tips)
		if err != nil {
			return fmt.Errorf("source %s: the history of the results' targets: %w", name, err)
		}
		if len(nodes) == 0 {
			continue
		}
		walk := nodesWalker(nodes)
		var rep RefReport
		scope := gitrepo.NewScope(comps.Prefixes(src.Layout))
		if _, err := s.ingest(r.ctx, *src, repo, scope, name+" (results' targets)", walk, &rep); err != nil {
			return err
		}
	}
	return nil
}

// resolver turns the targets a results file names into commits of synced
// sources, once each.
type resolver struct {
	ctx   context.Context
	db    *store.DB
	cfg   *project.Config
	file  string
	repos map[string]*gitrepo.Repo
	done  map[[2]string]store.TestTarget
}

func (r *resolver) close() {
	for _, repo := range r.repos {
		repo.Close()
	}
}

func (r *resolver) fail(where, format string, args ...any) error {
	return badSource(&fileerr.Error{File: r.file, Where: where, Msg: fmt.Sprintf(format, args...)})
}

// source finds the configured source a target names: by name, else by the
// repository URL a kcidb checkout gives.
func (r *resolver) source(t results.Target, where string) (*project.Source, error) {
	if s := r.cfg.Source(t.Source); s != nil {
		return s, nil
	}
	if t.RepoURL != "" {
		key := project.MirrorKey(t.RepoURL)
		for i := range r.cfg.Sources {
			s := &r.cfg.Sources[i]
			if project.MirrorKey(s.URL) == key || project.MirrorKey(r.cfg.SourceURL(s)) == key {
				return s, nil
			}
		}
	}
	var names []string
	for _, s := range r.cfg.Sources {
		names = append(names, s.Name)
	}
	what := fmt.Sprintf("source %q", t.Source)
	if t.Source == "" {
		what = fmt.Sprintf("repository %q", t.RepoURL)
	}
	return nil, r.fail(where, "target %s is not in %s (sources: %s)", what, r.cfg.File, strings.Join(names, ", "))
}

func (r *resolver) resolve(t results.Target, where string) (store.TestTarget, error) {
	key := [2]string{t.Source + "\x00" + t.RepoURL, t.Ref + "\x00" + t.Commit}
	if tg, ok := r.done[key]; ok {
		return tg, nil
	}
	src, err := r.source(t, where)
	if err != nil {
		return store.TestTarget{}, err
	}
	var tg store.TestTarget
	if src.IsGit() {
		tg, err = r.gitTarget(src, t, where)
	} else {
		tg, err = r.otherTarget(src, t, where)
	}
	if err != nil {
		return store.TestTarget{}, err
	}
	r.done[key] = tg
	return tg, nil
}

// gitTarget resolves a ref, tag or commit in the source's mirror.
func (r *resolver) gitTarget(src *project.Source, t results.Target, where string) (store.TestTarget, error) {
	repo := r.repos[src.Name]
	if repo == nil {
		var err error
		if repo, err = gitrepo.Open(r.cfg.MirrorPath(src)); err != nil {
			return store.TestTarget{}, r.fail(where, "source %s is not synced (%v); run 'kdelta sync %s' first", src.Name, err, src.Name)
		}
		r.repos[src.Name] = repo
	}
	name := t.Commit
	if name == "" {
		name = t.Ref
	}
	h, err := repo.Resolve(name)
	if err != nil {
		if errors.Is(err, gitrepo.ErrUnknownRef) {
			return store.TestTarget{}, r.fail(where, "target %s@%s: no such ref, tag or commit in %s's mirror; expected a tag, a branch or a commit id (run 'kdelta sync %s' if it is new)",
				src.Name, name, src.Name, src.Name)
		}
		return store.TestTarget{}, r.fail(where, "target %s@%s: %v", src.Name, name, err)
	}
	n, err := repo.Node(h)
	if err != nil {
		return store.TestTarget{}, r.fail(where, "target %s@%s: %v", src.Name, name, err)
	}
	label := t.Ref
	if label == "" {
		label = h.String()[:12]
	}
	return store.TestTarget{Source: src.Name, Label: label, Commit: h.String(), Time: n.Time}, nil
}

// otherTarget is a source without commits (a series, a snapshot): its one
// ref, ordered by when it was synced.
func (r *resolver) otherTarget(src *project.Source, t results.Target, where string) (store.TestTarget, error) {
	refs := src.RefNames()
	if t.Ref != refs[0] {
		return store.TestTarget{}, r.fail(where, "target %s@%s: a %s source has one ref, %q; expected %s@%s", src.Name, t.Ref, src.Format, refs[0], src.Name, refs[0])
	}
	_, ref, err := r.db.FindRef(r.ctx, src.Name, refs[0])
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.TestTarget{}, r.fail(where, "source %s is not synced; run 'kdelta sync %s' first", src.Name, src.Name)
		}
		return store.TestTarget{}, err
	}
	at := ref.SyncedAt
	if at.IsZero() {
		at = time.Unix(0, 0)
	}
	return store.TestTarget{Source: src.Name, Label: refs[0], Time: at}, nil
}
