package world

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/kdelta/kdelta/change"
)

// Kind says how a downstream commit relates to upstream.
type Kind string

// The kinds of downstream commits.
const (
	KindCherryPick     Kind = "cherry-pick"     // exact diff, with an upstream reference (see Entry.Trailer)
	KindExact          Kind = "exact"           // exact diff and message of the upstream commit, no reference
	KindContext        Kind = "context"         // same change, but the downstream file differs around it
	KindPartial        Kind = "partial"         // a subset of the upstream commit's files or hunks
	KindSquash         Kind = "squash"          // one downstream commit carrying 2-3 upstream commits
	KindSplit          Kind = "split"           // one of the 2 downstream commits an upstream commit was split into
	KindConflict       Kind = "conflict"        // conflict resolved by hand: some changed lines differ
	KindIdentity       Kind = "identity"        // author, author date and subject kept; diff reworked beyond recognition
	KindIfdef          Kind = "ifdef"           // OFED-style: the change wrapped in #ifdef HAVE_* / #else / #endif
	KindLanded         Kind = "landed"          // vendor patch that later landed upstream reworked (Upstream = that commit)
	KindDownstreamOnly Kind = "downstream-only" // never upstream
	KindRevert         Kind = "revert"          // downstream revert of an earlier downstream commit (Entry.Reverts)
	KindBinary         Kind = "binary"          // downstream-only commit adding a binary file (firmware)
)

// Truth is the ground truth of a synthetic world, stored as Dir/truth.json.
//
// The JSON document:
//
//	{
//	  "seed": 1, "size": "small",
//	  "upstream": {
//	    "source": "linux", "branch": "master", "head": "<id>",
//	    "tags": [{"name": "v5.10", "commit": "<id>", "object": "<tag object id, annotated only>", "annotated": true}],
//	    "commits": [{"id": "<id>", "subject": "...", "merge": false, "release": "v5.14",
//	                 "stable": true, "cves": ["CVE-2022-12345"], "fixes": ["<id>"], "reverts": "<id>",
//	                 "files": ["drivers/infiniband/hw/mlx5/qp.c"]}],
//	    "reverts": [{"commit": "<reverting id>", "reverted": "<reverted id>"}],
//	    "fixes":   [{"commit": "<fix id>", "fixes": ["<fixed id>"]}]
//	  },
//	  "downstreams": [{
//	    "source": "rhel", "kind": "distro", "branch": "main",
//	    "base_tag": "v5.14", "base_commit": "<id>", "head": "<id>",
//	    "tags": [...],
//	    "commits": [{"id": "<id>", "kind": "cherry-pick", "trailer": "rhel-commit",
//	                 "upstream": ["<id>"], "reverts": "<id>", "reverted_by": "<id>", "subject": "..."}],
//	    "merges": ["<id>"],
//	    "landed": [{"commit": "<vendor id>", "upstream": "<upstream id>"}],
//	    "missing": ["<id>"], "missing_fixes": ["<id>"]
//	  }]
//	}
//
// All ids are full 40-hex commit ids of the written repositories.
// upstream.commits lists every commit reachable from the upstream branch
// in generation order, a topological order in which the ancestors of a tag
// are exactly the commits listed before it. fixes lists each commit's
// Fixes: targets; a target that is itself a fix makes a chain.
//
// downstreams[].commits lists every non-merge commit on the downstream
// branch after its base, oldest first, with its kind, the trailer style of
// its upstream reference (a change.RefStyle; "" when it has none) and its
// true upstream counterparts (empty for downstream-only, revert, binary).
// merges lists the distro's merge-request merge commits, which are not
// entries: the branch after base is exactly commits plus merges.
// A split upstream commit appears in two entries; a squash entry lists
// every upstream commit it carries. landed lists vendor patches that were
// later merged upstream in reworked form, and as which commit.
//
// missing and missing_fixes are derived (see Truth.Derive): an upstream
// commit after base is carried when an entry not reverted downstream
// lists it; it is missing when not carried, unless upstream reverted it,
// or it is an upstream revert of a commit the downstream does not have.
// A missing fix is a missing commit whose Fixes: names a commit the
// downstream has (an ancestor of base or carried) or, transitively, a
// missing fix.
type Truth struct {
	Seed        int64        `json:"seed"`
	Size        Size         `json:"size"`
	Upstream    UpstreamInfo `json:"upstream"`
	Downstreams []Downstream `json:"downstreams"`
}

// UpstreamInfo is the ground truth of the upstream repository.
type UpstreamInfo struct {
	Source  string           `json:"source"`
	Branch  string           `json:"branch"`
	Head    string           `json:"head"`
	Tags    []Tag            `json:"tags"`
	Commits []UpstreamCommit `json:"commits"`
	Reverts []Revert         `json:"reverts"`
	Fixes   []FixLink        `json:"fixes"`
}

// UpstreamCommit is one upstream commit.
type UpstreamCommit struct {
	ID      string   `json:"id"`
	Subject string   `json:"subject"`
	Merge   bool     `json:"merge,omitempty"`
	Release string   `json:"release,omitempty"` // tag of a "Linux X.Y" release commit
	Stable  bool     `json:"stable,omitempty"`
	CVEs    []string `json:"cves,omitempty"`
	Fixes   []string `json:"fixes,omitempty"`
	Reverts string   `json:"reverts,omitempty"`
	Files   []string `json:"files,omitempty"` // paths it changes (both sides of a rename); none for merges
}

// Tag is one tag of a repository.
type Tag struct {
	Name      string `json:"name"`
	Commit    string `json:"commit"`
	Object    string `json:"object,omitempty"`
	Annotated bool   `json:"annotated"`
}

// Revert pairs an upstream revert with the commit it reverts.
type Revert struct {
	Commit   string `json:"commit"`
	Reverted string `json:"reverted"`
}

// FixLink is one commit's Fixes: targets.
type FixLink struct {
	Commit string   `json:"commit"`
	Fixes  []string `json:"fixes"`
}

// Downstream is the ground truth of one downstream repository.
type Downstream struct {
	Source       string   `json:"source"`
	Kind         string   `json:"kind"` // "distro" or "vendor"
	Branch       string   `json:"branch"`
	BaseTag      string   `json:"base_tag"`
	BaseCommit   string   `json:"base_commit"`
	Head         string   `json:"head"`
	Tags         []Tag    `json:"tags,omitempty"`
	Commits      []Entry  `json:"commits"`
	Merges       []string `json:"merges,omitempty"` // merge commits on the branch after base (merge requests)
	Landed       []Landed `json:"landed,omitempty"`
	Missing      []string `json:"missing"`
	MissingFixes []string `json:"missing_fixes"`
}

// Entry is one downstream commit.
type Entry struct {
	ID         string          `json:"id"`
	Kind       Kind            `json:"kind"`
	Trailer    change.RefStyle `json:"trailer,omitempty"`
	Upstream   []string        `json:"upstream,omitempty"`
	Reverts    string          `json:"reverts,omitempty"`
	RevertedBy string          `json:"reverted_by,omitempty"`
	Subject    string          `json:"subject"`
}

// Landed pairs a vendor patch with the upstream commit it became.
type Landed struct {
	Commit   string `json:"commit"`
	Upstream string `json:"upstream"`
}

// LoadTruth reads a truth.json.
func LoadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

func (t *Truth) save(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(t); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Downstream returns the downstream named source, or nil.
func (t *Truth) Downstream(source string) *Downstream {
	for i := range t.Downstreams {
		if t.Downstreams[i].Source == source {
			return &t.Downstreams[i]
		}
	}
	return nil
}

// Derive recomputes every downstream's Missing and MissingFixes from the
// rest of the truth (see Truth).
func (t *Truth) Derive() {
	pos := make(map[string]int, len(t.Upstream.Commits))
	for i, c := range t.Upstream.Commits {
		pos[c.ID] = i
	}
	revertedUp := map[string]bool{}
	for _, r := range t.Upstream.Reverts {
		revertedUp[r.Reverted] = true
	}
	for d := range t.Downstreams {
		ds := &t.Downstreams[d]
		base, ok := pos[ds.BaseCommit]
		if !ok {
			continue
		}
		carried := map[string]bool{}
		for _, e := range ds.Commits {
			if e.RevertedBy != "" {
				continue
			}
			for _, u := range e.Upstream {
				carried[u] = true
			}
		}
		has := func(id string) bool {
			p, ok := pos[id]
			return ok && p <= base || carried[id]
		}
		missing := map[string]bool{}
		ds.Missing = []string{}
		for _, c := range t.Upstream.Commits[base+1:] {
			if c.Merge || c.Release != "" || carried[c.ID] || revertedUp[c.ID] {
				continue
			}
			if c.Reverts != "" && !has(c.Reverts) {
				continue
			}
			missing[c.ID] = true
			ds.Missing = append(ds.Missing, c.ID)
		}
		fix := map[string]bool{}
		ds.MissingFixes = []string{}
		for _, c := range t.Upstream.Commits[base+1:] {
			if !missing[c.ID] {
				continue
			}
			for _, f := range c.Fixes {
				if has(f) || fix[f] {
					fix[c.ID] = true
					ds.MissingFixes = append(ds.MissingFixes, c.ID)
					break
				}
			}
		}
	}
}
