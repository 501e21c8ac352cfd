package project

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A pattern is compiled once into one of three forms: a directory prefix
// ("drivers/infiniband/core/"), a literal file, or a glob.

// maxStars bounds the wildcards of one pattern; more is never needed.
const maxStars = 6

type patKind uint8

const (
	patDir  patKind = iota // ends in "/": every path under it
	patFile                // no wildcard: that path
	patGlob                // a glob
)

type pattern struct {
	kind patKind
	text string // the pattern as written
	lit  string // literal text before the first wildcard
	glob []gtok // for patGlob
}

// checkPattern says what is wrong with a component path pattern, or returns
// nil. Patterns are relative, clean, slash-separated paths.
func checkPattern(p string) error {
	_, err := compilePattern(p)
	return err
}

func compilePattern(p string) (pattern, error) {
	switch {
	case p == "":
		return pattern{}, errors.New("is empty")
	case strings.HasPrefix(p, "/"):
		return pattern{}, errors.New("is absolute; expected a path relative to the top of the tree")
	case strings.Contains(p, `\`):
		return pattern{}, errors.New(`contains "\"; expected "/" between directories`)
	case !utf8.ValidString(p) || strings.ContainsAny(p, "\x00\n\r"):
		return pattern{}, errors.New("contains invalid characters")
	}
	segs := strings.Split(strings.TrimSuffix(p, "/"), "/")
	for _, s := range segs {
		switch s {
		case "..":
			return pattern{}, errors.New(`contains ".."; expected a path inside the tree`)
		case ".", "":
			return pattern{}, errors.New(`is not a clean path (empty or "." part); expected a form like "drivers/infiniband/hw/mlx5/"`)
		}
	}
	meta := strings.IndexAny(p, "*?[")
	if meta < 0 {
		if strings.HasSuffix(p, "/") {
			return pattern{kind: patDir, text: p, lit: p}, nil
		}
		return pattern{kind: patFile, text: p, lit: p}, nil
	}
	toks, err := parseGlob(p)
	if err != nil {
		return pattern{}, err
	}
	stars := 0
	for _, t := range toks {
		if t.op == '*' || t.op == 'S' || t.op == 'D' {
			stars++
		}
	}
	if stars > maxStars {
		return pattern{}, fmt.Errorf("has more than %d \"*\" wildcards", maxStars)
	}
	if strings.HasSuffix(p, "/") {
		// A directory glob ("drivers/*/mlx5/"): everything under what it matches.
		toks = append(toks, gtok{op: 'S'})
	}
	return pattern{kind: patGlob, text: p, lit: p[:meta], glob: toks}, nil
}

// dir returns the literal directory a pattern lives under ("" for the top):
// the directory part of its literal prefix.
func (p pattern) dir() string {
	if p.kind == patDir {
		return p.text
	}
	return p.lit[:strings.LastIndexByte(p.lit, '/')+1]
}

// gtok is one token of a compiled glob.
type gtok struct {
	op     byte   // 'l' literal, '*' star, 'S' "**", 'D' "**/" (zero or more directories), '?' one rune, '[' class
	lit    string // for 'l'
	neg    bool   // for '['
	ranges []rune // for '[': lo, hi pairs
}

// parseGlob compiles path.Match syntax, where "**" also crosses "/".
// Backslash escapes are refused by compilePattern before this.
func parseGlob(p string) ([]gtok, error) {
	var toks []gtok
	for i := 0; i < len(p); {
		switch c := p[i]; c {
		case '*':
			if strings.HasPrefix(p[i:], "**") {
				j := i + 2
				for j < len(p) && p[j] == '*' {
					j++
				}
				atStart := i == 0 || p[i-1] == '/'
				if atStart && j < len(p) && p[j] == '/' {
					toks = append(toks, gtok{op: 'D'})
					i = j + 1
					continue
				}
				toks = append(toks, gtok{op: 'S'})
				i = j
				continue
			}
			if n := len(toks); n == 0 || toks[n-1].op != '*' {
				toks = append(toks, gtok{op: '*'})
			}
			i++
		case '?':
			toks = append(toks, gtok{op: '?'})
			i++
		case '[':
			t, n, err := parseClass(p[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		default:
			j := i
			for j < len(p) && !strings.ContainsRune("*?[", rune(p[j])) {
				j++
			}
			toks = append(toks, gtok{op: 'l', lit: p[i:j]})
			i = j
		}
	}
	return toks, nil
}

// parseClass compiles "[...]" at the start of s and returns its length.
func parseClass(s string) (gtok, int, error) {
	t := gtok{op: '['}
	i := 1
	if i < len(s) && s[i] == '^' {
		t.neg = true
		i++
	}
	for first := true; ; first = false {
		if i >= len(s) {
			return gtok{}, 0, fmt.Errorf("has an unterminated %q class", s)
		}
		if s[i] == ']' && !first {
			return t, i + 1, nil
		}
		if s[i] == ']' {
			return gtok{}, 0, errors.New(`has an empty "[]" class`)
		}
		if s[i] == '-' {
			return gtok{}, 0, errors.New(`has a "-" out of place in a "[...]" class`)
		}
		lo, n := utf8.DecodeRuneInString(s[i:])
		i += n
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			hi, n = utf8.DecodeRuneInString(s[i+1:])
			i += 1 + n
			if hi < lo {
				return gtok{}, 0, fmt.Errorf("has a backwards range %c-%c", lo, hi)
			}
		}
		t.ranges = append(t.ranges, lo, hi)
	}
}

// matchSimple is matchGlob for globs with at most one "*", "**" or "**/"
// (nearly all of them): a direct backtracking match, quadratic at worst.
func matchSimple(toks []gtok, name string) bool {
	for len(toks) > 0 {
		t := toks[0]
		switch t.op {
		case 'l':
			if !strings.HasPrefix(name, t.lit) {
				return false
			}
			name = name[len(t.lit):]
		case '?', '[':
			r, n := utf8.DecodeRuneInString(name)
			if n == 0 || r == '/' || t.op == '[' && !t.class(r) {
				return false
			}
			name = name[n:]
		case '*':
			for i := 0; ; i++ {
				if matchSimple(toks[1:], name[i:]) {
					return true
				}
				if i == len(name) || name[i] == '/' {
					return false
				}
			}
		case 'S':
			for i := 0; i <= len(name); i++ {
				if matchSimple(toks[1:], name[i:]) {
					return true
				}
			}
			return false
		case 'D':
			if matchSimple(toks[1:], name) {
				return true
			}
			for i := 0; i < len(name); i++ {
				if name[i] == '/' && matchSimple(toks[1:], name[i+1:]) {
					return true
				}
			}
			return false
		}
		toks = toks[1:]
	}
	return name == ""
}

// simpleGlob reports whether toks has at most one star of any kind.
func simpleGlob(toks []gtok) bool {
	n := 0
	for _, t := range toks {
		if t.op == '*' || t.op == 'S' || t.op == 'D' {
			n++
		}
	}
	return n <= 1
}

// match runs the faster matcher that is safe for toks.
func match(toks []gtok, simple bool, name string) bool {
	if simple {
		return matchSimple(toks, name)
	}
	return matchGlob(toks, name)
}

// matchGlob reports whether name matches the compiled glob. It tracks the
// set of positions in name that the tokens so far can reach, so its cost is
// linear in len(toks)*len(name) whatever the pattern (no backtracking).
func matchGlob(toks []gtok, name string) bool {
	var bufA, bufB [256]bool
	cur, next := bufA[:], bufB[:]
	if len(name)+1 > len(bufA) {
		cur, next = make([]bool, len(name)+1), make([]bool, len(name)+1)
	}
	cur, next = cur[:len(name)+1], next[:len(name)+1]
	clear(cur)
	cur[0] = true
	for _, t := range toks {
		clear(next)
		any := false
		switch t.op {
		case 'l':
			for j, ok := range cur {
				if ok && strings.HasPrefix(name[j:], t.lit) {
					next[j+len(t.lit)] = true
					any = true
				}
			}
		case '?', '[':
			for j, ok := range cur {
				if !ok || j == len(name) {
					continue
				}
				r, n := utf8.DecodeRuneInString(name[j:])
				if r == '/' || t.op == '[' && !t.class(r) {
					continue
				}
				next[j+n] = true
				any = true
			}
		case '*': // any run without "/"
			on := false
			for j := range cur {
				on = on || cur[j]
				if on {
					next[j] = true
					any = true
				}
				if j < len(name) && name[j] == '/' {
					on = false
				}
			}
		case 'S': // any run
			on := false
			for j := range cur {
				on = on || cur[j]
				next[j] = on
				any = any || on
			}
		case 'D': // nothing, or any run ending in "/"
			on := false
			for j := range cur {
				if cur[j] {
					next[j] = true
					any = true
					on = true
				}
				if on && j < len(name) && name[j] == '/' {
					next[j+1] = true
					any = true
				}
			}
		}
		if !any {
			return false
		}
		cur, next = next, cur
	}
	return cur[len(name)]
}

func (t gtok) class(r rune) bool {
	in := false
	for i := 0; i+1 < len(t.ranges); i += 2 {
		if t.ranges[i] <= r && r <= t.ranges[i+1] {
			in = true
			break
		}
	}
	return in != t.neg
}
