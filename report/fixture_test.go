package report

import (
	"crypto/sha1"
	"encoding/hex"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
)

// The planted texts the escaping tests look for.
const (
	plantedScript = "<script>alert(1)</script>"
	plantedPipe   = "net/mlx5: fix `a|b` parsing | twice"
	plantedXML    = `ib_core: a < b && "c" fix`
)

// oid is a deterministic full commit id named by seed.
func oid(seed string) string {
	h := sha1.Sum([]byte(seed))
	return hex.EncodeToString(h[:])
}

func at(month, d int) time.Time { return time.Date(2025, time.Month(month), d, 10, 30, 0, 0, time.UTC) }

// fixtureDocument is a report on two downstreams that uses every part of
// the data: every status, evidence with a conflict, missing fixes whose
// fixed commit is a backport, is in the base, and is another missing fix,
// failing tests, regressions with suspects, a trend of 3 snapshots and
// changes on some components.
func fixtureDocument() *Document {
	since := &analyzer.CountChange{Since: 41, SinceDate: at(2, 1), Backported: 3, Missing: -2, MissingFixes: 1, Carried: 0}
	rhel := analyzer.Overview{
		Downstream: "rhel@main", Kind: "distro", Upstream: "linux@master",
		Base: oid("v5.14"), BaseHow: "tag v5.14", Tip: oid("rhel-tip"), Snapshot: 42,
		Components: []analyzer.ComponentSummary{
			{Component: "", Backported: 120, Missing: 45, MissingFixes: 3, CVEs: 2, Carried: 6,
				ByStatus: map[string]int{"mainline": 1, "queued": 1, "submitted": 1, "rejected": 1, "never": 1, "unknown": 1},
				Tests:    analyzer.TestCounts{Pass: 3, Fail: 2, Other: 1}, Severity: analyzer.SeverityCVE, Change: since},
			{Component: "core", Backported: 30, Missing: 10, MissingFixes: 0, CVEs: 1, Carried: 1,
				ByStatus: map[string]int{"never": 1}, Tests: analyzer.TestCounts{Pass: 1}, Severity: analyzer.SeverityCVE},
			{Component: "ipoib", Backported: 20, Missing: 5, MissingFixes: 1, Carried: 1,
				ByStatus: map[string]int{"submitted": 1}, Tests: analyzer.TestCounts{Pass: 1, Other: 1}, Severity: analyzer.SeverityFix,
				Change: &analyzer.CountChange{Since: 41, SinceDate: at(2, 1), Backported: 0, Missing: 1, MissingFixes: 0, Carried: -1}},
			{Component: "mlx5", Backported: 70, Missing: 30, MissingFixes: 2, CVEs: 1, Carried: 4,
				ByStatus: map[string]int{"mainline": 1, "queued": 1, "rejected": 1, "unknown": 1}, Tests: analyzer.TestCounts{Pass: 1, Fail: 2},
				Severity: analyzer.SeverityCVE,
				Change:   &analyzer.CountChange{Since: 41, SinceDate: at(2, 1), Backported: 3, Missing: -3, MissingFixes: 1, Carried: 1}},
		},
		MissingFixes: []analyzer.MissingFix{
			{Commit: analyzer.Commit{ID: oid("fix-1"), Subject: "net/mlx5: fix use after free in eswitch teardown", Author: "Ada Lovelace", Date: at(1, 10),
				Fixes: []string{oid("backport-1")}, Stable: true, CVEs: []string{"CVE-2025-0001"}},
				Priority:   analyzer.Priority{Rank: analyzer.RankCVE, Reason: "CVE-2025-0001; fixes code in 9.4; Cc: stable"},
				Components: []string{"mlx5"},
				FixesWhat:  []analyzer.FixedRef{{ID: oid("backport-1"), Subject: "net/mlx5: add eswitch offloads", Carried: []string{oid("backport-carrier-1")}}}},
			{Commit: analyzer.Commit{ID: oid("fix-2"), Subject: plantedScript, Author: "Mallory <m@example.org>", Date: at(1, 12),
				Fixes: []string{oid("base-1")}},
				Priority:   analyzer.Priority{Rank: analyzer.RankRelease, Reason: "fixes code in 9.2"},
				Components: []string{"mlx5"},
				FixesWhat:  []analyzer.FixedRef{{ID: oid("base-1"), Subject: "net/mlx5: " + plantedScript + " in base"}}},
			{Commit: analyzer.Commit{ID: oid("fix-3"), Subject: "IB/ipoib: fix the fix of the neighbour leak", Author: "Grace Hopper", Date: at(1, 20),
				Fixes: []string{oid("fix-1")[:12], oid("base-2")}},
				Priority:   analyzer.Priority{Rank: analyzer.RankFix, Reason: "fixes missing fix " + oid("fix-1")[:12]},
				Components: []string{"ipoib", "mlx5"},
				FixesWhat:  []analyzer.FixedRef{{ID: oid("fix-1")[:12], Subject: "net/mlx5: fix use after free in eswitch teardown"}}},
		},
		Carried: []analyzer.Carried{
			{ID: oid("carried-mainline-1"), Subject: "net/mlx5: reworked upstream as another series", Author: "Linus Torvalds", Date: at(1, 2), Components: []string{"mlx5"},
				Status: status.Status{Status: status.Mainline, Release: "v6.1", Reason: "landed reworked in v6.1",
					Evidence: []status.Evidence{{From: status.FromAnnotation, Says: status.Mainline, What: "annotated mainline"}}}},
			{ID: oid("carried-queued"), Path: "patches.suse/mlx5-queued.patch", Subject: "net/mlx5: queued change", Author: "Queue Person", Date: at(1, 3), Components: []string{"mlx5"},
				Status: status.Status{Status: status.Queued, Upstream: []string{oid("queue-commit")},
					Evidence: []status.Evidence{{From: status.FromQueue, Says: status.Queued, What: "matches " + oid("queue-commit")[:12] + " in rdma-next"}}}},
			{ID: oid("carried-submitted"), Subject: plantedPipe, Author: "Pipe | Author", Date: at(1, 4), Components: []string{"ipoib"},
				Status: status.Status{Status: status.Submitted, Date: at(1, 5), MessageID: "20250105.1234@example.org", Version: 2,
					Evidence: []status.Evidence{{From: status.FromList, Says: status.Submitted, What: "posted to linux-rdma as v2 on 2025-01-05, message-id <20250105.1234@example.org>"}}}},
			{ID: oid("carried-rejected"), Subject: "net/mlx5: rejected\nwith a newline", Author: "Rej Ected", Date: at(1, 6), Components: []string{"mlx5"},
				Status: status.Status{Status: status.Rejected, Reason: "NAKed by the maintainer",
					Evidence: []status.Evidence{{From: status.FromAnnotation, Says: status.Rejected, What: "annotated rejected"}}}},
			{ID: oid("carried-never"), Subject: "RHEL-only: kABI padding", Author: "Distro Dev", Date: at(1, 7), Components: []string{"core"},
				Status: status.Status{Status: status.Never, Reason: "distro-only",
					Evidence: []status.Evidence{{From: status.FromHeader, Says: status.Never, What: "Upstream Status: RHEL-only, distro-only"}}}},
			{ID: oid("carried-unknown"), Subject: "net/mlx5: claims to be upstream", Author: "Some One", Date: at(1, 8), Components: []string{"mlx5"},
				Status: status.Status{Status: status.Unknown,
					Evidence: []status.Evidence{{From: status.FromHeader, Says: status.Mainline, What: "Patch-mainline: v6.2"}},
					Conflict: "Patch-mainline: v6.2 says mainline, but no commit in upstream matches"}},
		},
		Backports: []analyzer.Backport{
			{Upstream: oid("backport-1"), Subject: "net/mlx5: add eswitch offloads", Date: at(1, 1), Components: []string{"mlx5"}, Carried: []string{oid("backport-carrier-1")}},
			{Upstream: oid("backport-2"), Subject: "RDMA/core: refcount fix", Date: at(1, 1), Components: []string{"core"}, Carried: []string{oid("not-in-carried")},
				RevertedBy: oid("revert-2")},
		},
		Tests: []analyzer.TestStatus{
			{Test: "mlx5.roce.rping", Components: []string{"mlx5"}, Lab: "unh-iol", Hardware: "ConnectX-6", Status: "FAIL", Target: "rhel@9.4",
				Commit: oid("rhel-9.4"), Started: at(2, 20), Duration: 12.5, Message: "rping: timeout | " + plantedScript, LogURL: "https://lab.example.org/log/1"},
			{Test: "mlx5.eth.ping", Components: []string{"mlx5"}, Lab: "unh-iol", Hardware: "ConnectX-6", Status: "FAIL", Target: "rhel@9.4", Commit: oid("rhel-9.4"), Started: at(2, 20)},
			{Test: "core.verbs.query", Components: []string{"core"}, Lab: "unh-iol", Status: "PASS", Target: "rhel@9.4", Started: at(2, 20)},
			{Test: "ipoib.cm.ping", Components: []string{"ipoib"}, Lab: "unh-iol", Status: "PASS", Target: "rhel@9.4", Started: at(2, 20)},
			{Test: "ipoib.ud.ping", Components: []string{"ipoib"}, Lab: "unh-iol", Status: "ERROR", Target: "rhel@9.4", Started: at(2, 20), Message: "setup failed"},
			{Test: "mlx5.devlink.info", Components: []string{"mlx5"}, Lab: "unh-iol", Status: "PASS", Target: "rhel@9.4", Started: at(2, 20)},
		},
		Critical: []analyzer.MissingFix{
			{Commit: analyzer.Commit{ID: oid("cve-feature"), Subject: "RDMA/core: harden the uverbs ioctl path", Author: "Sec Team", Date: at(1, 9),
				CVEs: []string{"CVE-2025-0002"}},
				Priority:   analyzer.Priority{Rank: analyzer.RankCVE, Reason: "CVE-2025-0002"},
				Components: []string{"core"}, FixesWhat: []analyzer.FixedRef{}},
		},
		Trend: []analyzer.TrendPoint{
			{Snapshot: 40, Date: at(1, 15), Backported: 110, Missing: 50, MissingFixes: 1, Carried: 7},
			{Snapshot: 41, Date: at(2, 1), Backported: 117, Missing: 47, MissingFixes: 2, Carried: 6},
			{Snapshot: 42, Date: at(3, 1), Backported: 120, Missing: 45, MissingFixes: 3, Carried: 6},
		},
	}
	rhel.Critical = append(rhel.Critical, rhel.MissingFixes[0], rhel.MissingFixes[1])
	suspects := []analyzer.Suspect{
		{ID: oid("suspect-1"), Subject: "net/mlx5: rework the rx path", Author: "Ada Lovelace", Date: at(2, 10), Components: []string{"mlx5"}, Lines: 90, Share: 0.75, Files: []string{"drivers/net/ethernet/mellanox/mlx5/core/en_rx.c"}},
		{ID: oid("carried-queued"), Subject: "net/mlx5: queued change", Author: "Queue Person", Date: at(1, 3), Components: []string{"mlx5"}, Lines: 30, Share: 0.25, Files: []string{"drivers/net/ethernet/mellanox/mlx5/core/eq.c"}},
	}
	regFixes := []analyzer.Commit{{ID: oid("fix-1"), Subject: "net/mlx5: fix use after free in eswitch teardown", Date: at(1, 10), Fixes: []string{oid("backport-1")}, Stable: true}}
	reg := func(test, msg string) analyzer.Regression {
		return analyzer.Regression{Source: "rhel", Test: test, Lab: "unh-iol", Hardware: "ConnectX-6", Components: []string{"mlx5"},
			Passed:   analyzer.TestStatus{Test: test, Status: "PASS", Target: "rhel@9.3", Commit: oid("rhel-9.3")},
			Failed:   analyzer.TestStatus{Test: test, Status: "FAIL", Target: "rhel@9.4", Commit: oid("rhel-9.4"), Message: msg},
			Suspects: suspects, MissingFixes: regFixes, MissingOn: "rhel@main", Between: 14}
	}
	rhel.Regressions = []analyzer.Regression{
		reg("mlx5.roce.rping", "rping: timeout"),
		reg("mlx5.eth.ping", ""),
		{Source: "rhel", Test: "misc.unmapped", Components: []string{}, Lab: "unh-iol",
			Passed:   analyzer.TestStatus{Test: "misc.unmapped", Status: "PASS", Target: "rhel@9.2"},
			Failed:   analyzer.TestStatus{Test: "misc.unmapped", Status: "FAIL", Target: "rhel@9.4"},
			Suspects: []analyzer.Suspect{}, MissingFixes: []analyzer.Commit{},
			Note: "no test rule maps this test to a component; add a [[test_rule]] to see suspects"},
	}

	ofed := analyzer.Overview{
		Downstream: "ofed@24.10", Kind: "vendor", Upstream: "linux@master",
		Base: oid("v6.6"), BaseHow: "configured base " + oid("v6.6"), Tip: oid("ofed-tip"),
		Components: []analyzer.ComponentSummary{
			{Component: "", Backported: 300, Missing: 12, MissingFixes: 1, Carried: 2,
				ByStatus: map[string]int{"never": 1, "submitted": 1}, Tests: analyzer.TestCounts{}, Severity: analyzer.SeverityFix},
			{Component: "mlx5", Backported: 200, Missing: 8, MissingFixes: 1, Carried: 1,
				ByStatus: map[string]int{"submitted": 1}, Tests: analyzer.TestCounts{}, Severity: analyzer.SeverityFix},
			{Component: "rxe", Backported: 100, Missing: 4, MissingFixes: 0, Carried: 1,
				ByStatus: map[string]int{"never": 1}, Tests: analyzer.TestCounts{}, Severity: analyzer.SeverityMissing},
		},
		MissingFixes: []analyzer.MissingFix{
			// The same upstream commits as in rhel: anchors stay unique.
			{Commit: analyzer.Commit{ID: oid("fix-1"), Subject: "net/mlx5: fix use after free in eswitch teardown", Author: "Ada Lovelace", Date: at(1, 10),
				Fixes: []string{oid("backport-1")}, Stable: true},
				Priority:   analyzer.Priority{Rank: analyzer.RankRelease, Reason: "fixes code in " + oid("v6.6")[:12] + "; Cc: stable"},
				Components: []string{"mlx5"},
				FixesWhat:  []analyzer.FixedRef{{ID: oid("backport-1"), Subject: "net/mlx5: add eswitch offloads"}}},
		},
		Carried: []analyzer.Carried{
			{ID: oid("ofed-never"), Subject: "RDMA/rxe: vendor tuning", Author: "Vendor Dev", Date: at(1, 2), Components: []string{"rxe"},
				Status: status.Status{Status: status.Never, Reason: "vendor-only", Evidence: []status.Evidence{{From: status.FromAnnotation, Says: status.Never, What: "annotated never"}}}},
			{ID: oid("ofed-submitted"), Subject: "net/mlx5: vendor feature", Author: "Vendor Dev", Date: at(1, 3), Components: []string{"mlx5"},
				Status: status.Status{Status: status.Submitted, Evidence: []status.Evidence{{From: status.FromHeader, Says: status.Submitted, What: "FROMLIST: net/mlx5: vendor feature"}}}},
		},
		Backports: []analyzer.Backport{
			{Upstream: oid("ofed-up"), Subject: "RDMA/rxe: backported", Date: at(1, 1), Components: []string{"rxe"}, Carried: []string{oid("ofed-mainline")}},
		},
		Tests:       []analyzer.TestStatus{},
		Regressions: []analyzer.Regression{},
		Trend:       []analyzer.TrendPoint{{Snapshot: 42, Date: at(3, 1), Backported: 300, Missing: 12, MissingFixes: 1, Carried: 2}},
		Partial:     "missing fixes before snapshot 40 were not kept",
	}
	cmp := analyzer.Comparison{A: "rhel@main", B: "ofed@24.10", Upstream: "linux@master",
		BaseA: "369195255d06 (tag v5.14)", BaseB: oid("v6.6")[:12] + " (configured)",
		Components: []analyzer.ComponentComparison{
			{Component: "mlx5",
				ALacks: []analyzer.RankedCommit{
					{Commit: rhel.MissingFixes[0].Commit, Priority: rhel.MissingFixes[0].Priority},
					{Commit: analyzer.Commit{ID: oid("feature-1"), Subject: "net/mlx5: add a steering mode", Date: at(1, 11)}, Priority: analyzer.Priority{Rank: analyzer.RankOther}},
				},
				BLacks: []analyzer.RankedCommit{},
				AAlone: []analyzer.Carried{rhel.Carried[1], rhel.Carried[3]},
				BAlone: []analyzer.Carried{ofed.Carried[1]},
				Tests: []analyzer.TestDiff{{Test: "mlx5.roce.rping", A: rhel.Tests[0],
					B: analyzer.TestStatus{Test: "mlx5.roce.rping", Status: "PASS", Target: "ofed@24.10-1", Lab: "unh-iol"}}}},
		}}
	return &Document{SchemaVersion: SchemaVersion, Generator: Generator, Generated: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Downstreams: []analyzer.Overview{rhel, ofed}, Comparisons: []analyzer.Comparison{cmp}}
}

// fixtureCheck is a check result on two downstreams: passes, findings
// (one with XML-significant text), skipped checks.
func fixtureCheck() *analyzer.CheckResult {
	return &analyzer.CheckResult{Baseline: "baseline.json", Checks: []analyzer.Check{
		{Downstream: "rhel@main", Kind: analyzer.CheckStatus, Findings: []analyzer.Finding{
			{Downstream: "rhel@main", Kind: analyzer.CheckStatus, Component: "mlx5", Subject: plantedXML, ID: oid("carried-unknown"),
				Was: "mainline", Now: "unknown", Detail: "lost its upstream match: " + plantedScript},
		}},
		{Downstream: "rhel@main", Kind: analyzer.CheckBackport, Findings: []analyzer.Finding{}},
		{Downstream: "rhel@main", Kind: analyzer.CheckMissingFix, Findings: []analyzer.Finding{
			{Downstream: "rhel@main", Kind: analyzer.CheckMissingFix, Component: "mlx5", Subject: "net/mlx5: fix use after free", ID: oid("fix-1"), Was: "", Now: "missing",
				Detail: "a new missing fix for code rhel@main has [cve: CVE-2025-0001]", Rank: analyzer.RankCVE},
			{Downstream: "rhel@main", Kind: analyzer.CheckMissingFix, Component: "ipoib", Subject: "IB/ipoib: fix | pipe", ID: oid("fix-3"), Was: "", Now: "missing", Detail: "a new missing fix"},
		}},
		{Downstream: "rhel@main", Kind: analyzer.CheckGrowth, Skipped: "turned off by the policy"},
		{Downstream: "rhel@main", Kind: analyzer.CheckTest},
		{Downstream: "ofed@24.10", Kind: analyzer.CheckStatus},
		{Downstream: "ofed@24.10", Kind: analyzer.CheckBackport},
		{Downstream: "ofed@24.10", Kind: analyzer.CheckMissingFix},
		{Downstream: "ofed@24.10", Kind: analyzer.CheckGrowth},
		{Downstream: "ofed@24.10", Kind: analyzer.CheckTest, NoResults: true, Skipped: "no results: no test result of ofed@24.10 is imported ('kdelta results import')"},
	}}
}
