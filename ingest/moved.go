package ingest

import (
	"context"
	"fmt"
	"sort"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// urlChanges finds the sources whose url is not the one the store last
// read them from (a new mirror host, a fresh clone, another repository or
// file), says so, and resets them (store.ResetSource) so that this sync
// reads them whole: the ref membership, bases, tags and analyses of the
// old url are not kept. What the old refs held is, until carryManual has
// carried what people entered by hand over to what the new url holds.
func (s *syncer) urlChanges(ctx context.Context, sources []project.Source) error {
	for _, src := range sources {
		s.urlTaken[src.Name] = true
		old, ok, err := s.db.SourceByName(ctx, src.Name)
		if err != nil {
			return err
		}
		if !ok || old.URL == src.URL {
			continue
		}
		how := "mirroring anew"
		if !src.IsGit() {
			how = "reading anew"
		}
		s.opts.Progress.Note("%s: url changed from %s to %s; %s", src.Name, old.URL, src.URL, how)
		if err := s.db.ResetSource(ctx, old.ID); err != nil {
			return err
		}
		if _, err := s.putSource(ctx, src); err != nil {
			return err
		}
	}
	return nil
}

// carryManual carries what people entered by hand about the changes of a
// source whose url changed (manual matches, annotations, ignores: keyed by
// commit or patch id) over to what the source holds now. An entry naming a
// change the source still holds applies as it is. One naming a change the
// source no longer holds is given to the change new in it that has the same
// patch-id, or else sits in the same patch file of the series; the entry
// itself is kept. One that finds no such change no longer applies: it is
// kept too, noted, and listed by `kdelta skips`.
func (s *syncer) carryManual(ctx context.Context, src project.Source) error {
	oldURL, before, err := s.db.MovedChanges(ctx, src.Name)
	if err != nil || oldURL == "" {
		return err
	}
	cur, ok, err := s.db.SourceByName(ctx, src.Name)
	if err != nil || !ok {
		return err
	}
	now, err := s.db.SourceChanges(ctx, cur.ID)
	if err != nil {
		return err
	}
	was := map[string]bool{}
	for _, c := range before {
		was[c.OID] = true
	}
	// A change takes the place of one that left only when it is new: one
	// the source held before is a change of its own.
	has := map[string]bool{}
	byPatchID := map[string]string{}
	byPath := map[string]string{}
	for _, c := range now {
		has[c.OID] = true
		if was[c.OID] {
			continue
		}
		if _, dup := byPatchID[c.PatchID]; c.PatchID != "" && !dup {
			byPatchID[c.PatchID] = c.OID
		}
		if c.Path != "" {
			byPath[c.Path] = c.OID
		}
	}
	gone := map[string]store.SourceChange{}
	for _, c := range before {
		// A patch at two places is followed by its first patch file.
		if g, dup := gone[c.OID]; !has[c.OID] && (!dup || g.Path == "") {
			gone[c.OID] = c
		}
	}
	// follow says where a change of the old url is now: itself when the
	// source still holds it (or it was never the source's), "" when
	// nothing takes its place.
	follow := func(oid string) (to, how string) {
		c, ok := gone[oid]
		switch {
		case !ok:
			return oid, ""
		case c.PatchID != "" && byPatchID[c.PatchID] != "":
			return byPatchID[c.PatchID], "the same patch-id"
		case c.Path != "" && byPath[c.Path] != "":
			return byPath[c.Path], "the same patch file " + c.Path
		}
		return "", ""
	}
	carried := func(what, from, to, how string) {
		s.opts.Progress.Note("%s: %s of %.12s carried to %.12s (%s)", src.Name, what, from, to, how)
	}
	stale := func(what, oid string) error {
		reason := fmt.Sprintf("%s of %.12s no longer applies: %s does not hold %q since its url changed from %s; the entry is kept",
			what, oid, src.Name, gone[oid].Subject, oldURL)
		s.opts.Progress.Note("%s: %s", src.Name, reason)
		return s.db.AddSkip(ctx, store.Skip{Source: src.Name, Kind: store.SkipStale, Commit: oid, Object: what, Reason: reason})
	}

	overrides, _, err := s.db.Overrides(ctx)
	if err != nil {
		return err
	}
	downs := make([]string, 0, len(overrides))
	for d := range overrides {
		downs = append(downs, d)
	}
	sort.Strings(downs)
	for _, d := range downs {
		ups := overrides[d]
		nd, how := follow(d)
		if nd == "" {
			if err := stale("manual match", d); err != nil {
				return err
			}
			continue
		}
		if nd != d {
			carried("manual match", d, nd, how)
		}
		// The upstream side keeps its ids and gains where they went.
		nups := append([]string(nil), ups...)
		for _, u := range ups {
			nu, uhow := follow(u)
			switch {
			case nu == "":
				if err := stale("upstream commit of the manual match of "+d[:min(12, len(d))], u); err != nil {
					return err
				}
			case nu != u:
				carried("the manual match of "+d[:min(12, len(d))]+" to upstream commit", u, nu, uhow)
				nups = append(nups, nu)
			}
		}
		if nd != d || len(nups) != len(ups) {
			if err := s.db.SetOverride(ctx, nd, nups); err != nil {
				return err
			}
		}
	}

	annotations, err := s.db.Annotations(ctx)
	if err != nil {
		return err
	}
	changes := make([]string, 0, len(annotations))
	for c := range annotations {
		changes = append(changes, c)
	}
	sort.Strings(changes)
	for _, c := range changes {
		a := annotations[c]
		to, how := follow(c)
		switch {
		case to == "":
			if err := stale("annotation "+a.Status, c); err != nil {
				return err
			}
		case to != c:
			if _, dup := annotations[to]; dup {
				continue // the new change has its own
			}
			carried("annotation "+a.Status, c, to, how)
			a.Change = to
			if err := s.db.Annotate(ctx, a); err != nil {
				return err
			}
		}
	}

	ignores, err := s.db.Ignores(ctx)
	if err != nil {
		return err
	}
	for _, ig := range ignores {
		if ig.Kind != "id" {
			continue // a path is no commit of any source
		}
		to, how := follow(ig.Target)
		switch {
		case to == "":
			if err := stale("ignore", ig.Target); err != nil {
				return err
			}
		case to != ig.Target:
			carried("ignore", ig.Target, to, how)
			ig.Target = to
			if err := s.db.AddIgnore(ctx, ig); err != nil {
				return err
			}
		}
	}
	return s.db.DoneMoving(ctx, src.Name)
}
