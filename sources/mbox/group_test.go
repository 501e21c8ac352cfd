package mbox

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// seriesView is what the tests compare of a Series.
type seriesView struct {
	ID       string
	Version  int
	Title    string
	Cover    string   // message-id, "" for none
	Patches  []string // message-ids
	Missing  []int
	Previous string
}

func view(ss []Series) []seriesView {
	var out []seriesView
	for _, s := range ss {
		v := seriesView{ID: s.ID, Version: s.Version, Title: s.Title, Missing: s.Missing, Previous: s.Previous}
		if s.Cover != nil {
			v.Cover = s.Cover.MessageID
		}
		for _, p := range s.Patches {
			v.Patches = append(v.Patches, p.MessageID)
		}
		out = append(out, v)
	}
	return out
}

func checkSeries(t *testing.T, got []Series, want []seriesView) {
	t.Helper()
	g := view(got)
	if reflect.DeepEqual(g, want) {
		return
	}
	t.Errorf("got %d series, want %d", len(g), len(want))
	for i := 0; i < max(len(g), len(want)); i++ {
		var a, b seriesView
		if i < len(g) {
			a = g[i]
		}
		if i < len(want) {
			b = want[i]
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("series %d:\n got %+v\nwant %+v", i, a, b)
		}
	}
}

func TestGroupFixture(t *testing.T) {
	checkSeries(t, Group(readFixture(t)), []seriesView{
		{ID: "20240501080000.100-1-phaddad@nvidia.com", Version: 1, Title: "IB/ipoib: Use __func__ in debug prints",
			Patches: []string{"20240501080000.100-1-phaddad@nvidia.com", "20240501080000.100-2-phaddad@nvidia.com"}},
		{ID: "20240508080000.200-1-phaddad@nvidia.com", Version: 2, Title: "IB/ipoib: Use __func__ in debug prints",
			Patches:  []string{"20240508080000.200-1-phaddad@nvidia.com", "20240508080000.200-2-phaddad@nvidia.com"},
			Previous: "20240501080000.100-1-phaddad@nvidia.com"},
		{ID: "cover.1717398000.git.leon@kernel.org", Version: 1, Title: "RDMA/mlx5: Add DMA handle support",
			Cover:   "cover.1717398000.git.leon@kernel.org",
			Patches: []string{"20240603070001.1-yishaih@nvidia.com", "20240603070002.2-yishaih@nvidia.com", "20240603070003.3-yishaih@nvidia.com"}},
		{ID: "cover.1718000000.git.leon@kernel.org", Version: 2, Title: "RDMA/mlx5: Add DMA handle support",
			Cover:    "cover.1718000000.git.leon@kernel.org",
			Patches:  []string{"20240610070001.1-yishaih@nvidia.com", "20240610070002.2-yishaih@nvidia.com", "20240610070003.3-yishaih@nvidia.com"},
			Previous: "cover.1717398000.git.leon@kernel.org"},
		{ID: "20240612031516.8844-1-yanjun.zhu@linux.dev", Version: 1, Title: "RDMA/rxe: Fix the qp flush warnings in req",
			Patches: []string{"20240612031516.8844-1-yanjun.zhu@linux.dev"}},
	})
}

var t0 = time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC)

// post builds a message: a patch (with a diff) unless its subject is a
// cover letter's or a reply's. at is seconds after t0.
func post(id, subject, from string, at int, inReplyTo string, refs ...string) Message {
	m := Message{MessageID: id, Subject: subject, Tags: ParseSubject(subject), FromEmail: from,
		Date: t0.Add(time.Duration(at) * time.Second), InReplyTo: inReplyTo, References: refs}
	if !m.Tags.Cover() && !m.Tags.Reply {
		m.Diff = []byte("diff --git a/x b/x\n")
	}
	return m
}

func TestGroupThreading(t *testing.T) {
	const a, b = "a@x", "b@x"
	msgs := []Message{
		// Deep threading without a cover letter: 3 under 2 under 1.
		post("d1", "[PATCH 1/3] deep one", a, 0, ""),
		post("d2", "[PATCH 2/3] deep two", a, 1, "d1", "d1"),
		post("d3", "[PATCH 3/3] deep three", a, 2, "d2", "d1", "d2"),
		// A cover letter with a patch missing, a reply quoting a patch, a
		// pull request with a diff, and a duplicate of patch 1.
		post("c0", "[PATCH v2 0/4] with a gap", a, 100, ""),
		post("c1", "[PATCH v2 1/4] gap one", a, 101, "c0", "c0"),
		post("c2", "[PATCH v2 2/4] gap two", a, 102, "c0", "c0"),
		post("c4", "[PATCH v2 4/4] gap four", a, 104, "c0", "c0"),
		post("r1", "Re: [PATCH v2 2/4] gap two", b, 200, "c2", "c0", "c2"),
		post("pull", "[GIT PULL] Please pull", b, 300, ""),
		post("c1", "[PATCH v2 1/4] gap one", a, 101, "c0", "c0"),
		// A v3 patch threaded under the v2 cover (--in-reply-to) is not v2's.
		post("v3", "[PATCH v3 2/4] gap two", a, 400, "c2", "c0", "c2"),
		// A patch of another sender threaded under one of the same
		// version and total is another series.
		post("o2", "[PATCH 2/3] other sender", b, 450, "d1", "d1"),
		// A threading loop.
		post("l1", "[PATCH 1/2] loop one", b, 500, "l2"),
		post("l2", "[PATCH 2/2] loop two", b, 501, "l1"),
		// A patch without a Message-ID.
		{Subject: "[PATCH] lost", Tags: ParseSubject("[PATCH] lost"), File: "f.mbox", Line: 7, Date: t0.Add(time.Hour), Diff: []byte("diff --git a/x b/x\n")},
	}
	msgs[len(msgs)-1].Tags = ParseSubject("[PATCH] lost")
	checkSeries(t, Group(msgs), []seriesView{
		{ID: "d1", Version: 1, Title: "deep one", Patches: []string{"d1", "d2", "d3"}},
		{ID: "c0", Version: 2, Title: "with a gap", Cover: "c0", Patches: []string{"c1", "c2", "c4"}, Missing: []int{3}},
		{ID: "v3", Version: 3, Title: "gap two", Patches: []string{"v3"}, Missing: []int{1, 3, 4}, Previous: "c0"},
		{ID: "o2", Version: 1, Title: "other sender", Patches: []string{"o2"}, Missing: []int{1, 3}},
		{ID: "l1", Version: 1, Title: "loop one", Patches: []string{"l1", "l2"}},
		{ID: "f.mbox:7", Version: 1, Title: "lost", Patches: []string{""}},
	})
}

func TestGroupUnthreaded(t *testing.T) {
	const a, b = "a@x", "B@X"
	w := int(UnthreadedWindow / time.Second)
	msgs := []Message{
		// Cover and patches sent without threading, the patches first.
		post("u1", "[PATCH 1/2] un one", a, 0, ""),
		post("u2", "[PATCH 2/2] un two", a, 1, ""),
		post("u0", "[PATCH 0/2] un", a, 2, ""),
		// The same sender, same total, later in the window: indexes clash,
		// so a second series; its 2/2 joins it, not the first.
		post("s1", "[PATCH 1/2] second one", a, 300, ""),
		post("s2", "[PATCH 2/2] second two", a, 301, ""),
		// Another sender (case of the address does not matter).
		post("o1", "[PATCH 1/2] other one", b, 5, ""),
		post("o2", "[PATCH 2/2] other two", "b@x", 6, ""),
		// Out of the window.
		post("late", "[PATCH 2/2] un two again", a, w+1, ""),
		// Another version.
		post("v2", "[PATCH v2 2/2] un two", a, 10, ""),
		// No counter: a series of one each.
		post("single1", "[PATCH] single", a, 20, ""),
		post("single2", "[PATCH] single two", a, 21, ""),
	}
	checkSeries(t, Group(msgs), []seriesView{
		{ID: "u0", Version: 1, Title: "un", Cover: "u0", Patches: []string{"u1", "u2"}},
		{ID: "o1", Version: 1, Title: "other one", Patches: []string{"o1", "o2"}},
		{ID: "v2", Version: 2, Title: "un two", Patches: []string{"v2"}, Missing: []int{1}, Previous: "u0"},
		{ID: "single1", Version: 1, Title: "single", Patches: []string{"single1"}},
		{ID: "single2", Version: 1, Title: "single two", Patches: []string{"single2"}},
		{ID: "s1", Version: 1, Title: "second one", Patches: []string{"s1", "s2"}},
		{ID: "late", Version: 1, Title: "un two again", Patches: []string{"late"}, Missing: []int{1}},
	})
}

func TestGroupVersions(t *testing.T) {
	const a, b = "a@x", "b@x"
	day := 86400
	withBody := func(m Message, body string) Message { m.Body = body; return m }
	withNotes := func(m Message, notes string) Message { m.Notes = notes; return m }
	msgs := []Message{
		// Cover titles: v3 links to v1 (no v2 posted), the later of v1 and
		// its resend.
		post("cc1", "[PATCH 0/1] RDMA/bnxt_re: Congestion control", a, 0, ""),
		post("cc1p", "[PATCH 1/1] RDMA/bnxt_re: Add cc settings", a, 1, "cc1"),
		post("cc1r", "[PATCH RESEND 0/1] RDMA/bnxt_re: congestion control.", a, day, ""),
		post("cc1rp", "[PATCH RESEND 1/1] RDMA/bnxt_re: Add cc settings", a, day+1, "cc1r"),
		post("cc3@x", "[PATCH v3 0/1] RDMA/bnxt_re: Congestion  control", a, 3*day, ""),
		post("cc3p", "[PATCH v3 1/1] RDMA/bnxt_re: Add cc settings", a, 3*day+1, "cc3@x"),
		// Same title from another sender: not linked.
		post("x2", "[PATCH v2 0/1] RDMA/bnxt_re: Congestion control", b, 4*day, ""),
		post("x2p", "[PATCH v2 1/1] RDMA/bnxt_re: Something else", b, 4*day+1, "x2"),
		// Patch titles: v2 keeps 2 of v1's 4 patches under a new cover title.
		post("p1", "[PATCH 0/4] IB/hfi1: Cleanups", a, 10*day, ""),
		post("p1a", "[PATCH 1/4] IB/hfi1: Remove a", a, 10*day+1, "p1"),
		post("p1b", "[PATCH 2/4] IB/hfi1: Remove b", a, 10*day+2, "p1"),
		post("p1c", "[PATCH 3/4] IB/hfi1: Remove c", a, 10*day+3, "p1"),
		post("p1d", "[PATCH 4/4] IB/hfi1: Remove d", a, 10*day+4, "p1"),
		post("p2", "[PATCH v2 0/2] IB/hfi1: The rest of the cleanups", a, 11*day, ""),
		post("p2c", "[PATCH v2 1/2] IB/hfi1: Remove c", a, 11*day+1, "p2"),
		post("p2d", "[PATCH v2 2/2] IB/hfi1: remove d.", a, 11*day+2, "p2"),
		// One title of three in common: too little.
		post("q2", "[PATCH v2 0/3] IB/hfi1: Other work", a, 12*day, ""),
		post("q2a", "[PATCH v2 1/3] IB/hfi1: Remove a", a, 12*day+1, "q2"),
		post("q2x", "[PATCH v2 2/3] IB/hfi1: Add x", a, 12*day+2, "q2"),
		post("q2y", "[PATCH v2 3/3] IB/hfi1: Add y", a, 12*day+3, "q2"),
		// Explicit links: another sender and title, in a single patch's
		// notes; in a cover letter's footnote; a dependency is no version.
		post("e1@x", "[PATCH] RDMA/rxe: Fix a race", a, 20*day, ""),
		withNotes(post("e2", "[PATCH v2] RDMA/rxe: Take the lock earlier", b, 21*day, ""),
			"v2: took over from A\nv1: https://patch.msgid.link/e1@x\n\n drivers/x.c | 2 +-"),
		post("f1@x", "[PATCH 0/1] RDMA/mana: Foo", a, 22*day, ""),
		withBody(post("f2@x", "[PATCH v2 0/1] RDMA/mana_ib: Bar", b, 23*day, ""),
			"Bar.\n\nChanges since v1 [1]:\n- renamed\n\nDepends on https://lore.kernel.org/r/e1@x\n\n[1] https://lore.kernel.org/linux-rdma/f1@x/T/#u"),
		withBody(post("g3", "[PATCH v3 0/1] RDMA/mana_ib: Baz", b, 24*day, ""),
			"Depends on https://lore.kernel.org/r/f2@x\nLink: https://lore.kernel.org/r/f1@x\n"),
		// A link to a later version is not a previous one.
		withBody(post("h2", "[PATCH v2 0/1] Later", b, 25*day, ""), "previous version: https://lore.kernel.org/r/cc3@x\n"),
	}
	got := map[string]string{}
	for _, s := range Group(msgs) {
		got[s.ID] = s.Previous
	}
	want := map[string]string{
		"cc1": "", "cc1r": "", "cc3@x": "cc1r", "x2": "",
		"p1": "", "p2": "p1", "q2": "",
		"e1@x": "", "e2": "e1@x",
		"f1@x": "", "f2@x": "f1@x", "g3": "", "h2": "",
	}
	if !reflect.DeepEqual(got, want) {
		for id := range want {
			if got[id] != want[id] {
				t.Errorf("%s: Previous %q, want %q", id, got[id], want[id])
			}
		}
		t.Errorf("series %v", got)
	}
}

func TestVersionLinks(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"v1: https://lore.kernel.org/r/20240101-a@k.org", []string{"20240101-a@k.org"}},
		{"- Link to v1: https://lore.kernel.org/r/20240101-b4-x-v1-0-abc@kernel.org", []string{"20240101-b4-x-v1-0-abc@kernel.org"}},
		{"Changes since v2:\n  https://lore.kernel.org/linux-rdma/a%40b/", []string{"a@b"}},
		{"V1 -> V2: <https://lore.kernel.org/all/x@y/>.", []string{"x@y"}},
		{"Previous version at https://patchwork.kernel.org/project/linux-rdma/patch/p@q/", []string{"p@q"}},
		{"Changes in v3 [2]:\n\n[1] https://lore.kernel.org/r/one@x\n[2]: https://lore.kernel.org/r/two@x", []string{"two@x"}},
		{"Link: https://lore.kernel.org/r/self@x", nil},
		{"Link: https://lore.kernel.org/r/20240101-b4-x-v1-0-abc@kernel.org", nil},
		{"See https://github.com/linux-rdma/rdma-core/pull/1234 for v2 of rdma-core", nil},
		{"v1: https://lore.kernel.org/linux-rdma/?q=foo", nil},
		{"KVM v10 (https://lore.kernel.org/r/a@b)", []string{"a@b"}},
		{"revision: https://lore.kernel.org/r/a@b", nil},
	}
	for _, c := range cases {
		if got := versionLinks(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("versionLinks(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestNormTitle(t *testing.T) {
	if a, b := normTitle("RDMA/mlx5: Fix  the  thing."), normTitle(" rdma/mlx5: fix the thing"); a != b || strings.Contains(a, "  ") {
		t.Errorf("%q != %q", a, b)
	}
}
