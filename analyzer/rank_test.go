package analyzer

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
)

// TestPriorityRules has a case per ranking rule: CVE first, then a fix of
// code shipped in a release, then Cc: stable, then a fix of code in no
// release yet (or of another missing fix), then the rest; the reason names
// every rule that applies, most critical first.
func TestPriorityRules(t *testing.T) {
	shipped := func(fixed string) string {
		switch fixed {
		case "base000000001":
			return "v5.14"
		case "carried000001":
			return "kernel-5.14.0-250.el9"
		}
		return "" // carried after the last release tag
	}
	missingFix := map[string]bool{"missingfix0001": true}
	tests := []struct {
		name   string
		c      Commit
		rank   string
		reason string
	}{
		{"a CVE", Commit{CVEs: []string{"CVE-2023-1234"}}, RankCVE, "CVE-2023-1234"},
		{"a CVE that is also a stable fix of released code", Commit{CVEs: []string{"CVE-2023-1", "CVE-2023-2"}, Stable: true, Fixes: []string{"base000000001"}},
			RankCVE, "CVE-2023-1, CVE-2023-2; fixes code in v5.14; Cc: stable"},
		{"a fix of code from the base", Commit{Fixes: []string{"base000000001"}}, RankRelease, "fixes code in v5.14"},
		{"a fix of a released backport", Commit{Fixes: []string{"carried000001"}}, RankRelease, "fixes code in kernel-5.14.0-250.el9"},
		{"a fix of two releases", Commit{Fixes: []string{"carried000001", "base000000001"}}, RankRelease, "fixes code in kernel-5.14.0-250.el9, v5.14"},
		{"a stable fix of unreleased code", Commit{Stable: true, Fixes: []string{"unreleased0001"}}, RankStable, "Cc: stable; fixes unreleased00, in no release yet"},
		{"Cc: stable alone", Commit{Stable: true}, RankStable, "Cc: stable"},
		{"a fix of unreleased code", Commit{Fixes: []string{"unreleased0001"}}, RankFix, "fixes unreleased00, in no release yet"},
		{"a fix of a missing fix", Commit{Fixes: []string{"missingfix0001"}}, RankFix, "fixes missing fix missingfix00"},
		{"a feature", Commit{Subject: "RDMA/mlx5: Add a counter"}, RankOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := priorityOf(tt.c, shipped, missingFix)
			if p.Rank != tt.rank || p.Reason != tt.reason {
				t.Errorf("priority = %q %q, want %q %q", p.Rank, p.Reason, tt.rank, tt.reason)
			}
		})
	}

	// Sorting keeps the order within a rank.
	cs := []RankedCommit{
		{Commit: Commit{ID: "a"}, Priority: Priority{Rank: RankOther}},
		{Commit: Commit{ID: "b"}, Priority: Priority{Rank: RankStable}},
		{Commit: Commit{ID: "c"}, Priority: Priority{Rank: RankCVE}},
		{Commit: Commit{ID: "d"}, Priority: Priority{Rank: RankStable}},
		{Commit: Commit{ID: "e"}, Priority: Priority{Rank: RankRelease}},
	}
	SortRanked(cs)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, ""); got != "cebda" {
		t.Errorf("sorted %s, want cebda", got)
	}
}

// TestBaseText shows an explicit commit base once.
func TestBaseText(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct{ how, want string }{
		{"configured base v5.14", "v5.14 (0123456789ab)"},
		{"configured base " + id, "0123456789ab (configured)"},
		{"configured base 0123456789", "0123456789ab (configured)"},
		{"LINUX_BASE_BRANCH v6.1", "v6.1 (0123456789ab)"},
		{"merge-base of rhel@main and linux@master", "0123456789ab (merge-base of rhel@main and linux@master)"},
		{"", "0123456789ab"},
	}
	// As a sync reports it: the short id, the configured one in full.
	if got := BaseText(id[:12], "configured base "+id); got != "0123456789ab (configured)" {
		t.Errorf("BaseText(short, configured full) = %q", got)
	}
	for _, tt := range tests {
		if got := BaseText(id, tt.how); got != tt.want {
			t.Errorf("BaseText(%q) = %q, want %q", tt.how, got, tt.want)
		}
		if strings.Count(BaseText(id, tt.how), "0123456789") != 1 {
			t.Errorf("BaseText(%q) names the commit more than once", tt.how)
		}
	}
}

// TestRankOnTheSmallWorld ranks rhel's missing commits: CVEs first, the
// ranks in order, each missing commit of the truth with a CVE ranked cve,
// and the release a fix of base code names is the first rhel release tag
// (git tag --merged, oldest), and that of a fix of a carried change the
// first rhel release tag that contains its carrier (git tag --contains).
func TestRankOnTheSmallWorld(t *testing.T) {
	ctx := context.Background()
	w, db, cfg := syncedWorld(t, world.Small, 5)
	r, err := Analyze(ctx, db, "rhel")
	if err != nil {
		t.Fatal(err)
	}
	rk, err := NewRanker(ctx, db, cfg, r)
	if err != nil {
		t.Fatal(err)
	}
	repo := w.Repos["rhel"]
	git := func(args ...string) []string {
		out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.Fields(string(out))
	}
	upTags := map[string]bool{}
	for _, tg := range w.Truth.Upstream.Tags {
		upTags[tg.Name] = true
	}
	// rhel's release tags, oldest first (the generator dates them in order).
	var rels []string
	for _, tg := range git("tag", "--merged", "main", "--sort=committerdate") {
		if !upTags[tg] {
			rels = append(rels, tg)
		}
	}
	if len(rels) < 2 {
		t.Fatalf("rhel has %d release tags: %v", len(rels), rels)
	}
	first := func(tags []string) string {
		for _, r := range rels {
			if slices.Contains(tags, r) {
				return r
			}
		}
		return ""
	}

	all := r.Component("")
	ranked := rk.Rank(all.Missing)
	if len(ranked) != len(all.Missing) {
		t.Fatalf("%d ranked of %d", len(ranked), len(all.Missing))
	}
	truth := map[string]world.UpstreamCommit{}
	for _, c := range w.Truth.Upstream.Commits {
		truth[c.ID] = c
	}
	carriedBy := map[string][]string{}
	for _, c := range all.Backported {
		carriedBy[c.ID] = c.Carried
	}
	counts := map[string]int{}
	last := 0
	for _, c := range ranked {
		counts[c.Rank]++
		if o := RankOrder(c.Rank); o < last {
			t.Errorf("%.12s ranked %s after a rank %d", c.ID, c.Rank, last)
		} else {
			last = o
		}
		tc := truth[c.ID]
		if len(tc.CVEs) > 0 && (c.Rank != RankCVE || !strings.Contains(c.Reason, tc.CVEs[0])) {
			t.Errorf("%.12s names %v: ranked %s %q", c.ID, tc.CVEs, c.Rank, c.Reason)
		}
		if tc.Stable && len(tc.CVEs) == 0 && RankOrder(c.Rank) > RankOrder(RankStable) {
			t.Errorf("%.12s is Cc: stable, ranked %s", c.ID, c.Rank)
		}
		for _, f := range c.Fixes {
			var want string
			switch carriers := carriedBy[f]; {
			case slices.Contains(w.Truth.Downstream("rhel").MissingFixes, f):
				continue
			case len(carriers) == 0: // from the base: every release has it
				want = rels[0]
			default:
				var tags []string
				for _, d := range carriers {
					tags = append(tags, git("tag", "--contains", d)...)
				}
				want = first(tags)
			}
			if want != "" && !strings.Contains(c.Reason, "fixes code in "+want) {
				t.Errorf("%.12s fixes %.12s: reason %q, want it to name %s", c.ID, f, c.Reason, want)
			}
			if want == "" && !strings.Contains(c.Reason, "in no release yet") {
				t.Errorf("%.12s fixes %.12s, which no rhel release has: reason %q", c.ID, f, c.Reason)
			}
		}
	}
	if counts[RankCVE] == 0 || counts[RankRelease] == 0 || counts[RankOther] == 0 {
		t.Errorf("ranks on rhel: %v; want CVEs, released fixes and others", counts)
	}
	t.Logf("rhel's missing commits by rank: %v", counts)
}
