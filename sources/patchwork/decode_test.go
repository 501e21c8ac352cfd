package patchwork

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodePatchList(t *testing.T) {
	const minimal = `"id": 7, "msgid": "<a@b>", "date": "2024-05-02T10:11:12", "state": "new"`
	tests := []struct {
		name     string
		body     string
		want     []Patch
		wantNext string
	}{
		{"empty list", " [ ]\n", []Patch{}, ""},
		{"minimal patch", `[{` + minimal + `}]`,
			[]Patch{{ID: 7, MessageID: "a@b", Date: time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC), State: StateNew}}, ""},
		{"nulls", `[{` + minimal + `, "name": null, "hash": null, "url": null, "web_url": null,
			"submitter": {"id": 1, "name": null, "email": "x@y.org"}, "series": [{"id": 3, "name": null, "version": 1}], "delegate": null}]`,
			[]Patch{{ID: 7, MessageID: "a@b", Date: time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC), State: StateNew,
				Submitter: "x@y.org", Series: []SeriesRef{{ID: 3, Version: 1}}}}, ""},
		{"microseconds, bare msgid, API 1.0 (no web_url)",
			`[{"id": 8, "msgid": "c@d", "date": "2019-01-31T23:59:58.123456", "state": "rfc", "submitter": {"name": "N", "email": "n@m"}}]`,
			[]Patch{{ID: 8, MessageID: "c@d", Date: time.Date(2019, 1, 31, 23, 59, 58, 123456000, time.UTC), State: StateRFC, Submitter: "N <n@m>"}}, ""},
		{"date with a zone", `[{"id": 9, "msgid": "<e@f>", "date": "2024-05-02T12:11:12+02:00", "state": "superseded"}]`,
			[]Patch{{ID: 9, MessageID: "e@f", Date: time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC), State: StateSuperseded}}, ""},
		{"paginated object", `{"count": 31, "next": "https://pw/api/1.2/patches/?page=2", "previous": null, "results": [{` + minimal + `}]}`,
			[]Patch{{ID: 7, MessageID: "a@b", Date: time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC), State: StateNew}},
			"https://pw/api/1.2/patches/?page=2"},
		{"unknown fields kept out", `[{` + minimal + `, "tags": {"A": 1}, "related": [], "check": "success", "future": {"x": [1]}}]`,
			[]Patch{{ID: 7, MessageID: "a@b", Date: time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC), State: StateNew}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := decodePatchList([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) || next != tt.wantNext {
				t.Errorf("got %+v, next %q\nwant %+v, next %q", got, next, tt.want, tt.wantNext)
			}
		})
	}
}

func TestDecodePatchListErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"empty", "  \n", "empty body; expected a JSON array of patches"},
		{"null", "null", `body starts with "null"; expected a JSON array of patches`},
		{"number", "42", `body starts with "42"; expected`},
		{"html", "<!doctype html>", `body starts with "<!doctype html>"`},
		{"bad JSON", `[{"id": 1,}]`, "invalid JSON at byte 11 of the body"},
		{"trailing garbage", `[] []`, "invalid JSON"},
		{"array of numbers", `[1]`, "patch 1 of the list: got a JSON number at byte 1 of the patch; expected a patch object"},
		{"no id", `[{"msgid": "<a@b>"}]`, `no "id"; expected a positive patch id`},
		{"id 0", `[{"id": 0}]`, `no "id"`},
		{"no msgid", `[{"id": 5, "state": "new"}]`, `id 5: no "msgid"`},
		{"empty msgid", `[{"id": 5, "msgid": "<>"}]`, `id 5: msgid "<>"; expected a Message-ID`},
		{"no date", `[{"id": 5, "msgid": "<a@b>", "state": "new"}]`, `id 5: no "date"`},
		{"null state", `[{"id": 5, "msgid": "<a@b>", "state": null}]`, `id 5: no "state"`},
		{"state by name", `[{"id": 5, "msgid": "<a@b>", "state": "Under Review"}]`, `state "Under Review" is not a Patchwork state`},
		{"series without id", `[{"id": 5, "msgid": "<a@b>", "state": "new", "date": "2024-05-02T10:11:12", "series": [{"name": "s"}]}]`, `id 5: series 1 has no "id"`},
		{"second patch bad", `[{"id": 5, "msgid": "<a@b>", "state": "new", "date": "2024-05-02T10:11:12"}, {"id": 6}]`, "patch 2 of the list"},
		{"archived as string", `[{"id": 5, "archived": "yes"}]`, `field "archived" is a JSON string at byte`},
		{"series not a list", `[{"id": 5, "series": {}}]`, `field "series" is a JSON object at byte`},
		{"object with detail", `{"detail": "Authentication credentials were not provided."}`, `detail "Authentication credentials were not provided."`},
		{"results not a list", `{"results": 3}`, `field "results" is a JSON number at byte 13 of the body; expected an array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := decodePatchList([]byte(tt.body))
			if err == nil || got != nil {
				t.Fatalf("got %+v, %v; want an error", got, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestTrimMessageID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<a@b>", "a@b"},
		{"a@b", "a@b"},
		{" <a@b> ", "a@b"},
		{"<a@b", "a@b"},
		{"a@b>", "a@b"},
		{"<>", ""},
		{"", ""},
		{"<a b@c>", ""},
		{"<<a@b>>", ""},
	}
	for _, tt := range tests {
		if got := trimMessageID(tt.in); got != tt.want {
			t.Errorf("trimMessageID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDetail(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"detail": "Not found."}`, "Not found."},
		{`{"detail": ["a", "b"]}`, `["a","b"]`},
		{` {"project": ["Select a valid choice."]} `, `{"project":["Select a valid choice."]}`},
		{`<html>oops</html>`, ""},
		{``, ""},
		{`{"detail": `, ""},
		{`{"detail": "` + strings.Repeat("x", 400) + `"}`, strings.Repeat("x", 300) + "..."},
	}
	for _, tt := range tests {
		if got := detail([]byte(tt.body)); got != tt.want {
			t.Errorf("detail(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
