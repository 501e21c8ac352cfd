package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		line, gl, wl := firstDiff(got, want)
		t.Errorf("%s: line %d differs (go test ./report -update rewrites it):\n got: %s\nwant: %s", path, line, gl, wl)
	}
}

// firstDiff finds the first line where a and b differ.
func firstDiff(a, b []byte) (int, string, string) {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) || i >= len(al) || i >= len(bl) {
			return i + 1, string(x), string(y)
		}
	}
	return 0, "", ""
}

func TestGolden(t *testing.T) {
	d := fixtureDocument()
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.md.golden", func(b *bytes.Buffer) error { return WriteMarkdown(b, d) }},
		{"report.json.golden", func(b *bytes.Buffer) error { return WriteJSON(b, d) }},
		{"report.csv.golden", func(b *bytes.Buffer) error { return WriteCSV(b, d) }},
		{"check.md.golden", func(b *bytes.Buffer) error { return WriteCheckMarkdown(b, fixtureCheck()) }},
		{"check.junit.xml.golden", func(b *bytes.Buffer) error { return WriteJUnit(b, fixtureCheck()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			// Twice the same: nothing depends on map order or the clock.
			var again bytes.Buffer
			if err := tc.write(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Errorf("%s: two runs differ", tc.name)
			}
		})
	}
}
