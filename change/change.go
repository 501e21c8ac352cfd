// Package change holds the domain types that every layer of kdelta shares:
// the fingerprint of one commit or patch, its files and its parsed trailers.
// It imports nothing of ours.
package change

import (
	"strings"
	"time"
)

// Fingerprint is what kdelta keeps of one commit or patch.
type Fingerprint struct {
	ID             string // 40-hex commit id, or the key of a patch
	AuthorName     string
	AuthorEmail    string
	AuthorTime     time.Time
	CommitterName  string
	CommitterEmail string
	CommitTime     time.Time
	Subject        string
	Body           string // the message after the subject line
	Trailers       Trailers
	Files          []File
	Components     []string
	PatchID        string // whole change, as `git patch-id --stable` prints it; "" when the diff is empty
	Skip           string // why the diff was not fingerprinted (huge diff, ...); "" when it was
}

// SubjectNamesFile says whether the subject names the file a change patches
// rather than what it does, as OFED's backports/ patches do
// ("BACKPORT: drivers/infiniband/hw/mlx5/qp.c"): there is no subject to
// compare, and the prefix says nothing of upstream.
func (f *Fingerprint) SubjectNamesFile() bool {
	_, rest, ok := strings.Cut(f.Subject, ":")
	rest = strings.TrimSpace(rest)
	return ok && rest != "" && !strings.ContainsAny(rest, " \t") && strings.Contains(rest, "/")
}

// File is one changed file of a fingerprint.
type File struct {
	Path    string // path after the change ("" never; the old path for a deletion)
	OldPath string // path before a rename; "" otherwise
	Status  Status
	Binary  bool
	PatchID string // this file's diff alone, as `git patch-id --stable` prints it
	Added   int    // changed lines added
	Deleted int    // changed lines deleted
	// Plus and Minus are the fuzzy signature: one hash per added or removed
	// line after normalization (see sources/fingerprint), in diff order.
	Plus  []uint64
	Minus []uint64
}

// Status says what happened to a file.
type Status byte

// The statuses of a changed file, as git's --name-status letters.
const (
	Added    Status = 'A'
	Deleted  Status = 'D'
	Modified Status = 'M'
	Renamed  Status = 'R'
)

// Trailers are the facts parsed out of a commit message that say where a
// change came from and what it fixes.
type Trailers struct {
	Fixes          []Fix    `json:"fixes,omitempty"`
	CcStable       bool     `json:"cc_stable,omitempty"`
	Upstream       []Ref    `json:"upstream,omitempty"`        // references to the upstream commit(s) this change carries
	PatchMainline  string   `json:"patch_mainline,omitempty"`  // SUSE Patch-mainline: value
	UpstreamStatus string   `json:"upstream_status,omitempty"` // RHEL Upstream Status: value
	Links          []string `json:"links,omitempty"`           // Link: values
	SignedOffBy    []string `json:"signed_off_by,omitempty"`
	CVEs           []string `json:"cves,omitempty"`   // CVE-YYYY-NNNN ids, upper case, deduplicated
	Prefix         string   `json:"prefix,omitempty"` // UPSTREAM, FROMLIST, BACKPORT, FROMGIT or "UBUNTU: SAUCE" subject prefix
}

// Fix is one Fixes: trailer.
type Fix struct {
	ID      string `json:"id"`                // the (possibly abbreviated) hex id as written
	Subject string `json:"subject,omitempty"` // the quoted subject, "" when absent
}

// Ref is a reference from a downstream message to an upstream commit.
type Ref struct {
	ID      string   `json:"id"` // hex id as written, possibly abbreviated
	Style   RefStyle `json:"style"`
	Partial bool     `json:"partial,omitempty"` // SUSE "Git-commit: X (partial)" or "backported from"
}

// RefStyle names the convention a Ref was written in.
type RefStyle string

// The reference styles kdelta recognises.
const (
	CherryPicked   RefStyle = "cherry-picked"   // (cherry picked from commit X)
	BackportedFrom RefStyle = "backported-from" // (backported from commit X ...)
	CommitUpstream RefStyle = "commit-upstream" // commit X upstream.
	UpstreamCommit RefStyle = "upstream-commit" // [ Upstream commit X ]
	RHELCommit     RefStyle = "rhel-commit"     // leading "commit X" line of a RHEL backport
	GitCommit      RefStyle = "git-commit"      // SUSE Git-commit: X
	AltCommit      RefStyle = "alt-commit"      // SUSE Alt-commit: X
	UpstreamPrefix RefStyle = "upstream-prefix" // ChromeOS UPSTREAM:/BACKPORT: with a commit id in the body
)

// Short abbreviates a commit id to the 12 hex digits kdelta shows.
func Short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ShortList abbreviates ids and joins them with spaces.
func ShortList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = Short(id)
	}
	return strings.Join(out, " ")
}
