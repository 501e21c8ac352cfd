package delta

import (
	"slices"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

// TestCopiesCountOnce: an upstream with a stable branch among its refs
// holds each stable backport twice, the mainline commit and its copy
// ("commit X upstream."). The delta lists the change once, under the
// mainline commit: missing once when the downstream lacks it, not missing
// when the downstream carries either, and a copy of a commit the
// downstream has by ancestry is not missing at all.
func TestCopiesCountOnce(t *testing.T) {
	at := func(n int) time.Time { return time.Date(2024, 1, n, 0, 0, 0, 0, time.UTC) }
	commit := func(id string, day int, refs ...string) *change.Fingerprint {
		fp := &change.Fingerprint{ID: id, Subject: "RDMA/core: Fix " + id[:4], CommitTime: at(day), Components: []string{"core"}}
		for _, r := range refs {
			fp.Trailers.Upstream = append(fp.Trailers.Upstream, change.Ref{ID: r, Style: change.CommitUpstream})
		}
		return fp
	}
	const (
		x    = "aaaa000000000000000000000000000000000001" // mainline
		copy = "bbbb000000000000000000000000000000000002" // its copy on linux-6.1.y
		y    = "cccc000000000000000000000000000000000003" // mainline, before the base
		ycp  = "dddd000000000000000000000000000000000004" // its copy after the base
		dcp  = "eeee000000000000000000000000000000000005" // the downstream's backport
	)
	upstream := []*change.Fingerprint{commit(x, 2), commit(copy, 3, x), commit(ycp, 4, y)}
	known := append(slices.Clone(upstream), commit(y, 1))
	for _, tc := range []struct {
		name                string
		pairs               []Pair
		missing, backported []string
		carriedBy           string
	}{
		{"downstream lacks it", nil, []string{x}, nil, ""},
		{"downstream backported the mainline commit", []Pair{{Downstream: dcp, Upstream: []string{x}}}, nil, []string{x}, dcp},
		{"downstream backported the stable copy", []Pair{{Downstream: dcp, Upstream: []string{copy}}}, nil, []string{x}, dcp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Upstream: upstream, Known: known, Pairs: tc.pairs,
				Downstream: []*change.Fingerprint{commit(dcp, 5)},
				Has:        func(id string) bool { return id == y }}
			if tc.pairs == nil {
				in.Downstream = nil
			}
			d := Compute(in)[0]
			if got := ids(d.Missing); !slices.Equal(got, tc.missing) {
				t.Errorf("missing %q; want %q", got, tc.missing)
			}
			if got := ids(d.Backported); !slices.Equal(got, tc.backported) {
				t.Errorf("backported %q; want %q", got, tc.backported)
			}
			if tc.carriedBy != "" && (len(d.Backported) != 1 || !slices.Equal(d.Backported[0].Carried, []string{tc.carriedBy})) {
				t.Errorf("backported %+v; want %.4s carried by %.4s", d.Backported, x, tc.carriedBy)
			}
			if len(d.DownstreamOnly) != 0 {
				t.Errorf("downstream-only %q; want none", ids(d.DownstreamOnly))
			}
		})
	}
}
