package analyzer

import (
	"context"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// Annotation is a manual status of a downstream change.
type Annotation = store.Annotation

// Ignore is an entry of the ignore list.
type Ignore = store.Ignore

// Undo puts back what one change of the project's state changed.
type Undo func(ctx context.Context) error

// Service is the project's state as a surface reads and changes it:
// analyses, details of a change, manual matches, annotations, ignores and
// test results, over one store. The rules of what may be changed by hand
// live here (and in the functions it calls), once for every surface.
type Service struct {
	db    *store.DB
	cfg   *project.Config
	rules *project.TestRules
}

// NewService serves the state of db for the project of cfg. A surface
// that only changes manual matches, annotations or ignores may pass a nil
// cfg; the reads that need the config (analyses with tests, rankings,
// comparisons, results, diff text) then may not be used.
func NewService(db *store.DB, cfg *project.Config) (*Service, error) {
	s := &Service{db: db, cfg: cfg}
	if cfg != nil {
		rules, err := cfg.TestRules()
		if err != nil {
			return nil, err
		}
		s.rules = rules
	}
	return s, nil
}

// Config is the project's config the service was made for.
func (s *Service) Config() *project.Config { return s.cfg }

// Rules are the project's test rules (which components a test covers).
func (s *Service) Rules() *project.TestRules { return s.rules }

// Analysis analyzes a downstream target (SOURCE or SOURCE@REF) and
// attaches the latest test results of each component.
func (s *Service) Analysis(ctx context.Context, target string) (*Result, error) {
	r, err := Analyze(ctx, s.db, target)
	if err != nil {
		return nil, err
	}
	if err := AttachTests(ctx, s.db, s.rules, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Ranker reads what ranks the missing commits of an analysis.
func (s *Service) Ranker(ctx context.Context, r *Result) (*Ranker, error) {
	return NewRanker(ctx, s.db, s.cfg, r)
}

// Compare compares two downstream targets.
func (s *Service) Compare(ctx context.Context, a, b string) (*Comparison, error) {
	return Compare(ctx, s.db, s.cfg, a, b)
}

// Statuses decides the statuses of the changes the downstream of r (an
// analysis, as Analysis gives it) carries, in the downstream's order.
func (s *Service) Statuses(ctx context.Context, r *Result) ([]Carried, error) {
	return statusesOf(ctx, s.db, r, &evidence{db: s.db})
}

// CarriedIn are the changes of a component ("" for every one) that a
// downstream carries with no upstream counterpart, with their statuses,
// in the downstream's order: the carried changes as the overview and
// kdelta delta count them (backports are not among them), by the analysis
// the statuses were decided on. The analysis and the statuses are an's
// (the service itself, or a surface's kept ones).
func (s *Service) CarriedIn(ctx context.Context, an Analyses, target, component string) ([]Carried, error) {
	r, err := an.Analysis(ctx, target)
	if err != nil {
		return nil, err
	}
	all, err := an.Statuses(ctx, r)
	if err != nil {
		return nil, err
	}
	return onlyCarriedIn(r, all, component), nil
}

// Timeline is the status history of a change.
func (s *Service) Timeline(ctx context.Context, key string) ([]TimelineEntry, error) {
	return Timeline(ctx, s.db, key)
}

// LatestTests are the latest test results on a source, by component.
func (s *Service) LatestTests(ctx context.Context, source string) (map[string][]TestStatus, error) {
	return LatestTests(ctx, s.db, s.rules, source)
}

// Regressions are the tests that went from passing to failing on a source.
func (s *Service) Regressions(ctx context.Context, source string) ([]Regression, error) {
	return Regressions(ctx, s.db, s.cfg, s.rules, source)
}

// TestHistory is every stored result of one test.
func (s *Service) TestHistory(ctx context.Context, test string) ([]TestStatus, error) {
	return TestHistory(ctx, s.db, test)
}

// TestPaths is every test that has a stored result, sorted.
func (s *Service) TestPaths(ctx context.Context) ([]string, error) {
	return s.db.TestPaths(ctx)
}

// ChangeText is the text of a change (its patch, or its commit's diff read
// from the mirror) and where it was read from.
func (s *Service) ChangeText(ctx context.Context, id string) (text, from string, err error) {
	return ChangeText(ctx, s.db, s.cfg, id)
}

// Fingerprint is what the store keeps of a commit or patch, by full or
// abbreviated id.
func (s *Service) Fingerprint(ctx context.Context, id string) (*change.Fingerprint, error) {
	return s.db.Fingerprint(ctx, id, "")
}

// ManualMatches are the manual matches: upstream ids by downstream id
// (none: downstream-only by hand).
func (s *Service) ManualMatches(ctx context.Context) (map[string][]string, error) {
	m, _, err := s.db.Overrides(ctx)
	return m, err
}

// Annotations are the manual statuses, by change id.
func (s *Service) Annotations(ctx context.Context) (map[string]Annotation, error) {
	return s.db.Annotations(ctx)
}

// Ignores is the ignore list.
func (s *Service) Ignores(ctx context.Context) ([]Ignore, error) {
	return s.db.Ignores(ctx)
}

// SetManualMatch pairs a downstream change with upstream commits (ids as
// typed; none: downstream-only), resolved by ResolveManualMatch against
// the downstreams of targets, and stores the pair. The Undo puts back the
// manual match it replaced, or none.
func (s *Service) SetManualMatch(ctx context.Context, targets []string, down string, ups []string) (ManualMatch, Undo, error) {
	m, err := ResolveManualMatch(ctx, s.db, targets, down, ups)
	if err != nil {
		return ManualMatch{}, nil, err
	}
	overrides, _, err := s.db.Overrides(ctx)
	if err != nil {
		return ManualMatch{}, nil, err
	}
	prev, had := overrides[m.Downstream]
	if err := s.db.SetOverride(ctx, m.Downstream, m.Upstream); err != nil {
		return ManualMatch{}, nil, err
	}
	id, db := m.Downstream, s.db
	return m, func(ctx context.Context) error {
		if had {
			return db.SetOverride(ctx, id, prev)
		}
		_, err := db.UnsetOverride(ctx, id)
		return err
	}, nil
}

// ClearManualMatch removes the manual match of a downstream change (its
// full id); had says whether there was one. The Undo puts it back.
func (s *Service) ClearManualMatch(ctx context.Context, id string) (undo Undo, had bool, err error) {
	overrides, _, err := s.db.Overrides(ctx)
	if err != nil {
		return nil, false, err
	}
	prev, had := overrides[id]
	if !had {
		return nil, false, nil
	}
	if _, err := s.db.UnsetOverride(ctx, id); err != nil {
		return nil, false, err
	}
	db := s.db
	return func(ctx context.Context) error { return db.SetOverride(ctx, id, prev) }, true, nil
}

// Annotate sets the manual status of a change (a.Change, its full id),
// replacing an earlier one. The Undo puts back the one it replaced, or
// none.
func (s *Service) Annotate(ctx context.Context, a Annotation) (Undo, error) {
	notes, err := s.db.Annotations(ctx)
	if err != nil {
		return nil, err
	}
	prev, had := notes[a.Change]
	if err := s.db.Annotate(ctx, a); err != nil {
		return nil, err
	}
	id, db := a.Change, s.db
	return func(ctx context.Context) error {
		if had {
			return db.Annotate(ctx, prev)
		}
		_, err := db.Unannotate(ctx, id)
		return err
	}, nil
}

// ClearAnnotation removes the manual status of a change (its full id);
// had says whether there was one. The Undo puts it back.
func (s *Service) ClearAnnotation(ctx context.Context, id string) (undo Undo, had bool, err error) {
	notes, err := s.db.Annotations(ctx)
	if err != nil {
		return nil, false, err
	}
	prev, had := notes[id]
	if _, err := s.db.Unannotate(ctx, id); err != nil {
		return nil, false, err
	}
	if !had {
		return nil, false, nil
	}
	db := s.db
	return func(ctx context.Context) error { return db.Annotate(ctx, prev) }, true, nil
}

// AddIgnore puts an entry on the ignore list, replacing the one with the
// same target and scope. The Undo puts back the one it replaced, or none.
func (s *Service) AddIgnore(ctx context.Context, ig Ignore) (Undo, error) {
	list, err := s.db.Ignores(ctx)
	if err != nil {
		return nil, err
	}
	var prev *Ignore
	for i := range list {
		if list[i].Target == ig.Target && list[i].Scope == ig.Scope {
			prev = &list[i]
		}
	}
	if err := s.db.AddIgnore(ctx, ig); err != nil {
		return nil, err
	}
	target, scope, db := ig.Target, ig.Scope, s.db
	return func(ctx context.Context) error {
		if prev != nil {
			return db.AddIgnore(ctx, *prev)
		}
		_, err := db.RemoveIgnore(ctx, target, scope)
		return err
	}, nil
}

// RemoveIgnore removes the ignore-list entry of a target and scope ("" for
// the one for every downstream); had says whether there was one. The Undo
// puts it back.
func (s *Service) RemoveIgnore(ctx context.Context, target, scope string) (undo Undo, had bool, err error) {
	list, err := s.db.Ignores(ctx)
	if err != nil {
		return nil, false, err
	}
	var prev *Ignore
	for i := range list {
		if list[i].Target == target && list[i].Scope == scope {
			prev = &list[i]
		}
	}
	if _, err := s.db.RemoveIgnore(ctx, target, scope); err != nil {
		return nil, false, err
	}
	if prev == nil {
		return nil, false, nil
	}
	db, p := s.db, *prev
	return func(ctx context.Context) error { return db.AddIgnore(ctx, p) }, true, nil
}

// PatchesByPath are the ids of the patches whose file is path or ends in
// "/"+path, in any synced series or OFED ref (several when their contents
// differ).
func (s *Service) PatchesByPath(ctx context.Context, path string) ([]string, error) {
	return s.db.PatchByPath(ctx, path)
}
