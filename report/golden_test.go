package report

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

func TestGolden(t *testing.T) {
	d := fixtureDocument()
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, d) }},
		{"report.json", func(b *bytes.Buffer) error { return WriteJSON(b, d) }},
		{"report.csv", func(b *bytes.Buffer) error { return WriteCSV(b, d) }},
		{"check.md", func(b *bytes.Buffer) error { return WriteCheckMarkdown(b, fixtureCheck()) }},
		{"check.junit.xml", func(b *bytes.Buffer) error { return WriteJUnit(b, fixtureCheck()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, b.Bytes()) // testdata/TestGolden/<name>.golden; -update rewrites it
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
