package project

import (
	"fmt"
	"sort"
	"strings"
)

// Other is the component of files in scope that no component claims.
const Other = "other"

// Validate fills in the defaults of fields left empty (store paths, layout,
// mirror, format), then checks the configuration. It returns the first
// problem, in file order, as an *Error.
func (c *Config) Validate() error {
	v := &validator{c: c}
	if c.Store.Path == "" {
		c.Store.Path = DefaultStorePath
	}
	if c.Store.Mirrors == "" {
		c.Store.Mirrors = DefaultMirrorDir
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Layout == "" {
			s.Layout = LayoutLinux
		}
		if s.Mirror == "" {
			s.Mirror = MirrorAuto
		}
		if s.Format == "" {
			s.Format = FormatGit
		}
	}
	v.sources()
	v.components()
	v.testRules()
	v.report()
	if v.err != nil {
		return v.err
	}
	return nil
}

type validator struct {
	c   *Config
	err *Error
}

func (v *validator) problem(line int, format string, args ...any) {
	if v.err == nil || line > 0 && (v.err.Line == 0 || line < v.err.Line) {
		v.err = &Error{File: v.c.File, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
}

// line returns the line of the first of the key paths (relative to base,
// "" for base itself) that the parse recorded.
func (v *validator) line(base string, fields ...string) int {
	for _, f := range fields {
		p := base
		if f != "" {
			p = base + "." + f
		}
		if l, ok := v.c.lines[p]; ok {
			return l
		}
	}
	return 0
}

// srcBase returns the key path of source i, or "" when the Config no
// longer matches the parse (so no line is better than a wrong one).
func (v *validator) srcBase(i int) string {
	if i < len(v.c.srcNames) && v.c.srcNames[i] == v.c.Sources[i].Name {
		return indexPath("source", i)
	}
	return "-"
}

func (v *validator) compBase(i int) string {
	if i < len(v.c.compNames) && v.c.compNames[i] == v.c.ComponentSpecs[i].Name {
		return indexPath("component", i)
	}
	return "-"
}

// validName reports whether s can name a source or a component: it is used
// on command lines and in reports.
func validName(s string) bool {
	if s == "" || len(s) > 64 || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func oneOf(s string, list []string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (v *validator) sources() {
	c := v.c
	first := map[string]int{} // name -> index
	for i := range c.Sources {
		s := &c.Sources[i]
		base := v.srcBase(i)
		who := sourceLabel(s.Name, i)
		at := func(fields ...string) int { return v.line(base, append(fields, "")...) }
		switch {
		case s.Name == "":
			v.problem(at("name"), "%s: name is missing; expected a name like \"linux\" or \"rhel9\"", who)
		case !validName(s.Name):
			v.problem(at("name"), "%s: name must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 64)", who)
		default:
			if j, dup := first[s.Name]; dup {
				msg := fmt.Sprintf("%s is defined twice; expected unique source names", who)
				if l := v.line(v.srcBase(j), "name", ""); l > 0 {
					msg = fmt.Sprintf("%s is defined twice (first at line %d); expected unique source names", who, l)
				}
				v.problem(at("name"), "%s", msg)
			} else {
				first[s.Name] = i
			}
		}
		switch {
		case s.Kind == "":
			v.problem(at("kind"), "%s: kind is missing; expected one of %s", who, strings.Join(kinds, ", "))
		case !oneOf(s.Kind, kinds):
			v.problem(at("kind"), "%s: kind %q is not one of %s", who, s.Kind, strings.Join(kinds, ", "))
		}
		rules, known := FormatOf(s.Format)
		switch {
		case s.URL == "":
			v.problem(at("url"), "%s: url is missing; expected %s", who, urlWanted(s.Format))
		case strings.ContainsAny(s.URL, "\x00\n\r"):
			v.problem(at("url"), "%s: url %q contains control characters; expected a URL or a path", who, s.URL)
		case known && rules.URL == URLHTTP && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://"):
			v.problem(at("url"), "%s: url %q is not an http(s) URL; expected %s", who, s.URL, urlWanted(s.Format))
		case known && rules.URL == URLLocal && isRemote(s.URL):
			v.problem(at("url"), "%s: url %q is remote; expected %s (download %s sources first)", who, s.URL, urlWanted(s.Format), s.Format)
		}
		v.format(s, who, at)
		if !rules.History {
			// Only sources with a history are read by ref.
		} else if len(s.Refs) == 0 {
			if s.Refs == nil {
				v.problem(at("refs"), `%s: refs is missing; expected the branches or tags to read, like refs = ["master"]`, who)
			} else {
				v.problem(at("refs"), `%s: refs is empty; expected the branches or tags to read, like refs = ["master"]`, who)
			}
		}
		seen := map[string]bool{}
		for j, r := range s.Refs {
			switch {
			case strings.TrimSpace(r) == "":
				v.problem(at(fmt.Sprintf("refs[%d]", j), "refs"), "%s: refs[%d] is empty; expected a branch or tag name", who, j)
			case strings.ContainsAny(r, " \t\x00\n\r~^:?*[\\"):
				v.problem(at(fmt.Sprintf("refs[%d]", j), "refs"), "%s: refs[%d] %q is not a valid git ref name", who, j, r)
			case seen[r]:
				v.problem(at(fmt.Sprintf("refs[%d]", j), "refs"), "%s: refs lists %q twice; expected each ref once", who, r)
			}
			seen[r] = true
		}
		if !oneOf(s.Layout, layouts) {
			v.problem(at("layout"), "%s: layout %q is not one of %s", who, s.Layout, strings.Join(layouts, ", "))
		}
		if !oneOf(s.Mirror, mirrorMethods) {
			v.problem(at("mirror"), "%s: mirror %q is not one of %s", who, s.Mirror, strings.Join(mirrorMethods, ", "))
		}
		if s.Base != "" && s.Upstream == "" {
			v.problem(at("base"), "%s: base %q is set without upstream; expected upstream to name the source base belongs to", who, s.Base)
		}
	}

	// References between sources, once every name is known.
	names := make([]string, 0, len(first))
	for n := range first {
		names = append(names, n)
	}
	sort.Strings(names)
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Upstream == "" {
			continue
		}
		who := sourceLabel(s.Name, i)
		line := v.line(v.srcBase(i), "upstream", "")
		if s.Kind == KindUpstream {
			v.problem(line, "%s: upstream %q is set on a source of kind upstream; expected upstream only on distro, vendor, stable, queue and list sources", who, s.Upstream)
			continue
		}
		if s.Upstream == s.Name {
			v.problem(line, "%s: upstream %q names the source itself; expected another source, of kind upstream", who, s.Upstream)
			continue
		}
		j, ok := first[s.Upstream]
		if !ok {
			msg := fmt.Sprintf("%s: upstream %q is not a source in this file", who, s.Upstream)
			if sg := suggest(s.Upstream, names); sg != "" {
				msg += fmt.Sprintf("; did you mean %q?", sg)
			} else {
				msg += "; expected the name of a source of kind upstream"
			}
			v.problem(line, "%s", msg)
			continue
		}
		u := c.Sources[j]
		switch {
		case s.Rules().ByFiles && u.Format == s.Format:
			// Release to release: a snapshot measured against an earlier one.
		case u.Kind != KindUpstream:
			v.problem(line, "%s: upstream %q is a source of kind %q; expected a source of kind upstream", who, s.Upstream, u.Kind)
		case !u.Rules().Upstream:
			v.problem(line, "%s: upstream %q is a %s source; expected a git source (or, for a snapshot, another snapshot)", who, s.Upstream, u.Format)
		}
	}

	// Sources that share a repository share its mirror, so they must agree
	// on how it is mirrored.
	byKey := map[string]int{}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.URL == "" || s.Mirror == MirrorAuto || !s.IsGit() {
			continue
		}
		key := MirrorKey(c.SourceURL(s))
		j, ok := byKey[key]
		if !ok {
			byKey[key] = i
			continue
		}
		if o := c.Sources[j]; o.Mirror != s.Mirror {
			v.problem(v.line(v.srcBase(i), "mirror", ""), "%s: mirror %q differs from %s's %q, which names the same repository; expected the same mirror method", sourceLabel(s.Name, i), s.Mirror, sourceLabel(o.Name, j), o.Mirror)
		}
	}
}

func (v *validator) components() {
	c := v.c
	first := map[string]int{}
	defaults := map[string]bool{}
	for _, d := range DefaultComponents() {
		defaults[d.Name] = true
	}
	for i := range c.ComponentSpecs {
		cs := &c.ComponentSpecs[i]
		base := v.compBase(i)
		who := componentLabel(cs.Name, i)
		at := func(fields ...string) int { return v.line(base, append(fields, "")...) }
		switch {
		case cs.Name == "":
			v.problem(at("name"), "%s: name is missing; expected a name like \"mlx5\"", who)
		case cs.Name == Other:
			v.problem(at("name"), "%s: the name %q is reserved for files no component claims; expected another name", who, cs.Name)
		case !validName(cs.Name):
			v.problem(at("name"), "%s: name must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 64)", who)
		default:
			if j, dup := first[cs.Name]; dup {
				msg := fmt.Sprintf("%s is defined twice; expected one entry per component", who)
				if l := v.line(v.compBase(j), "name", ""); l > 0 {
					msg = fmt.Sprintf("%s is defined twice (first at line %d); expected one entry per component", who, l)
				}
				v.problem(at("name"), "%s", msg)
			} else {
				first[cs.Name] = i
			}
		}
		patterns := 0
		for _, ps := range cs.Paths {
			patterns += len(ps)
		}
		switch {
		case cs.Paths == nil && cs.Subjects == nil:
			v.problem(at(), "%s: gives neither paths nor subjects; expected paths = { linux = [...] } or subjects = [...]", who)
		case patterns == 0 && len(cs.Subjects) == 0 && !defaults[cs.Name]:
			v.problem(at("paths", "subjects"), "%s: is a new component with no patterns and no subjects, so it can match nothing; expected at least one of them", who)
		}
		layoutKeys := make([]string, 0, len(cs.Paths))
		for l := range cs.Paths {
			layoutKeys = append(layoutKeys, l)
		}
		sort.Strings(layoutKeys)
		for _, l := range layoutKeys {
			lp := "paths." + keyPath("", l)
			if !oneOf(l, layouts) {
				msg := fmt.Sprintf("%s: paths key %q is not a layout", who, l)
				if sg := suggest(l, layouts); sg != "" {
					msg += fmt.Sprintf("; did you mean %q?", sg)
				} else {
					msg += "; expected one of " + strings.Join(layouts, ", ")
				}
				v.problem(at(lp, "paths"), "%s", msg)
				continue
			}
			for j, p := range cs.Paths[l] {
				if err := checkPattern(p); err != nil {
					v.problem(at(fmt.Sprintf("%s[%d]", lp, j), lp, "paths"), "%s: %s[%d] %q %v", who, lp, j, p, err)
				}
			}
		}
		for j, s := range cs.Subjects {
			if _, err := parseKeyword(s); err != nil {
				v.problem(at(fmt.Sprintf("subjects[%d]", j), "subjects"), "%s: subjects[%d] %q %v", who, j, s, err)
			}
		}
	}
}

// urlWanted says what the url of a source of the given format must be;
// for a format nobody registered, what a git source's must be.
func urlWanted(format string) string {
	if r, ok := FormatOf(format); ok {
		return r.URLWanted
	}
	r, _ := FormatOf(FormatGit)
	return r.URLWanted
}

// format checks a source's format against its kind and the keys only some
// formats take, by the format's rules, then runs the format's own checks.
func (v *validator) format(s *Source, who string, at func(...string) int) {
	r, ok := FormatOf(s.Format)
	if !ok {
		v.problem(at("format"), "%s: format %q is not one of %s", who, s.Format, strings.Join(Formats(), ", "))
		return
	}
	switch {
	case s.Kind == KindList && !r.List:
		v.problem(at("format", "kind"), "%s: kind list needs format %s, not %q", who,
			orList(formatsWhere(func(r FormatRules) bool { return r.List })), s.Format)
	case r.List && s.Kind != KindList && s.Kind != "":
		v.problem(at("kind", "format"), "%s: format %s is a mailing-list archive; expected kind = \"list\", not %q", who, s.Format, s.Kind)
	case s.Kind == KindUpstream && !r.Upstream:
		v.problem(at("format", "kind"), "%s: an upstream must be a git source; format %q cannot be measured against", who, s.Format)
	case s.Kind == KindQueue && !r.Upstream:
		v.problem(at("format", "kind"), "%s: a queue is a maintainer's git tree; expected format git, not %q", who, s.Format)
	}
	if !r.History && s.Refs != nil {
		v.problem(at("refs"), "%s: refs is set on a %s source; expected refs only on git sources", who, s.Format)
	}
	if r.Check != nil {
		if msg, keys := r.Check(s); msg != "" {
			v.problem(at(keys...), "%s: %s", who, msg)
		}
	}
	for _, k := range formatKeys {
		if k.set(s) && !oneOf(k.name, r.Keys) {
			v.problem(at(k.name), "%s: %s is set on a %s source; expected %s only with format %s", who, k.name, s.Format, k.name,
				orList(formatsWhere(func(r FormatRules) bool { return oneOf(k.name, r.Keys) })))
		}
	}
}

// testRules checks each [[test_rule]]: a valid glob, and components that
// exist (in the default map or the file's [[component]] entries).
func (v *validator) testRules() {
	c := v.c
	known := map[string]bool{}
	var names []string
	for _, s := range mergeSpecs(DefaultComponents(), c.ComponentSpecs) {
		known[s.Name] = true
		names = append(names, s.Name)
	}
	for i, r := range c.TestRuleSpecs {
		base := indexPath("test_rule", i)
		at := func(fields ...string) int { return v.line(base, append(fields, "")...) }
		who := fmt.Sprintf("test_rule #%d", i+1)
		if r.Match != "" {
			who = fmt.Sprintf("test_rule %q", r.Match)
		}
		if r.Match == "" {
			v.problem(at("match"), "%s: match is missing; expected a glob on the test path like \"ipoib.*\"", who)
		} else if err := checkTestMatch(strings.ToLower(r.Match)); err != nil {
			v.problem(at("match"), "%s: match %v", who, err)
		}
		if r.Components == nil {
			v.problem(at("components"), "%s: components is missing; expected components = [\"ipoib\"], or [] to turn a default rule off", who)
		}
		for j, name := range r.Components {
			if known[name] {
				continue
			}
			msg := fmt.Sprintf("%s: components[%d] %q is not a component", who, j, name)
			if sg := suggest(name, names); sg != "" {
				msg += fmt.Sprintf("; did you mean %q?", sg)
			} else {
				msg += "; add it as a [[component]] first"
			}
			v.problem(at(fmt.Sprintf("components[%d]", j), "components"), "%s", msg)
		}
	}
}

// report checks that every pair [report] compare names is two downstreams
// of one upstream.
func (v *validator) report() {
	for _, pair := range v.c.Report.Compare {
		line := v.line("report", "compare")
		a, b := v.c.Source(pair[0]), v.c.Source(pair[1])
		for i, s := range []*Source{a, b} {
			switch {
			case s == nil:
				v.problem(line, "report: compare names %q, which is no source of this file", pair[i])
				return
			case s.Upstream == "":
				v.problem(line, "report: compare names %q, which has no upstream to be measured against", pair[i])
				return
			}
		}
		if a.Upstream != b.Upstream {
			v.problem(line, "report: compare pairs %s (measured against %s) with %s (against %s): a comparison needs one upstream", a.Name, a.Upstream, b.Name, b.Upstream)
		}
	}
}
