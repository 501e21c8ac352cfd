package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdelta/kdelta/internal/world"
)

// obeyed returns the first character of out a terminal would obey, or
// act on to disguise text, with its offset and what is around it; ""
// when there is none. Newline and tab are the output's own. (An oracle
// of its own: it does not ask termtext.)
func obeyed(out string) string {
	for i, r := range out {
		bad := r == utf8.RuneError && !strings.HasPrefix(out[i:], "\uFFFD") || // a byte that is not UTF-8
			r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f || // C0, DEL, C1
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c // bidi
		if bad {
			return fmt.Sprintf("%U at byte %d in %q", r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	return ""
}

// jsonHas says whether a JSON document holds the string want exactly,
// at any depth.
func jsonHas(t *testing.T, doc, want string) bool {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("the JSON does not parse: %v\n%.300s", err, doc)
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return v == want
		case []any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case map[string]any:
			for k, x := range v {
				if k == want || walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// TestHostileTextNeverReachesTheTerminal plants commits, postings and test
// results whose subjects, authors, file names, message-ids, tests, labs
// and messages hold escape sequences (window title, clear screen,
// hyperlink, colours), carriage returns, backspaces, DEL, C1 controls and
// bidi overrides, syncs them, and runs every read command over them: no
// control character reaches stdout or stderr, each command shows the text
// escaped (so it did print it), a cut subject leaves no sequence open, and
// JSON keeps the exact text.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	dir, _, do := demoWorld(t) // snapshot 1: before the hostile text
	h, err := world.PlantHostile(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := do("sync")
	if code != exitSkips { // the posting cut inside a hunk
		t.Fatalf("sync: exit %d, want %d\n%s%s", code, exitSkips, out, stderr)
	}
	if bad := obeyed(out + stderr); bad != "" {
		t.Errorf("sync printed %s", bad)
	}
	out, stderr, code = do("results", "import", filepath.Join(dir, h.Results))
	if code != exitOK {
		t.Fatalf("results import: exit %d\n%s%s", code, out, stderr)
	}

	subject := "RDMA/mlx5: " + world.HostileLine
	const (
		title  = `\x1b]0;pwned\x07` // the window title sequence, shown
		author = `Mallory \x1b]0;pwned\x07\u202eyrollaM\u202c`
	)
	md := filepath.Join(t.TempDir(), "r.md")
	tests := []struct {
		args []string
		code int
		show []string // what the output shows, escaped
		json string   // for JSON: a string the document holds exactly
	}{
		{args: []string{"summary"}},
		{args: []string{"show", h.Upstream}, show: []string{"subject    RDMA/mlx5: " + title + `\x1b[2J\x1b[31mred`, "author     " + author,
			`A drivers/infiniband/hw/mlx5/` + title + `\u202eh.c`, `link       https://evil.example/\x1b]8;;`, `bs\x08del\u007f c1\u0085\u009b2J bidi \u202eevil\u202c \u2066iso\u2069 tab\tend`}},
		{args: []string{"show", "--diff", h.Upstream}, show: []string{"+static int hostile\\r = 1;\n", "+\\x1b[2J\\x1b[3J\n"}},
		{args: []string{"show", h.Downstream}, show: []string{"subject    IB/mlx5: carry " + title}},
		{args: []string{"show", "--diff", h.Downstream}, show: []string{`+/* ` + title + ` \x1b[2J \u202eevil\u202c */`}},
		{args: []string{"delta", "rhel"}},
		{args: []string{"delta", "rhel", "--component", "mlx5", "--limit", "0"}, show: []string{
			"  RDMA/mlx5: " + title + `\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;https://…  ` + author + "  [release: fixes code in ",
			"IB/mlx5: carry " + title, "FAIL  ipoib.mlx5." + title, "(lab " + title}},
		{args: []string{"delta", "rhel", "--format", "json"}, json: subject},
		{args: []string{"delta", "--all"}},
		{args: []string{"matches", "rhel", "--format", "table"}},
		{args: []string{"matches", "rhel"}, json: h.Downstream},
		// The status table cuts the message-id and the subject at 50
		// characters, inside the title sequence: nothing is left open.
		{args: []string{"status", "rhel"}, show: []string{"submitted  v1 2024-01-01 <20240101120000.1-hostile-\\x1b]0;pw…  IB/mlx5: carry " + title}},
		{args: []string{"status", "rhel", "--format", "json"}, json: h.Posting},
		{args: []string{"status", h.Downstream[:12]}, show: []string{"IB/mlx5: carry " + title, "message-id <20240101120000.1-hostile-" + title + "@evil.example>"}},
		{args: []string{"results", "show", h.Test}, show: []string{"ipoib.mlx5." + title, "lab " + title, `hw \u202eevil\u202c`, "FAIL"}},
		{args: []string{"results", "show", h.Test, "--format", "json"}, json: h.Test},
		{args: []string{"results", "regressions"}, show: []string{"  FAIL ipoib.mlx5." + title, ": timeout " + title}},
		{args: []string{"results", "regressions", "rhel", "--limit", "0"}, show: []string{"  FAIL ipoib.mlx5." + title}},
		{args: []string{"results", "regressions", "--format", "json"}, json: h.Test},
		{args: []string{"report", "--format", "md"}, show: []string{"pwned"}},
		{args: []string{"report", "--format", "md", "-o", md}},
		{args: []string{"report", "--format", "csv"}},
		{args: []string{"report", "--format", "json"}, json: subject},
		{args: []string{"report", "--format", "html"}, show: []string{"IB/mlx5: carry "}},
		{args: []string{"check", "--baseline", "1"}, code: exitRegressions, show: []string{"missing-fix mlx5: RDMA/mlx5: ", `\u202eevil\u202c`}},
		{args: []string{"skips"}, show: []string{"<20240101120000.2-hostile-\\x1b[2J@evil.example>"}},
		{args: []string{"tui", "--print"}},
		{args: []string{"results", "show", "ipoib.mlx5.\x1b]0;pwne"}, code: exitBadInput}, // did you mean: the stored name, in the error
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(safe(name), func(t *testing.T) {
			out, stderr, code := do(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%.2000s%s", code, tt.code, out, stderr)
			}
			if bad := obeyed(out); bad != "" {
				t.Errorf("stdout: %s", bad)
			}
			if bad := obeyed(stderr); bad != "" {
				t.Errorf("stderr: %s", bad)
			}
			for _, s := range tt.show {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%.3000s", s, out)
				}
			}
			if tt.json != "" && !jsonHas(t, out, tt.json) {
				t.Errorf("the JSON lacks %q exactly", tt.json)
			}
		})
	}
	// The Markdown written to a file is read in terminals too.
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if bad := obeyed(string(b)); bad != "" {
		t.Errorf("report -o r.md: %s", bad)
	}
	if !strings.Contains(string(b), "pwned") {
		t.Errorf("report -o r.md lacks the hostile commits")
	}
}
