package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
)

// Squashes and splits. A downstream commit that carries several upstream
// commits lists each with the share of its own lines that part explains;
// an upstream commit carried in parts by several downstream commits makes
// each part a partial match that names the others.

// linesOf is a commit's changed lines: the bits say added, removed.
func linesOf(f *change.Fingerprint) map[uint64]uint8 {
	out := map[uint64]uint8{}
	for _, fl := range f.Files {
		for _, h := range fl.Plus {
			out[h] |= inPlus
		}
		for _, h := range fl.Minus {
			out[h] |= inMinus
		}
	}
	return out
}

// countLines is how many lines (each way) a line set holds.
func countLines(ls map[uint64]uint8) int {
	n := 0
	for _, b := range ls {
		n += int(b&inPlus) + int(b&inMinus>>1)
	}
	return n
}

// common is how many of a's lines b changes the same way.
func common(a, b map[uint64]uint8) int {
	n := 0
	for h, x := range a {
		y := b[h]
		n += int(x & y & inPlus)
		n += int(x & y & inMinus >> 1)
	}
	return n
}

// shareParts adds to a match with several upstream commits the share of
// the downstream commit's lines each explains.
func (ix *Index) shareParts(res *Match, d *change.Fingerprint) {
	if len(res.Upstream) < 2 {
		return
	}
	dl := linesOf(d)
	total := countLines(dl)
	if total == 0 {
		return
	}
	var parts []string
	for _, id := range res.Upstream {
		k, ok := ix.byID[strings.ToLower(id)]
		if !ok {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", change.Short(id), 100*float64(common(dl, linesOf(ix.ups[k])))/float64(total)))
	}
	res.Why += "; each part's share of this change's lines: " + strings.Join(parts, ", ")
}

// splitWhole: a downstream commit that has this share of an upstream
// commit's lines carries it whole, not a part of it.
const splitWhole = 0.95

// markSplits finds the upstream commits that several downstream commits
// carry in parts (each a strict part of its lines, together more than any
// one), and makes each part a partial match naming its siblings.
func (ix *Index) markSplits(out []Match, down []*change.Fingerprint) {
	by := map[string][]int{}
	for i, m := range out {
		switch m.Method {
		case MethodManual, MethodRevert, MethodNone, MethodDuplicate, MethodUpstreamed:
			continue
		}
		if len(m.Upstream) == 1 {
			by[m.Upstream[0]] = append(by[m.Upstream[0]], i)
		}
	}
	ids := make([]string, 0, len(by))
	for id, is := range by {
		if len(is) > 1 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		is := by[id]
		k := ix.byID[strings.ToLower(id)]
		ul := linesOf(ix.ups[k])
		total := countLines(ul)
		if total == 0 {
			continue
		}
		shares := make([]float64, len(is))
		union := map[uint64]uint8{}
		whole := false
		for j, i := range is {
			dl := linesOf(down[i])
			shares[j] = float64(common(ul, dl)) / float64(total)
			whole = whole || shares[j] >= splitWhole
			for h, b := range dl {
				union[h] |= b
			}
		}
		together := float64(common(ul, union)) / float64(total)
		if whole || together <= maxOf(shares)+0.01 {
			continue // copies of the whole, or parts that overlap
		}
		for j, i := range is {
			var sib []string
			for jj, ii := range is {
				if jj != j {
					sib = append(sib, fmt.Sprintf("%s (%.0f%%)", change.Short(out[ii].Downstream), 100*shares[jj]))
				}
			}
			m := &out[i]
			m.Why = fmt.Sprintf("part of %s, split across downstream commits: this one carries %.0f%% of its lines, with %s (found by %s); %s",
				change.Short(id), 100*shares[j], strings.Join(sib, ", "), m.Method, m.Why)
			m.Method = MethodPartial
		}
	}
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
