package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// fuzzFormats are the formats FuzzParse picks from by index.
func fuzzFormats() []string {
	return []string{"", FormatJUnit, FormatKCIDB, FormatCSV}
}

// FuzzParse checks that Parse never panics, that every case it returns has
// a path and a known status, and that every refusal is an *fileerr.Error whose
// message starts with the file name.
func FuzzParse(f *testing.F) {
	formats := fuzzFormats()
	index := func(format string) uint8 {
		for i, name := range formats {
			if name == format {
				return uint8(i)
			}
		}
		return 0
	}
	for _, tc := range junitGood() {
		f.Add([]byte(tc.data), index(FormatJUnit))
		f.Add([]byte(tc.data), uint8(0))
	}
	for _, tc := range kcidbGood() {
		f.Add([]byte(tc.data), index(FormatKCIDB))
		f.Add([]byte(tc.data), uint8(0))
	}
	for _, tc := range csvGood() {
		f.Add([]byte(tc.data), index(FormatCSV))
		f.Add([]byte(tc.data), uint8(0))
	}
	for _, tc := range junitBad() {
		f.Add([]byte(tc.data), index(FormatJUnit))
	}
	for _, tc := range kcidbBad() {
		f.Add([]byte(tc.data), index(FormatKCIDB))
	}
	for _, tc := range csvBad() {
		f.Add([]byte(tc.data), index(FormatCSV))
	}
	for _, name := range []string{"unh-iol.junit.xml", "cki.kcidb.json", "iol.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}

	statuses := map[string]bool{}
	for _, s := range Statuses() {
		statuses[s] = true
	}
	const name = "fuzz.in"
	f.Fuzz(func(t *testing.T, data []byte, fi uint8) {
		format := formats[int(fi)%len(formats)]
		file, err := Parse(name, data, format)
		if err != nil {
			var e *fileerr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *fileerr.Error", err, err)
			}
			if file != nil {
				t.Fatalf("a File came with error %v", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error %q is not one line starting with the file name", msg)
			}
			return
		}
		if file == nil {
			t.Fatal("no File and no error")
		}
		if format != "" && file.Format != format {
			t.Fatalf("format %q, want %q", file.Format, format)
		}
		for i, c := range file.Cases {
			if c.Path == "" {
				t.Fatalf("case %d: empty path: %+v", i, c)
			}
			if !statuses[c.Status] {
				t.Fatalf("case %d: status %q", i, c.Status)
			}
			if c.Where == "" {
				t.Fatalf("case %d: no Where", i)
			}
			if len(c.Message) > 500 || !utf8.ValidString(c.Message) || strings.ContainsAny(c.Message, "\r\n") {
				t.Fatalf("case %d: message %q", i, c.Message)
			}
			if c.Duration < 0 {
				t.Fatalf("case %d: duration %v", i, c.Duration)
			}
			if c.Properties != nil && len(c.Properties) == 0 {
				t.Fatalf("case %d: empty non-nil Properties", i)
			}
		}
	})
}
