package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// An import reads its file in batches, and keeps "a malformed file stores
// nothing": a result whose target does not resolve, past the first
// batches, refuses the whole file; the file put right is then imported
// whole, and once.
func TestImportInBatchesStoresAFileWholeOrNothing(t *testing.T) {
	_, cfg := smallWorld(t)
	syncAll(t, cfg)
	db := openStore(t, cfg)
	ctx := context.Background()
	const n = 3*resultsBatch + 500
	write := func(name string, badAt int) string {
		path := filepath.Join(t.TempDir(), name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		w.WriteString("<testsuites><testsuite name=\"iol\">\n")
		for i := 0; i < n; i++ {
			if i == badAt {
				fmt.Fprintf(w, "<testcase classname=\"ipoib.cm\" name=\"case%d\"><properties><property name=\"target\" value=\"nosuch@v1\"/></properties></testcase>\n", i)
				continue
			}
			fmt.Fprintf(w, "<testcase classname=\"ipoib.cm\" name=\"case%d\"/>\n", i)
		}
		w.WriteString("</testsuite></testsuites>\n")
		w.Flush()
		f.Close()
		return path
	}
	bad := write("bad.xml", n-10)
	_, err := ImportResults(ctx, db, cfg, ResultsImport{File: bad, Target: "rhel@main"})
	if !errors.Is(err, ErrBadSource) || !strings.Contains(err.Error(), "nosuch") || !strings.Contains(err.Error(), fmt.Sprintf("line %d", n-10+2)) {
		t.Fatalf("err = %v, want the unknown target named at its line", err)
	}
	if paths, err := db.TestPaths(ctx); err != nil || len(paths) != 0 {
		t.Fatalf("the refused file stored %d tests (%v)", len(paths), err)
	}
	good := write("good.xml", -1)
	rep, err := ImportResults(ctx, db, cfg, ResultsImport{File: good, Target: "rhel@main"})
	if err != nil {
		t.Fatal(err)
	}
	want := &ResultsReport{File: good, Format: "junit", Cases: n, Added: n, Targets: []string{"rhel@main"}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	again, err := ImportResults(ctx, db, cfg, ResultsImport{File: good, Target: "rhel@main"})
	if err != nil {
		t.Fatal(err)
	}
	want.Added, want.Duplicate = 0, true
	if !reflect.DeepEqual(again, want) {
		t.Errorf("again: %+v, want %+v", again, want)
	}
	if paths, err := db.TestPaths(ctx); err != nil || len(paths) != n {
		t.Errorf("%d tests stored, want %d (%v)", len(paths), n, err)
	}
}

// A results target off the ref whose new commit cannot be read whole (a
// blob gone from the mirror) is a recorded skip of the import, as in a
// sync, not a crash; the results are stored.
func TestImportTargetWithDamagedCommitIsASkip(t *testing.T) {
	_, cfg := smallWorld(t)
	syncAll(t, cfg)
	mirror := cfg.MirrorPath(cfg.Source("rhel"))
	git := func(env []string, stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"--git-dir", mirror}, args...)...)
		cmd.Env = append(os.Environ(), append(env, "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.org",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.org")...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// A commit on top of rhel's branch that changes an RDMA file; its new
	// blob is loose, and then gone.
	blob := git(nil, "int lost;\n", "hash-object", "-w", "--stdin")
	index := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
	git(index, "", "read-tree", "main")
	git(index, "", "update-index", "--add", "--cacheinfo", "100644,"+blob+",drivers/infiniband/core/lost.c")
	tree := git(index, "", "write-tree")
	commit := git(nil, "", "commit-tree", tree, "-p", "main", "-m", "RDMA/core: Add lost.c")
	if err := os.Remove(filepath.Join(mirror, "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "results.csv")
	if err := os.WriteFile(file, []byte("test,status\nipoib.cm.ping,PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := openStore(t, cfg)
	ctx := context.Background()
	rep, err := ImportResults(ctx, db, cfg, ResultsImport{File: file, Target: "rhel@" + commit})
	if err != nil || rep.Added != 1 {
		t.Fatalf("import: %+v, %v; want 1 result added", rep, err)
	}
	skips, err := db.Skips(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sk := range skips {
		found = found || strings.Contains(sk.Object+" "+sk.Reason, blob)
	}
	if !found {
		t.Errorf("skips %+v; want one naming the lost blob %.12s", skips, blob)
	}
}
