package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
	"github.com/kdelta/kdelta/store/pgtest"
)

// asKdelta makes the test binary run as kdelta itself, for the tests that
// start real kdelta processes.
const asKdelta = "KDELTA_TEST_RUN_AS_KDELTA"

// TestMain gives the tests a PostgreSQL server (pgtest), and lets the
// test binary stand for kdelta in a process of its own.
func TestMain(m *testing.M) {
	if os.Getenv(asKdelta) == "1" {
		os.Exit(run(os.Args[1:], newEnv()))
	}
	os.Exit(pgtest.Main(m.Run))
}

// readCommands are what a team reads of a store: every surface but the
// TUI's keys, in text and JSON.
var readCommands = [][]string{
	{"summary"},
	{"delta", "--all"},
	{"delta", "rhel", "--component", "mlx5"},
	{"delta", "rhel", "--format", "json"},
	{"delta", "sles", "--format", "json"},
	{"matches", "ofed"},
	{"matches", "rhel", "--format", "table"},
	{"status", "sles"},
	{"status", "ofed", "--format", "json"},
	{"skips"},
	{"ignore", "list"},
	{"results", "regressions", "rhel"},
	{"report", "--format", "md"},
	{"report", "--format", "json"},
	{"report", "--format", "csv"},
	{"check", "--baseline", "1"},
	{"tui", "--print"},
}

// outputs runs the read commands and returns what each printed, with the
// exit code; summary's first line, which names the store, is left out.
func outputs(t *testing.T, do func(args ...string) (string, string, int)) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, args := range readCommands {
		stdout, stderr, code := do(args...)
		if code != exitOK && code != exitRegressions {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		if args[0] == "summary" {
			first, rest, _ := strings.Cut(stdout, "\n")
			if !strings.HasPrefix(first, "store: ") {
				t.Errorf("summary does not name the store first: %q", first)
			}
			stdout = rest
		}
		out[strings.Join(args, " ")] = fmt.Sprintf("exit %d\n%s", code, stdout)
	}
	return out
}

func compareOutputs(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, args := range readCommands {
		k := strings.Join(args, " ")
		if got[k] != want[k] {
			t.Errorf("%s: kdelta %s prints otherwise:\n%s", what, k, firstDiff(got[k], want[k]))
		}
	}
}

// firstDiff shows the first line where two outputs part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, a, b)
		}
	}
	return "(equal)"
}

// withPassword is url with a password the server does not need (trust
// authentication), which no output may show.
func withPassword(t *testing.T, u string) string {
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.UserPassword(p.User.Username(), "Hunter2-team-secret")
	return p.String()
}

// TestTeamStoreCopyRoundTrip syncs the small world into SQLite, enters
// annotations, a manual match and an ignore by hand, copies the store
// into PostgreSQL and back into a new SQLite file, and finds every read
// command printing the same on all three. The password of the URL is
// printed by none.
func TestTeamStoreCopyRoundTrip(t *testing.T) {
	dir, _, do := demoWorld(t)
	t.Setenv("KDELTA_USER", "Ana Maintainer <ana@example.org>")
	ofed := carried(t, do, "ofed")
	rhel := carried(t, do, "rhel")
	for _, c := range [][]string{
		{"annotate", ofed[0], "never", "--reason", "vendor-only: firmware glue"},
		{"annotate", rhel[0], "rejected", "--reason", "NAKed on the list"},
		{"match", "set", ofed[1]},
		{"ignore", "add", "drivers/infiniband/hw/qib/", "--reason", "qib is not shipped", "--downstream", "rhel"},
	} {
		if _, stderr, code := do(c...); code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(c, " "), code, stderr)
		}
	}
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	want := outputs(t, do)

	pg := withPassword(t, pgtest.Database(t))
	out, stderr, code := do("store", "copy", "--to", pg)
	if code != exitOK || !strings.Contains(out, "copied ") || !strings.Contains(out, "to PostgreSQL postgres://") {
		t.Fatalf("store copy --to PostgreSQL: exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, "Hunter2-team-secret") {
		t.Errorf("store copy printed the password:\n%s%s", out, stderr)
	}
	// The same commands on the team store.
	t.Setenv(project.StoreURLEnv, pg)
	summary, _, _ := do("summary")
	if first, _, _ := strings.Cut(summary, "\n"); !strings.HasPrefix(first, "store: PostgreSQL postgres://") || strings.Contains(summary, "Hunter2") {
		t.Errorf("summary on PostgreSQL says %q", first)
	}
	compareOutputs(t, "PostgreSQL", outputs(t, do), want)
	// Who entered what came along.
	db, err := store.Open(context.Background(), pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	notes, _ := db.Annotations(context.Background())
	ovs, _ := db.OverrideEntries(context.Background())
	igs, _ := db.Ignores(context.Background())
	db.Close()
	if notes[ofed[0]].Who != "Ana Maintainer <ana@example.org>" || len(ovs) != 1 || ovs[0].Who != notes[ofed[0]].Who ||
		len(igs) != 1 || igs[0].Who != notes[ofed[0]].Who {
		t.Errorf("who entered what, in PostgreSQL: %+v %+v %+v", notes[ofed[0]], ovs, igs)
	}

	// And back, into a new SQLite file where the old one was.
	path := filepath.Join(dir, "kdelta.db")
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = do("store", "copy", "--to", path)
	if code != exitOK || !strings.Contains(out, "from PostgreSQL") || strings.Contains(out+stderr, "Hunter2") {
		t.Fatalf("store copy back: exit %d\n%s%s", code, out, stderr)
	}
	t.Setenv(project.StoreURLEnv, "")
	compareOutputs(t, "SQLite, copied back", outputs(t, do), want)

	// A store that holds something is not copied into.
	t.Setenv(project.StoreURLEnv, "")
	if _, stderr, code := do("store", "copy", "--to", pg); code != exitBadInput || !strings.Contains(stderr, "not empty") || strings.Contains(stderr, "Hunter2") {
		t.Errorf("copy into a store that is not empty: exit %d: %s", code, stderr)
	}
}

// carried returns the ids of the changes a downstream carries that have
// no upstream match.
func carried(t *testing.T, do func(args ...string) (string, string, int), downstream string) []string {
	t.Helper()
	js, stderr, code := do("matches", downstream)
	if code != exitOK {
		t.Fatalf("matches %s: exit %d: %s", downstream, code, stderr)
	}
	var ms []struct {
		Downstream string   `json:"downstream"`
		Upstream   []string `json:"upstream"`
		Method     string   `json:"method"`
	}
	if err := json.Unmarshal([]byte(js), &ms); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if len(m.Upstream) == 0 && m.Method == "none" {
			out = append(out, m.Downstream)
		}
	}
	if len(out) < 4 {
		t.Fatalf("%s carries %d changes of its own; the test needs 4", downstream, len(out))
	}
	return out
}

// gitRun runs git in dir with a fixed identity.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Robert'); DROP TABLE sources; --", "GIT_AUTHOR_EMAIL=bobby@tables.example",
		"GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.org", "GIT_AUTHOR_DATE=2026-11-01T10:00:00Z",
		"GIT_COMMITTER_DATE=2026-11-01T10:00:00Z", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// addCommit commits a new file to a branch of a bare repository and
// returns the commit's id.
func addCommit(t *testing.T, repo, branch, path, content, message string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	gitRun(t, filepath.Dir(work), "clone", "-q", "--branch", branch, repo, work)
	if err := os.MkdirAll(filepath.Dir(filepath.Join(work, path)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, path), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, work, "add", "--", path)
	msgFile := filepath.Join(t.TempDir(), "msg")
	os.WriteFile(msgFile, []byte(message), 0o644)
	gitRun(t, work, "commit", "-q", "--cleanup=verbatim", "-F", msgFile)
	gitRun(t, work, "push", "-q", "origin", "HEAD:"+branch)
	return gitRun(t, work, "rev-parse", "HEAD")
}

// TestHostileSQLThroughASyncIntoPostgres syncs the small world into
// PostgreSQL, then commits whose subjects, bodies, authors and file names
// are SQL, quotes, placeholders and LIKE patterns: they are stored and
// shown as the text they are, and the store keeps every table.
func TestHostileSQLThroughASyncIntoPostgres(t *testing.T) {
	pg := pgtest.Database(t)
	t.Setenv(project.StoreURLEnv, pg)
	dir, _, do := demoWorld(t)
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	subject := `RDMA/mlx5: '); DROP TABLE commits; -- ? $1 %_ \ "quoted"`
	body := "\n\nx'; DELETE FROM refs WHERE '1'='1\n$2 ? :name @p1 %s\n\nSigned-off-by: Robert <bobby@tables.example>\n"
	path := `drivers/infiniband/hw/mlx5/'; DROP TABLE files; --?$1%_\.c`
	up := addCommit(t, filepath.Join(dir, truth.Upstream.Source+".git"), truth.Upstream.Branch, path, "int bobby;\n", subject+body)
	rhel := truth.Downstream("rhel")
	down := addCommit(t, filepath.Join(dir, "rhel.git"), rhel.Branch, `drivers/infiniband/hw/mlx5/?"';--.c`, "int carried;\n",
		`IB/mlx5: carry ?, $1 and '; DROP TABLE annotations; --`+"\n")
	if out, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d\n%s%s", code, out, stderr)
	}
	show, _, code := do("show", up)
	if code != exitOK || !strings.Contains(show, subject) || !strings.Contains(show, "Robert'); DROP TABLE sources; --") || !strings.Contains(show, `'; DROP TABLE files; --?$1%_\.c`) {
		t.Errorf("show of the upstream commit: exit %d\n%s", code, show)
	}
	js, _, _ := do("delta", "rhel", "--format", "json", "--limit", "0")
	if !jsonHas(t, js, subject) {
		t.Errorf("delta rhel --format json lacks the subject exactly")
	}
	if _, stderr, code := do("annotate", down, "never", "--reason", `'); DROP TABLE ignores; -- ?`); code != exitOK {
		t.Fatalf("annotate: exit %d: %s", code, stderr)
	}
	st, _, _ := do("status", "rhel", "--format", "json")
	if !jsonHas(t, st, `IB/mlx5: carry ?, $1 and '; DROP TABLE annotations; --`) || !strings.Contains(st, `DROP TABLE ignores; -- ?`) {
		t.Errorf("status rhel lacks the carried commit or its annotation")
	}
	// Every table is still there, and the store still reads whole.
	db, err := store.Open(context.Background(), pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Fingerprint(context.Background(), down, ""); err != nil {
		t.Error(err)
	}
	if out, stderr, code := do("summary"); code != exitOK || !strings.Contains(out, "rhel") {
		t.Errorf("summary after: exit %d\n%s%s", code, out, stderr)
	}
}

// kdeltaProcess starts the test binary as kdelta in a process of its own.
type kdeltaProcess struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer // written by the process while the test reads
}

func startKdelta(t *testing.T, name string, env []string, args ...string) *kdeltaProcess {
	t.Helper()
	p := &kdeltaProcess{name: name, cmd: exec.Command(os.Args[0], args...)}
	p.cmd.Env = append(append(os.Environ(), asKdelta+"=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wait waits for the process and returns its exit code.
func (p *kdeltaProcess) wait() int {
	err := p.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestSecondSyncOfASourceWaits: a sync of a source another process holds
// waits for it (without --wait: that is the team store's default), says
// so and whom it waits for, then syncs.
func TestSecondSyncOfASourceWaits(t *testing.T) {
	pg := pgtest.Database(t)
	t.Setenv(project.StoreURLEnv, pg)
	dir, _, _ := demoWorld(t)
	ctx := context.Background()
	db, lock, err := store.OpenHeld(ctx, pg, nil, store.Hold{Holder: "kdelta sync", Names: []string{"rhel"}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// No --wait: on a team store a sync takes its turn by default.
	p := startKdelta(t, "sync rhel", nil, "sync", "--config", filepath.Join(dir, "kdelta.toml"), "rhel")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.stderr.String(), "waiting for the store") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	other := startKdelta(t, "sync sles", nil, "sync", "--config", filepath.Join(dir, "kdelta.toml"), "--wait", "2m", "sles")
	if code := other.wait(); code != exitOK {
		t.Errorf("a sync of another source, while rhel is held: exit %d\n%s", code, other.stderr.String())
	}
	lock.Release()
	if code := p.wait(); code != exitOK {
		t.Fatalf("the sync that waited: exit %d\n%s%s", code, p.stdout.String(), p.stderr.String())
	}
	said := p.stderr.String()
	if !regexp.MustCompile(`waiting for the store postgres://\S+, held by kdelta sync \(pid \d+ on .*\) for rhel`).MatchString(said) {
		t.Errorf("the second sync did not say whom it waited for:\n%s", said)
	}
	if strings.Contains(other.stderr.String(), "waiting") {
		t.Errorf("the sync of sles waited:\n%s", other.stderr.String())
	}
}

// TestTeamAtWork runs what a team does at once against one PostgreSQL
// store, as real processes: four syncs of four downstreams that moved, a
// sync of the upstream that moved, a second sync of one downstream, two
// maintainers annotating, and a check. Then the store holds everything
// each did, once: every new commit on its refs, every annotation with who
// made it, one snapshot per sync; and it answers as a SQLite store synced
// from scratch with the same annotations does.
func TestTeamAtWork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a dozen processes")
	}
	pg := pgtest.Database(t)
	t.Setenv(project.StoreURLEnv, pg)
	dir, _, do := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	truth, err := world.LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	rhelIDs, ofedIDs := carried(t, do, "rhel"), carried(t, do, "ofed")

	// Everyone moves on.
	newUp := addCommit(t, filepath.Join(dir, "linux.git"), truth.Upstream.Branch, "drivers/infiniband/hw/mlx5/team.c", "int team;\n",
		"RDMA/mlx5: Add the team file\n\nSigned-off-by: A <a@example.org>\n")
	newRhel := addCommit(t, filepath.Join(dir, "rhel.git"), truth.Downstream("rhel").Branch, "drivers/infiniband/hw/mlx5/rhel_only.c",
		"int rhel;\n", "IB/mlx5: RHEL-only glue\n")
	newOfed := addCommit(t, filepath.Join(dir, "ofed.git"), truth.Downstream("ofed").Branch, "drivers/infiniband/ulp/ipoib/ofed_only.c",
		"int ofed;\n", "IB/ipoib: OFED-only glue\n")

	var procs []*kdeltaProcess
	start := func(name string, env []string, args ...string) {
		procs = append(procs, startKdelta(t, name, env, append(args, "--config", config)...))
	}
	for _, src := range []string{"rhel", "ofed", "sles", "mlnx-ofed", "linux", "rhel"} {
		start("sync "+src, nil, "sync", "--wait", "5m", src)
	}
	var wg sync.WaitGroup
	annotate := func(who string, ids []string, status string) {
		defer wg.Done()
		for i, id := range ids {
			p := startKdelta(t, "annotate", []string{"KDELTA_USER=" + who}, "annotate", "--config", config, id, status, "--reason", fmt.Sprintf("%s's note %d", who, i))
			if code := p.wait(); code != exitOK {
				t.Errorf("%s annotating %s: exit %d: %s", who, id, code, p.stderr.String())
			}
		}
	}
	wg.Add(2)
	go annotate("Ana <ana@example.org>", rhelIDs[:3], "rejected")
	go annotate("Bo <bo@example.org>", ofedIDs[:3], "never")
	start("check", nil, "check", "--baseline", "1")
	wg.Wait()
	for _, p := range procs {
		code := p.wait()
		ok := code == exitOK || p.name == "check" && code == exitRegressions
		if !ok {
			t.Errorf("%s: exit %d\n%s%s", p.name, code, p.stdout.String(), p.stderr.String())
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Nothing lost, nothing twice.
	ctx := context.Background()
	db, err := store.Open(ctx, pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for src, oid := range map[string]string{"linux": newUp, "rhel": newRhel, "ofed": newOfed} {
		_, ref, err := db.FindRef(ctx, src, "")
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := db.CommitIDs(ctx, []string{oid})
		members, _ := db.RefCommitIDs(ctx, ref.ID)
		if ids[oid] == 0 || !members[ids[oid]] {
			t.Errorf("%s's new commit %.12s is not on its ref in the store", src, oid)
		}
	}
	notes, err := db.Annotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for who, ids := range map[string][]string{"Ana <ana@example.org>": rhelIDs[:3], "Bo <bo@example.org>": ofedIDs[:3]} {
		for _, id := range ids {
			if notes[id].Who != who {
				t.Errorf("the annotation of %.12s is %+v, want %s's", id, notes[id], who)
			}
		}
	}
	if n := countRows(t, pg, `SELECT COUNT(*) FROM syncs WHERE status = 'done'`); n != 7 {
		t.Errorf("%d syncs done, want 7 (the demo's and six)", n)
	}
	if n := countRows(t, pg, `SELECT COUNT(*) FROM snapshots`); n != 7 {
		t.Errorf("%d snapshots, want 7: one per sync", n)
	}
	if n := countRows(t, pg, `SELECT COUNT(*) FROM (SELECT oid FROM commits GROUP BY oid HAVING COUNT(*) > 1) d`); n != 0 {
		t.Errorf("%d commits stored twice", n)
	}

	// The team store's last analysis is the one a single SQLite sync of
	// the same world with the same annotations makes.
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("a last sync: exit %d: %s", code, stderr)
	}
	matches, _, _ := do("matches", "ofed")
	team := lastSnapshot(t, db)
	t.Setenv(project.StoreURLEnv, "")
	if _, stderr, code := do("sync", "--no-snapshot"); code != exitOK {
		t.Fatalf("a sync of the same world into SQLite: exit %d: %s", code, stderr)
	}
	for _, id := range append(rhelIDs[:3], ofedIDs[:3]...) {
		a := notes[id]
		if _, stderr, code := do("annotate", id, a.Status, "--reason", a.Reason); code != exitOK {
			t.Fatalf("annotate in SQLite: exit %d: %s", code, stderr)
		}
	}
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("a second SQLite sync: exit %d: %s", code, stderr)
	}
	if got, _, _ := do("matches", "ofed"); got != matches {
		t.Errorf("matches ofed on the team store differs from SQLite's:\n%s", firstDiff(matches, got))
	}
	lite, err := store.Open(ctx, filepath.Join(dir, "kdelta.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	single := lastSnapshot(t, lite)
	if len(team) == 0 || len(team) != len(single) {
		t.Fatalf("the last snapshot has %d lines on the team store, %d on SQLite", len(team), len(single))
	}
	for i := range team {
		if team[i] != single[i] {
			t.Errorf("the last snapshots differ first at line %d:\n team   %s\n SQLite %s", i, team[i], single[i])
			break
		}
	}
}

// lastSnapshot returns the last snapshot of a store as lines: each
// downstream's statuses, counts, missing fixes and backports (not the
// evidence, which says when an annotation was made).
func lastSnapshot(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	last, err := db.LastSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := db.SnapshotContents(ctx, last.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range refs {
		at := r.Source + "@" + r.Ref
		for _, s := range r.Statuses {
			out = append(out, fmt.Sprintf("%s status %s %s %s %q", at, s.Change, s.Path, s.Status, s.Subject))
		}
		for _, c := range r.Counts {
			out = append(out, fmt.Sprintf("%s count %+v", at, c))
		}
		for _, f := range r.MissingFixes {
			out = append(out, fmt.Sprintf("%s missing fix %+v", at, f))
		}
		for _, b := range r.Backports {
			out = append(out, fmt.Sprintf("%s backport %+v", at, b))
		}
	}
	return out
}

// countRows runs a COUNT query on a PostgreSQL store, beside kdelta.
func countRows(t *testing.T, pg, q string) int {
	t.Helper()
	db, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
