package project

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
)

// hashVersion names the matching rules; bump it when Classify's semantics
// change so that stores redo their classification.
const hashVersion = "kdelta-components-1"

// Components is a compiled component map: the default map merged with a
// project file's entries. It is immutable and safe for concurrent use.
type Components struct {
	names    []string // sorted; includes Other
	other    int32
	specs    []ComponentSpec
	scope    map[string][]string
	layouts  map[string]*layoutMatcher
	fallback *layoutMatcher // for layouts not known: whole tree, no paths
	hash     string
}

// Components returns the default component map merged with the project
// file's [[component]] entries: an entry with a new name adds a component;
// one with a default's name replaces the patterns of each layout it gives
// and, if it gives subjects, the subjects.
func (c *Config) Components() (*Components, error) {
	cs, err := newComponents(mergeSpecs(DefaultComponents(), c.ComponentSpecs), defaultScope())
	if err != nil {
		return nil, &Error{File: c.File, Msg: err.Error()}
	}
	return cs, nil
}

// NewComponents compiles exactly the given specs (no default map) with the
// default scope of each layout.
func NewComponents(specs []ComponentSpec) (*Components, error) {
	return newComponents(cloneSpecs(specs), defaultScope())
}

func cloneSpecs(specs []ComponentSpec) []ComponentSpec {
	out := make([]ComponentSpec, len(specs))
	for i, s := range specs {
		out[i] = ComponentSpec{Name: s.Name}
		if s.Paths != nil {
			out[i].Paths = make(map[string][]string, len(s.Paths))
			for l, ps := range s.Paths {
				out[i].Paths[l] = append([]string{}, ps...)
			}
		}
		if s.Subjects != nil {
			out[i].Subjects = append([]string{}, s.Subjects...)
		}
	}
	return out
}

// mergeSpecs applies overrides to base (see Config.Components).
func mergeSpecs(base, over []ComponentSpec) []ComponentSpec {
	out := cloneSpecs(base)
	at := make(map[string]int, len(out))
	for i, s := range out {
		at[s.Name] = i
	}
	for _, o := range cloneSpecs(over) {
		i, ok := at[o.Name]
		if !ok {
			at[o.Name] = len(out)
			out = append(out, o)
			continue
		}
		if out[i].Paths == nil && o.Paths != nil {
			out[i].Paths = map[string][]string{}
		}
		for l, ps := range o.Paths {
			out[i].Paths[l] = ps
		}
		if o.Subjects != nil {
			out[i].Subjects = o.Subjects
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// claim says that a pattern claims a path for component comp (-1 for a
// scope root) with the given specificity.
type claim struct {
	comp   int32
	spec   int32
	lit    string // for globs: the literal text before the first wildcard
	glob   []gtok // nil for directory and file patterns
	simple bool   // glob has at most one star: matchSimple is safe
}

// layoutMatcher finds the components of paths in one layout. Patterns hang
// on a tree of directories, so a path is tried only against the patterns of
// the directories it lies in, and a walk stops at the first directory no
// pattern mentions.
type layoutMatcher struct {
	all      bool // the whole tree is in scope
	root     dirNode
	prefixes []string
	names    []string
	subjects subjectMatcher // keywords of the components in this layout
}

type dirNode struct {
	children map[string]*dirNode
	dir      []claim            // "this/dir/" patterns: everything under it
	globs    []claim            // globs whose literal directory is this one
	files    map[string][]claim // literal files in this directory, by base name
}

// node returns the node of directory d ("a/b/" or "" for the top),
// creating it.
func (m *layoutMatcher) node(d string) *dirNode {
	n := &m.root
	for _, seg := range strings.Split(strings.TrimSuffix(d, "/"), "/") {
		if seg == "" {
			continue
		}
		if n.children == nil {
			n.children = map[string]*dirNode{}
		}
		c := n.children[seg]
		if c == nil {
			c = &dirNode{}
			n.children[seg] = c
		}
		n = c
	}
	return n
}

func (m *layoutMatcher) add(p pattern, comp int32) {
	cl := claim{comp: comp, spec: int32(len(p.lit))}
	switch p.kind {
	case patFile:
		i := strings.LastIndexByte(p.text, '/')
		n := m.node(p.text[:i+1])
		if n.files == nil {
			n.files = map[string][]claim{}
		}
		n.files[p.text[i+1:]] = append(n.files[p.text[i+1:]], cl)
	case patDir:
		n := m.node(p.text)
		n.dir = append(n.dir, cl)
	default:
		cl.glob, cl.lit, cl.simple = p.glob, p.lit, simpleGlob(p.glob)
		n := m.node(p.dir())
		n.globs = append(n.globs, cl)
	}
}

// inLayout reports whether a component exists in a layout: it lists the
// layout under paths (even with no patterns: then only its subjects find it
// there), or it has no paths at all and so is found by subject everywhere.
// For ofed, listing linux is enough.
func inLayout(s ComponentSpec, layout string) bool {
	if len(s.Paths) == 0 {
		return true
	}
	_, ok := s.Paths[layout]
	if !ok && layout == LayoutOFED {
		_, ok = s.Paths[LayoutLinux]
	}
	return ok
}

// layoutPatterns returns a spec's patterns in a layout: for ofed, its linux
// patterns followed by its ofed ones.
func layoutPatterns(s ComponentSpec, layout string) []string {
	if layout == LayoutOFED {
		return append(append([]string(nil), s.Paths[LayoutLinux]...), s.Paths[LayoutOFED]...)
	}
	return s.Paths[layout]
}

func newComponents(specs []ComponentSpec, scope map[string][]string) (*Components, error) {
	c := &Components{specs: specs, scope: scope, layouts: map[string]*layoutMatcher{}}
	seen := map[string]bool{}
	for _, s := range specs {
		switch {
		case s.Name == Other:
			return nil, fmt.Errorf("component %q: the name is reserved for files no component claims", s.Name)
		case !validName(s.Name):
			return nil, fmt.Errorf("component %q: name must start with a letter or digit and use only letters, digits, '.', '_' and '-'", s.Name)
		case seen[s.Name]:
			return nil, fmt.Errorf("component %q is defined twice", s.Name)
		}
		seen[s.Name] = true
		for l := range s.Paths {
			if !oneOf(l, layouts) {
				return nil, fmt.Errorf("component %q: paths key %q is not one of %s", s.Name, l, strings.Join(layouts, ", "))
			}
		}
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	for _, s := range specs {
		c.names = append(c.names, s.Name)
	}
	c.names = append(c.names, Other)
	sort.Strings(c.names)
	index := make(map[string]int32, len(c.names))
	for i, n := range c.names {
		index[n] = int32(i)
	}
	c.other = index[Other]

	for _, layout := range layouts {
		m := &layoutMatcher{}
		roots, scoped := scope[layout]
		m.all = !scoped
		var dirs []string // literal directories of the scope, for Prefixes
		for _, r := range roots {
			p, err := compilePattern(r)
			if err != nil {
				return nil, fmt.Errorf("scope of layout %s: pattern %q %v", layout, r, err)
			}
			m.add(p, -1)
			dirs = append(dirs, prefixOf(p))
		}
		names := []string{Other}
		for _, s := range specs {
			if !inLayout(s, layout) {
				continue
			}
			comp := index[s.Name]
			names = append(names, s.Name)
			for _, text := range layoutPatterns(s, layout) {
				p, err := compilePattern(text)
				if err != nil {
					return nil, fmt.Errorf("component %q: %s pattern %q %v", s.Name, layout, text, err)
				}
				m.add(p, comp)
				dirs = append(dirs, prefixOf(p))
			}
			if err := m.subjects.addAll(s, comp); err != nil {
				return nil, err
			}
		}
		if m.all {
			m.prefixes = []string{""}
		} else {
			m.prefixes = minimalPrefixes(dirs)
		}
		sort.Strings(names)
		m.names = names
		c.layouts[layout] = m
	}
	c.fallback = &layoutMatcher{all: true, prefixes: []string{""}, names: []string{Other}}
	for _, s := range specs {
		if len(s.Paths) == 0 {
			c.fallback.names = append(c.fallback.names, s.Name)
			if err := c.fallback.subjects.addAll(s, index[s.Name]); err != nil {
				return nil, err
			}
		}
	}
	sort.Strings(c.fallback.names)
	c.hash = c.computeHash()
	return c, nil
}

// topOnly is prefixOf's answer for a pattern that matches only files in
// the top directory, which a walk looks at anyway.
const topOnly = "\x00top"

// prefixOf returns the literal directory a tree walk must enter to find
// what p matches: "" for every directory (a pattern starting with a
// wildcard that can cross directories), or topOnly.
func prefixOf(p pattern) string {
	d := p.dir()
	if p.kind == patGlob && (strings.Contains(p.text[len(d):], "/") || crossesDirs(p.glob)) {
		return d // "" for "**/Kconfig", "*/x", "**.c": everything
	}
	if d == "" {
		return topOnly
	}
	return d
}

func crossesDirs(toks []gtok) bool {
	for _, t := range toks {
		if t.op == 'S' || t.op == 'D' {
			return true
		}
	}
	return false
}

// minimalPrefixes drops prefixes that lie under another.
func minimalPrefixes(dirs []string) []string {
	all := false
	var ds []string
	for _, d := range dirs {
		switch d {
		case "":
			all = true
		case topOnly:
		default:
			ds = append(ds, d)
		}
	}
	if all {
		return []string{""}
	}
	sort.Strings(ds)
	var out []string
	for _, d := range ds {
		if n := len(out); n > 0 && strings.HasPrefix(d, out[n-1]) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func (c *Components) layout(name string) *layoutMatcher {
	if m, ok := c.layouts[name]; ok {
		return m
	}
	return c.fallback
}

// lookup appends to buf the components whose most specific pattern claims
// p, and reports whether p is in scope.
func (m *layoutMatcher) lookup(p string, buf []int32) ([]int32, bool) {
	in := m.all
	best := int32(-1)
	consider := func(cs []claim, check bool) {
		for i := range cs {
			cl := &cs[i]
			if check && (!strings.HasPrefix(p, cl.lit) || !match(cl.glob, cl.simple, p)) {
				continue
			}
			in = true
			switch {
			case cl.comp < 0:
			case cl.spec > best:
				best = cl.spec
				buf = append(buf[:0], cl.comp)
			case cl.spec == best:
				buf = append(buf, cl.comp)
			}
		}
	}
	n := &m.root
	consider(n.globs, true)
	for start := 0; ; {
		slash := strings.IndexByte(p[start:], '/')
		if slash < 0 {
			if cs, ok := n.files[p[start:]]; ok {
				consider(cs, false)
			}
			break
		}
		c := n.children[p[start:start+slash]]
		if c == nil {
			break
		}
		n, start = c, start+slash+1
		if start < len(p) {
			consider(n.dir, false)
		}
		consider(n.globs, true)
	}
	return buf, in
}

// Classify returns the components of a change that touches paths and has
// the given subject, sorted and without duplicates. Each path belongs to
// the components whose most specific pattern claims it, or to Other when it
// is in scope and none does; paths out of scope add nothing. Subject
// keywords add their components, among those that exist in the layout (see
// Names). A change that touches paths but none in
// scope belongs to no component (nil); a change that touches no path at all
// gets its subject's components, or Other.
//
// An unknown layout is treated like custom with no patterns.
func (c *Components) Classify(layout string, paths []string, subject string) []string {
	m := c.layout(layout)
	var small [4]uint64
	set := small[:]
	if n := (len(c.names) + 63) / 64; n > len(small) {
		set = make([]uint64, n)
	}
	add := func(i int32) { set[i>>6] |= 1 << (uint(i) & 63) }
	var buf [16]int32
	inScope := false
	for _, p := range paths {
		got, in := m.lookup(p, buf[:0])
		if !in {
			continue
		}
		inScope = true
		if len(got) == 0 {
			add(c.other)
		}
		for _, i := range got {
			add(i)
		}
	}
	if len(paths) > 0 && !inScope {
		return nil
	}
	found := m.subjects.match(subject, add)
	if len(paths) == 0 && !found {
		add(c.other)
	}
	n := 0
	for _, word := range set {
		n += bits.OnesCount64(word)
	}
	out := make([]string, 0, n)
	for w, word := range set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			out = append(out, c.names[w*64+b])
			word &= word - 1
		}
	}
	return out
}

// InScope reports whether path is part of the RDMA stack in layout.
func (c *Components) InScope(layout, path string) bool {
	m := c.layout(layout)
	if m.all {
		return true
	}
	var buf [16]int32
	_, in := m.lookup(path, buf[:0])
	return in
}

// Prefixes returns the literal directory prefixes ("drivers/infiniband/")
// that cover the scope of layout, sorted, none under another. A tree walk
// needs to descend only into directories that are a prefix of, or lie under,
// one of them (the top directory's own files are always looked at). [""]
// means the whole tree.
func (c *Components) Prefixes(layout string) []string {
	return append([]string(nil), c.layout(layout).prefixes...)
}

// Names returns the components that exist in layout, sorted: those that list
// the layout under paths (for ofed, linux or ofed), those with no paths at
// all (found by subject anywhere), and Other. Classify returns only these.
func (c *Components) Names(layout string) []string {
	return append([]string(nil), c.layout(layout).names...)
}

// Specs returns the effective component entries, sorted by name.
func (c *Components) Specs() []ComponentSpec {
	return cloneSpecs(c.specs)
}

// Hash returns a digest of the effective map (patterns, subjects, scope and
// matching rules), so a store can tell when classification must be redone.
func (c *Components) Hash() string { return c.hash }

func (c *Components) computeHash() string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			fmt.Fprintf(h, "%d:%s", len(p), p)
		}
		h.Write([]byte{'\n'})
	}
	w(hashVersion)
	for _, l := range layouts {
		roots, ok := c.scope[l]
		if !ok {
			w("scope", l, "all")
			continue
		}
		roots = append([]string(nil), roots...)
		sort.Strings(roots)
		w(append([]string{"scope", l}, roots...)...)
	}
	for _, s := range c.specs {
		w("component", s.Name)
		for _, l := range layouts {
			ps, ok := s.Paths[l]
			if !ok {
				continue
			}
			ps = append([]string(nil), ps...)
			sort.Strings(ps)
			w(append([]string{"paths", l}, ps...)...)
		}
		ks := make([]string, 0, len(s.Subjects))
		for _, k := range s.Subjects {
			ks = append(ks, strings.ToLower(strings.TrimSpace(k)))
		}
		sort.Strings(ks)
		w(append([]string{"subjects"}, ks...)...)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// keyword is a compiled subject keyword: words to find in a row, the last
// one possibly a prefix.
type keyword struct {
	words  []string
	prefix bool
	comp   int32
}

func parseKeyword(s string) (keyword, error) {
	t := strings.TrimSpace(s)
	prefix := strings.HasSuffix(t, "*")
	t = strings.TrimSuffix(t, "*")
	if strings.Contains(t, "*") {
		return keyword{}, errors.New(`uses "*" other than at the end; expected a word like "mlx5" or a prefix like "roce*"`)
	}
	var words []string
	forWords(t, func(i, j int) { words = append(words, lowerASCII(t[i:j])) })
	if len(words) == 0 {
		return keyword{}, errors.New(`has no letters or digits; expected a word like "mlx5"`)
	}
	if prefix && !isWordByte(t[len(t)-1]) {
		return keyword{}, errors.New(`has "*" after a non-word character; expected a prefix like "roce*"`)
	}
	return keyword{words: words, prefix: prefix}, nil
}

// isWordByte: letters and digits; bytes of non-ASCII characters count as
// letters.
func isWordByte(c byte) bool { return isAlnum(c) || c >= 0x80 }

// forWords calls fn with the bounds of each word of s.
func forWords(s string, fn func(i, j int)) {
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		fn(i, j)
		i = j
	}
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFold compares a subject word with a lowercase keyword word.
func equalFold(word, kw string) bool {
	if len(word) != len(kw) {
		return false
	}
	return hasPrefixFold(word, kw)
}

func hasPrefixFold(word, kw string) bool {
	if len(word) < len(kw) {
		return false
	}
	for i := 0; i < len(kw); i++ {
		c := word[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

// subjectMatcher finds keywords in subjects: keywords are indexed by their
// first word, except one-word prefixes, which are few and tried in turn.
type subjectMatcher struct {
	byFirst  map[string][]keyword
	prefixes []keyword
}

// addAll adds the subject keywords of component s, numbered comp.
func (sm *subjectMatcher) addAll(s ComponentSpec, comp int32) error {
	for _, k := range s.Subjects {
		kw, err := parseKeyword(k)
		if err != nil {
			return fmt.Errorf("component %q: subject %q %v", s.Name, k, err)
		}
		kw.comp = comp
		sm.add(kw)
	}
	return nil
}

func (sm *subjectMatcher) add(k keyword) {
	if k.prefix && len(k.words) == 1 {
		sm.prefixes = append(sm.prefixes, k)
		return
	}
	if sm.byFirst == nil {
		sm.byFirst = map[string][]keyword{}
	}
	sm.byFirst[k.words[0]] = append(sm.byFirst[k.words[0]], k)
}

// match calls set with the component of every keyword found in subject and
// reports whether there was any.
func (sm *subjectMatcher) match(subject string, set func(int32)) bool {
	if subject == "" || sm.byFirst == nil && sm.prefixes == nil {
		return false
	}
	var spans [48][2]int
	words := spans[:0]
	forWords(subject, func(i, j int) { words = append(words, [2]int{i, j}) })
	found := false
	var low [64]byte
	for wi, sp := range words {
		w := subject[sp[0]:sp[1]]
		for _, k := range sm.prefixes {
			if hasPrefixFold(w, k.words[0]) {
				set(k.comp)
				found = true
			}
		}
		if len(w) > len(low) {
			continue
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		for _, k := range sm.byFirst[string(low[:len(w)])] {
			if wi+len(k.words) > len(words) {
				continue
			}
			ok := true
			for n := 1; n < len(k.words) && ok; n++ {
				next := subject[words[wi+n][0]:words[wi+n][1]]
				if n == len(k.words)-1 && k.prefix {
					ok = hasPrefixFold(next, k.words[n])
				} else {
					ok = equalFold(next, k.words[n])
				}
			}
			if ok {
				set(k.comp)
				found = true
			}
		}
	}
	return found
}
