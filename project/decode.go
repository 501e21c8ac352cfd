package project

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

var (
	topKeys       = []string{"store", "report", "source", "component", "test_rule"}
	storeKeys     = []string{"path", "url", "mirrors"}
	reportKeys    = []string{"compare"}
	sourceKeys    = []string{"name", "kind", "url", "refs", "layout", "upstream", "base", "mirror", "format", "project"}
	componentKeys = []string{"name", "paths", "subjects"}
	testRuleKeys  = []string{"match", "components"}
)

// decoder turns the generic TOML tree into a Config, refusing unknown keys
// and values of the wrong type. The first problem in document order wins.
type decoder struct {
	file  string
	lines map[string]int
	err   *Error
}

// problem records an error at the line of the first of paths that has one.
func (d *decoder) problem(msg string, paths ...string) {
	line := 0
	for _, p := range paths {
		if l, ok := d.lines[p]; ok {
			line = l
			break
		}
	}
	if d.err == nil || line > 0 && (d.err.Line == 0 || line < d.err.Line) {
		d.err = &Error{File: d.file, Line: line, Msg: msg}
	}
}

// decode parses text; it does not validate meaning (see Validate).
func decode(text, file string) (c *Config, err error) {
	var raw map[string]any
	md, err := safeDecode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: file, Line: errorLine(text, pe.Position), Msg: "invalid TOML: " + pe.Message, Err: err}
		}
		return nil, &Error{File: file, Msg: "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	d := &decoder{file: file, lines: keyLines(text, md.Keys())}
	c = &Config{File: file, lines: d.lines}
	for _, k := range d.sortedKeys(raw, "") {
		v := raw[k]
		switch k {
		case "store":
			m, ok := v.(map[string]any)
			if !ok {
				d.problem(fmt.Sprintf("store must be a table ([store]), not %s", describe(v)), "store")
				continue
			}
			d.store(m, &c.Store)
		case "report":
			m, ok := v.(map[string]any)
			if !ok {
				d.problem(fmt.Sprintf("report must be a table ([report]), not %s", describe(v)), "report")
				continue
			}
			d.report(m, &c.Report)
		case "source":
			for i, m := range d.tables(v, "source", "[[source]]") {
				s := d.source(m, indexPath("source", i), i)
				c.Sources = append(c.Sources, s)
				c.srcNames = append(c.srcNames, s.Name)
			}
		case "component":
			for i, m := range d.tables(v, "component", "[[component]]") {
				cs := d.component(m, indexPath("component", i), i)
				c.ComponentSpecs = append(c.ComponentSpecs, cs)
				c.compNames = append(c.compNames, cs.Name)
			}
		case "test_rule":
			for i, m := range d.tables(v, "test_rule", "[[test_rule]]") {
				c.TestRuleSpecs = append(c.TestRuleSpecs, d.testRule(m, indexPath("test_rule", i), i))
			}
		default:
			d.unknown("", k, keyPath("", k), topKeys)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// errorLine returns the line of a parse error. The parser counts a line
// break it stopped at as part of the next line ("[store" + newline is
// reported on line 2), so the line is recounted from the error's offset.
func errorLine(text string, pos toml.Position) int {
	switch {
	case strings.HasPrefix(text, "\xff\xfe"), strings.HasPrefix(text, "\xfe\xff"):
		text = text[2:]
	case strings.HasPrefix(text, "\xef\xbb\xbf"):
		text = text[3:]
	}
	if pos.Start < 0 || pos.Start >= len(text) || pos.Start == 0 && pos.Line > 1 {
		return pos.Line
	}
	if l := strings.Count(text[:pos.Start], "\n") + 1; l <= pos.Line {
		return l
	}
	return pos.Line
}

// safeDecode runs the TOML decoder, turning a panic inside it into an error.
func safeDecode(text string, v any) (md toml.MetaData, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the TOML parser failed: %v", r)
		}
	}()
	return toml.Decode(text, v)
}

// sortedKeys returns the keys of m in document order (by line, then name).
func (d *decoder) sortedKeys(m map[string]any, parent string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := d.lines[keyPath(parent, keys[i])], d.lines[keyPath(parent, keys[j])]
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// unknown reports key k of a table at path, with a likely correction.
func (d *decoder) unknown(who, k, path string, known []string) {
	msg := fmt.Sprintf("unknown key %q", k)
	if s := suggest(k, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "; expected one of " + strings.Join(known, ", ")
	}
	if who != "" {
		msg = who + ": " + msg
	}
	d.problem(msg, path, indexPath(path, 0))
}

// tables returns the tables of an array of tables ([[name]] or an inline
// array of inline tables).
func (d *decoder) tables(v any, name, header string) []map[string]any {
	switch v := v.(type) {
	case []map[string]any:
		return v
	case []any:
		out := make([]map[string]any, 0, len(v))
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				d.problem(fmt.Sprintf("%s[%d] must be a table, not %s; write each entry as %s", name, i, describe(e), header), indexPath(name, i), name)
				return nil
			}
			out = append(out, m)
		}
		return out
	}
	d.problem(fmt.Sprintf("%s must be an array of tables, not %s; write each entry as %s", name, describe(v), header), name)
	return nil
}

func (d *decoder) store(m map[string]any, st *Store) {
	for _, k := range d.sortedKeys(m, "store") {
		path := keyPath("store", k)
		switch k {
		case "path":
			st.Path = d.nonEmpty(m[k], "store", k, path, `a file name like "kdelta.db"`)
		case "url":
			st.URL = d.nonEmpty(m[k], "store", k, path, `a PostgreSQL URL like "postgres://kdelta@db.example.org/kdelta"`)
			if st.URL != "" && !IsStoreURL(st.URL) {
				d.problem(fmt.Sprintf("store: url must be a postgres:// URL (a PostgreSQL database), not a %s; a SQLite store is named by path", describeURL(st.URL)), path)
			}
		case "mirrors":
			st.Mirrors = d.nonEmpty(m[k], "store", k, path, `a directory name like "kdelta-mirrors"`)
		default:
			d.unknown("store", k, path, storeKeys)
		}
	}
}

func (d *decoder) report(m map[string]any, r *Report) {
	for _, k := range d.sortedKeys(m, "report") {
		path := keyPath("report", k)
		switch k {
		case "compare":
			for _, pair := range d.strs(m[k], "report", k, path, `["rhel9:mlnx-ofed"]`) {
				a, b, ok := strings.Cut(pair, ":")
				if !ok || a == "" || b == "" || strings.Contains(b, ":") {
					d.problem(fmt.Sprintf("report: compare names pairs of downstreams as \"A:B\", not %q", pair), path)
					continue
				}
				r.Compare = append(r.Compare, [2]string{a, b})
			}
		default:
			d.unknown("report", k, path, reportKeys)
		}
	}
}

// str returns v as a string, or reports that field must be one.
func (d *decoder) str(v any, who, field, path string) string {
	s, ok := v.(string)
	if !ok {
		d.problem(fmt.Sprintf("%s: %s must be a string, not %s", who, field, describe(v)), path)
	}
	return s
}

// nonEmpty is str for optional fields: given, they must not be empty
// (leaving the key out gives the default).
func (d *decoder) nonEmpty(v any, who, field, path, expected string) string {
	s, ok := v.(string)
	if !ok {
		d.problem(fmt.Sprintf("%s: %s must be a string, not %s", who, field, describe(v)), path)
	} else if s == "" {
		d.problem(fmt.Sprintf("%s: %s is empty; expected %s, or leave the key out", who, field, expected), path)
	}
	return s
}

// strs returns v as a list of strings, or reports that field must be one.
func (d *decoder) strs(v any, who, field, path, example string) []string {
	list, ok := v.([]any)
	if !ok {
		d.problem(fmt.Sprintf("%s: %s must be an array of strings, like %s, not %s", who, field, example, describe(v)), path)
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			d.problem(fmt.Sprintf("%s: %s[%d] must be a string, not %s", who, field, i, describe(e)), indexPath(path, i), path)
			continue
		}
		out = append(out, s)
	}
	return out
}

// sourceLabel names source number i (0-based) by its name when it has one.
func sourceLabel(name string, i int) string {
	if name != "" {
		return fmt.Sprintf("source %q", name)
	}
	return fmt.Sprintf("source #%d", i+1)
}

func componentLabel(name string, i int) string {
	if name != "" {
		return fmt.Sprintf("component %q", name)
	}
	return fmt.Sprintf("component #%d", i+1)
}

func (d *decoder) source(m map[string]any, base string, i int) Source {
	var s Source
	if n, ok := m["name"].(string); ok {
		s.Name = n
	}
	who := sourceLabel(s.Name, i)
	for _, k := range d.sortedKeys(m, base) {
		path := keyPath(base, k)
		v := m[k]
		switch k {
		case "name":
			d.str(v, who, k, path)
		case "kind":
			s.Kind = d.str(v, who, k, path)
		case "url":
			s.URL = d.str(v, who, k, path)
		case "refs":
			s.Refs = d.strs(v, who, k, path, `refs = ["master"]`)
			if s.Refs == nil {
				s.Refs = []string{}
			}
		case "layout":
			s.Layout = d.nonEmpty(v, who, k, path, "one of "+strings.Join(layouts, ", "))
		case "upstream":
			s.Upstream = d.nonEmpty(v, who, k, path, "the name of an upstream source")
		case "base":
			s.Base = d.nonEmpty(v, who, k, path, `an upstream tag or commit like "v5.14"`)
		case "mirror":
			s.Mirror = d.nonEmpty(v, who, k, path, "one of "+strings.Join(mirrorMethods, ", "))
		case "format":
			s.Format = d.nonEmpty(v, who, k, path, "one of "+strings.Join(Formats(), ", "))
		case "project":
			s.Project = d.nonEmpty(v, who, k, path, `a Patchwork project like "linux-rdma"`)
		default:
			d.unknown(who, k, path, sourceKeys)
		}
	}
	return s
}

func (d *decoder) component(m map[string]any, base string, i int) ComponentSpec {
	var cs ComponentSpec
	if n, ok := m["name"].(string); ok {
		cs.Name = n
	}
	who := componentLabel(cs.Name, i)
	for _, k := range d.sortedKeys(m, base) {
		path := keyPath(base, k)
		v := m[k]
		switch k {
		case "name":
			d.str(v, who, k, path)
		case "paths":
			pm, ok := v.(map[string]any)
			if !ok {
				d.problem(fmt.Sprintf(`%s: paths must be a table of layout = [patterns], like paths = { linux = ["drivers/infiniband/hw/mlx5/"] }, not %s`, who, describe(v)), path)
				continue
			}
			cs.Paths = make(map[string][]string, len(pm))
			for _, layout := range d.sortedKeys(pm, path) {
				lp := keyPath(path, layout)
				cs.Paths[layout] = d.strs(pm[layout], who, "paths."+keyPath("", layout), lp, `["drivers/infiniband/hw/mlx5/"]`)
			}
		case "subjects":
			cs.Subjects = d.strs(v, who, k, path, `subjects = ["mlx5"]`)
			if cs.Subjects == nil {
				cs.Subjects = []string{}
			}
		default:
			d.unknown(who, k, path, componentKeys)
		}
	}
	return cs
}

func (d *decoder) testRule(m map[string]any, base string, i int) TestRule {
	var r TestRule
	who := fmt.Sprintf("test_rule #%d", i+1)
	if s, ok := m["match"].(string); ok {
		who = fmt.Sprintf("test_rule %q", s)
	}
	for _, k := range d.sortedKeys(m, base) {
		path := keyPath(base, k)
		switch k {
		case "match":
			r.Match = d.str(m[k], who, k, path)
		case "components":
			r.Components = d.strs(m[k], who, k, path, `components = ["ipoib"]`)
			if r.Components == nil {
				r.Components = []string{}
			}
		default:
			d.unknown(who, k, path, testRuleKeys)
		}
	}
	return r
}
