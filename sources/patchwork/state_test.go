package patchwork

import (
	"strings"
	"testing"
)

func TestStates(t *testing.T) {
	tests := []struct {
		slug string
		want State
		name string
	}{
		{"new", StateNew, "New"},
		{"under-review", StateUnderReview, "Under Review"},
		{"accepted", StateAccepted, "Accepted"},
		{"rejected", StateRejected, "Rejected"},
		{"rfc", StateRFC, "RFC"},
		{"not-applicable", StateNotApplicable, "Not Applicable"},
		{"changes-requested", StateChangesRequested, "Changes Requested"},
		{"awaiting-upstream", StateAwaitingUpstream, "Awaiting Upstream"},
		{"superseded", StateSuperseded, "Superseded"},
		{"deferred", StateDeferred, "Deferred"},
	}
	all := States()
	if len(all) != len(tests) {
		t.Fatalf("States() has %d states, want %d", len(all), len(tests))
	}
	for i, tt := range tests {
		got, err := ParseState(tt.slug)
		if err != nil || got != tt.want {
			t.Errorf("ParseState(%q) = %q, %v; want %q", tt.slug, got, err, tt.want)
		}
		if s := got.String(); s != tt.name {
			t.Errorf("%q.String() = %q, want %q", got, s, tt.name)
		}
		if all[i] != tt.want {
			t.Errorf("States()[%d] = %q, want %q (Patchwork's order)", i, all[i], tt.want)
		}
		// The API's slug is the display name lower-cased, spaces to dashes
		// (patchwork/api/patch.py StateField.to_representation).
		if slug := strings.ReplaceAll(strings.ToLower(tt.name), " ", "-"); slug != tt.slug {
			t.Errorf("slug of %q is %q, not %q", tt.name, slug, tt.slug)
		}
	}
}

func TestParseStateRefuses(t *testing.T) {
	for _, slug := range []string{"", "New", "under review", "Under Review", "mainlined", "handled-elsewhere", " new", "new "} {
		got, err := ParseState(slug)
		if err == nil {
			t.Errorf("ParseState(%q) = %q, want an error", slug, got)
			continue
		}
		if got != "" || !strings.Contains(err.Error(), "expected one of new, under-review,") {
			t.Errorf("ParseState(%q) = %q, %v", slug, got, err)
		}
	}
	if s := State("mainlined").String(); s != "mainlined" {
		t.Errorf("unknown state's String() = %q, want the slug", s)
	}
}
