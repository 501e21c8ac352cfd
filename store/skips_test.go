package store

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

func TestSkipsAreKeptOnceAndClearedPerRef(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := strings.Repeat("c", 40)
	add := []Skip{
		{Source: "linux", Ref: "master", Kind: SkipDamaged, Commit: c, Object: "blob " + strings.Repeat("b", 40), Reason: "diff not read"},
		{Source: "linux", Ref: "master", Kind: SkipDamaged, Commit: c, Object: "blob " + strings.Repeat("b", 40), Reason: "diff not read"},
		{Source: "linux", Ref: "next", Kind: SkipDamaged, Object: "object " + c, Reason: "ref next not read"},
		{Source: "linux", Ref: "master", Kind: SkipLimit, Commit: c, Reason: "diff not fingerprinted: too large"},
		{Source: "linux", Reason: "message is not UTF-8"},
	}
	for _, s := range add {
		if err := db.AddSkip(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Skips(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range got {
		kinds = append(kinds, s.Ref+"/"+s.Kind)
	}
	if want := []string{"master/damaged", "next/damaged", "master/limit", "/note"}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("skips %v, want %v (the same skip twice is kept once; no kind is a note)", kinds, want)
	}
	if got[0].Object != add[0].Object || got[0].Commit != c || !got[0].At.Equal(fixedNow()) {
		t.Errorf("skip read back as %+v", got[0])
	}
	// Reading master again clears its damaged skips only.
	n, err := db.ClearSkips(ctx, "linux", "master", SkipDamaged)
	if err != nil || n != 1 {
		t.Fatalf("cleared %d, %v; want 1", n, err)
	}
	got, _ = db.Skips(ctx)
	if len(got) != 3 || got[0].Ref != "next" || got[1].Kind != SkipLimit {
		t.Errorf("after clearing master: %+v", got)
	}
}

// TestResetSource forgets what a source that moved held, keeps what it
// held for MovedChanges, and leaves fingerprints, manual entries and other
// sources alone.
func TestResetSource(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	up, err := db.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	down, err := db.PutSource(ctx, Source{Name: "sles", Kind: "distro", URL: "sles", Layout: "linux", Upstream: "linux", Format: "series"})
	if err != nil {
		t.Fatal(err)
	}
	upRef, _ := db.EnsureRef(ctx, up, "master")
	downRef, _ := db.EnsureRef(ctx, down, "series")
	a, b, p := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("d", 40)
	ids, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(a), sampleFingerprint(b), sampleFingerprint(p)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: upRef.ID, Tip: b, ScopeHash: "s", Reset: true, Add: []int64{ids[a], ids[b]}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: downRef.ID, Tip: "t", ScopeHash: "s", Reset: true, Add: []int64{ids[p]},
		Patches: []PatchFile{{Path: "patches.suse/x.patch", CommitID: ids[p]}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBase(ctx, Base{RefID: downRef.ID, UpstreamRefID: upRef.ID, Commit: a, How: "configured base v5.14", Tip: "t", UpstreamTip: b},
		[]int64{ids[p]}, []int64{ids[b]}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutTags(ctx, up, []Tag{{Name: "v5.14", Commit: a}}, map[int64]string{ids[a]: "v5.14"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOverride(ctx, p, []string{b}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSkip(ctx, Skip{Source: "linux", Ref: "master", Kind: SkipDamaged, Commit: b, Reason: "diff not read"}); err != nil {
		t.Fatal(err)
	}

	if err := db.ResetSource(ctx, up); err != nil {
		t.Fatal(err)
	}
	ref, _ := db.EnsureRef(ctx, up, "master")
	members, _ := db.RefCommitIDs(ctx, upRef.ID)
	tags, _ := db.Tags(ctx, up)
	skips, _ := db.Skips(ctx)
	if ref.Tip != "" || ref.ScopeHash != "" || len(members) != 0 || len(tags) != 0 || len(skips) != 0 {
		t.Errorf("after the reset: tip %q, scope %q, %d commits, tags %v, skips %v", ref.Tip, ref.ScopeHash, len(members), tags, skips)
	}
	// The base measured against the old upstream is gone; the downstream
	// itself, fingerprints and manual matches are not.
	if _, err := db.GetBase(ctx, downRef.ID); err == nil {
		t.Errorf("the base against the old upstream is kept")
	}
	if m, _ := db.RefCommitIDs(ctx, downRef.ID); len(m) != 1 {
		t.Errorf("the downstream lost its commits: %v", m)
	}
	if _, err := db.Fingerprint(ctx, a, ""); err != nil {
		t.Errorf("fingerprint dropped: %v", err)
	}
	if o, _, _ := db.Overrides(ctx); len(o[p]) != 1 {
		t.Errorf("overrides %v", o)
	}
	oldURL, moved, err := db.MovedChanges(ctx, "linux")
	if err != nil || oldURL != "linux.git" || len(moved) != 2 || moved[0].OID != a || moved[0].PatchID != sampleFingerprint(a).PatchID {
		t.Errorf("moved changes %q %+v, %v", oldURL, moved, err)
	}
	if err := db.DoneMoving(ctx, "linux"); err != nil {
		t.Fatal(err)
	}
	if oldURL, moved, _ := db.MovedChanges(ctx, "linux"); oldURL != "" || moved != nil {
		t.Errorf("after DoneMoving: %q %+v", oldURL, moved)
	}

	// A series keeps its patch files among what it held.
	if err := db.ResetSource(ctx, down); err != nil {
		t.Fatal(err)
	}
	_, moved, _ = db.MovedChanges(ctx, "sles")
	if len(moved) != 1 || moved[0].OID != p || moved[0].Path != "patches.suse/x.patch" {
		t.Errorf("moved patches %+v", moved)
	}
	if files, _ := db.PatchFiles(ctx, downRef.ID); len(files) != 0 {
		t.Errorf("patch files kept: %+v", files)
	}
}
