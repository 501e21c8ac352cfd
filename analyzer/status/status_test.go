package status

import (
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

func fp(subject string, t change.Trailers) *change.Fingerprint {
	t.Prefix = ""
	if i := strings.Index(subject, ":"); i > 0 {
		switch p := subject[:i]; p {
		case "FROMLIST", "FROMGIT", "UPSTREAM", "BACKPORT":
			t.Prefix = p
		}
	}
	if strings.HasPrefix(subject, "UBUNTU: SAUCE:") {
		t.Prefix = "UBUNTU: SAUCE"
	}
	return &change.Fingerprint{ID: strings.Repeat("d", 40), Subject: subject, Trailers: t}
}

func TestDecide(t *testing.T) {
	up := strings.Repeat("a", 40)
	q := strings.Repeat("b", 40)
	posted := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		in           Input
		status       string
		conflict     string // substring; "" means none
		detail       func(Status) bool
		firstFrom    string
		evidenceHave string
	}{
		{name: "no evidence", in: Input{Change: fp("RDMA/mlx5: x", change.Trailers{})}, status: Unknown, firstFrom: ""},
		{name: "matched upstream", in: Input{Change: fp("x", change.Trailers{}), Upstream: []string{up}, Method: "patch-id", Release: "v6.2"},
			status: Mainline, firstFrom: FromUpstream,
			detail: func(s Status) bool { return s.Release == "v6.2" && s.Upstream[0] == up }},
		{name: "older than its upstream match: upstreamed", in: Input{Change: fp("x", change.Trailers{}), Upstream: []string{up}, Method: "upstreamed", Release: "v6.4"},
			status: Mainline, firstFrom: FromUpstream, evidenceHave: "upstreamed as aaaaaaaaaaaa, first released in v6.4"},
		{name: "matched upstream, reverted upstream since", in: Input{Change: fp("x", change.Trailers{}), Upstream: []string{up}, Method: "patch-id",
			Release: "v6.2", RevertedBy: q},
			status: Unknown, firstFrom: FromUpstream, evidenceHave: "which upstream reverted in bbbbbbbbbbbb"},
		{name: "reverted upstream, but posted again", in: Input{Change: fp("x", change.Trailers{}), Upstream: []string{up}, RevertedBy: q,
			Postings: []Posting{{List: "linux-rdma", MessageID: "m@x", Date: posted, Version: 2}}},
			status: Submitted, firstFrom: FromUpstream},
		{name: "header mainline without match is a conflict",
			in:     Input{Change: fp("x", change.Trailers{PatchMainline: "v6.2"})},
			status: Unknown, conflict: "Patch-mainline: v6.2 says mainline, but no commit in upstream matches", firstFrom: FromHeader},
		{name: "header mainline with match agrees",
			in:     Input{Change: fp("x", change.Trailers{PatchMainline: "v6.2"}), Upstream: []string{up}, Release: "v6.2"},
			status: Mainline, firstFrom: FromUpstream},
		{name: "never header but matched upstream",
			in:     Input{Change: fp("x", change.Trailers{PatchMainline: "Never, SLES-specific"}), Upstream: []string{up}},
			status: Mainline, conflict: "says never, but it matches upstream", firstFrom: FromUpstream},
		{name: "never header", in: Input{Change: fp("x", change.Trailers{PatchMainline: "Never, SLES-specific"})},
			status: Never, detail: func(s Status) bool { return s.Reason == "SLES-specific" }, firstFrom: FromHeader},
		{name: "submitted header", in: Input{Change: fp("x", change.Trailers{PatchMainline: "Submitted, 2024-01-05 linux-rdma@vger.kernel.org"})},
			status: Submitted, firstFrom: FromHeader},
		{name: "suse No", in: Input{Change: fp("x", change.Trailers{PatchMainline: "No, out-of-tree driver feature"})}, status: Never, firstFrom: FromHeader,
			detail: func(s Status) bool { return s.Reason == "out-of-tree driver feature" }},
		{name: "suse Not yet", in: Input{Change: fp("x", change.Trailers{PatchMainline: "Not yet, under review"})}, status: Unknown, firstFrom: FromHeader},
		{name: "queued header", in: Input{Change: fp("x", change.Trailers{PatchMainline: "Queued in subsystem maintainer repository"})},
			status: Unknown, conflict: "no commit in a queue matches", firstFrom: FromHeader},
		{name: "rhel only", in: Input{Change: fp("x", change.Trailers{UpstreamStatus: "RHEL-only"})}, status: Never, firstFrom: FromHeader},
		{name: "rhel posted", in: Input{Change: fp("x", change.Trailers{UpstreamStatus: "Posted to linux-rdma, https://lore.kernel.org/r/x"})},
			status: Submitted, firstFrom: FromHeader},
		{name: "ubuntu sauce", in: Input{Change: fp("UBUNTU: SAUCE: RDMA/x: y", change.Trailers{})}, status: Never, firstFrom: FromHeader},
		{name: "fromlist", in: Input{Change: fp("FROMLIST: RDMA/x: y", change.Trailers{})}, status: Submitted, firstFrom: FromHeader},
		{name: "git-commit alone claims mainline", in: Input{Change: fp("x", change.Trailers{Upstream: []change.Ref{{ID: up, Style: change.GitCommit}}})},
			status: Unknown, conflict: "no commit in upstream matches", firstFrom: FromHeader},
		{name: "queue match", in: Input{Change: fp("x", change.Trailers{}), Queue: []QueueMatch{{Queue: "rdma-next", Commit: q}}},
			status: Queued, firstFrom: FromQueue, detail: func(s Status) bool { return s.Upstream[0] == q }},
		{name: "posted twice: latest version wins",
			in: Input{Change: fp("x", change.Trailers{}), Postings: []Posting{
				{List: "linux-rdma", MessageID: "v2@x", Date: posted.Add(48 * time.Hour), Version: 2},
				{List: "linux-rdma", MessageID: "v1@x", Date: posted, Version: 1}}},
			status: Submitted, firstFrom: FromList,
			detail: func(s Status) bool {
				return s.MessageID == "v2@x" && s.Version == 2 && s.Date.Equal(posted.Add(48*time.Hour))
			}},
		{name: "patchwork rejected", in: Input{Change: fp("x", change.Trailers{}), Postings: []Posting{
			{List: "linux-rdma", MessageID: "m@x", Date: posted, Version: 1, State: "Rejected"}}},
			status: Rejected, evidenceHave: "Patchwork state: Rejected"},
		{name: "annotation wins", in: Input{Change: fp("x", change.Trailers{PatchMainline: "Submitted, 2024-01-01 linux-rdma"}),
			Annotation: &Annotation{Status: Never, Reason: "vendor-only tuning"}},
			status: Never, firstFrom: FromAnnotation, detail: func(s Status) bool { return s.Reason == "vendor-only tuning" }},
		{name: "annotation never against a match", in: Input{Change: fp("x", change.Trailers{}), Upstream: []string{up},
			Annotation: &Annotation{Status: Never, Reason: "ours"}},
			status: Never, conflict: "but it is mainline by match"},
		{name: "annotated rejected after a posting is no conflict", in: Input{Change: fp("x", change.Trailers{}),
			Postings:   []Posting{{List: "l", MessageID: "m", Date: posted, Version: 1}},
			Annotation: &Annotation{Status: Rejected, Reason: "NAKed"}}, status: Rejected},
		{name: "queue beats list", in: Input{Change: fp("x", change.Trailers{}), Queue: []QueueMatch{{Queue: "rdma-next", Commit: q}},
			Postings: []Posting{{List: "l", MessageID: "m", Date: posted, Version: 1}}}, status: Queued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Decide(tt.in)
			if s.Status != tt.status {
				t.Errorf("status = %q, want %q (evidence %+v)", s.Status, tt.status, s.Evidence)
			}
			if tt.conflict == "" && s.Conflict != "" {
				t.Errorf("conflict = %q, want none", s.Conflict)
			}
			if tt.conflict != "" && !strings.Contains(s.Conflict, tt.conflict) {
				t.Errorf("conflict = %q, want it to say %q", s.Conflict, tt.conflict)
			}
			if tt.detail != nil && !tt.detail(s) {
				t.Errorf("details wrong: %+v", s)
			}
			if tt.firstFrom != "" && (len(s.Evidence) == 0 || s.Evidence[0].From != tt.firstFrom) {
				t.Errorf("first evidence = %+v, want from %s", s.Evidence, tt.firstFrom)
			}
			if tt.firstFrom == "" && tt.status == Unknown && len(s.Evidence) != 0 {
				t.Errorf("evidence = %+v, want none", s.Evidence)
			}
			if tt.evidenceHave != "" {
				found := false
				for _, e := range s.Evidence {
					found = found || strings.Contains(e.What, tt.evidenceHave)
				}
				if !found {
					t.Errorf("evidence %+v lacks %q", s.Evidence, tt.evidenceHave)
				}
			}
			if s.Evidence == nil {
				t.Error("evidence is nil; want an empty list for JSON")
			}
		})
	}
}

func TestPatchMainline(t *testing.T) {
	for v, want := range map[string]string{
		"v6.2-rc1": Mainline, "v5.14": Mainline, "6.1": Mainline, "linux-6.3": Mainline, "Yes": Mainline,
		"Queued in subsystem maintainer repository": Queued, "Queued": Queued,
		"Submitted, 2024-01-05 linux-rdma@vger.kernel.org": Submitted,
		"Never, SLES-specific":                             Never, "never": Never,
		"No, kABI workaround": Never, "Not yet, under discussion": Unknown, "Nope": Unknown, "whatever": Unknown, "v": Unknown, "vX.1": Unknown,
	} {
		if got := patchMainline(v); got != want {
			t.Errorf("patchMainline(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestAnnotationSaysWhoAndWhen: on a team store an annotation's evidence
// names who made it and when, wherever the status is shown.
func TestAnnotationSaysWhoAndWhen(t *testing.T) {
	when := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	st := Decide(Input{Change: fp("net/mlx5: tune", change.Trailers{}),
		Annotation: &Annotation{Status: Never, Reason: "vendor-only tuning", When: when, Who: "Ana Maintainer <ana@example.org>"}})
	if len(st.Evidence) == 0 {
		t.Fatal("no evidence")
	}
	want := "annotated never by Ana Maintainer <ana@example.org> on 2026-11-30: vendor-only tuning"
	if got := st.Evidence[0].What; got != want {
		t.Errorf("evidence %q, want %q", got, want)
	}
}
