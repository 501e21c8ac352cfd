package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSnapshotsAndHistory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	src, err := db.PutSource(ctx, Source{Name: "sles", Kind: "distro", URL: "sles", Layout: "linux", Upstream: "linux", Format: "series"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := db.EnsureRef(ctx, src, "series")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("ab", 20)
	for i, st := range []string{"submitted", "mainline"} {
		snap, err := db.PutSnapshot(ctx, Snapshot{Refs: []SnapshotRef{{RefID: ref.ID,
			Statuses: []ChangeStatus{{Change: id, Path: "patches.suse/RDMA-x.patch", Subject: "RDMA/x: y", Status: st, Detail: "{}"}},
			Counts:   []ComponentCount{{Component: "mlx5", Missing: 3 - i, Carried: 1}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if snap != int64(i+1) {
			t.Errorf("snapshot id = %d, want %d", snap, i+1)
		}
	}
	for _, key := range []string{id[:7], id, "patches.suse/RDMA-x.patch", "RDMA-x.patch"} {
		h, err := db.StatusHistory(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Status != "submitted" || h[1].Status != "mainline" || h[1].Source != "sles" || h[1].Ref != "series" {
			t.Errorf("history of %q = %+v, want submitted then mainline on sles@series", key, h)
		}
	}
	if h, _ := db.StatusHistory(ctx, "RDMA-%.patch"); len(h) != 0 {
		t.Errorf("a LIKE wildcard in the key matched: %+v", h)
	}
	last, err := db.LastSnapshot(ctx)
	if err != nil || last.ID != 2 {
		t.Errorf("last snapshot = %+v, %v; want snapshot 2", last, err)
	}
}

func TestNoSnapshotYet(t *testing.T) {
	if _, err := openTest(t).LastSnapshot(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Errorf("LastSnapshot of an empty store = %v, want ErrNotFound", err)
	}
}

func TestAnnotationsAndIgnores(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	id := strings.Repeat("cd", 20)
	if err := db.Annotate(ctx, Annotation{Change: id, Status: "submitted", Reason: "posted by hand"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Annotate(ctx, Annotation{Change: id, Status: "never", Reason: "vendor-only"}); err != nil {
		t.Fatal(err)
	}
	as, err := db.Annotations(ctx)
	if err != nil || len(as) != 1 || as[id].Status != "never" || as[id].Reason != "vendor-only" {
		t.Errorf("annotations = %+v, %v; want the later one only", as, err)
	}
	if had, _ := db.Unannotate(ctx, id); !had {
		t.Error("Unannotate said there was nothing")
	}
	if had, _ := db.Unannotate(ctx, id); had {
		t.Error("Unannotate twice said there was something")
	}
	if err := db.AddIgnore(ctx, Ignore{Target: "drivers/infiniband/hw/qib/", Kind: "path", Reason: "not shipped"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddIgnore(ctx, Ignore{Target: id, Kind: "bogus", Reason: "x"}); err == nil {
		t.Error("an ignore of kind bogus was stored")
	}
	list, err := db.Ignores(ctx)
	if err != nil || len(list) != 1 || list[0].Reason != "not shipped" {
		t.Errorf("ignores = %+v, %v", list, err)
	}
}

func TestRepeatedSnapshot(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	src, _ := db.PutSource(ctx, Source{Name: "ofed", Kind: "vendor", URL: "o", Layout: "linux", Upstream: "linux"})
	ref, _ := db.EnsureRef(ctx, src, "master")
	id := strings.Repeat("ef", 20)
	first, err := db.PutSnapshot(ctx, Snapshot{Key: "k", Refs: []SnapshotRef{{RefID: ref.ID,
		Statuses: []ChangeStatus{{Change: id, Subject: "s", Status: "queued", Detail: "{}"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.CopySnapshot(ctx, first, 0, "k")
	if err != nil {
		t.Fatal(err)
	}
	third, err := db.CopySnapshot(ctx, second, 0, "k")
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.StatusHistory(ctx, id)
	if err != nil || len(h) != 3 || h[2].Snapshot != third || h[2].Status != "queued" {
		t.Fatalf("history = %+v, %v; want the status in all three snapshots", h, err)
	}
	if _, err := db.CopySnapshot(ctx, 99, 0, "k"); err == nil {
		t.Error("repeating a snapshot that does not exist worked")
	}
}
