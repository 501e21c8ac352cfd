package report

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/kdelta/kdelta/analyzer"
)

func TestJSONRoundTrip(t *testing.T) {
	d := fixtureDocument()
	var b bytes.Buffer
	if err := WriteJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON("report.json", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// The fixture leaves some slices nil; written, they are [] and read
	// back empty: compare with the fixture filled the same way.
	want := filled(d, nil)
	if !reflect.DeepEqual(got, want) {
		var g bytes.Buffer
		WriteJSON(&g, got)
		t.Fatalf("round trip differs:\n%s", udiff.Unified("written", "read back", b.String(), g.String()))
	}
	// And written again, byte for byte the same.
	var again bytes.Buffer
	if err := WriteJSON(&again, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the document read back is written differently")
	}
	if d.Downstreams[0].Components[0].ByStatus == nil || d.Downstreams[1].Tests == nil {
		t.Fatal("WriteJSON changed its input")
	}
}

// TestJSONNeverNull: slices and maps the caller left nil are written as
// [] and {}, and WriteJSON does not change its input.
func TestJSONNeverNull(t *testing.T) {
	d := &Document{SchemaVersion: SchemaVersion, Generator: Generator, Generated: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Downstreams: []analyzer.Overview{{Downstream: "rhel@main", Components: []analyzer.ComponentSummary{{}},
			MissingFixes: []analyzer.MissingFix{{}}, Regressions: []analyzer.Regression{{}}}}}
	var b bytes.Buffer
	if err := WriteJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "null") {
		t.Errorf("null in the JSON:\n%s", b.String())
	}
	for _, want := range []string{`"by_status": {}`, `"carried": []`, `"fixes_what": []`, `"suspects": []`, `"trend": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %s in the JSON", want)
		}
	}
	if d.Downstreams[0].Carried != nil || d.Downstreams[0].Components[0].ByStatus != nil {
		t.Error("WriteJSON changed its input")
	}
	var empty bytes.Buffer
	if err := WriteJSON(&empty, &Document{SchemaVersion: SchemaVersion}); err != nil || !strings.Contains(empty.String(), `"downstreams": []`) {
		t.Errorf("empty document: %v\n%s", err, empty.String())
	}
}

func TestReadJSONRefuses(t *testing.T) {
	var good bytes.Buffer
	if err := WriteJSON(&good, fixtureDocument()); err != nil {
		t.Fatal(err)
	}
	// replace swaps the first occurrence of old in the good document.
	replace := func(old, new string) string {
		if !strings.Contains(good.String(), old) {
			t.Fatalf("the fixture's JSON has no %q", old)
		}
		return strings.Replace(good.String(), old, new, 1)
	}
	lineOf := func(s, sub string) int { return strings.Count(s[:strings.Index(s, sub)], "\n") + 1 }
	for _, tc := range []struct {
		name, data string
		want       string // the whole error, or its start when it ends in "..."
	}{
		{"empty", "", "base.json:1: malformed JSON: unexpected end of JSON input"},
		{"not JSON", "<html>", "base.json:1: malformed JSON: invalid character '<' looking for beginning of value"},
		{"truncated", good.String()[:200], "base.json:"},
		{"syntax on line 3", "{\n \"schema_version\": 2,\n \"generator\": kdelta\n}", "base.json:3: malformed JSON: invalid character 'k' looking for beginning of value"},
		{"trailing", "{\"schema_version\": 1}\n{}", "base.json:2: malformed JSON: invalid character '{' after top-level value"},
		{"array", "[1, 2]", "base.json:1: expected a JSON object (a kdelta report), got an array"},
		{"null", "null", "base.json:1: expected a JSON object (a kdelta report), got null"},
		{"no version", `{"generator": "kdelta", "downstreams": []}`, "base.json: no schema_version: not a kdelta report (this kdelta reads schema_version 1 to 2)"},
		{"null version", `{"schema_version": null}`, "base.json: no schema_version: not a kdelta report (this kdelta reads schema_version 1 to 2)"},
		{"newer", `{"schema_version": 3, "downstreams": []}`, "base.json: schema_version 3 is not supported; this kdelta reads 1 to 2"},
		{"older", `{"schema_version": 0}`, "base.json: schema_version 0 is not supported; this kdelta reads 1 to 2"},
		{"string version", "{\n\"schema_version\": \"1\"}", `base.json:2: schema_version: expected an integer, got string "1"`},
		{"fraction version", `{"schema_version": 1.5}`, "base.json:1: schema_version: expected an integer, got number 1.5"},
		{"count a string", replace(`"backported": 120`, `"backported": "120"`),
			"base.json:" + strconv.Itoa(lineOf(good.String(), `"backported": 120`)) + `: downstreams[0].components[0].backported: expected an integer, got string "120"`},
		{"downstreams an object", `{"schema_version": 2, "downstreams": {}}`, "base.json:1: downstreams: expected an array, got an object"},
		{"bad time", replace(`"generated": "2025-03-01T12:00:00Z"`, `"generated": "yesterday"`),
			"base.json:4: generated: expected an RFC 3339 time string, got string \"yesterday\": ..."},
		{"time a number", replace(`"since_date": "2025-02-01T10:30:00Z"`, `"since_date": 5`),
			"base.json:" + strconv.Itoa(lineOf(good.String(), `"since_date"`)) + ": downstreams[0].components[0].change.since_date: expected an RFC 3339 time string, got number 5: ..."},
		{"status count", replace(`"mainline": 1,`, `"mainline": true,`),
			"base.json:" + strconv.Itoa(lineOf(good.String(), `"mainline": 1,`)) + ": downstreams[0].components[0].by_status.mainline: expected an integer, got boolean true"},
		{"evidence not a list", replace(`"evidence": [`, `"evidence": 7, "x": [`),
			"base.json:" + strconv.Itoa(lineOf(good.String(), `"evidence": [`)) + ": downstreams[0].carried[0].status.evidence: expected an array, got number 7"},
		{"embedded commit field", replace(`"stable": true`, `"stable": "yes"`),
			"base.json:" + strconv.Itoa(lineOf(good.String(), `"stable": true`)) + `: downstreams[0].critical[1].stable: expected true or false, got string "yes"`},
		{"map key with a newline", `{"schema_version": 2, "downstreams": [{"components": [{"by_status": {"a\nb": "x"}}]}]}`,
			`base.json:1: downstreams[0].components[0].by_status."a\nb": expected an integer, got string "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadJSON("base.json", []byte(tc.data))
			if err == nil {
				t.Fatalf("read %+v, want an error", d)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error on several lines: %q", msg)
			}
			if want, ok := strings.CutSuffix(tc.want, "..."); ok || tc.name == "truncated" {
				if !strings.HasPrefix(msg, want) {
					t.Errorf("error:\n%s\nwant it to start with:\n%s", msg, want)
				}
				return
			}
			if msg != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", msg, tc.want)
			}
		})
	}
}

// TestReadJSONIgnoresUnknown: a newer kdelta's additions do not break an
// older one, and what is missing reads as empty.
func TestReadJSONIgnoresUnknown(t *testing.T) {
	data := `{"schema_version": 2, "generator": "kdelta", "new_top": {"x": [1]},
	"downstreams": [{"downstream": "rhel@main", "new_field": "x", "components": [{"component": "mlx5", "missing": 4, "future": [null]}]}]}`
	d, err := ReadJSON("new.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	o := d.Downstreams[0]
	if o.Downstream != "rhel@main" || o.Components[0].Missing != 4 {
		t.Errorf("read %+v", o)
	}
	if o.Carried == nil || o.MissingFixes == nil || o.Trend == nil || o.Components[0].ByStatus == nil {
		t.Errorf("nil slices or maps in %+v", o)
	}
}

// TestReadJSONVersion1 reads a baseline written before carried was one
// set: its backports leave the carried list and the status counts, so
// that the statuses add up to the carried count, as now.
func TestReadJSONVersion1(t *testing.T) {
	data := `{"schema_version": 1, "generator": "kdelta", "downstreams": [{"downstream": "rhel@main",
	"components": [{"component": "", "carried": 1, "by_status": {"mainline": 2, "never": 1}},
	               {"component": "mlx5", "carried": 1, "by_status": {"mainline": 1, "never": 1}}],
	"carried": [{"id": "b1", "components": ["mlx5"], "status": {"status": "mainline"}},
	            {"id": "b2", "components": [], "status": {"status": "mainline"}},
	            {"id": "d1", "components": ["mlx5"], "status": {"status": "never"}}],
	"backports": [{"upstream": "u1", "carried": ["b1"]}, {"upstream": "u2", "carried": ["b2"]}]}]}`
	d, err := ReadJSON("v1.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	o := d.Downstreams[0]
	if d.SchemaVersion != SchemaVersion || len(o.Carried) != 1 || o.Carried[0].ID != "d1" {
		t.Fatalf("version %d, carried %+v", d.SchemaVersion, o.Carried)
	}
	for _, c := range o.Components {
		sum := 0
		for _, n := range c.ByStatus {
			sum += n
		}
		if sum != c.Carried || c.ByStatus["mainline"] != 0 {
			t.Errorf("component %q: by_status %v does not add up to carried %d", c.Component, c.ByStatus, c.Carried)
		}
	}
}
