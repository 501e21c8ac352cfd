package project

import (
	"reflect"
	"strings"
	"testing"
)

func TestTestRulesDefaults(t *testing.T) {
	rules, err := DefaultConfig().TestRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"ipoib.connected_mode.ping", []string{"ipoib"}},
		{"IPoIB.Datagram_Mode.ping", []string{"ipoib"}},
		{"srp.io.dd", []string{"srp"}},
		{"roce.rping.basic", []string{"roce"}},
		{"rdma_utils.ibv_rc_pingpong.roce", []string{"diags", "roce", "uverbs"}},
		{"roce.ib_send_bw.mlx5", []string{"mlx5", "roce"}},
		{"sm_failover.master_kill.takeover", []string{"mad", "opensm"}},
		{"perftest.ib_write_bw", nil},
	} {
		if got := rules.Components(tc.path); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Components(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// Every component a default rule names exists in the default map.
func TestTestRulesDefaultComponentsExist(t *testing.T) {
	known := map[string]bool{}
	for _, s := range DefaultComponents() {
		known[s.Name] = true
	}
	for _, r := range DefaultTestRules() {
		for _, c := range r.Components {
			if !known[c] {
				t.Errorf("default rule %q names unknown component %q", r.Match, c)
			}
		}
	}
}

func TestTestRulesOverride(t *testing.T) {
	c := parse(t, `
[[test_rule]]
match = "IPOIB.*"
components = ["ipoib", "core"]

[[test_rule]]
match = "*roce*"
components = []

[[test_rule]]
match = "perftest.*"
components = ["uverbs", "mlx5"]
`)
	rules, err := c.TestRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"ipoib.connected_mode.ping", []string{"core", "ipoib"}},
		{"roce.rping.basic", nil},
		{"perftest.ib_write_bw", []string{"mlx5", "uverbs"}},
		{"srp.login.basic", []string{"srp"}},
	} {
		if got := rules.Components(tc.path); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Components(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestTestRulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown component", "[[test_rule]]\nmatch = \"x.*\"\ncomponents = [\"ipob\"]\n",
			`kdelta.toml:3: test_rule "x.*": components[0] "ipob" is not a component; did you mean "ipoib"?`},
		{"bad glob", "[[test_rule]]\nmatch = \"x.[\"\ncomponents = [\"ipoib\"]\n",
			`kdelta.toml:2: test_rule "x.[": match is not a valid glob`},
		{"no match", "[[test_rule]]\ncomponents = [\"ipoib\"]\n",
			`kdelta.toml:1: test_rule #1: match is missing`},
		{"no components", "[[test_rule]]\nmatch = \"x.*\"\n",
			`kdelta.toml:1: test_rule "x.*": components is missing`},
		{"unknown key", "[[test_rule]]\nmatch = \"x.*\"\ncomponent = [\"ipoib\"]\n",
			`kdelta.toml:3: test_rule "x.*": unknown key "component"; did you mean "components"?`},
		{"new component", "[[component]]\nname = \"perf\"\nsubjects = [\"perf\"]\n\n[[test_rule]]\nmatch = \"perf.*\"\ncomponents = [\"perf\"]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tc.text), "kdelta.toml")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ParseConfig: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want prefix %q", err, tc.want)
			}
		})
	}
}
