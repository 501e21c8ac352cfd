package project

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const policyExample = `# kdelta check policy
checks = ["status", "backport", "missing-fix", "growth", "test"]
missing_fix_components = ["mlx5", "ipoib"]
max_carried_growth = 5
max_missing_growth = 20

[component.mlx5]
max_carried_growth = 0
`

func TestParsePolicy(t *testing.T) {
	p, err := DefaultConfig().ParsePolicy(strings.NewReader(policyExample), "policy.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.MissingFixComponents, []string{"ipoib", "mlx5"}) || !p.Runs("growth") {
		t.Errorf("policy = %+v", p)
	}
	if got := p.LimitsOf("mlx5"); got != (Limits{MaxCarriedGrowth: 0, MaxMissingGrowth: 20}) {
		t.Errorf("mlx5 limits = %+v", got)
	}
	if got := p.LimitsOf("srp"); got != (Limits{MaxCarriedGrowth: 5, MaxMissingGrowth: 20}) {
		t.Errorf("srp limits = %+v", got)
	}
	d := DefaultPolicy()
	if !d.Runs("test") || d.LimitsOf("mlx5") != (Limits{-1, -1}) {
		t.Errorf("default policy = %+v", d)
	}
	only, err := DefaultConfig().ParsePolicy(strings.NewReader(`checks = ["test"]`), "p.toml")
	if err != nil || only.Runs("status") || !only.Runs("test") {
		t.Errorf("checks = [test]: %+v, %v", only, err)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"checks = [\"status\", \"tests\"]\n", `p.toml:1: checks[1] "tests" is not a check; expected one of status, backport, missing-fix, growth, test`},
		{"max_missing_growth = -1\n", "p.toml:1: max_missing_growth must be a whole number of commits, 0 or more"},
		{"max_missing_growth = \"5\"\n", "p.toml:1: max_missing_growth must be a whole number of commits, 0 or more, not string \"5\""},
		{"\n[component.mlx55]\nmax_carried_growth = 1\n", `p.toml:2: "mlx55" is not a component; did you mean "mlx5"?`},
		{"[component.mlx5]\nmax_growth = 1\n", `p.toml:2: component.mlx5: unknown key "max_growth"`},
		{"missing_fix_components = [\"ipob\"]\n", `p.toml:1: "ipob" is not a component; did you mean "ipoib"?`},
		{"checkz = []\n", `p.toml:1: policy: unknown key "checkz"; did you mean "checks"?`},
		{"checks = [\n", "p.toml:"},
	} {
		_, err := DefaultConfig().ParsePolicy(strings.NewReader(tc.text), "p.toml")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error = %v, want prefix %q", tc.text, err, tc.want)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(policyExample))
	f.Add([]byte("checks = []\n[component.x]\nmax_carried_growth = 1\n"))
	f.Add([]byte("max_missing_growth = 9999999999999\ncomponent = 3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DefaultConfig().ParsePolicy(bytes.NewReader(data), "fuzz.toml")
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "fuzz.toml") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("bad error %T %q", err, err)
			}
			return
		}
		for _, c := range p.Checks {
			if !oneOf(c, policyChecks) {
				t.Fatalf("accepted unknown check %q", c)
			}
		}
		if p.MaxCarriedGrowth < -1 || p.MaxMissingGrowth < -1 {
			t.Fatalf("accepted a negative limit: %+v", p)
		}
	})
}
