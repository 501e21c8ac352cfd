package fingerprint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/mbox"
	"github.com/kdelta/kdelta/sources/patchdiff"
	"github.com/kdelta/kdelta/sources/patchfile"
)

// oraclePatchID runs `git patch-id --stable` on a patch text.
func oraclePatchID(t *testing.T, patch []byte) string {
	t.Helper()
	cmd := exec.Command("git", "patch-id", "--stable")
	cmd.Stdin = strings.NewReader("commit 0123456789012345678901234567890123456789\n" + string(patch))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git patch-id: %v", err)
	}
	if f := strings.Fields(string(out)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// checkAgainstGit reads diff as ingest does (fingerprint.Patch, through
// sources/patchdiff) and compares every patch-id with git's on the same
// text: the whole diff's, each file's section's, and the sum of the files'
// where git sums them.
func checkAgainstGit(t *testing.T, name string, diff []byte) {
	t.Helper()
	id, files, err := fingerprint.Patch(diff)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if want := oraclePatchID(t, diff); id != want {
		t.Errorf("%s: patch-id %q, git patch-id --stable %q", name, id, want)
	}
	d, err := patchdiff.Parse(diff)
	if err != nil || len(d.Files) != len(files) {
		t.Fatalf("%s: patchdiff.Parse: %v, %d files for Patch's %d", name, err, len(d.Files), len(files))
	}
	for k, f := range d.Files {
		var sec []byte
		for _, l := range d.Lines[f.Start:f.End] {
			sec = append(sec, l...)
		}
		if want := oraclePatchID(t, sec); files[k].PatchID != want {
			t.Errorf("%s: %s: patch-id %q, git's on its section %q", name, f.Path, files[k].PatchID, want)
		}
	}
	if sum := fingerprint.SumFiles(files); sum != "" && sum != id {
		t.Errorf("%s: the files' patch-ids sum to %q, the whole diff's is %q", name, sum, id)
	}
}

// TestPatchFilesAgreeWithGit is the oracle for every patch text kdelta's
// tests read: the patch files under testdata/ and sources/*/testdata, the
// postings of the mbox fixtures, and the series and OFED backports the
// synthetic world exports. Each is read the way its reader reads it.
func TestPatchFilesAgreeWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	var paths []string
	for _, pattern := range []string{"../../testdata/*/*", "../../testdata/*/*/*", "../*/testdata/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	patches, postings := 0, 0
	for _, p := range paths {
		switch {
		case strings.HasSuffix(p, ".patch"):
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := patchfile.Parse(p, data)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			checkAgainstGit(t, p, pf.Diff)
			patches++
		case strings.HasSuffix(p, ".mbox"):
			msgs, _, err := mbox.Read(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Diff != nil {
					checkAgainstGit(t, p+" "+m.MessageID, m.Diff)
					postings++
				}
			}
		}
	}
	if patches < 10 || postings < 1 {
		t.Fatalf("read %d patch files and %d postings: the fixtures moved?", patches, postings)
	}

	dir := t.TempDir()
	w, err := world.Build(world.Options{Seed: 1, Size: world.Small, Dir: dir})
	if err != nil {
		t.Fatalf("world.Build: %v", err)
	}
	exported := 0
	for _, s := range w.Truth.Series {
		for _, sp := range s.Patches {
			p := filepath.Join(w.Files[s.Source], sp.Path)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := patchfile.Parse(p, data)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			checkAgainstGit(t, s.Format+" "+sp.Path, pf.Diff)
			exported++
		}
	}
	if exported == 0 {
		t.Fatal("the world exported no series patch")
	}
	t.Logf("%d patch files, %d postings, %d exported series/OFED patches agree with git", patches, postings, exported)
}
