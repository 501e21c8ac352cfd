package analyzer

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// Carried is one change a downstream carries, with where it stands on its
// way upstream.
type Carried struct {
	ID         string        `json:"id"`
	Path       string        `json:"path,omitempty"` // a patch's file in its series
	Subject    string        `json:"subject"`
	Author     string        `json:"author"`
	Date       time.Time     `json:"date"`
	Components []string      `json:"components"`
	Status     status.Status `json:"status"`
}

// Statuses returns the status of every change a downstream carries since
// its base, in the downstream's order (a series' apply order, else by
// date), from its analysis, the queue and list sources in the store, and
// the annotations.
func Statuses(ctx context.Context, db *store.DB, target string) ([]Carried, *Result, error) {
	r, err := Analyze(ctx, db, target)
	if err != nil {
		return nil, nil, err
	}
	source, refName := Target(r.Downstream)
	src, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, nil, err
	}
	downIDs, err := db.SinceBase(ctx, ref.ID, "downstream")
	if err != nil {
		return nil, nil, err
	}
	// Metadata of every carried change; the diffs only of those upstream
	// lacks, which are looked for in queues and on lists.
	down, err := db.Summaries(ctx, downIDs, src.Layout)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*change.Fingerprint{}
	storeID := map[string]int64{}
	for id, fp := range down {
		byID[fp.ID] = fp
		storeID[fp.ID] = id
	}
	upSrc, _, err := db.FindRef(ctx, src.Upstream, "")
	if err != nil {
		return nil, nil, err
	}
	var matchedUp []string
	for _, m := range r.Matches {
		if len(m.Upstream) > 0 {
			matchedUp = append(matchedUp, m.Upstream[0])
		}
	}
	releases, err := db.Releases(ctx, upSrc.ID, matchedUp)
	if err != nil {
		return nil, nil, err
	}
	// Only what upstream lacks is looked for in queues and on lists.
	var onlyIDs []int64
	for _, m := range r.Matches {
		if len(m.Upstream) == 0 && byID[m.Downstream] != nil {
			onlyIDs = append(onlyIDs, storeID[m.Downstream])
		}
	}
	full, err := db.Fingerprints(ctx, onlyIDs, src.Layout)
	if err != nil {
		return nil, nil, err
	}
	only := values(full)
	queued, err := queueMatches(ctx, db, src.Upstream, only)
	if err != nil {
		return nil, nil, err
	}
	posted, err := listMatches(ctx, db, only)
	if err != nil {
		return nil, nil, err
	}
	notes, err := db.Annotations(ctx)
	if err != nil {
		return nil, nil, err
	}
	paths := map[string]string{}
	order := map[string]int{}
	if pfs, err := db.PatchFiles(ctx, ref.ID); err != nil {
		return nil, nil, err
	} else {
		for _, p := range pfs {
			if _, ok := paths[p.OID]; !ok {
				paths[p.OID] = p.Path
				order[p.OID] = p.Seq
			}
		}
	}

	out := make([]Carried, 0, len(r.Matches))
	for _, m := range r.Matches {
		fp := byID[m.Downstream]
		if fp == nil {
			continue
		}
		in := status.Input{Change: fp, Upstream: m.Upstream, Method: m.Method, Queue: queued[fp.ID], Postings: posted[fp.ID]}
		if len(m.Upstream) > 0 {
			in.Release = releases[m.Upstream[0]]
		}
		if a, ok := notes[fp.ID]; ok {
			in.Annotation = &status.Annotation{Status: a.Status, Reason: a.Reason, Detail: a.Detail, When: a.Created}
		}
		out = append(out, Carried{ID: fp.ID, Path: paths[fp.ID], Subject: fp.Subject, Author: fp.AuthorName,
			Date: fp.AuthorTime.UTC(), Components: nonNil(fp.Components), Status: status.Decide(in)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, iok := order[out[i].ID]
		oj, jok := order[out[j].ID]
		if iok && jok {
			return oi < oj
		}
		if iok != jok {
			return iok
		}
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.Before(out[j].Date)
		}
		return out[i].ID < out[j].ID
	})
	return out, r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// queueMatches finds carried changes in the queues of the same upstream:
// what a queue has since its base is what the maintainer queued.
func queueMatches(ctx context.Context, db *store.DB, upstream string, only []*change.Fingerprint) (map[string][]status.QueueMatch, error) {
	out := map[string][]status.QueueMatch{}
	if len(only) == 0 {
		return out, nil
	}
	srcs, err := db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range srcs {
		if q.Kind != project.KindQueue || q.Upstream != "" && q.Upstream != upstream {
			continue
		}
		_, ref, err := db.FindRef(ctx, q.Name, "")
		if err != nil {
			continue // not synced yet
		}
		ids, err := db.SinceBase(ctx, ref.ID, "downstream")
		if err != nil {
			return nil, err
		}
		fps, err := db.Fingerprints(ctx, ids, q.Layout)
		if err != nil {
			return nil, err
		}
		ms, _ := match.NewIndex(values(fps)).Match(only, nil)
		for _, m := range ms {
			if m.Method == match.MethodRevert {
				continue
			}
			for _, u := range m.Upstream {
				out[m.Downstream] = append(out[m.Downstream], status.QueueMatch{Queue: q.Name, Commit: u})
			}
		}
	}
	return out, nil
}

// listMatches finds carried changes among the patches posted to the list
// sources.
func listMatches(ctx context.Context, db *store.DB, only []*change.Fingerprint) (map[string][]status.Posting, error) {
	out := map[string][]status.Posting{}
	if len(only) == 0 {
		return out, nil
	}
	srcs, err := db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range srcs {
		if l.Kind != project.KindList {
			continue
		}
		posts, err := db.Postings(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		var ids []int64
		byCommit := map[int64][]store.Posting{}
		for _, p := range posts {
			if p.CommitID != 0 {
				ids = append(ids, p.CommitID)
				byCommit[p.CommitID] = append(byCommit[p.CommitID], p)
			}
		}
		if len(ids) == 0 {
			continue
		}
		fps, err := db.Fingerprints(ctx, ids, l.Layout)
		if err != nil {
			return nil, err
		}
		byOID := map[string][]store.Posting{}
		for id, fp := range fps {
			byOID[fp.ID] = append(byOID[fp.ID], byCommit[id]...)
		}
		// A later version of a matched posting posts the same patch again,
		// reworked or not: follow the version links forward, by index.
		type slot struct {
			series string
			idx    int
		}
		at := map[slot]store.Posting{}
		next := map[string][]string{}
		for _, p := range posts {
			if p.CommitID != 0 {
				at[slot{p.Series, p.Index}] = p
			}
			if p.Previous != "" && p.Index <= 1 {
				next[p.Previous] = appendNew(next[p.Previous], p.Series)
			}
		}
		later := func(p store.Posting) []store.Posting {
			var out []store.Posting
			seen := map[string]bool{p.Series: true}
			queue := []string{p.Series}
			for len(queue) > 0 {
				s := queue[0]
				queue = queue[1:]
				for _, n := range next[s] {
					if seen[n] {
						continue
					}
					seen[n] = true
					queue = append(queue, n)
					if q, ok := at[slot{n, p.Index}]; ok {
						out = append(out, q)
					}
				}
			}
			return out
		}
		ms, _ := match.NewIndex(values(fps)).Match(only, nil)
		for _, m := range ms {
			if m.Method == match.MethodRevert {
				continue
			}
			seen := map[string]bool{}
			for _, u := range m.Upstream {
				for _, p := range byOID[u] {
					for _, q := range append([]store.Posting{p}, later(p)...) {
						if seen[q.MessageID] {
							continue
						}
						seen[q.MessageID] = true
						out[m.Downstream] = append(out[m.Downstream], status.Posting{List: l.Name, MessageID: q.MessageID,
							Date: q.Date, Version: q.Version, Subject: q.Subject, State: q.State})
					}
				}
			}
		}
	}
	return out, nil
}

// SaveSnapshot analyzes every downstream ref in the store that has a base
// and saves their statuses and per-component counts as one snapshot.
// Downstreams that cannot be measured yet are left out and named in skipped.
func SaveSnapshot(ctx context.Context, db *store.DB, syncID int64) (id int64, skipped []string, err error) {
	state, err := db.StateKey(ctx)
	if err != nil {
		return 0, nil, err
	}
	key := digest(Version, build(), state)
	last, err := db.LastSnapshot(ctx)
	switch {
	case err == nil && last.Key == key:
		// Nothing a status depends on changed: the same statuses again.
		id, err := db.CopySnapshot(ctx, last.ID, syncID, key)
		return id, nil, err
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return 0, nil, err
	}
	srcs, err := db.Sources(ctx)
	if err != nil {
		return 0, nil, err
	}
	snap := store.Snapshot{SyncID: syncID, Key: key}
	for _, s := range srcs {
		if s.Upstream == "" || s.Kind == project.KindQueue || s.Kind == project.KindList || s.Format == project.FormatSnapshot {
			continue
		}
		_, ref, err := db.FindRef(ctx, s.Name, "")
		if err != nil {
			skipped = append(skipped, s.Name)
			continue
		}
		carried, r, err := Statuses(ctx, db, s.Name+"@"+ref.Name)
		if err != nil {
			skipped = append(skipped, s.Name+"@"+ref.Name)
			continue
		}
		sr := store.SnapshotRef{RefID: ref.ID}
		for _, c := range carried {
			detail, err := encodeStatus(c.Status)
			if err != nil {
				return 0, nil, err
			}
			sr.Statuses = append(sr.Statuses, store.ChangeStatus{Change: c.ID, Path: c.Path, Subject: c.Subject,
				Status: c.Status.Status, Detail: detail})
		}
		for _, cd := range r.Components {
			sr.Counts = append(sr.Counts, store.ComponentCount{Component: cd.Component, Backported: len(cd.Backported),
				Missing: len(cd.Missing), MissingFixes: len(cd.MissingFixes), Carried: len(cd.DownstreamOnly)})
		}
		snap.Refs = append(snap.Refs, sr)
	}
	id, err = db.PutSnapshot(ctx, snap)
	return id, skipped, err
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
