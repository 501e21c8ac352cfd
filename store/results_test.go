package store

import (
	"context"
	"testing"
	"time"
)

func TestImportResults(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t1 := TestTarget{Source: "rhel", Label: "v1", Commit: "aaaa", Time: time.Unix(1000, 0)}
	t2 := TestTarget{Source: "rhel", Label: "v2", Commit: "bbbb", Time: time.Unix(2000, 0)}
	ofed := TestTarget{Source: "ofed", Label: "23.10", Commit: "cccc", Time: time.Unix(1500, 0)}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rs := []TestResult{
		{Target: t2, Lab: "iol", Path: "ipoib.ping", Status: "FAIL", Started: start, Message: "timed out", Properties: map[string]string{"kernel": "5.14"}},
		{Target: t1, Lab: "iol", Path: "ipoib.ping", Status: "PASS", Started: start, Duration: 1500 * time.Millisecond},
		{Target: ofed, Lab: "iol", Path: "ipoib.ping", Status: "PASS"},
		// The same result twice in one file is stored once.
		{Target: t1, Lab: "iol", Path: "ipoib.ping", Status: "PASS", Started: start},
	}
	added, dup, err := db.ImportResults(ctx, ResultFile{Digest: "d1", Name: "a.xml", Format: "junit"}, rs)
	if err != nil || dup || added != 3 {
		t.Fatalf("ImportResults = %d, %v, %v; want 3 new", added, dup, err)
	}
	// The same file again adds nothing.
	if added, dup, err := db.ImportResults(ctx, ResultFile{Digest: "d1", Name: "copy.xml", Format: "junit"}, rs); err != nil || !dup || added != 0 {
		t.Fatalf("re-import = %d, %v, %v; want a duplicate", added, dup, err)
	}
	// Another file repeating a stored result adds only what is new.
	more := []TestResult{rs[1], {Target: t2, Lab: "iol", Path: "srp.login", Status: "PASS"}}
	if added, _, err := db.ImportResults(ctx, ResultFile{Digest: "d2", Name: "b.csv", Format: "csv"}, more); err != nil || added != 1 {
		t.Fatalf("second file = %d, %v; want 1 new", added, err)
	}
	got, err := db.TestResults(ctx, ResultQuery{Source: "rhel", Path: "ipoib.ping"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Target.Label != "v1" || got[1].Target.Label != "v2" {
		t.Fatalf("rhel ipoib.ping = %+v; want v1 then v2", got)
	}
	if g := got[1]; g.Status != "FAIL" || g.Message != "timed out" || g.Properties["kernel"] != "5.14" || !g.Started.Equal(start) || g.File != "a.xml" {
		t.Errorf("stored result = %+v", g)
	}
	if got[0].Duration != 1500*time.Millisecond {
		t.Errorf("duration = %v", got[0].Duration)
	}
	all, err := db.TestResults(ctx, ResultQuery{})
	if err != nil || len(all) != 4 {
		t.Fatalf("all results = %d, %v; want 4", len(all), err)
	}
	paths, err := db.TestPaths(ctx)
	if err != nil || len(paths) != 2 || paths[0] != "ipoib.ping" {
		t.Fatalf("TestPaths = %v, %v", paths, err)
	}
}
