package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
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
