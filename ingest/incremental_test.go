package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
)

// storeDump is what a store says about the repositories' state, by
// natural keys (source, ref, commit id), never by the store's own row ids:
// each table a sorted list of rows. The commits a store keeps but no ref
// holds any longer (history a force-push or a removed ref left behind)
// are a cache, not an answer, so releases are compared for commits that
// some ref holds.
func storeDump(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	held := `c.id IN (SELECT commit_id FROM ref_commits)`
	queries := map[string]string{
		"refs":        `SELECT s.name, r.name, r.tip FROM refs r JOIN sources s ON s.id = r.source_id WHERE r.tip != ''`,
		"ref_commits": `SELECT s.name, r.name, c.oid FROM ref_commits rc JOIN refs r ON r.id = rc.ref_id JOIN sources s ON s.id = r.source_id JOIN commits c ON c.id = rc.commit_id`,
		"tags":        `SELECT s.name, t.name, t.commit_oid FROM tags t JOIN sources s ON s.id = t.source_id`,
		"releases":    `SELECT s.name, c.oid, rel.tag FROM releases rel JOIN sources s ON s.id = rel.source_id JOIN commits c ON c.id = rel.commit_id WHERE ` + held,
		"bases":       `SELECT s.name, r.name, b.oid, b.how, b.tip, b.upstream_tip FROM bases b JOIN refs r ON r.id = b.ref_id JOIN sources s ON s.id = r.source_id`,
		"since_base":  `SELECT s.name, r.name, sb.side, c.oid FROM since_base sb JOIN refs r ON r.id = sb.ref_id JOIN sources s ON s.id = r.source_id JOIN commits c ON c.id = sb.commit_id`,
		"commits":     `SELECT c.oid, c.subject, c.patch_id, c.skip FROM commits c WHERE ` + held,
		"components":  `SELECT c.oid, k.layout, k.name FROM components k JOIN commits c ON c.id = k.commit_id WHERE ` + held,
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				parts = append(parts, v.String)
			}
			out[table] = append(out[table], strings.Join(parts, " | "))
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

// TestIncrementalEqualsFromScratch changes the repositories the way real
// trees change between two syncs and, after each change, compares the
// store that synced every step with a new store that syncs the end state
// once, table by table.
func TestIncrementalEqualsFromScratch(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	w, err := world.Build(world.Options{Seed: 11, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	linux := w.Repos["linux"]
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"--git-dir", linux}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	load := func(store string, refs []string) *project.Config {
		cfg, err := project.Load(w.Config)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Store.Path = store
		cfg.Store.Mirrors = store + "-mirrors"
		cfg.Source("linux").Refs = refs
		return cfg
	}
	incremental := filepath.Join(t.TempDir(), "incremental.db")
	refs := []string{"master"}
	if _, err := Sync(ctx, load(incremental, refs), Options{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	var tip string
	steps := []struct {
		name   string
		change func()
	}{
		{"upstream moves on; a release tag ahead of master", func() {
			ids, err := world.Advance(w.Dir, "linux", 6, 3)
			if err != nil {
				t.Fatal(err)
			}
			tip = ids[len(ids)-1]
			git("tag", "v9.0", tip)
			git("update-ref", "refs/heads/master", ids[2])
		}},
		{"master fast-forwards onto the tag fetched before", func() {
			git("update-ref", "refs/heads/master", tip)
		}},
		{"a new release tag", func() {
			git("tag", "v9.1-rc1", tip+"~1")
		}},
		{"a ref added to refs", func() {
			refs = []string{"master", "for-next"}
		}},
		{"a downstream force-pushed", func() {
			if _, err := world.Rebase(w.Dir, "rhel", 5); err != nil {
				t.Fatal(err)
			}
		}},
		{"a ref removed from refs", func() {
			refs = []string{"master"}
		}},
	}
	for i, step := range steps {
		step.change()
		if _, err := Sync(ctx, load(incremental, refs), Options{Now: fixedNow}); err != nil {
			t.Fatalf("%s: incremental sync: %v", step.name, err)
		}
		scratch := filepath.Join(t.TempDir(), fmt.Sprintf("scratch%d.db", i))
		if _, err := Sync(ctx, load(scratch, refs), Options{Now: fixedNow}); err != nil {
			t.Fatalf("%s: sync from scratch: %v", step.name, err)
		}
		got, want := storeDump(t, incremental), storeDump(t, scratch)
		for table := range want {
			if !slices.Equal(got[table], want[table]) {
				missing, extra := diffRows(want[table], got[table])
				t.Errorf("%s: table %s: the incremental store lacks %d rows and has %d more than a store synced from scratch; first lacking %q, first extra %q",
					step.name, table, len(missing), len(extra), first(missing), first(extra))
			}
		}
	}
}

func diffRows(want, got []string) (missing, extra []string) {
	w := map[string]int{}
	for _, r := range want {
		w[r]++
	}
	for _, r := range got {
		if w[r] > 0 {
			w[r]--
		} else {
			extra = append(extra, r)
		}
	}
	for r, n := range w {
		for ; n > 0; n-- {
			missing = append(missing, r)
		}
	}
	slices.Sort(missing)
	return missing, extra
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
