package project

import (
	"slices"
	"testing"
)

// Whether a source is measured against its upstream by its commits is
// asked in one place, for a Source and for the store's row of one alike.
func TestIsDownstream(t *testing.T) {
	for _, tc := range []struct {
		kind, format, upstream string
		want                   bool
	}{
		{KindDistro, FormatGit, "linux", true},
		{KindVendor, FormatSeries, "linux", true},
		{KindVendor, FormatOFED, "linux", true},
		{KindStable, "", "linux", true}, // "" is git, the default
		{KindVendor, FormatSnapshot, "linux", false},
		{KindQueue, FormatGit, "linux", false},
		{KindList, FormatMbox, "linux", false},
		{KindDistro, FormatGit, "", false},
		{KindUpstream, FormatGit, "", false},
	} {
		s := Source{Kind: tc.kind, Format: tc.format, Upstream: tc.upstream}
		if got := s.IsDownstream(); got != tc.want {
			t.Errorf("%s %s source with upstream %q: IsDownstream = %v, want %v", tc.format, tc.kind, tc.upstream, got, tc.want)
		}
		if got := IsDownstream(tc.kind, tc.format, tc.upstream); got != tc.want {
			t.Errorf("IsDownstream(%q, %q, %q) = %v, want %v", tc.kind, tc.format, tc.upstream, got, tc.want)
		}
	}
}

// A source names its refs as the store does: a history its refs, any
// other format one ref named for it.
func TestRefNamesFollowTheFormat(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{FormatGit, []string{"master", "v6.1"}},
		{"", []string{"master", "v6.1"}},
		{FormatSeries, []string{"series"}},
		{FormatSnapshot, []string{"snapshot"}},
		{FormatPatchwork, []string{"patchwork"}},
	} {
		s := Source{Format: tc.format, Refs: []string{"master", "v6.1"}}
		if tc.format != FormatGit && tc.format != "" {
			s.Refs = nil
		}
		if got := s.RefNames(); !slices.Equal(got, tc.want) {
			t.Errorf("format %q: RefNames = %v, want %v", tc.format, got, tc.want)
		}
	}
}

func TestRegisteringAKnownFormatPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("registering git again did not panic")
		}
		if got := Formats(); !slices.Equal(got, []string{"git", "series", "ofed", "snapshot", "mbox", "patchwork"}) {
			t.Errorf("formats after the refused registration: %v", got)
		}
	}()
	RegisterFormat(FormatRules{Name: FormatGit})
}
