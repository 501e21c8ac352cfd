package analyzer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

// ErrBadID marks an id typed by hand that does not name what it must:
// not hex, in no commit of the store, ambiguous, or a commit of the wrong
// side (an "upstream" id that upstream lacks, a "downstream" id that is no
// downstream's change).
var ErrBadID = errors.New("bad id")

// idError is a refused id; its text is the message alone.
type idError struct{ msg string }

func (e *idError) Error() string        { return e.msg }
func (e *idError) Is(target error) bool { return target == ErrBadID }

func badID(format string, args ...any) error {
	return &idError{msg: fmt.Sprintf(format, args...)}
}

// candidatesShown is how many commits an ambiguous abbreviation names.
const candidatesShown = 5

// ManualMatch is a manual match with its ids resolved.
type ManualMatch struct {
	Downstream string   // the downstream change's full id
	In         []string // the downstreams (SOURCE@REF) that carry it since their base
	Upstream   []string // full ids, in the order given, repeats dropped; none: downstream-only
}

// ResolveManualMatch resolves the ids of a manual match as typed (full or
// abbreviated, 4 to 40 hex digits) by the one rule every surface shares:
// down must be a change that one of the downstreams of targets (SOURCE or
// SOURCE@REF) carries since its base, and each of ups a commit of the
// upstream ref that downstream is measured against (what the upstream
// source's configured ref reaches, as the analysis reads it). An
// abbreviation that means several commits is refused naming them. A
// refusal wraps ErrBadID.
func ResolveManualMatch(ctx context.Context, db *store.DB, targets []string, down string, ups []string) (ManualMatch, error) {
	type side struct {
		target   string
		refID    int64
		upstream string // the upstream source's name
		upRefID  int64
	}
	var sides []side
	for _, t := range targets {
		source, refName := Target(t)
		src, ref, err := db.FindRef(ctx, source, refName)
		if errors.Is(err, store.ErrNotFound) && len(targets) > 1 {
			continue // not synced yet: it carries nothing
		}
		if err != nil {
			return ManualMatch{}, err
		}
		if src.Upstream == "" {
			return ManualMatch{}, fmt.Errorf("%s@%s has no upstream to match against: %w", src.Name, ref.Name, ErrNoBase)
		}
		_, upRef, err := db.FindRef(ctx, src.Upstream, "")
		if err != nil {
			return ManualMatch{}, fmt.Errorf("%s@%s: upstream: %w", src.Name, ref.Name, err)
		}
		sides = append(sides, side{target: src.Name + "@" + ref.Name, refID: ref.ID, upstream: src.Upstream, upRefID: upRef.ID})
	}
	where := "any downstream"
	if len(targets) == 1 && len(sides) == 1 {
		where = sides[0].target
	}

	// The downstream change.
	p, err := hexPrefix(down)
	if err != nil {
		return ManualMatch{}, err
	}
	in := map[string][]int{} // full id -> the sides carrying it
	for i, s := range sides {
		ids, err := db.SinceBaseByPrefix(ctx, s.refID, "downstream", p, candidatesShown+1)
		if err != nil {
			return ManualMatch{}, err
		}
		for _, id := range ids {
			in[id] = append(in[id], i)
		}
	}
	var found []string
	for id := range in {
		found = append(found, id)
	}
	sort.Strings(found)
	switch {
	case len(found) == 0:
		return ManualMatch{}, notIn(ctx, db, down, p, "a change "+where+" carries since its base")
	case len(found) > 1:
		return ManualMatch{}, ambiguous(ctx, db, down, found, "changes of "+where)
	}
	m := ManualMatch{Downstream: found[0], Upstream: []string{}}
	var upRefs []int64
	var upNames, carriers []string
	for _, i := range in[m.Downstream] {
		s := sides[i]
		m.In = append(m.In, s.target)
		if !slices.Contains(upRefs, s.upRefID) {
			upRefs = append(upRefs, s.upRefID)
			upNames = append(upNames, s.upstream)
		}
		carriers = append(carriers, s.target)
	}

	// The upstream commits it carries.
	for _, u := range ups {
		p, err := hexPrefix(u)
		if err != nil {
			return ManualMatch{}, err
		}
		var found []string
		for _, r := range upRefs {
			ids, err := db.RefCommitsByPrefix(ctx, r, p, candidatesShown+1)
			if err != nil {
				return ManualMatch{}, err
			}
			for _, id := range ids {
				if !slices.Contains(found, id) {
					found = append(found, id)
				}
			}
		}
		sort.Strings(found)
		switch {
		case len(found) == 0:
			return ManualMatch{}, notIn(ctx, db, u, p, fmt.Sprintf("a commit of %s, the upstream of %s", strings.Join(upNames, " or "), strings.Join(carriers, ", ")))
		case len(found) > 1:
			return ManualMatch{}, ambiguous(ctx, db, u, found, "commits of "+strings.Join(upNames, " and "))
		}
		if !slices.Contains(m.Upstream, found[0]) {
			m.Upstream = append(m.Upstream, found[0])
		}
	}
	return m, nil
}

// hexPrefix checks an id as typed and returns it in lower case.
func hexPrefix(id string) (string, error) {
	p := strings.ToLower(strings.TrimSpace(id))
	if len(p) < 4 || len(p) > 40 || strings.Trim(p, "0123456789abcdef") != "" {
		return "", badID("%q is not a commit id (4 to 40 hex digits)", id)
	}
	return p, nil
}

// notIn refuses an id that names no commit of the set it must be in,
// saying where the commit is when the store has it elsewhere.
func notIn(ctx context.Context, db *store.DB, typed, p, what string) error {
	all, err := db.CommitsByPrefix(ctx, p, candidatesShown+1)
	if err != nil {
		return err
	}
	switch len(all) {
	case 0:
		return badID("%s: no commit of that id in the store", typed)
	case 1:
		locs, err := db.Locations(ctx, all[0])
		if err != nil {
			return err
		}
		var in []string
		for _, l := range locs {
			name := l.Source
			if l.Path != "" {
				name += " (" + l.Path + ")"
			}
			if !slices.Contains(in, name) {
				in = append(in, name)
			}
		}
		msg := fmt.Sprintf("%s is not %s", change.Short(all[0]), what)
		if len(in) > 0 {
			msg += "; it is in " + strings.Join(in, ", ")
		}
		return badID("%s", msg)
	}
	return badID("%s is not %s (the store has %s commits with that prefix elsewhere)", typed, what, countOf(len(all)))
}

// ambiguous refuses an abbreviation that means several commits, naming
// them with their subjects.
func ambiguous(ctx context.Context, db *store.DB, typed string, ids []string, of string) error {
	var names []string
	for i, id := range ids {
		if i == candidatesShown {
			names = append(names, "...")
			break
		}
		name := change.Short(id)
		if fp, err := db.Fingerprint(ctx, id, ""); err == nil && fp.Subject != "" {
			name += fmt.Sprintf(" (%q)", fp.Subject)
		}
		names = append(names, name)
	}
	return badID("%s is ambiguous: it starts %s %s: %s; give more digits", typed, countOf(len(ids)), of, strings.Join(names, ", "))
}

func countOf(n int) string {
	if n > candidatesShown {
		return fmt.Sprintf("more than %d", candidatesShown)
	}
	return fmt.Sprint(n)
}
