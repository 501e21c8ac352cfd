package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store/pgtest"
)

func fixedNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// backendEnv names the store the suite runs on: "" for SQLite,
// "postgres" for a PostgreSQL database of each test's own.
const backendEnv = "KDELTA_STORE_TEST_BACKEND"

// TestMain runs the whole suite on SQLite, and then once more on
// PostgreSQL (the same test binary run again with backendEnv set) when a
// server is there or can be started (pgtest).
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(func() int {
		code := m.Run()
		if os.Getenv(backendEnv) != "" || !pgtest.Available() {
			return code
		}
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), backendEnv+"=postgres")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		fmt.Println("store: the suite again, on PostgreSQL")
		if err := cmd.Run(); err != nil && code == 0 {
			code = 1
		}
		return code
	}))
}

// onPostgres says whether this run of the suite is on PostgreSQL.
func onPostgres() bool { return os.Getenv(backendEnv) == "postgres" }

// sqliteOnly skips a test of what only a SQLite store has (its file).
func sqliteOnly(t *testing.T) {
	if onPostgres() {
		t.Skip("a test of the SQLite file")
	}
}

// testLocation returns where a new, empty store for a test is.
func testLocation(t *testing.T) string {
	t.Helper()
	if onPostgres() {
		return pgtest.Database(t)
	}
	return filepath.Join(t.TempDir(), "kdelta.db")
}

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), testLocation(t), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sampleFingerprint(id string) *change.Fingerprint {
	at := time.Date(2023, 3, 1, 10, 0, 0, 0, time.FixedZone("", 2*3600))
	return &change.Fingerprint{
		ID: id, AuthorName: "Ana Author", AuthorEmail: "ana@example.org", AuthorTime: at,
		CommitterName: "Carl Committer", CommitterEmail: "carl@example.org", CommitTime: at.Add(time.Hour),
		Subject: "RDMA/mlx5: Fix the thing", Body: "Body text.\n\nSigned-off-by: Ana Author <ana@example.org>",
		Trailers: change.Trailers{
			Fixes:       []change.Fix{{ID: "0123456789ab", Subject: "RDMA/mlx5: Add the thing"}},
			CcStable:    true,
			Upstream:    []change.Ref{{ID: "abcdef0123456789abcdef0123456789abcdef01", Style: change.GitCommit, Partial: true}},
			SignedOffBy: []string{"Ana Author <ana@example.org>"},
			CVEs:        []string{"CVE-2023-1234"},
		},
		Files: []change.File{
			{Path: "drivers/infiniband/hw/mlx5/qp.c", Status: change.Modified, PatchID: strings.Repeat("1", 40),
				Added: 2, Deleted: 1, Plus: []uint64{1, 2}, Minus: []uint64{3}},
			{Path: "drivers/infiniband/hw/mlx5/new.c", OldPath: "drivers/infiniband/hw/mlx5/old.c", Status: change.Renamed},
		},
		Components: []string{"mlx5"},
		PatchID:    strings.Repeat("2", 40),
	}
}

func TestOpenMigratesOnce(t *testing.T) {
	path := testLocation(t)
	for i := 0; i < 2; i++ {
		db, err := Open(context.Background(), path, fixedNow)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := db.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := migrationFS.ReadDir("migration")
		if n != len(files) {
			t.Fatalf("open %d: %d migrations recorded, want %d", i, n, len(files))
		}
		db.Close()
	}
}

func TestOpenRefusesAFileThatIsNotAStore(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "kdelta.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not sqlite\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, fixedNow)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func TestFingerprintRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	id := "0123456789abcdef0123456789abcdef01234567"
	fp := sampleFingerprint(id)
	ids, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{fp})
	if err != nil {
		t.Fatal(err)
	}
	// Storing again changes nothing and returns the same id.
	again, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{fp})
	if err != nil {
		t.Fatal(err)
	}
	if ids[id] == 0 || ids[id] != again[id] {
		t.Fatalf("ids %v then %v", ids, again)
	}
	got, err := db.Fingerprint(ctx, id[:8], "linux")
	if err != nil {
		t.Fatal(err)
	}
	if !got.AuthorTime.Equal(fp.AuthorTime) || !got.CommitTime.Equal(fp.CommitTime) {
		t.Errorf("times %v %v, want %v %v", got.AuthorTime, got.CommitTime, fp.AuthorTime, fp.CommitTime)
	}
	if _, off := got.AuthorTime.Zone(); off != 2*3600 {
		t.Errorf("author zone offset %d, want 7200", off)
	}
	got.AuthorTime, got.CommitTime = fp.AuthorTime, fp.CommitTime
	if !reflect.DeepEqual(got, fp) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, fp)
	}
	if _, err := db.Fingerprint(ctx, "ffff", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing commit: err = %v, want ErrNotFound", err)
	}
}

func TestRefMembership(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src, err := db.PutSource(ctx, Source{Name: "linux", Kind: "upstream", URL: "linux.git", Layout: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := db.EnsureRef(ctx, src, "master")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Tip != "" {
		t.Fatalf("new ref has tip %q", ref.Tip)
	}
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	ids, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(a), sampleFingerprint(b)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: ref.ID, Tip: b, ScopeHash: "s1", Reset: true, Add: []int64{ids[a], ids[b]}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateRef(ctx, RefUpdate{RefID: ref.ID, Tip: a, ScopeHash: "s1", Remove: []int64{ids[b]}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.RefCommitIDs(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[int64]bool{ids[a]: true}) {
		t.Errorf("membership %v, want only %d", got, ids[a])
	}
	ref, err = db.EnsureRef(ctx, src, "master")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Tip != a || ref.ScopeHash != "s1" || !ref.SyncedAt.Equal(fixedNow()) {
		t.Errorf("ref after update: %+v", ref)
	}
	refs, counts, err := db.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].Commits != 1 {
		t.Errorf("summary refs %+v", refs)
	}
	if len(counts) != 1 || counts[0].Component != "mlx5" || counts[0].Commits != 1 {
		t.Errorf("summary counts %+v", counts)
	}
}

func TestReclassify(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	id := strings.Repeat("c", 40)
	if _, err := db.PutFingerprints(ctx, "linux", []*change.Fingerprint{sampleFingerprint(id)}); err != nil {
		t.Fatal(err)
	}
	var gotPaths []string
	n, err := db.Reclassify(ctx, "linux", "h2", func(paths []string, subject string) []string {
		gotPaths = paths
		return []string{"core", "mlx5"}
	})
	if err != nil || n != 1 {
		t.Fatalf("reclassify: n=%d err=%v", n, err)
	}
	want := []string{"drivers/infiniband/hw/mlx5/qp.c", "drivers/infiniband/hw/mlx5/new.c", "drivers/infiniband/hw/mlx5/old.c"}
	if !reflect.DeepEqual(gotPaths, want) {
		t.Errorf("classify saw %v, want %v", gotPaths, want)
	}
	fp, err := db.Fingerprint(ctx, id, "linux")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fp.Components, []string{"core", "mlx5"}) {
		t.Errorf("components %v", fp.Components)
	}
	if h, _ := db.ComponentMapHash(ctx, "linux"); h != "h2" {
		t.Errorf("map hash %q, want h2", h)
	}
}

func TestLockIsExclusiveAndNamesItsHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kdelta.db")
	ctx := context.Background()
	l1, err := Acquire(ctx, path, "kdelta sync", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := ""
	_, err = Acquire(ctx, path, "kdelta sync", 300*time.Millisecond, func(who string) { waited = who })
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "kdelta sync (pid ") || !strings.Contains(waited, "kdelta sync (pid ") {
		t.Errorf("holder not named: err %q, waited %q", err, waited)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(ctx, path, "kdelta sync", 0, nil)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}
