package mbox

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubject(t *testing.T) {
	p := func(prefixes ...string) []string { return prefixes }
	cases := []struct {
		subject string
		want    Tags
	}{
		{"[PATCH rdma-next v3 02/10] RDMA/mlx5: Add support for DMABUF MR registrations with Data-direct",
			Tags{Patch: true, Prefixes: p("PATCH", "rdma-next"), Version: 3, Index: 2, Total: 10, Title: "RDMA/mlx5: Add support for DMABUF MR registrations with Data-direct"}},
		{"[PATCH for-next v2 3/7] RDMA/rxe: Remove the direct link to net_device",
			Tags{Patch: true, Prefixes: p("PATCH", "for-next"), Version: 2, Index: 3, Total: 7, Title: "RDMA/rxe: Remove the direct link to net_device"}},
		{"[PATCH rdma-rc] RDMA/irdma: Fix Passthrough mode in VM",
			Tags{Patch: true, Prefixes: p("PATCH", "rdma-rc"), Version: 1, Title: "RDMA/irdma: Fix Passthrough mode in VM"}},
		{"[PATCH RESEND v2] RDMA/hns: Fix soft lockup under heavy CEQE load",
			Tags{Patch: true, Prefixes: p("PATCH", "RESEND"), Version: 2, Title: "RDMA/hns: Fix soft lockup under heavy CEQE load"}},
		{"Re: [PATCH rdma-next 2/3] RDMA/mlx5: Query DMA handle capabilities",
			Tags{Patch: true, Reply: true, Prefixes: p("PATCH", "rdma-next"), Version: 1, Index: 2, Total: 3, Title: "RDMA/mlx5: Query DMA handle capabilities"}},
		{"[PATCH v2 0/3] RDMA/bnxt_re: Congestion control settings",
			Tags{Patch: true, Prefixes: p("PATCH"), Version: 2, Index: 0, Total: 3, Title: "RDMA/bnxt_re: Congestion control settings"}},
		{"[RFC PATCH v3 1/2] RDMA/core: Introduce the ib_frmr pool",
			Tags{Patch: true, RFC: true, Prefixes: p("RFC", "PATCH"), Version: 3, Index: 1, Total: 2, Title: "RDMA/core: Introduce the ib_frmr pool"}},
		{"[PATCH 01/10] IB/hfi1: Remove unused struct members",
			Tags{Patch: true, Prefixes: p("PATCH"), Version: 1, Index: 1, Total: 10, Title: "IB/hfi1: Remove unused struct members"}},
		{"[PATCH v2 net-next 1/3] net/mlx5e: Use the new DMA handle",
			Tags{Patch: true, Prefixes: p("PATCH", "net-next"), Version: 2, Index: 1, Total: 3, Title: "net/mlx5e: Use the new DMA handle"}},
		{"[PATCH net-next V4 07/15] net/mlx5: HWS, Fix matcher action template attach",
			Tags{Patch: true, Prefixes: p("PATCH", "net-next"), Version: 4, Index: 7, Total: 15, Title: "net/mlx5: HWS, Fix matcher action template attach"}},
		{"RE: [PATCH] RDMA/mana_ib: Use v2 of the create rc qp command",
			Tags{Patch: true, Reply: true, Prefixes: p("PATCH"), Version: 1, Title: "RDMA/mana_ib: Use v2 of the create rc qp command"}},
		{"Aw: Re: [PATCH v2] RDMA/siw: Fix a sparse warning",
			Tags{Patch: true, Reply: true, Prefixes: p("PATCH"), Version: 2, Title: "RDMA/siw: Fix a sparse warning"}},
		{"[PATCHv2 1/2] IB/srp: Fix a memory leak",
			Tags{Patch: true, Prefixes: p("PATCH"), Version: 2, Index: 1, Total: 2, Title: "IB/srp: Fix a memory leak"}},
		{"[PATCH][next] RDMA/qedr: Fix a spelling mistake",
			Tags{Patch: true, Prefixes: p("PATCH", "next"), Version: 1, Title: "RDMA/qedr: Fix a spelling mistake"}},
		{"[RFC] RDMA/core: Per-port counters in sysfs",
			Tags{Patch: true, RFC: true, Prefixes: p("RFC"), Version: 1, Title: "RDMA/core: Per-port counters in sysfs"}},
		{"[PATCH rdma-next 1/3 v2] RDMA/efa: Add shutdown notifier",
			Tags{Patch: true, Prefixes: p("PATCH", "rdma-next"), Version: 2, Index: 1, Total: 3, Title: "RDMA/efa: Add shutdown notifier"}},
		{"[GIT PULL] Please pull RDMA subsystem changes",
			Tags{Prefixes: p("GIT", "PULL"), Version: 1, Title: "Please pull RDMA subsystem changes"}},
		{"[ANNOUNCE] rdma-core v52.0", Tags{Prefixes: p("ANNOUNCE"), Version: 1, Title: "rdma-core v52.0"}},
		{"RDMA/rxe: Fix the qp flush warnings in req", Tags{Version: 1, Title: "RDMA/rxe: Fix the qp flush warnings in req"}},
		{"Re[2]: [PATCH v3 4/4] RDMA/erdma: Support RoCEv2", Tags{Patch: true, Reply: true, Prefixes: p("PATCH"), Version: 3, Index: 4, Total: 4, Title: "RDMA/erdma: Support RoCEv2"}},
		{"Fwd: [PATCH] IB/mlx4: Fix a UAF", Tags{Patch: true, Reply: true, Prefixes: p("PATCH"), Version: 1, Title: "IB/mlx4: Fix a UAF"}},
		// A bad counter is not one; an unclosed bracket is title.
		{"[PATCH 5/3] foo", Tags{Patch: true, Prefixes: p("PATCH", "5/3"), Version: 1, Title: "foo"}},
		{"[PATCH v2 1/0] foo", Tags{Patch: true, Prefixes: p("PATCH", "1/0"), Version: 2, Title: "foo"}},
		{"[PATCH v2 unclosed", Tags{Version: 1, Title: "[PATCH v2 unclosed"}},
		{"[PATCH v0] foo", Tags{Patch: true, Prefixes: p("PATCH", "v0"), Version: 1, Title: "foo"}},
		{"[PATCH v2.1 2/2] foo", Tags{Patch: true, Prefixes: p("PATCH"), Version: 2, Index: 2, Total: 2, Title: "foo"}},
		{"[EXTERNAL] RE: [PATCH,v2,net-next,3/4] foo", Tags{Patch: true, Reply: true, Prefixes: p("EXTERNAL", "PATCH", "net-next"), Version: 2, Index: 3, Total: 4, Title: "foo"}},
		{"Reply: this is a title", Tags{Version: 1, Title: "Reply: this is a title"}},
		{"", Tags{Version: 1}},
	}
	for _, c := range cases {
		got := ParseSubject(c.subject)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSubject(%q)\n got %+v\nwant %+v", c.subject, got, c.want)
		}
	}
}

func TestCover(t *testing.T) {
	for s, want := range map[string]bool{
		"[PATCH v2 0/3] x": true, "[PATCH 00/10] x": true, "[PATCH 1/3] x": false,
		"[PATCH] x": false, "Re: [PATCH 0/3] x": true,
	} {
		if got := ParseSubject(s).Cover(); got != want {
			t.Errorf("Cover(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{
		"[PATCH rdma-next v3 02/10] RDMA/mlx5: x", "Re: [PATCH v2 0/3] x", "[RFC PATCH v3 1/2] x",
		"[PATCH 01/10]", "[PATCHv2 9999/9999] x", "Re[2]: Aw: [PATCH] [net] y", "[", "[]", "[v99999 1/2]",
		"[PATCH 000001/2] x", "[PATCH-v2,1/1] x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg := ParseSubject(s)
		if tg.Version < 1 {
			t.Errorf("%q: Version %d < 1", s, tg.Version)
		}
		if tg.Index < 0 || tg.Total < 0 {
			t.Errorf("%q: negative counter %d/%d", s, tg.Index, tg.Total)
		}
		if tg.Total > 0 && tg.Index > tg.Total {
			t.Errorf("%q: Index %d > Total %d", s, tg.Index, tg.Total)
		}
		if tg.Total == 0 && tg.Index != 0 {
			t.Errorf("%q: Index %d without Total", s, tg.Index)
		}
		if tg.Total > 0 && !tg.Patch {
			t.Errorf("%q: counter without Patch", s)
		}
		if tg.RFC && !tg.Patch {
			t.Errorf("%q: RFC without Patch", s)
		}
		if !strings.Contains(s, tg.Title) || tg.Title != trimSpace(tg.Title) {
			t.Errorf("%q: Title %q is not a trimmed part of the subject", s, tg.Title)
		}
		for _, p := range tg.Prefixes {
			if p == "" || strings.ContainsAny(p, "[], \t\n") {
				t.Errorf("%q: bad prefix %q", s, p)
			}
		}
		if again := ParseSubject(s); !reflect.DeepEqual(again, tg) {
			t.Errorf("%q: not deterministic", s)
		}
	})
}
