package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSyncWithSkipsExitsFour syncs a mailing-list archive whose download
// was cut short: the sync stores what it could read, exits 4 saying how
// many things it skipped, and `kdelta skips` lists each with its source,
// object and reason.
func TestSyncWithSkipsExitsFour(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("..", "..", "sources", "mbox", "testdata", "linux-rdma.mbox"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	cut := gz.Bytes()[:gz.Len()*2/3]
	if err := os.WriteFile(filepath.Join(dir, "linux-rdma.mbox.gz"), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "kdelta.toml")
	text := "[[source]]\nname = \"linux-rdma\"\nkind = \"list\"\nformat = \"mbox\"\nurl = \"linux-rdma.mbox.gz\"\n"
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	do := func(args ...string) (string, string, int) {
		e, out, errb := testEnv(t, dir)
		code := run(append(args, "--config", config), e)
		return out.String(), errb.String(), code
	}

	out, errb, code := do("sync")
	if code != exitSkips {
		t.Fatalf("sync exit %d, want %d; stderr: %s", code, exitSkips, errb)
	}
	last := errb[strings.LastIndex(strings.TrimSuffix(errb, "\n"), "\n")+1:]
	if !strings.HasPrefix(last, "kdelta sync: synced with 1 skip: 'kdelta skips' lists what could not be read") {
		t.Errorf("last line of stderr %q", last)
	}
	if !strings.Contains(errb, "linux-rdma@mbox: skipped: the gzip stream ends early") {
		t.Errorf("the skip is not noted: %s", errb)
	}
	line := regexp.MustCompile(`linux-rdma@mbox at [0-9a-f]{12}: (\d+) messages read, (\d+) fingerprinted, \d+ out of scope, 1 not read \(see 'kdelta skips'\)`)
	m := line.FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[2] == "0" || !strings.Contains(out, "saved snapshot 1") {
		t.Errorf("sync printed %q; want what it read, what it could not, and the snapshot", out)
	}

	out, errb, code = do("skips")
	if code != exitOK {
		t.Fatalf("skips exit %d: %s", code, errb)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "SOURCE") || !strings.Contains(rows[0], "OBJECT") ||
		!regexp.MustCompile(`^linux-rdma@mbox\s+damaged\s+-\s+line \d+\s+the gzip stream ends early at line \d+ \(unexpected EOF\): the message at line \d+ and any after it not read$`).MatchString(rows[1]) {
		t.Errorf("kdelta skips printed:\n%s", out)
	}

	// The whole archive downloaded again: nothing is skipped.
	gz.Reset()
	zw = gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "linux-rdma.mbox.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errb, code := do("sync"); code != exitOK {
		t.Errorf("sync of the whole archive: exit %d: %s", code, errb)
	}
	if out, _, _ := do("skips"); !strings.Contains(out, "nothing was skipped") {
		t.Errorf("skips after the whole archive: %s", out)
	}
}

func TestUsageNamesTheSkipsExitCode(t *testing.T) {
	e, out, _ := testEnv(t, t.TempDir())
	if code := run([]string{"help"}, e); code != exitOK || !strings.Contains(out.String(), "4 synced with skips") {
		t.Errorf("help (exit %d) does not name exit code 4: %s", code, out)
	}
}
