package project

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// TestRule maps interop test paths to components: every test whose path
// matches Match (a glob on the dot-separated path, compared without regard
// to case; '*' matches any run of characters but '/', '?' one character)
// covers each of Components. A test may match several rules; it covers the
// union of their components.
type TestRule struct {
	Match      string
	Components []string
}

// DefaultTestRules returns the rules that ship with kdelta, for the
// categories of the OFA interop (logo) program run at UNH-IOL and for
// driver and transport names in a test path. The caller owns the result.
func DefaultTestRules() []TestRule {
	r := func(match string, comps ...string) TestRule { return TestRule{Match: match, Components: comps} }
	return []TestRule{
		r("fabric_init.*", "mad", "opensm"),
		r("link_init.*", "core"),
		r("ipoib.*", "ipoib"),
		r("rdma_utils.*", "uverbs", "diags"),
		r("nfsordma.*", "nfsordma"),
		r("nfs_rdma.*", "nfsordma"),
		r("openmpi.*", "uverbs"),
		r("mpi.*", "uverbs"),
		r("rsockets.*", "cm"),
		r("sm_failover.*", "mad", "opensm"),
		r("srp.*", "srp"),
		r("udapl.*", "dapl"),
		r("iser.*", "iser"),
		r("rds.*", "rds"),
		r("*roce*", "roce"),
		r("*iwarp*", "iwpm", "cm"),
		r("*mlx5*", "mlx5"),
		r("*mlx4*", "mlx4"),
		r("*rxe*", "rxe"),
		r("*siw*", "siw"),
		r("*bnxt_re*", "bnxt_re"),
		r("*irdma*", "irdma"),
		r("*efa*", "efa"),
	}
}

// TestRules is a compiled rule set.
type TestRules struct {
	rules []TestRule // Match lower-cased, every pattern valid
}

// TestRules returns the default rules merged with the project file's
// [[test_rule]] entries: an entry whose match equals a default's replaces
// that default (components = [] turns it off); any other adds a rule.
func (c *Config) TestRules() (*TestRules, error) {
	return NewTestRules(mergeTestRules(DefaultTestRules(), c.TestRuleSpecs))
}

// NewTestRules compiles exactly the given rules.
func NewTestRules(rules []TestRule) (*TestRules, error) {
	out := &TestRules{}
	for _, r := range rules {
		m := strings.ToLower(r.Match)
		if err := checkTestMatch(m); err != nil {
			return nil, fmt.Errorf("test rule %q %v", r.Match, err)
		}
		out.rules = append(out.rules, TestRule{Match: m, Components: append([]string(nil), r.Components...)})
	}
	return out, nil
}

func mergeTestRules(base, over []TestRule) []TestRule {
	byMatch := map[string]int{}
	out := make([]TestRule, 0, len(base)+len(over))
	for _, r := range base {
		byMatch[strings.ToLower(r.Match)] = len(out)
		out = append(out, r)
	}
	for _, r := range over {
		if i, ok := byMatch[strings.ToLower(r.Match)]; ok {
			out[i] = r
			continue
		}
		byMatch[strings.ToLower(r.Match)] = len(out)
		out = append(out, r)
	}
	return out
}

func checkTestMatch(m string) error {
	switch {
	case m == "":
		return fmt.Errorf("is empty; expected a glob on the test path like \"ipoib.*\"")
	case strings.ContainsAny(m, "\x00\n\r"):
		return fmt.Errorf("contains invalid characters")
	}
	if _, err := path.Match(m, ""); err != nil {
		return fmt.Errorf("is not a valid glob: %v", err)
	}
	return nil
}

// Components returns the sorted components a test path covers; none when
// no rule matches.
func (r *TestRules) Components(testPath string) []string {
	p := strings.ToLower(testPath)
	seen := map[string]bool{}
	var out []string
	for _, rule := range r.rules {
		if ok, _ := path.Match(rule.Match, p); !ok {
			continue
		}
		for _, c := range rule.Components {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}
