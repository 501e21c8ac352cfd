package project

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// The checks `kdelta check` runs; their names as a policy lists them.
var policyChecks = []string{"status", "backport", "missing-fix", "growth", "test"}

// Policy says what `kdelta check` counts as a regression. The zero Policy
// (no file) runs every check and sets no growth limit.
//
// A policy file is TOML:
//
//	# Which checks run (default: all of them).
//	checks = ["status", "backport", "missing-fix", "growth", "test"]
//	# New missing fixes count only in these components (default: all).
//	missing_fix_components = ["mlx5", "ipoib"]
//	# How much a component's carried or missing count may grow since the
//	# baseline (default: no limit).
//	max_carried_growth = 5
//	max_missing_growth = 20
//
//	# Per component, overriding the limits above.
//	[component.mlx5]
//	max_carried_growth = 0
//	max_missing_growth = 3
type Policy struct {
	File                 string
	Checks               []string // nil: all
	MissingFixComponents []string // nil: all
	MaxCarriedGrowth     int      // -1: no limit
	MaxMissingGrowth     int      // -1: no limit
	Components           map[string]Limits
}

// Limits are growth limits of one component; -1 is no limit.
type Limits struct {
	MaxCarriedGrowth int
	MaxMissingGrowth int
}

// DefaultPolicy runs every check with no growth limit.
func DefaultPolicy() *Policy {
	return &Policy{MaxCarriedGrowth: -1, MaxMissingGrowth: -1, Components: map[string]Limits{}}
}

// Runs says whether the policy runs a check.
func (p *Policy) Runs(check string) bool {
	if p.Checks == nil {
		return true
	}
	for _, c := range p.Checks {
		if c == check {
			return true
		}
	}
	return false
}

// LimitsOf returns the growth limits of a component.
func (p *Policy) LimitsOf(component string) Limits {
	l := Limits{MaxCarriedGrowth: p.MaxCarriedGrowth, MaxMissingGrowth: p.MaxMissingGrowth}
	if c, ok := p.Components[component]; ok {
		if c.MaxCarriedGrowth >= 0 {
			l.MaxCarriedGrowth = c.MaxCarriedGrowth
		}
		if c.MaxMissingGrowth >= 0 {
			l.MaxMissingGrowth = c.MaxMissingGrowth
		}
	}
	return l
}

// LoadPolicy reads and checks a policy file; components must exist in the
// configuration's component map.
func (c *Config) LoadPolicy(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read: " + ioReason(err), Err: err}
	}
	defer f.Close()
	return c.ParsePolicy(f, path)
}

// ParsePolicy reads a policy from r; name is used in errors.
func (c *Config) ParsePolicy(r io.Reader, name string) (*Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read: " + ioReason(err), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d MiB; expected a small TOML policy file", maxFileSize>>20)}
	}
	text := string(data)
	var raw map[string]any
	md, err := safeDecode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: errorLine(text, pe.Position), Msg: "invalid TOML: " + pe.Message, Err: err}
		}
		return nil, &Error{File: name, Msg: "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	known := map[string]bool{}
	var names []string
	for _, s := range mergeSpecs(DefaultComponents(), c.ComponentSpecs) {
		known[s.Name] = true
		names = append(names, s.Name)
	}
	d := &decoder{file: name, lines: keyLines(text, md.Keys())}
	p := DefaultPolicy()
	p.File = name
	limit := func(v any, path, key string) int {
		n, ok := v.(int64)
		if !ok || n < 0 || n > 1<<30 {
			d.problem(fmt.Sprintf("%s must be a whole number of commits, 0 or more, not %s", key, describe(v)), path)
			return -1
		}
		return int(n)
	}
	component := func(name, path string) {
		if known[name] {
			return
		}
		msg := fmt.Sprintf("%q is not a component", name)
		if sg := suggest(name, names); sg != "" {
			msg += fmt.Sprintf("; did you mean %q?", sg)
		} else {
			msg += "; expected a component of the project's map (mlx5, ipoib, ...)"
		}
		d.problem(msg, path)
	}
	for _, k := range d.sortedKeys(raw, "") {
		v := raw[k]
		path := keyPath("", k)
		switch k {
		case "checks":
			p.Checks = d.strs(v, "policy", k, path, `checks = ["status", "test"]`)
			if p.Checks == nil {
				p.Checks = []string{}
			}
			for i, c := range p.Checks {
				if !oneOf(c, policyChecks) {
					d.problem(fmt.Sprintf("checks[%d] %q is not a check; expected one of %s", i, c, strings.Join(policyChecks, ", ")), indexPath(path, i), path)
				}
			}
		case "missing_fix_components":
			p.MissingFixComponents = d.strs(v, "policy", k, path, `missing_fix_components = ["mlx5"]`)
			for i, c := range p.MissingFixComponents {
				component(c, indexPath(path, i))
			}
		case "max_carried_growth":
			p.MaxCarriedGrowth = limit(v, path, k)
		case "max_missing_growth":
			p.MaxMissingGrowth = limit(v, path, k)
		case "component":
			m, ok := v.(map[string]any)
			if !ok {
				d.problem(fmt.Sprintf("component must be a table of components ([component.mlx5]), not %s", describe(v)), path)
				continue
			}
			for _, comp := range d.sortedKeys(m, path) {
				cpath := keyPath(path, comp)
				component(comp, cpath)
				lim := Limits{MaxCarriedGrowth: -1, MaxMissingGrowth: -1}
				cm, ok := m[comp].(map[string]any)
				if !ok {
					d.problem(fmt.Sprintf("component.%s must be a table with max_carried_growth and max_missing_growth, not %s", comp, describe(m[comp])), cpath)
					continue
				}
				for _, ck := range d.sortedKeys(cm, cpath) {
					kp := keyPath(cpath, ck)
					switch ck {
					case "max_carried_growth":
						lim.MaxCarriedGrowth = limit(cm[ck], kp, ck)
					case "max_missing_growth":
						lim.MaxMissingGrowth = limit(cm[ck], kp, ck)
					default:
						d.unknown("component."+comp, ck, kp, []string{"max_carried_growth", "max_missing_growth"})
					}
				}
				p.Components[comp] = lim
			}
		default:
			d.unknown("policy", k, path, []string{"checks", "missing_fix_components", "max_carried_growth", "max_missing_growth", "component"})
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	sort.Strings(p.MissingFixComponents)
	return p, nil
}
