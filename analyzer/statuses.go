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
	return statuses(ctx, db, target, &evidence{db: db})
}

func statuses(ctx context.Context, db *store.DB, target string, ev *evidence) ([]Carried, *Result, error) {
	r, err := Analyze(ctx, db, target)
	if err != nil {
		return nil, nil, err
	}
	out, err := statusesOf(ctx, db, r, ev)
	if err != nil {
		return nil, nil, err
	}
	return out, r, nil
}

// statusesOf decides the statuses of the changes the downstream of r
// carries, on the matches of r (an analysis already made).
func statusesOf(ctx context.Context, db *store.DB, r *Result, ev *evidence) ([]Carried, error) {
	source, refName := Target(r.Downstream)
	src, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	downIDs, err := db.SinceBase(ctx, ref.ID, "downstream")
	if err != nil {
		return nil, err
	}
	// Metadata of every carried change; the diffs only of those upstream
	// lacks, which are looked for in queues and on lists.
	down, err := db.Summaries(ctx, downIDs, src.Layout)
	if err != nil {
		return nil, err
	}
	byID := map[string]*change.Fingerprint{}
	storeID := map[string]int64{}
	for id, fp := range down {
		byID[fp.ID] = fp
		storeID[fp.ID] = id
	}
	upSrc, _, err := db.FindRef(ctx, src.Upstream, "")
	if err != nil {
		return nil, err
	}
	var matchedUp []string
	for _, m := range r.Matches {
		if len(m.Upstream) > 0 {
			matchedUp = append(matchedUp, m.Upstream[0])
		}
	}
	releases, err := db.Releases(ctx, upSrc.ID, matchedUp)
	if err != nil {
		return nil, err
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
		return nil, err
	}
	only := values(full)
	queued, posted, err := ev.match(ctx, src.Upstream, only)
	if err != nil {
		return nil, err
	}
	notes, err := db.Annotations(ctx)
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	order := map[string]int{}
	if pfs, err := db.PatchFiles(ctx, ref.ID); err != nil {
		return nil, err
	} else {
		for _, p := range pfs {
			if _, ok := paths[p.OID]; !ok {
				paths[p.OID] = p.Path
				order[p.OID] = p.Seq
			}
		}
	}

	revertedBy := map[string]string{}
	if all := r.Component(""); all != nil {
		for _, c := range all.RevertedUpstream {
			revertedBy[c.ID] = c.RevertedBy
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
			in.RevertedBy = revertedBy[m.Upstream[0]]
		}
		if a, ok := notes[fp.ID]; ok {
			in.Annotation = &status.Annotation{Status: a.Status, Reason: a.Reason, Detail: a.Detail, When: a.Created, Who: a.Who}
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
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// evidence is what the queue and list sources of the store hold, indexed
// for matching once and used for every downstream a snapshot measures.
type evidence struct {
	db     *store.DB
	loaded bool
	queues []queueIndex
	lists  []listIndex
}

type queueIndex struct {
	name, upstream string
	ix             *match.Index
}

type listIndex struct {
	name  string
	ix    *match.Index
	byOID map[string][]store.Posting // the postings of each posted patch
	later func(store.Posting) []store.Posting
}

// load reads and indexes the queues' commits since their bases and the
// lists' posted patches, the first time it is needed.
func (ev *evidence) load(ctx context.Context) error {
	if ev.loaded {
		return nil
	}
	srcs, err := ev.db.Sources(ctx)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		switch s.Kind {
		case project.KindQueue:
			_, ref, err := ev.db.FindRef(ctx, s.Name, "")
			if err != nil {
				continue // not synced yet
			}
			ids, err := ev.db.SinceBase(ctx, ref.ID, "downstream")
			if err != nil {
				return err
			}
			fps, err := ev.db.Fingerprints(ctx, ids, s.Layout)
			if err != nil {
				return err
			}
			ev.queues = append(ev.queues, queueIndex{name: s.Name, upstream: s.Upstream, ix: match.NewIndex(values(fps))})
		case project.KindList:
			l, err := ev.list(ctx, s)
			if err != nil {
				return err
			}
			if l != nil {
				ev.lists = append(ev.lists, *l)
			}
		}
	}
	ev.loaded = true
	return nil
}

// list indexes the posted patches of a list source; nil when it has none.
func (ev *evidence) list(ctx context.Context, s store.Source) (*listIndex, error) {
	posts, err := ev.db.Postings(ctx, s.ID)
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
		return nil, nil
	}
	fps, err := ev.db.Fingerprints(ctx, ids, s.Layout)
	if err != nil {
		return nil, err
	}
	l := &listIndex{name: s.Name, ix: match.NewIndex(values(fps)), byOID: map[string][]store.Posting{}}
	for id, fp := range fps {
		l.byOID[fp.ID] = append(l.byOID[fp.ID], byCommit[id]...)
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
	l.later = func(p store.Posting) []store.Posting {
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
	return l, nil
}

// match finds carried changes upstream lacks in the queues of their
// upstream and among the patches posted to the lists.
func (ev *evidence) match(ctx context.Context, upstream string, only []*change.Fingerprint) (map[string][]status.QueueMatch, map[string][]status.Posting, error) {
	queued := map[string][]status.QueueMatch{}
	posted := map[string][]status.Posting{}
	if len(only) == 0 {
		return queued, posted, nil
	}
	if err := ev.load(ctx); err != nil {
		return nil, nil, err
	}
	for _, q := range ev.queues {
		if q.upstream != "" && q.upstream != upstream {
			continue
		}
		ms, _ := q.ix.Match(only, nil)
		for _, m := range ms {
			if m.Method == match.MethodRevert {
				continue
			}
			for _, u := range m.Upstream {
				queued[m.Downstream] = append(queued[m.Downstream], status.QueueMatch{Queue: q.name, Commit: u})
			}
		}
	}
	for _, l := range ev.lists {
		ms, _ := l.ix.Match(only, nil)
		for _, m := range ms {
			if m.Method == match.MethodRevert {
				continue
			}
			seen := map[string]bool{}
			for _, u := range m.Upstream {
				for _, p := range l.byOID[u] {
					for _, q := range append([]store.Posting{p}, l.later(p)...) {
						if seen[q.MessageID] {
							continue
						}
						seen[q.MessageID] = true
						posted[m.Downstream] = append(posted[m.Downstream], status.Posting{List: l.name, MessageID: q.MessageID,
							Date: q.Date, Version: q.Version, Subject: q.Subject, State: q.State})
					}
				}
			}
		}
	}
	return queued, posted, nil
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
	ev := &evidence{db: db}
	for _, s := range srcs {
		if !project.IsDownstream(s.Kind, s.Format, s.Upstream) {
			continue
		}
		_, ref, err := db.FindRef(ctx, s.Name, "")
		if err != nil {
			skipped = append(skipped, s.Name)
			continue
		}
		carried, r, err := statuses(ctx, db, s.Name+"@"+ref.Name, ev)
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
		for _, f := range missingFixes(r) {
			sr.MissingFixes = append(sr.MissingFixes, store.SnapshotFix{Commit: f.ID, Subject: f.Subject, Components: f.Components})
		}
		for _, b := range backports(r) {
			sr.Backports = append(sr.Backports, store.SnapshotBackport{Upstream: b.Upstream, Subject: b.Subject, Carried: b.Carried})
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
