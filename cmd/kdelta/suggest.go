package main

import (
	"slices"
	"strings"
)

// didYouMean returns the candidates a mistyped name most likely meant,
// best first, at most n: those containing it (or contained in it), else
// those a typo or two away. Case is ignored.
func didYouMean(name string, candidates []string, n int) []string {
	l := strings.ToLower(name)
	var near []string
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if l != "" && lc != "" && (strings.Contains(lc, l) || strings.Contains(l, lc)) && !slices.Contains(near, c) {
			near = append(near, c)
		}
	}
	if len(near) == 0 {
		best := -1
		for _, c := range candidates {
			d := typos(l, strings.ToLower(c))
			limit := 2
			if len(c) <= 4 {
				limit = 1
			}
			switch {
			case d > limit || best >= 0 && d > best:
			case d == best:
				near = append(near, c)
			default:
				best, near = d, []string{c}
			}
		}
	}
	if len(near) > n {
		near = near[:n]
	}
	return near
}

// typos is the number of edits (insertions, deletions, substitutions and
// swaps of neighbours) between a and b; long names are only equal or far.
func typos(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// quoteList quotes names and joins them for a "did you mean" hint.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, s := range names {
		q[i] = `"` + s + `"`
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
