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
	KindRelease        Kind = "release"         // downstream release engineering: version bump and release notes
	KindRegenerated    Kind = "regenerated"     // a bot's regeneration of generated files (man pages)
	KindRename         Kind = "rename"          // downstream-only rename of a file
)

// Phenomenon names one of the things real release and vendor branches do
// that the world plants on purpose, so that matching can be measured on
// each (Entry.Phenomenon; issue 13). An entry's Kind says how it relates
// to upstream; its phenomenon, when it has one, why it is hard to match.
type Phenomenon string

// The planted phenomena.
const (
	// PhMetadata: the whole-commit patch-id equals the upstream commit's,
	// but the subject carries a branch or backport tag ("[v5.14.y]",
	// "BACKPORT:", "(for 5.14.x)") or is cut short, and the author is a
	// bot or the stable maintainer; no reference.
	PhMetadata Phenomenon = "patch-id-metadata"
	// PhSubject: a reworked backport without reference whose subject has a
	// branch or backport prefix or suffix, or was truncated by a tool.
	PhSubject Phenomenon = "subject-style"
	// PhRevert: a downstream revert of a backport whose upstream commit
	// upstream reverted too; it carries the upstream revert.
	PhRevert Phenomenon = "revert-pair"
	// PhRename: a backport applied to a file under another name (renamed
	// upstream after the fork, or downstream).
	PhRename Phenomenon = "rename"
	// PhProse: a reworked backport whose only reference is written in
	// prose ("Partially cherry-picked from commit X", "backport of X",
	// "Upstream-commit: X").
	PhProse Phenomenon = "prose-reference"
	// PhUpstreamed: a downstream commit older than the upstream commit it
	// became (it was upstreamed later).
	PhUpstreamed Phenomenon = "upstreamed"
	// PhRelease: a downstream release-engineering commit (version bump and
	// release notes) that shares lines with an upstream one of another
	// version; it carries nothing.
	PhRelease Phenomenon = "release-engineering"
	// PhRegenerated: a downstream regeneration of a generated file that
	// differs from the upstream regeneration of the same source change
	// only in its date line.
	PhRegenerated Phenomenon = "regenerated"
	// PhTwin: a commit equal to an upstream commit older than the base (a
	// downstream that merged upstream since it carried it).
	PhTwin Phenomenon = "twin"
	// PhSquash: one downstream commit carrying several upstream commits,
	// or one part of an upstream commit split across downstream commits.
	PhSquash Phenomenon = "squash-split"
	// PhBoilerplate: a downstream-only commit whose lines are common
	// boilerplate (license headers, test scaffolding) that many upstream
	// commits also add.
	PhBoilerplate Phenomenon = "boilerplate"
)

// Phenomena lists the planted phenomena in the order of issue 13.
func Phenomena() []Phenomenon {
	return []Phenomenon{PhMetadata, PhSubject, PhRevert, PhRename, PhProse, PhUpstreamed, PhRelease, PhRegenerated, PhTwin, PhSquash, PhBoilerplate}
}

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
//	                 "upstream": ["<id>"], "reverts": "<id>", "reverted_by": "<id>", "subject": "...",
//	                 "phenomenon": "rename"}],
//	    "merges": ["<id>"],
//	    "landed": [{"commit": "<vendor id>", "upstream": "<upstream id>"}],
//	    "missing": ["<id>"], "missing_fixes": ["<id>"]
//	  }],
//	  "series": [{
//	    "source": "sles", "format": "series", "base_tag": "v5.14",
//	    "patches": [{"path": "patches.suse/RDMA-mlx5-Fix-foo.patch", "kind": "cherry-pick",
//	                 "upstream": ["<id>"], "from": "<rhel id>", "status": "mainline", "release": "v6.2",
//	                 "header": "v6.2", "git_commit": ["<id>"], "partial": false, "conflict": false,
//	                 "guard": "+needs_update", "message_id": "<posting>", "version": 1}]
//	  }, {"source": "mlnx-ofed", "format": "ofed", "base_tag": "v6.1", "patches": [...]}],
//	  "snapshots": [{
//	    "from": "winofed-3.0", "to": "winofed-3.1", "layout": "winofed",
//	    "added": ["ulp/ipoib/kernel/ipoib_cm.c"], "removed": [...], "changed": [...],
//	    "components": {"ipoib": {"added": [...], "removed": [...], "changed": [...]}}
//	  }],
//	  "postings": [{
//	    "source": "linux-rdma",
//	    "messages": [{"message_id": "20230103081112.1234-2-x@nvidia.com", "subject": "[PATCH rdma-next v2 1/3] ...",
//	                  "kind": "patch", "version": 2, "series": "<cover message id>",
//	                  "in_reply_to": "<message id>", "date": "2023-01-03T08:11:13Z",
//	                  "carries": {"source": "ofed", "commit": "<id>", "same_diff": true}}]
//	  }],
//	  "queues": [{
//	    "source": "rdma-next", "repo": "linux", "branch": "for-next", "base": "<master head>", "head": "<id>",
//	    "commits": [{"id": "<id>", "subject": "...", "carries": {"source": "ofed", "commit": "<id>", "same_diff": true}}]
//	  }],
//	  "statuses": [{"source": "ofed", "commit": "<id>", "status": "submitted",
//	                "message_id": "<latest posting>", "version": 2}],
//	  "results": {
//	    "files": [{"path": "results/rhel-kernel-5.14.0-250.el9.junit.xml", "format": "junit", "source": "rhel",
//	               "target": "rhel@kernel-5.14.0-250.el9", "targets": ["rhel@kernel-5.14.0-250.el9"],
//	               "lab": "unh-iol", "hardware": "ConnectX-6 Dx (mlx5)", "cases": 29},
//	              {"path": "results/ofed.kcidb.json", "format": "kcidb", "source": "ofed", "target": "",
//	               "targets": ["ofed@vmlnx-ofed-23.05-4", ...], "lab": "unh-iol", "hardware": "ConnectX-7 (mlx5)", "cases": 145},
//	              {"path": "results/rhel-lab2.csv", "format": "csv", "source": "rhel", "target": "", "targets": [...],
//	               "lab": "partner-lab", "hardware": "ConnectX-4 Lx (mlx5)", "cases": 84}],
//	    "regressions": [{"source": "rhel", "test": "ipoib.connected_mode.ping", "lab": "unh-iol",
//	                     "hardware": "ConnectX-6 Dx (mlx5)", "passed": "<tag>", "failed": "<next tag>",
//	                     "component": "ipoib", "culprit": "<rhel id>", "missing_fix": "<upstream id>"}],
//	    "known_failures": ["sm_failover.master_kill.takeover"],
//	    "fixed": [{"source": "rhel", "test": "srp.io.dd", "lab": "unh-iol", "hardware": "ConnectX-6 Dx (mlx5)",
//	               "failed": "<tag>", "passed": "<next tag>"}]
//	  }
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
// every upstream commit it carries. "phenomenon" names the planted case of
// issue 13 an entry is (see Phenomenon; the demo and bench worlds only):
// its upstream list is what it truly carries, an upstream revert for a
// downstream revert of a backport upstream reverted too, an upstream
// commit older than the base for a copy made before the branch merged it,
// nothing for release engineering and copied boilerplate. A downstream
// revert of a backport whose upstream commit upstream reverted before it
// carries that upstream revert in every world. landed lists vendor patches that were
// later merged upstream in reworked form, and as which commit.
//
// missing and missing_fixes are derived (see Truth.Derive): an upstream
// commit after base is carried when an entry not reverted downstream
// lists it; it is missing when not carried, unless upstream reverted it,
// or it is an upstream revert of a commit the downstream does not have.
// A missing fix is a missing commit whose Fixes: names a commit the
// downstream has (an ancestor of base or carried) or, transitively, a
// missing fix.
//
// series lists the patch-series sources: the SUSE kernel-source tree
// exported from the distro's commits (format "series") and the MLNX_OFED
// backports tree exported from the vendor's (format "ofed"). Each patch,
// in the order its series applies it, names the commit it was exported
// from ("from": its diff has that commit's patch-id), that commit's kind
// and upstream commits, and its expected status:
//   - a backport is "mainline" with the first release tag that contains
//     all its upstream commits ("release"; "" when none does yet, and
//     then its header says "Queued in subsystem maintainer repository",
//     as it still does for a few released ones: a header can lag);
//     "git_commit" lists the ids its Git-commit: lines name (none for
//     some, so that matching must work by diff; "partial" when they say
//     "(partial)");
//   - a SUSE downstream-only patch follows its Patch-mainline: header
//     ("header"): "Never, <reason>" and "No, <reason>" are "never",
//     "Submitted, <date> <list>" is "submitted" (with "message_id" and
//     "version" when the archive has the posting);
//   - a conflict ("conflict": true) is a downstream-only patch whose
//     header claims a release although no upstream commit matches it:
//     its status is "unknown";
//   - an OFED downstream-only patch takes its commit's status (below).
//
// A series.conf "guard" (like "+needs_update") turns a patch off: a
// build defines no guard symbol, so the tree does not carry it.
//
// snapshots lists what changed from one release drop to the next: every
// added, removed and changed path (relative to the drop's top directory),
// and the same per component of the default component map for the
// drop's layout (a path in several components is listed in each).
//
// postings lists the messages of each mailing-list archive, in archive
// order. "kind" is "cover", "patch" or "reply"; "version" is the series
// version the subject gives (a reply has its parent's); "series" is the
// cover letter's message id of a series; "carries" names the downstream
// change a patch posts (a vendor commit or a SUSE patch; null for cover
// letters, replies and other people's patches) and whether the posted
// diff is the carried one ("same_diff": a v1 may differ in a line).
//
// queues lists each queue source's branch after its base (the upstream
// head) and the vendor commit each of its commits carries, with the same
// diff.
//
// statuses gives the expected status of every downstream-only commit of
// the git downstreams: a vendor commit is "queued" when a queue carries
// it, else "submitted" when the archive has a posting of it (message_id
// and version of the latest), else "unknown"; a distro commit says
// "Upstream Status: RHEL-only" and is "never".
//
// results describes the interop test result files under results/ (see
// results.go): per file its path relative to the world's directory, its
// format ("junit", "kcidb" or "csv"), the source whose releases it tests,
// its target ("rhel@<tag>" for a JUnit file, which names none: the
// importer is given it; "" when the file names its targets), every target
// it covers, the lab and hardware it reports, and how many results
// (testcases, tests, rows) it holds. A file's results form one series
// per (source, lab, hardware, test path), in release order. regressions
// lists every PASS -> FAIL transition between two consecutive releases of
// such a series, and no transition the files do not show: one entry per
// test of the planted component per lab, with the last passing and first
// failing tag, the culprit (the distro commit between the two that
// changes the most lines of the component, by at least 1.5 times the
// runner-up) and a missing upstream fix of the component. A test that
// fails on every release it is run is a known failure ("known_failures",
// the same in every file); "fixed" lists the FAIL -> PASS transitions.
// Apart from SKIPs (the iWARP tests everywhere, the mlx4 tests in the
// partner lab), every other result is PASS.
type Truth struct {
	Seed        int64          `json:"seed"`
	Size        Size           `json:"size"`
	Upstream    UpstreamInfo   `json:"upstream"`
	Downstreams []Downstream   `json:"downstreams"`
	Series      []SeriesInfo   `json:"series,omitempty"`
	Snapshots   []SnapshotDiff `json:"snapshots,omitempty"`
	Postings    []PostingsInfo `json:"postings,omitempty"`
	Queues      []QueueInfo    `json:"queues,omitempty"`
	Statuses    []Status       `json:"statuses,omitempty"`
	Results     *ResultsInfo   `json:"results,omitempty"`
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
	// Phenomenon is the planted phenomenon the entry is a case of, or "".
	Phenomenon Phenomenon `json:"phenomenon,omitempty"`
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

// Derive recomputes every downstream's Missing and MissingFixes, and the
// statuses of downstream-only commits, from the rest of the truth (see
// Truth).
func (t *Truth) Derive() {
	t.deriveStatuses()
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

// SeriesInfo is the ground truth of a patch-series source: a SUSE
// kernel-source tree (format "series") or an OFED backports tree (format
// "ofed").
type SeriesInfo struct {
	Source  string        `json:"source"`
	Format  string        `json:"format"`
	BaseTag string        `json:"base_tag"`
	Patches []SeriesPatch `json:"patches"` // in the order the series applies them
}

// SeriesPatch is one patch of a series and the commit it was exported
// from.
type SeriesPatch struct {
	Path      string   `json:"path"` // relative to the source's directory
	Kind      Kind     `json:"kind"` // the kind of the commit it was exported from
	Upstream  []string `json:"upstream,omitempty"`
	From      string   `json:"from"`   // the distro or vendor commit, same patch-id
	Status    string   `json:"status"` // mainline, queued, submitted, never or unknown
	Release   string   `json:"release,omitempty"`
	Header    string   `json:"header,omitempty"`     // the Patch-mainline: value
	GitCommit []string `json:"git_commit,omitempty"` // the ids its Git-commit: lines name
	Partial   bool     `json:"partial,omitempty"`    // Git-commit: says "(partial)"
	Conflict  bool     `json:"conflict"`
	Guard     string   `json:"guard,omitempty"` // series.conf guard, like "+needs_update"
	MessageID string   `json:"message_id,omitempty"`
	Version   int      `json:"version,omitempty"`
}

// SnapshotDiff is what changed from one release drop to the next.
type SnapshotDiff struct {
	From       string                `json:"from"`
	To         string                `json:"to"`
	Layout     string                `json:"layout"`
	Added      []string              `json:"added"`
	Removed    []string              `json:"removed"`
	Changed    []string              `json:"changed"`
	Components map[string]*PathDelta `json:"components"`
}

// PathDelta lists the paths of one component added, removed and changed
// between two snapshots.
type PathDelta struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// PostingsInfo is the ground truth of a mailing-list archive.
type PostingsInfo struct {
	Source   string    `json:"source"`
	Messages []Posting `json:"messages"` // in archive order
}

// Posting is one message of a mailing-list archive.
type Posting struct {
	MessageID string   `json:"message_id"` // without the angle brackets
	Subject   string   `json:"subject"`
	Kind      string   `json:"kind"` // "cover", "patch" or "reply"
	Version   int      `json:"version"`
	Series    string   `json:"series,omitempty"` // the cover letter's message id
	InReplyTo string   `json:"in_reply_to,omitempty"`
	Date      string   `json:"date"` // RFC 3339
	Carries   *Carried `json:"carries"`
}

// Carried names the downstream change a posting or a queued commit
// carries: a commit of a git source or a patch of a series source.
type Carried struct {
	Source   string `json:"source"`
	Commit   string `json:"commit,omitempty"`
	Path     string `json:"path,omitempty"`
	SameDiff bool   `json:"same_diff"` // the same patch-id as the carried change
}

// QueueInfo is the ground truth of a queue: a maintainer's branch with
// commits that are not (yet) upstream.
type QueueInfo struct {
	Source  string        `json:"source"`
	Repo    string        `json:"repo"` // the source whose repository holds the branch
	Branch  string        `json:"branch"`
	Base    string        `json:"base"` // the upstream head the branch starts from
	Head    string        `json:"head"`
	Commits []QueueCommit `json:"commits"`
}

// QueueCommit is one commit of a queue branch after its base.
type QueueCommit struct {
	ID      string  `json:"id"`
	Subject string  `json:"subject"`
	Carries Carried `json:"carries"`
}

// Status is the expected submission status of a downstream-only commit.
type Status struct {
	Source    string `json:"source"`
	Commit    string `json:"commit"`
	Status    string `json:"status"`
	MessageID string `json:"message_id,omitempty"` // the latest posting
	Version   int    `json:"version,omitempty"`
}

// SeriesOf returns the series source named source, or nil.
func (t *Truth) SeriesOf(source string) *SeriesInfo {
	for i := range t.Series {
		if t.Series[i].Source == source {
			return &t.Series[i]
		}
	}
	return nil
}

// deriveStatuses lists a status for every downstream-only commit, in
// downstream order: the recorded one, else the default a tree's own
// conventions give (a distro's downstream-only commits say "RHEL-only":
// never; a vendor's say nothing: unknown).
func (t *Truth) deriveStatuses() {
	known := map[[2]string]Status{}
	for _, s := range t.Statuses {
		known[[2]string{s.Source, s.Commit}] = s
	}
	out := []Status{}
	for _, ds := range t.Downstreams {
		for _, e := range ds.Commits {
			if e.Kind != KindDownstreamOnly {
				continue
			}
			s, ok := known[[2]string{ds.Source, e.ID}]
			if !ok {
				s = Status{Source: ds.Source, Commit: e.ID, Status: "unknown"}
				if ds.Kind == "distro" {
					s.Status = "never"
				}
			}
			out = append(out, s)
		}
	}
	t.Statuses = out
}

// ResultsInfo is the ground truth of the interop test result files.
type ResultsInfo struct {
	Files       []ResultFile        `json:"files"`
	Regressions []PlantedRegression `json:"regressions"`
	Known       []string            `json:"known_failures"` // test paths failing on every release
	Fixed       []FixedTest         `json:"fixed"`
}

// ResultFile is one interop test result file.
type ResultFile struct {
	Path     string   `json:"path"`   // relative to the world's directory
	Format   string   `json:"format"` // junit, kcidb or csv
	Source   string   `json:"source"` // the source whose releases it tests
	Target   string   `json:"target"` // "rhel@<tag>" for JUnit; "" when the file names its targets
	Targets  []string `json:"targets"`
	Lab      string   `json:"lab"`
	Hardware string   `json:"hardware"`
	Cases    int      `json:"cases"` // results in the file
}

// PlantedRegression is one test that goes from PASS to FAIL between two
// consecutive releases of a source in one lab, on one hardware.
type PlantedRegression struct {
	Source     string `json:"source"`
	Test       string `json:"test"` // dotted path
	Lab        string `json:"lab"`
	Hardware   string `json:"hardware"`
	Passed     string `json:"passed"` // the last release tag it passes on
	Failed     string `json:"failed"` // the next one, where it fails
	Component  string `json:"component"`
	Culprit    string `json:"culprit"`     // the distro commit between the two tags that causes it
	MissingFix string `json:"missing_fix"` // an upstream commit: a missing fix of the component
}

// FixedTest is a test that goes from FAIL to PASS between two consecutive
// releases of a source in one lab.
type FixedTest struct {
	Source   string `json:"source"`
	Test     string `json:"test"`
	Lab      string `json:"lab"`
	Hardware string `json:"hardware"`
	Failed   string `json:"failed"` // the last release tag it fails on
	Passed   string `json:"passed"` // the next one, where it passes
}
