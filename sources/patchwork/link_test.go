package patchwork

import "testing"

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"patchwork next and prev",
			[]string{`<https://patchwork.kernel.org/api/1.2/patches/?page=3&project=linux-rdma>; rel="next", <https://patchwork.kernel.org/api/1.2/patches/?page=1&project=linux-rdma>; rel="prev"`},
			"https://patchwork.kernel.org/api/1.2/patches/?page=3&project=linux-rdma"},
		{"prev first", []string{`<https://x/?page=1>; rel="prev", <https://x/?page=3>; rel="next"`}, "https://x/?page=3"},
		{"only prev", []string{`<https://x/?page=1>; rel="prev"`}, ""},
		{"none", nil, ""},
		{"empty", []string{""}, ""},
		{"unquoted rel", []string{`<https://x/?page=2>;rel=next`}, "https://x/?page=2"},
		{"rel with several relations", []string{`<https://x/?page=9>; rel="last next"`}, "https://x/?page=9"},
		{"upper case", []string{`<https://x/?page=2>; REL="Next"`}, "https://x/?page=2"},
		{"other params first", []string{`<https://x/a>; title="a; rel=next, b"; rel="prev", <https://x/b>; type="application/json"; rel="next"`}, "https://x/b"},
		{"comma in the URL", []string{`<https://x/?q=a,b>; rel="next"`}, "https://x/?q=a,b"},
		{"second header value", []string{`<https://x/1>; rel="prev"`, `<https://x/3>; rel="next"`}, "https://x/3"},
		{"escaped quote", []string{`<https://x/1>; title="say \"hi\""; rel="next"`}, "https://x/1"},
		{"no angle brackets", []string{`https://x/2; rel="next"`}, ""},
		{"unterminated", []string{`<https://x/2; rel="next"`}, ""},
		{"garbage after entry", []string{`<https://x/1>; rel="prev" junk, <https://x/2>; rel="next"`}, ""},
		{"relative", []string{`</api/1.2/patches/?page=2>; rel="next"`}, "/api/1.2/patches/?page=2"},
	}
	for _, tt := range tests {
		if got := nextLink(tt.values); got != tt.want {
			t.Errorf("%s: nextLink(%q) = %q, want %q", tt.name, tt.values, got, tt.want)
		}
	}
}
