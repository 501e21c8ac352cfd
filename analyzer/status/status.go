// Package status decides where a carried change stands on its way upstream:
// mainline, queued, submitted, rejected, never or unknown, with the evidence
// that set it. Evidence comes from matches (in upstream, in a queue, on a
// mailing list), from the patch's own headers (SUSE Patch-mainline:, RHEL
// Upstream Status:, Ubuntu SAUCE, FROMLIST:/UPSTREAM:/BACKPORT: prefixes)
// and from manual annotations, which win. Where the evidence disagrees, the
// status says so.
package status

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/change"
)

// The statuses of a carried change, from DESIGN.md.
const (
	Mainline  = "mainline"  // matched in upstream
	Queued    = "queued"    // matched in a maintainer's queue
	Submitted = "submitted" // posted to a list
	Rejected  = "rejected"  // posted and turned down
	Never     = "never"     // not meant for upstream (distro-only, vendor-only)
	Unknown   = "unknown"   // no evidence
)

// All lists the statuses, from furthest upstream to least known.
func All() []string { return []string{Mainline, Queued, Submitted, Rejected, Never, Unknown} }

// Valid says whether s is a status.
func Valid(s string) bool {
	for _, v := range All() {
		if s == v {
			return true
		}
	}
	return false
}

// Where evidence comes from.
const (
	FromAnnotation = "annotation" // a maintainer said so (kdelta annotate)
	FromUpstream   = "upstream"   // matched an upstream commit
	FromQueue      = "queue"      // matched a commit of a queue source
	FromList       = "list"       // matched a posting on a list source
	FromPatchwork  = "patchwork"  // Patchwork's state of the posting
	FromHeader     = "header"     // the change's own message
)

// methodUpstreamed is the match method (analyzer/match.MethodUpstreamed)
// of a downstream change older than the upstream commit it matches.
const methodUpstreamed = "upstreamed"

// Evidence is one fact that says something about a status.
type Evidence struct {
	From string `json:"from"` // annotation, upstream, queue, list, patchwork, header
	Says string `json:"says"` // the status this fact points to
	What string `json:"what"` // the fact, for a human: "Patch-mainline: v6.2", "matches 1a2b3c4 (patch-id)"
}

// Status is a carried change's status with what set it.
type Status struct {
	Status    string     `json:"status"`
	Release   string     `json:"release,omitempty"`    // mainline: the first upstream release tag that has it
	Upstream  []string   `json:"upstream,omitempty"`   // mainline or queued: the matched commits
	Date      time.Time  `json:"date,omitzero"`        // when the latest version was posted, if it was
	MessageID string     `json:"message_id,omitempty"` // the latest posting
	Version   int        `json:"version,omitempty"`    // its series version
	Reason    string     `json:"reason,omitempty"`     // never, rejected, or an annotation: why
	Evidence  []Evidence `json:"evidence"`             // strongest first
	Conflict  string     `json:"conflict,omitempty"`   // evidence that disagrees with the status
}

// Posting is a mailing-list posting a carried change was matched to.
type Posting struct {
	List      string // the list source's name
	MessageID string
	Date      time.Time
	Version   int
	Subject   string
	State     string // Patchwork state ("Accepted", "Rejected", ...), "" when unknown
}

// QueueMatch is a queue commit a carried change was matched to.
type QueueMatch struct {
	Queue  string // the queue source's name
	Commit string
}

// Annotation is a manual status.
type Annotation struct {
	Status string
	Reason string
	Detail string
	When   time.Time
	Who    string // who made it; "" when not known
}

// Input is what is known of one carried change.
type Input struct {
	Change   *change.Fingerprint
	Upstream []string // matched upstream commits; empty for a downstream-only change
	Method   string   // how it matched
	Release  string   // the first upstream release tag with Upstream[0]; "" when not released yet
	// RevertedBy is the upstream commit that reverted Upstream[0] since;
	// upstream no longer has the change, so the match is no evidence of
	// mainline.
	RevertedBy string
	Queue      []QueueMatch
	Postings   []Posting
	Annotation *Annotation
}

// Decide returns the status of a carried change. Precedence: an annotation,
// then a match (upstream, queue, list, in that order), then the change's
// headers (but a header saying mainline or queued needs a match to count),
// then unknown. A header or an annotation that disagrees with a
// match is reported as a conflict, never silently dropped.
func Decide(in Input) Status {
	var ev []Evidence
	var st Status

	if a := in.Annotation; a != nil {
		what := "annotated " + a.Status
		if a.Who != "" {
			what += " by " + a.Who
		}
		if !a.When.IsZero() {
			what += " on " + a.When.UTC().Format("2006-01-02")
		}
		if a.Reason != "" {
			what += ": " + a.Reason
		}
		ev = append(ev, Evidence{From: FromAnnotation, Says: a.Status, What: what})
	}
	matched := ""
	if len(in.Upstream) > 0 && in.RevertedBy != "" {
		what := fmt.Sprintf("matches upstream %s, which upstream reverted in %s", shortList(in.Upstream), change.Short(in.RevertedBy))
		ev = append(ev, Evidence{From: FromUpstream, Says: Unknown, What: what})
	}
	switch {
	case len(in.Upstream) > 0 && in.RevertedBy == "":
		matched = Mainline
		what := fmt.Sprintf("matches upstream %s", shortList(in.Upstream))
		switch in.Method {
		case "":
		case methodUpstreamed:
			// The change is older than the upstream commit: it did not
			// come from upstream, it went there.
			what = fmt.Sprintf("upstreamed as %s", shortList(in.Upstream))
		default:
			what += " (" + in.Method + ")"
		}
		if in.Release != "" {
			what += ", first released in " + in.Release
		} else {
			what += ", not in a release yet"
		}
		ev = append(ev, Evidence{From: FromUpstream, Says: Mainline, What: what})
	case len(in.Queue) > 0:
		matched = Queued
		q := in.Queue[0]
		ev = append(ev, Evidence{From: FromQueue, Says: Queued, What: fmt.Sprintf("matches %s in queue %s", change.Short(q.Commit), q.Queue)})
	}
	latest := latestPosting(in.Postings)
	if latest != nil {
		says := Submitted
		what := fmt.Sprintf("posted to %s as v%d on %s, message-id <%s>", latest.List, latest.Version,
			latest.Date.UTC().Format("2006-01-02"), latest.MessageID)
		ev = append(ev, Evidence{From: FromList, Says: Submitted, What: what})
		if latest.State != "" {
			says = patchworkSays(latest.State)
			ev = append(ev, Evidence{From: FromPatchwork, Says: says, What: "Patchwork state: " + latest.State})
		}
		if matched == "" {
			matched = says
		}
	}
	header := FromHeaders(in.Change)
	ev = append(ev, header...)

	switch {
	case in.Annotation != nil:
		st.Status = in.Annotation.Status
		st.Reason = in.Annotation.Reason
	case matched != "":
		st.Status = matched
	default:
		// A header's claim to be upstream or queued counts only with a
		// match to back it; unbacked, it is a conflict and the status stays
		// unknown. Other claims (submitted, never) are the patch's word.
		st.Status = Unknown
		for _, h := range header {
			if h.Says == Mainline || h.Says == Queued {
				continue
			}
			st.Status = h.Says
			if st.Status == Never {
				st.Reason = reasonOf(h.What)
			}
			break
		}
	}
	switch st.Status {
	case Mainline:
		st.Upstream = in.Upstream
		st.Release = in.Release
	case Queued:
		for _, q := range in.Queue {
			st.Upstream = append(st.Upstream, q.Commit)
		}
	}
	if latest != nil {
		st.Date, st.MessageID, st.Version = latest.Date.UTC(), latest.MessageID, latest.Version
	}
	st.Conflict = conflict(matched, ev)
	if ev == nil {
		ev = []Evidence{}
	}
	st.Evidence = ev
	return st
}

// rank orders statuses by how far upstream they say a change got.
var rank = map[string]int{Mainline: 5, Queued: 4, Submitted: 3, Rejected: 2, Never: 1, Unknown: 0}

// conflict explains where evidence disagrees with the decided status.
func conflict(matched string, ev []Evidence) string {
	var out []string
	for _, e := range ev {
		switch e.From {
		case FromHeader:
			switch {
			case matched == "" && (e.Says == Mainline || e.Says == Queued):
				// A claim nothing backs up.
				where := "upstream"
				if e.Says == Queued {
					where = "a queue"
				}
				out = append(out, fmt.Sprintf("%s says %s, but no commit in %s matches", e.What, e.Says, where))
			case matched == Mainline && (e.Says == Never || e.Says == Unknown):
				out = append(out, fmt.Sprintf("%s says %s, but it matches upstream", e.What, e.Says))
			}
		case FromAnnotation:
			// Rejected after a posting is no conflict; never or rejected for
			// a change upstream or a queue has is one.
			if (matched == Mainline || matched == Queued) && (e.Says == Never || e.Says == Rejected) {
				out = append(out, fmt.Sprintf("%s, but it is %s by match", e.What, matched))
			}
		}
	}
	return strings.Join(out, "; ")
}

// latestPosting is the posting of the highest version, latest first.
func latestPosting(ps []Posting) *Posting {
	if len(ps) == 0 {
		return nil
	}
	sorted := append([]Posting(nil), ps...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Version != sorted[j].Version {
			return sorted[i].Version > sorted[j].Version
		}
		return sorted[i].Date.After(sorted[j].Date)
	})
	return &sorted[0]
}

// patchworkSays maps a Patchwork state to a status.
func patchworkSays(state string) string {
	switch strings.ToLower(strings.ReplaceAll(state, "-", " ")) {
	case "accepted":
		return Queued
	case "rejected", "not applicable":
		return Rejected
	}
	return Submitted
}

func reasonOf(what string) string {
	if _, r, ok := strings.Cut(what, ", "); ok {
		return strings.TrimSpace(r)
	}
	return ""
}

func shortList(ids []string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = change.Short(id)
	}
	return strings.Join(s, ", ")
}
