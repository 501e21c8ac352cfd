package main

import (
	"slices"
	"strings"

	"github.com/kdelta/kdelta/project"
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
			d := project.EditDistance(l, strings.ToLower(c))
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
