package match

import (
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

// What real release branches do (issue 13), one hand-built case each; the
// world measures the same at scale (TestAccuracyAgainstTruth).
func TestReleaseBranchPhenomena(t *testing.T) {
	qp := "drivers/infiniband/hw/mlx5/qp.c"
	cq := "drivers/infiniband/hw/mlx5/cq.c"
	fixQP := commit("fix-qp", "RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp()",
		file(qp, []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;"}, []string{"if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"}))
	fixQP.CommitTime = fixQP.AuthorTime.Add(time.Hour)
	// The same diff twice upstream (a fix applied to two trees, merged).
	twinA := commit("twin-a", "RDMA/mlx5: Drop the stale CQ flag",
		file(cq, []string{"cq->flags &= ~MLX5_CQ_STALE;", "mlx5_ib_cq_rearm(cq);"}, []string{"cq->flags |= MLX5_CQ_STALE;"}))
	twinB := commit("twin-b", "RDMA/mlx5: Clear MLX5_CQ_STALE after rearm", twinA.Files...)
	twinB.PatchID = twinA.PatchID
	withAuthor(twinB, "Bo Other", "bo@example.com", twinA.AuthorTime.Add(48*time.Hour))
	// An upstream revert of fix-qp.
	upRevert := commit("revert-fix-qp", "Revert \""+fixQP.Subject+"\"",
		file(qp, fixQPMinus, fixQPPlus))
	upRevert.Body = "This reverts commit " + fixQP.ID + ".\n"
	// A commit upstream took from a vendor a month after the vendor had it.
	landed := withAuthor(commit("landed", "net/mlx5: Add the ConnectX-8 device id",
		file("drivers/net/ethernet/mellanox/mlx5/core/main.c", []string{"{ PCI_VDEVICE(MELLANOX, 0x1023) },", "mlx5_cx8_init(dev);"}, nil)),
		"Vera Vendor", "vera@nvidia.com", t0.Add(40*24*time.Hour))
	ix := NewIndex([]*change.Fingerprint{fixQP, twinA, twinB, upRevert, landed})

	// Equal patch-id, retitled by a tool and re-authored by a bot.
	metadata := withAuthor(commit("d-metadata", "[v5.14.y] mlx5: QP state fixes from 6.2", fixQP.Files...), "CKI Backport Bot", "cki@example.com", t0.Add(90*24*time.Hour))
	metadata.PatchID = fixQP.PatchID
	// Equal patch-id, a truncated subject and nothing else.
	truncated := withAuthor(commit("d-truncated", "RDMA/mlx5: Fix QP state check in mlx5...", fixQP.Files...), "Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	truncated.PatchID = fixQP.PatchID
	// Reworked (other context), under a tagged subject, by someone else.
	tagged := withAuthor(commit("d-tagged", "BACKPORT: "+fixQP.Subject+" (for 5.14.x)",
		file(qp, fixQPPlus, fixQPMinus)), "Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	tagged.Files[0].PatchID, tagged.PatchID = hexID("other context"), hexID("other context commit")
	// The patch-id of two upstream commits: the one whose subject agrees.
	twin := withAuthor(commit("d-twin", twinB.Subject, twinA.Files...), "Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	twin.PatchID = twinA.PatchID
	// A downstream revert of the backport of fix-qp: upstream's revert.
	revert := withAuthor(commit("d-revert", "Revert \"[v5.14.y] "+fixQP.Subject+"\"", upRevert.Files...), "Eng", "eng@example.com", t0.Add(100*24*time.Hour))
	revert.PatchID = upRevert.PatchID
	revert.Body = "This reverts commit " + metadata.ID + ".\n"
	// The vendor's version, older than upstream's, by the same author
	// (upstreamed), and the same lines by someone else (unrelated).
	vendor := withAuthor(commit("d-vendor", landed.Subject, file("drivers/net/ethernet/mellanox/mlx5/core/main.c", []string{"{ PCI_VDEVICE(MELLANOX, 0x1023) },", "mlx5_cx8_init(dev);"}, nil)),
		"Vera Vendor", "vera@nvidia.com", t0)
	vendor.Files[0].PatchID, vendor.PatchID = hexID("vendor context"), hexID("vendor context commit")
	unrelated := withAuthor(commit("d-unrelated", "net/mlx5: Support ConnectX-8", vendor.Files...), "Udo", "udo@example.com", t0)
	unrelated.PatchID = vendor.PatchID
	// The same change to qp.c, which this tree renamed qp_core.c.
	renamed := withAuthor(commit("d-renamed", "RDMA/mlx5: fix QP state check", file("drivers/infiniband/hw/mlx5/qp_core.c", fixQPPlus, fixQPMinus)),
		"Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	// Prose references, found in the body even when the stored trailers
	// lack them (a store synced before kdelta read them).
	partialProse := withAuthor(commit("d-partial-prose", "mlx5: stability fix", file(qp, fixQPPlus[:1], nil)), "Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	partialProse.Body = "Partially cherry-picked from commit " + fixQP.ID[:12] + ".\n\nSigned-off-by: Eng <eng@example.com>"
	prose := withAuthor(commit("d-prose", "mlx5: sync with upstream", file(qp, []string{"local_only();"}, nil)), "Eng", "eng@example.com", t0.Add(90*24*time.Hour))
	prose.Body = "This is a backport of upstream commit " + fixQP.ID + ", rewritten for this tree."
	for _, d := range []*change.Fingerprint{metadata, truncated, tagged, twin, revert, vendor, unrelated, renamed, partialProse, prose} {
		d.CommitTime = d.AuthorTime.Add(time.Hour)
	}

	cases := []struct {
		name   string
		d      *change.Fingerprint
		want   []*change.Fingerprint
		method string
		why    string
	}{
		{"equal patch-id, another subject and a bot author", metadata, []*change.Fingerprint{fixQP}, MethodPatchID, "subject and author differ"},
		{"equal patch-id, truncated subject", truncated, []*change.Fingerprint{fixQP}, MethodPatchID, "same patch-id"},
		{"reworked under BACKPORT: ... (for 5.14.x)", tagged, []*change.Fingerprint{fixQP}, MethodFuzzy, "same subject"},
		{"two upstream commits with the patch-id: the subject decides, the other is named", twin, []*change.Fingerprint{twinB}, MethodPatchID, change.Short(twinA.ID) + " has the same patch-id"},
		{"a downstream revert is upstream's revert", revert, []*change.Fingerprint{upRevert}, MethodPatchID, "same patch-id"},
		{"older than upstream, same author: upstreamed", vendor, []*change.Fingerprint{landed}, MethodUpstreamed, "upstreamed as " + change.Short(landed.ID)},
		{"older than upstream, another author: unrelated", unrelated, nil, MethodNone, ""},
		{"partially cherry-picked, in prose", partialProse, []*change.Fingerprint{fixQP}, MethodPartial, "prose (partial) " + change.Short(fixQP.ID)},
		{"a backport of X, in prose", prose, []*change.Fingerprint{fixQP}, MethodTrailer, "prose " + change.Short(fixQP.ID)},
		{"a file renamed since: paired by what it changes", renamed, []*change.Fingerprint{fixQP}, MethodFuzzy, qp + " (as drivers/infiniband/hw/mlx5/qp_core.c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := ix.Match([]*change.Fingerprint{c.d}, nil)
			m := got[0]
			var want []string
			for _, u := range c.want {
				want = append(want, u.ID)
			}
			if !sameSet(m.Upstream, want) || m.Method != c.method || !strings.Contains(m.Why, c.why) {
				t.Errorf("got %v by %s: %s\nwant %v by %s, why containing %q", shortAll(m.Upstream), m.Method, m.Why, shortAll(want), c.method, c.why)
			}
		})
	}
}

var (
	fixQPPlus  = []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;"}
	fixQPMinus = []string{"if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"}
)

func TestSubjectKeys(t *testing.T) {
	for _, c := range []struct {
		in, key   string
		truncated bool
	}{
		{"RDMA/mlx5: Fix QP state check", "rdma/mlx5: fix qp state check", false},
		{"[v1.18.x] prov/efa: Fix the RNR retry", "prov/efa: fix the rnr retry", false},
		{"[backport] [PATCH v2 3/7] RDMA/mlx5: Fix x", "rdma/mlx5: fix x", false},
		{"BACKPORT: FROMGIT: RDMA/mlx5: Fix x", "rdma/mlx5: fix x", false},
		{"UBUNTU: SAUCE: RDMA/mlx5: Fix x", "rdma/mlx5: fix x", false},
		{"RDMA/mlx5: Fix x (for 1.6.x)", "rdma/mlx5: fix x", false},
		{"RDMA/mlx5: Fix x [cherry-picked from 6.2]", "rdma/mlx5: fix x", false},
		{"RDMA/mlx5: Fix x.", "rdma/mlx5: fix x", false},
		{"RDMA/mlx5: Fix the QP state check in...", "rdma/mlx5: fix the qp state check in", true},
		{"RDMA/mlx5: [ofed] Fix x", "rdma/mlx5: fix x", false},
		{"net/mlx5: Fix x (v2)", "net/mlx5: fix x (v2)", false},
	} {
		key, tr := subjectKey(c.in)
		if key != c.key || tr != c.truncated {
			t.Errorf("subjectKey(%q) = %q, %v; want %q, %v", c.in, key, tr, c.key, c.truncated)
		}
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp()", "RDMA/mlx5: Fix QP state check in mlx5...", true},
		{"RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp()", "RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp", true},
		{"net/mlx5: Fix a leak", "net/mlx5: Fix", false},
		{"Linux 6.1", "Linux 6.1.5", false},
	} {
		if got := keysAgree(normSubject(c.a), normSubject(c.b)); got != c.same {
			t.Errorf("subjects %q and %q agree: %v", c.a, c.b, got)
		}
	}
}

// A release branch's release commit lists the fixes it took from main in
// NEWS, as main's release commit does, by the same release manager: it
// carries nothing (libfabric's v1.9.1 against v1.10.0rc1).
func TestReleaseEngineering(t *testing.T) {
	items := []string{"- Core: Fix a leak in the fabric list", "- EFA: Fix the RNR retry count", "- Verbs: Fix a race on close", "- TCP: Fix the keepalive default"}
	rm := func(c *change.Fingerprint) *change.Fingerprint {
		return withAuthor(c, "Rita Release", "rita@example.com", c.AuthorTime)
	}
	main := rm(commit("v1.10.0rc1", "Update NEWS and version for v1.10.0rc1",
		file("NEWS.md", append([]string{"v1.10.0rc1, Fri Mar 13, 2020", "=="}, items...), nil),
		file("configure.ac", []string{"AC_INIT([libfabric], [1.10.0rc1])"}, []string{"AC_INIT([libfabric], [1.10.0a1])"})))
	ix := NewIndex([]*change.Fingerprint{main})
	branch := rm(commit("v1.9.1", "Update NEWS and version for v1.9.1",
		file("NEWS.md", append([]string{"v1.9.1, Fri Mar 6, 2020", "=="}, items[:3]...), nil),
		file("configure.ac", []string{"AC_INIT([libfabric], [1.9.1])"}, []string{"AC_INIT([libfabric], [1.9.0])"})))
	got, _ := ix.Match([]*change.Fingerprint{branch}, nil)
	if len(got[0].Upstream) != 0 || !strings.Contains(got[0].Why, "release engineering") {
		t.Errorf("v1.9.1 matched %v by %s: %s; want none, as release engineering", shortAll(got[0].Upstream), got[0].Method, got[0].Why)
	}
	// The same notes under the same version do pair (a cherry-picked
	// release commit, reworked).
	same := rm(commit("v1.10.0rc1-again", "Update NEWS and version for v1.10.0rc1",
		file("NEWS.md", append([]string{"v1.10.0rc1, Fri Mar 13, 2020", "=="}, items...), nil)))
	got, _ = ix.Match([]*change.Fingerprint{same}, nil)
	if len(got[0].Upstream) != 1 {
		t.Errorf("the same version's notes: %v by %s: %s", shortAll(got[0].Upstream), got[0].Method, got[0].Why)
	}
	for _, c := range []struct {
		subject, version string
	}{
		{"Update NEWS and version for v1.10.0rc1", "1.10.0rc1"},
		{"Linux 6.2-rc1", "6.2-rc1"},
		{"Bump version to 47.0", "47.0"},
		{"NEWS: Update for MLNX_OFED 23.04-3", "23.04-3"},
		{"RDMA/mlx5: Fix the 2.5 GT/s link speed", ""},
	} {
		if v := versionOf(c.subject); v != c.version {
			t.Errorf("versionOf(%q) = %q, want %q", c.subject, v, c.version)
		}
	}
}

// A downstream bot's regeneration of a man page pairs with upstream's
// regeneration of the same source change, not with another regeneration
// of the same subject, and says so.
func TestRegenerated(t *testing.T) {
	man := "Documentation/infiniband/man/ipoib.7"
	regen := func(name, date string, plus, minus []string) *change.Fingerprint {
		c := commit(name, "Documentation: infiniband: Regenerate man pages",
			file(man, append([]string{`.TH IPOIB 7 "` + date + `" "Linux 6.2"`}, plus...), append([]string{`.TH IPOIB 7 "2023-01-01" "Linux 6.1"`}, minus...)))
		return withAuthor(c, "Docs Bot", "docs-bot@example.org", t0)
	}
	a := regen("regen-a", "2023-02-01", []string{"The connected mode is the default on ConnectX\\-4."}, []string{"The datagram mode is the default."})
	b := regen("regen-b", "2023-03-01", []string{"Set the MTU with ip link before bringing the interface up."}, nil)
	ix := NewIndex([]*change.Fingerprint{a, b})
	d := commit("d-regen", "Documentation: infiniband: Regenerate man pages",
		file(man, []string{`.TH IPOIB 7 "2024-05-05" "Linux 5.14.0-284.el9"`, "Set the MTU with ip link before bringing the interface up."},
			[]string{`.TH IPOIB 7 "2021-07-01" "Linux 5.14"`}))
	withAuthor(d, "CKI Docs Bot", "cki-docs-bot@example.com", t0.Add(400*24*time.Hour))
	got, _ := ix.Match([]*change.Fingerprint{d}, nil)
	if !sameSet(got[0].Upstream, []string{b.ID}) || !strings.Contains(got[0].Why, "regeneration of the same source change as "+change.Short(b.ID)) {
		t.Errorf("got %v by %s: %s; want %s, said to be a regeneration", shortAll(got[0].Upstream), got[0].Method, got[0].Why, change.Short(b.ID))
	}
}

// An upstream commit carried in two downstream commits: each part says
// partial and names the other; a squash lists each part's share.
func TestSplitAndSquashParts(t *testing.T) {
	qp := "drivers/infiniband/hw/mlx5/qp.c"
	cq := "drivers/infiniband/hw/mlx5/cq.c"
	both := commit("both", "RDMA/mlx5: Use the CQ lock in mlx5_ib_poll_cq() and its caller",
		file(cq, []string{"spin_lock_irqsave(&cq->lock, flags);", "mlx5_ib_poll_sw_comp(cq, num, wc, &npolled);", "spin_unlock_irqrestore(&cq->lock, flags);"}, []string{"mlx5_ib_poll_sw_comp(cq, num, wc);"}),
		file(qp, []string{"mlx5_ib_qp_drain(qp, &npolled);", "qp->drained = npolled;", "complete(&qp->drain_done);"}, []string{"mlx5_ib_qp_drain(qp);"}))
	other := commit("other", "RDMA/mlx5: Reject a CQ resize below the outstanding entries",
		file(cq, []string{"if (entries < cq->outstanding)", "return -EBUSY;", "cq->resize_pending = true;"}, []string{"cq->resize_pending = false;"}))
	ix := NewIndex([]*change.Fingerprint{both, other})
	part1 := commit("d-part-1", both.Subject, both.Files[0])
	part1.Files[0].PatchID, part1.PatchID = hexID("p1"), hexID("p1 commit")
	part2 := commit("d-part-2", both.Subject, both.Files[1])
	part2.Files[0].PatchID, part2.PatchID = hexID("p2"), hexID("p2 commit")
	squash := commit("d-squash", both.Subject, append(append([]change.File{}, both.Files...), other.Files...)...)
	squash.Files[0].PatchID, squash.Files[2].PatchID = hexID("s0"), hexID("s2")
	squash.PatchID = hexID("squash commit")
	got, _ := ix.Match([]*change.Fingerprint{part1, part2, squash}, nil)
	for i, sib := range []*change.Fingerprint{part2, part1} {
		m := got[i]
		if m.Method != MethodPartial || !sameSet(m.Upstream, []string{both.ID}) || !strings.Contains(m.Why, "with "+change.Short(sib.ID)+" (50%)") {
			t.Errorf("part %d: %v by %s: %s; want %s, partial, naming %s", i+1, shortAll(m.Upstream), m.Method, m.Why, change.Short(both.ID), change.Short(sib.ID))
		}
	}
	if m := got[2]; m.Method != MethodSquash || !strings.Contains(m.Why, "each part's share of this change's lines: ") {
		t.Errorf("squash: %v by %s: %s", shortAll(m.Upstream), m.Method, m.Why)
	}
}

// Test scaffolding copied from file to file agrees with every commit that
// adds a test: by the same author, it is still no evidence of one of them.
func TestBoilerplate(t *testing.T) {
	scaffold := []string{"#include <kunit/test.h>", "#include <rdma/ib_verbs.h>", "static int rdma_kunit_init(struct kunit *test)",
		"test->priv = kunit_kzalloc(test, sizeof(struct ib_device), GFP_KERNEL);", "return test->priv ? 0 : -ENOMEM;",
		".init = rdma_kunit_init,", "MODULE_LICENSE(\"Dual BSD/GPL\");", "// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB"}
	test := func(name string, own ...string) []string { return append(append([]string{}, scaffold...), own...) }
	var ups []*change.Fingerprint
	for i := 0; i < 10; i++ {
		n := string(rune('a' + i))
		ups = append(ups, commit("kunit-"+n, "RDMA/core: Add KUnit test for case "+n,
			file("drivers/infiniband/core/kunit/"+n+"_test.c", test(n, "static void rdma_test_"+n+"(struct kunit *test)", "KUNIT_CASE(rdma_test_"+n+"),", "KUNIT_EXPECT_EQ(test, ib_"+n+"_get(dev), 0);"), nil)))
	}
	ix := NewIndex(ups)
	d := commit("d-kunit", "RDMA/core: Add a KUnit test for the ConnectX-8 counters",
		file("drivers/infiniband/core/kunit/mlnx_counters_test.c", test("mlnx", "static void test_mlnx_counters(struct kunit *test)", "KUNIT_CASE(test_mlnx_counters),", "KUNIT_EXPECT_EQ(test, mlx5_counters_get(dev), -EINVAL);"), nil))
	got, _ := ix.Match([]*change.Fingerprint{d}, nil)
	if len(got[0].Upstream) != 0 {
		t.Errorf("a downstream test by the same author, sharing only the scaffolding: %v by %s: %s; want none", shortAll(got[0].Upstream), got[0].Method, got[0].Why)
	}
	// A copy of one of them, by its author, is found all the same.
	cp := commit("d-copy", "RDMA/core: add the KUnit test of case c", ups[2].Files...)
	cp.Files[0].PatchID, cp.PatchID = hexID("copy context"), hexID("copy context commit")
	got, _ = ix.Match([]*change.Fingerprint{cp}, nil)
	if !sameSet(got[0].Upstream, []string{ups[2].ID}) {
		t.Errorf("a copy of one test: %v by %s: %s; want %s", shortAll(got[0].Upstream), got[0].Method, got[0].Why, change.Short(ups[2].ID))
	}
}

// With several upstream commits in the running, the explanation names
// the ones not chosen.
func TestWhyNamesCompetitors(t *testing.T) {
	cq := "drivers/infiniband/hw/mlx5/cq.c"
	a := commit("typo-a", "RDMA/mlx5: Fix typo", file(cq, []string{"/* the completion queue overflowed */", "/* and is drained */"}, []string{"/* the completion queue overfloed */"}))
	b := commit("typo-b", "RDMA/mlx5: Fix typo", file(cq, []string{"/* the completion queue overflowed */"}, []string{"/* the completion queue overfloed */", "/* and is draind */"}))
	ix := NewIndex([]*change.Fingerprint{a, b})
	d := withAuthor(commit("d-typo", "RDMA/mlx5: Fix typo", file(cq, []string{"/* the completion queue overflowed */", "/* and is drained */"}, []string{"/* the completion queue overfloed */"})),
		"Eng", "eng@example.com", t0)
	d.Files[0].PatchID, d.PatchID = hexID("typo ctx"), hexID("typo ctx commit")
	got, _ := ix.Match([]*change.Fingerprint{d}, nil)
	if !sameSet(got[0].Upstream, []string{a.ID}) || !strings.Contains(got[0].Why, "other candidates: "+change.Short(b.ID)) {
		t.Errorf("got %v by %s: %s; want %s, naming %s", shortAll(got[0].Upstream), got[0].Method, got[0].Why, change.Short(a.ID), change.Short(b.ID))
	}
}
