package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKernelSection: make bench-kernel rewrites only its own section of
// BENCHMARKS.md, and make bench keeps it when it rewrites the rest.
func TestKernelSection(t *testing.T) {
	const h = kernelHeading
	sec := h + "\n\nnew figures\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"empty file", "", sec},
		{"appended after the other sections", "# Benchmarks\n\n## Analysis\n\nrows\n", "# Benchmarks\n\n## Analysis\n\nrows\n\n" + sec},
		{"replaced at the end", "# Benchmarks\n\n" + h + "\n\nold figures\n", "# Benchmarks\n\n" + sec},
		{"replaced in the middle", "# Benchmarks\n\n" + h + "\n\nold\n\n## Team\n\nteam rows\n", "# Benchmarks\n\n" + sec + "\n## Team\n\nteam rows\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if tc.doc != "" {
				if err := os.WriteFile(path, []byte(tc.doc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := writeSection(path, h, sec); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", b, tc.want)
			}
			if got := keptSection(path, h); got != sec && got != sec+"\n" {
				t.Errorf("keptSection = %q, want %q", got, sec)
			}
		})
	}
}
