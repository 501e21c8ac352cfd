// Package analyzer answers kdelta's questions from the store: for one
// downstream ref, which upstream commits each of its changes carries
// (analyzer/match), and per component what it has, lacks and carries on
// its own (analyzer/delta). Results are kept in the store, so asking again
// with nothing new reads them back.
package analyzer

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/analyzer/delta"
	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// Version names the analysis method; a stored analysis made by another
// version, or by another build of kdelta, is computed again.
const Version = "5"

// build identifies the running program: a kept analysis made by another
// build (a new matcher, say) is not trusted. The executable's path, size
// and modification time name it without reading it: hashing a 20 MB binary
// cost more than reading a kept analysis back.
func build() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s\x00%d\x00%d", exe, fi.Size(), fi.ModTime().UnixNano())
}

// ErrNoBase says a downstream cannot be measured yet.
var ErrNoBase = errors.New("no base")

// Result is the analysis of one downstream ref against its upstream.
type Result struct {
	Downstream string           `json:"downstream"` // SOURCE@REF
	Tip        string           `json:"tip"`
	Upstream   string           `json:"upstream"` // SOURCE@REF
	UpstreamAt string           `json:"upstream_tip"`
	Base       string           `json:"base"`
	BaseHow    string           `json:"base_how"`
	Matches    []match.Match    `json:"matches"`
	Problems   []match.Problem  `json:"problems,omitempty"`
	Components []ComponentDelta `json:"components"` // the whole first (component ""), then by name
	Cached     bool             `json:"-"`          // read back from the store
}

// ComponentDelta is the delta of one component.
type ComponentDelta struct {
	Component      string   `json:"component"`
	Backported     []Commit `json:"backported"`
	Missing        []Commit `json:"missing"` // missing fixes first, then Cc: stable and CVE, then the rest
	MissingFixes   []Commit `json:"missing_fixes"`
	DownstreamOnly []Commit `json:"downstream_only"`
	// RevertedUpstream are backports of upstream commits that upstream has
	// since reverted (Commit.RevertedBy names the revert).
	RevertedUpstream []Commit `json:"reverted_upstream,omitempty"`
	Ignored          int      `json:"ignored,omitempty"` // missing commits the ignore list keeps out
	// Tests are the latest results of the tests covering the component on
	// this downstream (see AttachTests); FailingTests counts the FAILs.
	Tests        []TestStatus `json:"tests,omitempty"`
	FailingTests int          `json:"failing_tests,omitempty"`
}

// Commit is one commit of a delta list.
type Commit struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Author  string    `json:"author"`
	Date    time.Time `json:"date"`
	Fixes   []string  `json:"fixes,omitempty"`   // a missing fix: what it fixes
	Stable  bool      `json:"stable,omitempty"`  // Cc: stable
	CVEs    []string  `json:"cves,omitempty"`    // CVE references
	Carried []string  `json:"carried,omitempty"` // a backport: the downstream commits that carry it
	// RevertedBy is, for a backport, the upstream commit that reverted it
	// upstream since.
	RevertedBy string `json:"reverted_by,omitempty"`
}

// Component returns the delta of one component ("" for the whole), or nil.
func (r *Result) Component(name string) *ComponentDelta {
	for i := range r.Components {
		if r.Components[i].Component == name {
			return &r.Components[i]
		}
	}
	return nil
}

// Target splits SOURCE[@REF].
func Target(s string) (source, ref string) {
	source, ref, _ = strings.Cut(s, "@")
	return source, ref
}

// Analyze returns the analysis of a downstream (SOURCE or SOURCE@REF)
// from the store: read back when nothing it depends on changed, else
// computed and kept.
func Analyze(ctx context.Context, db *store.DB, target string) (*Result, error) {
	source, refName := Target(target)
	src, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	label := src.Name + "@" + ref.Name
	if src.Upstream == "" {
		return nil, fmt.Errorf("%s has no upstream to be measured against: set upstream = \"...\" for it in the project file: %w", label, ErrNoBase)
	}
	base, err := db.GetBase(ctx, ref.ID)
	if err != nil {
		return nil, fmt.Errorf("%s has no base on %s yet: run 'kdelta sync': %w", label, src.Upstream, ErrNoBase)
	}
	upSrc, upRef, err := db.FindRef(ctx, src.Upstream, "")
	if err != nil {
		return nil, fmt.Errorf("%s: upstream: %w", label, err)
	}
	overrides, overridesKey, err := db.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	ignores, err := ignoresFor(ctx, db, src.Name)
	if err != nil {
		return nil, err
	}
	entries, err := db.OverrideEntries(ctx)
	if err != nil {
		return nil, err
	}
	madeBy := map[string]string{}
	for _, o := range entries {
		if o.Who != "" {
			madeBy[o.Downstream] = " by " + o.Who + " on " + o.Created.UTC().Format("2006-01-02")
		}
		overridesKey += "\x00" + o.Downstream + madeBy[o.Downstream]
	}
	key := digest(Version, build(), ref.Tip, base.Commit, base.Tip, base.UpstreamTip, upRef.Tip, overridesKey, ignoresKey(ignores))
	if b, ok, err := db.Analysis(ctx, ref.ID, key); err != nil {
		return nil, err
	} else if ok {
		var r Result
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err == nil {
			r.Cached = true
			r.emptyNotNil()
			return &r, nil
		}
	}
	r, err := compute(ctx, db, src, ref, upSrc, upRef, base, overrides, ignores)
	if err != nil {
		return nil, err
	}
	// A manual pair says who made it and when (a team store records it).
	for i := range r.Matches {
		if m := &r.Matches[i]; m.Method == match.MethodManual {
			m.Why += madeBy[m.Downstream]
		}
	}
	// Kept as gob, which reads back several times faster than JSON.
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if err := db.PutAnalysis(ctx, ref.ID, key, b); err != nil {
		return nil, err
	}
	return r, nil
}

// emptyNotNil turns the lists gob decodes as nil back into empty ones, so
// an analysis read back from the store gives the same JSON as when it was
// computed: `"upstream": []`, never null.
func (r *Result) emptyNotNil() {
	orEmpty := func(l *[]Commit) {
		if *l == nil {
			*l = []Commit{}
		}
	}
	if r.Matches == nil {
		r.Matches = []match.Match{}
	}
	for i := range r.Matches {
		if r.Matches[i].Upstream == nil {
			r.Matches[i].Upstream = []string{}
		}
	}
	for i := range r.Components {
		c := &r.Components[i]
		orEmpty(&c.Backported)
		orEmpty(&c.Missing)
		orEmpty(&c.MissingFixes)
		orEmpty(&c.DownstreamOnly)
	}
}

func digest(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func compute(ctx context.Context, db *store.DB, src store.Source, ref store.Ref, upSrc store.Source, upRef store.Ref,
	base store.Base, overrides map[string][]string, ignores []store.Ignore) (*Result, error) {
	upIDs, err := db.SinceBase(ctx, ref.ID, "upstream")
	if err != nil {
		return nil, err
	}
	downIDs, err := db.SinceBase(ctx, ref.ID, "downstream")
	if err != nil {
		return nil, err
	}
	up, err := db.Fingerprints(ctx, upIDs, upSrc.Layout)
	if err != nil {
		return nil, err
	}
	down, err := db.Fingerprints(ctx, downIDs, src.Layout)
	if err != nil {
		return nil, err
	}
	// Everything upstream has in scope, older than the base too: what a
	// reference or a Fixes: tag may name, and what a downstream that merged
	// upstream since carries copies of (matched as duplicates).
	knownIDs, err := db.SourceCommitIDs(ctx, upSrc.ID)
	if err != nil {
		return nil, err
	}
	known, err := db.Heads(ctx, keys(knownIDs, up))
	if err != nil {
		return nil, err
	}
	// A copy keeps its subject: the older commits with the subject of a
	// downstream commit are matched by their changed lines too (a copy
	// applied with another context has another patch-id). Reading every
	// older commit's lines would cost more than the whole analysis.
	if copies := olderPeers(known, down); len(copies) > 0 {
		full, err := db.Fingerprints(ctx, copies, upSrc.Layout)
		if err != nil {
			return nil, err
		}
		for id, fp := range full {
			known[id] = fp
		}
	}
	mine, err := db.RefCommitIDs(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	if r, _ := project.FormatOf(src.Format); !r.History {
		// A series holds only its patches: what it has of upstream is
		// everything the base reaches, all upstream has but what came after.
		after := make(map[int64]bool, len(upIDs))
		for _, id := range upIDs {
			after[id] = true
		}
		for id := range knownIDs {
			if !after[id] {
				mine[id] = true
			}
		}
	}
	has := map[string]bool{}
	for id := range mine {
		if fp := known[id]; fp != nil {
			has[fp.ID] = true
		} else if fp := up[id]; fp != nil {
			has[fp.ID] = true
		}
	}

	upList, downList, knownList := values(up), values(down), values(known)
	ix := match.NewIndexWithBase(upList, knownList)
	matches, problems := ix.Match(downList, overrides)
	pairs := make([]delta.Pair, len(matches))
	for i, m := range matches {
		pairs[i] = delta.Pair{Downstream: m.Downstream, Upstream: m.Upstream}
	}
	deltas := delta.Compute(delta.Input{Upstream: upList, Downstream: downList, Known: knownList,
		Has: func(id string) bool { return has[id] }, Pairs: pairs})

	r := &Result{
		Downstream: src.Name + "@" + ref.Name, Tip: ref.Tip,
		Upstream: upSrc.Name + "@" + upRef.Name, UpstreamAt: upRef.Tip,
		Base: base.Commit, BaseHow: base.How,
		Matches: matches, Problems: problems,
	}
	defer r.emptyNotNil()
	ig := newIgnorer(ignores)
	for _, d := range deltas {
		missing, n := ig.filter(d.Missing)
		fixes, _ := ig.filter(d.MissingFixes)
		r.Components = append(r.Components, ComponentDelta{
			Component:        d.Component,
			Backported:       commits(d.Backported),
			Missing:          commits(missing),
			MissingFixes:     commits(fixes),
			DownstreamOnly:   commits(d.DownstreamOnly),
			RevertedUpstream: commits(d.RevertedUpstream),
			Ignored:          n,
		})
	}
	return r, nil
}

// olderPeers lists the store ids of the older upstream commits whose
// subject agrees with a downstream commit's, for subjects few older
// commits share ("Fix typo in comment" names no one commit: a copy of
// such a commit is found by its patch-id).
func olderPeers(older, down map[int64]*change.Fingerprint) []int64 {
	const maxPeers = 3
	subjects := make(map[string]bool, len(down))
	for _, fp := range down {
		if k := match.SubjectKey(fp.Subject); k != "" {
			subjects[k] = true
		}
	}
	byKey := map[string][]int64{}
	for id, fp := range older {
		if k := match.SubjectKey(fp.Subject); subjects[k] {
			byKey[k] = append(byKey[k], id)
		}
	}
	var out []int64
	for _, ids := range byKey {
		if len(ids) <= maxPeers {
			out = append(out, ids...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// keys lists the ids of a ref's commits that are not already loaded.
func keys(ids map[int64]bool, loaded map[int64]*change.Fingerprint) []int64 {
	out := make([]int64, 0, len(ids))
	for id := range ids {
		if loaded[id] == nil {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// values lists fingerprints in commit order, oldest first (committer
// date, then author date, then id): the order `kdelta matches` documents,
// and one that does not depend on the order a sync happened to store
// commits in, so two syncs of the same trees give the same answer.
func values(m map[int64]*change.Fingerprint) []*change.Fingerprint {
	out := make([]*change.Fingerprint, 0, len(m))
	for _, fp := range m {
		out = append(out, fp)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.CommitTime.Equal(b.CommitTime) {
			return a.CommitTime.Before(b.CommitTime)
		}
		if !a.AuthorTime.Equal(b.AuthorTime) {
			return a.AuthorTime.Before(b.AuthorTime)
		}
		return a.ID < b.ID
	})
	return out
}

func commits(items []delta.Item) []Commit {
	out := make([]Commit, len(items))
	for i, it := range items {
		out[i] = Commit{ID: it.Commit.ID, Subject: it.Commit.Subject, Author: it.Commit.AuthorName,
			Date: it.Commit.AuthorTime.UTC(), Fixes: it.Fixes, Stable: it.Stable, CVEs: it.CVEs, Carried: it.Carried,
			RevertedBy: it.RevertedBy}
	}
	return out
}
