package report

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReadJSON: ReadJSON never panics; its errors are one line that
// starts with the file's name; what it accepts is written back the same
// and renders as a well-formed page.
func FuzzReadJSON(f *testing.F) {
	var good bytes.Buffer
	if err := WriteJSON(&good, fixtureDocument()); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte(`{"schema_version": 1}`))
	f.Add([]byte(`{"schema_version": 1, "downstreams": [{"components": [{"by_status": {"x": 1}, "change": {}}], "trend": [{}, {}]}]}`))
	f.Add([]byte(`{"schema_version": "1"}`))
	f.Add([]byte(`{"schema_version": 2}`))
	f.Add([]byte(`[{"schema_version": 1}]`))
	f.Add([]byte(`{"schema_version": 1, "generated": 3}`))
	f.Add([]byte(`{"schema_version": 1, "downstreams": [{"carried": [{"subject": "<script>\u0000", "status": {"evidence": [{}]}}]}]}`))
	f.Add([]byte("{\"schema_version\": 1,\n\"downstreams\": [null, {\"missing_fixes\": [{\"fixes_what\": [{\"id\": \"\"}]}]}]}"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadJSON("fuzz.json", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.json:") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q", msg)
			}
			return
		}
		if d == nil || d.SchemaVersion != SchemaVersion {
			t.Fatalf("accepted %+v", d)
		}
		var once, twice bytes.Buffer
		if err := WriteJSON(&once, d); err != nil {
			t.Fatal(err)
		}
		again, err := ReadJSON("fuzz.json", once.Bytes())
		if err != nil {
			t.Fatalf("what WriteJSON wrote does not read back: %v", err)
		}
		if err := WriteJSON(&twice, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatal("written, read and written again, the JSON differs")
		}
		var page, md, csv bytes.Buffer
		if err := WriteHTML(&page, d); err != nil {
			t.Fatal(err)
		}
		if _, err := parsePage(page.Bytes()); err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		if err := WriteMarkdown(&md, d); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(&csv, d); err != nil {
			t.Fatal(err)
		}
	})
}
