package ingest_test

// The fixtures of the top-level testdata/ (see testdata/README.md), each
// read through the path a user's sync takes: a kdelta.toml in a temporary
// directory names it as a source, ingest.Sync reads it into a real store,
// and the tests check what a user then sees: references parsed to the
// right upstream commit, status evidence, components, patch-ids (against
// the git CLI), bases, first releases and imported test results.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// fxDir is the top-level testdata directory.
const fxDir = "../testdata"

// Commits of testdata/linux/repo.fi that the downstream fixtures name.
const (
	fxV66   = "3d0df4a604554c928437cc2a0cf4a64dc28f8545" // Linux 6.6
	fxV67   = "2c1f20f9cc90b804a5697da5dd47b859eb0cd927" // Linux 6.7
	fxV68   = "b115cf3c321c905ef90c089ea7f0c48edc3c12ac" // Linux 6.8
	fxMkc   = "a1bfc200b6b88df45fccf6d48658de091daa4110" // RDMA/mlx5: Fix mkey cache leak ... (v6.7-rc1)
	fxCma   = "f763053116f669d161a14b4076a25cadc2f6f659" // RDMA/cma: Fix use-after-free ... (v6.7-rc1)
	fxIpoib = "aa8193c07d1e1ede755cc0f710a46a0d2b274ead" // IB/ipoib: Fix memory leak ... (v6.7-rc1)
	fxIrdma = "1d039e70719d70c2ced9a82dccf0e91e8dfe22d9" // RDMA/irdma: Add a read barrier ... (v6.7)
	fxRxe   = "63757ac18ee2501f33b3a7f251a84da129c5bba8" // RDMA/rxe: Spread RoCEv2 UDP source ports ... (v6.7)
	fxOdp   = "db1f44dc34c387f02ad75caf4ad766a708cc4ccd" // RDMA/mlx5: Reject ODP registrations ... (v6.8)
	fxQueue = "ed535613e436e25e2421fd5b83e092c11b5cbd01" // RDMA/mlx5: Let the mkey cache limit ... (for-next only)
)

func fxNow() time.Time { return time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC) }

func fxNeedGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
}

// fxGit runs git in dir without user or system configuration and returns
// its output without the trailing newline.
func fxGit(t *testing.T, dir string, stdin []byte, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C",
		"GIT_AUTHOR_NAME=fixture", "GIT_AUTHOR_EMAIL=fixture@example.org",
		"GIT_COMMITTER_NAME=fixture", "GIT_COMMITTER_EMAIL=fixture@example.org")
	cmd.Env = append(cmd.Env, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSuffix(out.String(), "\n")
}

// fxImport loads a fast-import stream of testdata into a new bare
// repository named name.
func fxImport(t *testing.T, stream, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fxDir, stream))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), name)
	fxGit(t, "", nil, nil, "init", "-q", "--bare", dir)
	fxGit(t, dir, data, nil, "fast-import", "--quiet")
	return dir
}

// fxLinux is the upstream kernel history of testdata/linux/repo.fi.
func fxLinux(t *testing.T) string { return fxImport(t, "linux/repo.fi", "linux.git") }

// fxAbs is a testdata path as a project file names it.
func fxAbs(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(fxDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fxProject writes a project file into a new directory and loads it.
func fxProject(t *testing.T, text string) *project.Config {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kdelta.toml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fxQuote writes a string as a TOML basic string.
func fxQuote(s string) string { return strconv.Quote(filepath.ToSlash(s)) }

func fxSync(t *testing.T, cfg *project.Config) *ingest.Report {
	t.Helper()
	rep, err := ingest.Sync(context.Background(), cfg, ingest.Options{Now: fxNow, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func fxRef(t *testing.T, rep *ingest.Report, source string) ingest.RefReport {
	t.Helper()
	for _, r := range rep.Refs {
		if r.Source == source {
			return r
		}
	}
	t.Fatalf("the sync reports nothing of %s: %+v", source, rep.Refs)
	return ingest.RefReport{}
}

func fxStore(t *testing.T, cfg *project.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg.StorePath(), fxNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fxCarried returns the fingerprints of what a downstream carries since
// its base, by subject.
func fxCarried(t *testing.T, db *store.DB, source, ref string) map[string]*change.Fingerprint {
	t.Helper()
	ctx := context.Background()
	src, r, err := db.FindRef(ctx, source, ref)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := db.SinceBase(ctx, r.ID, "downstream")
	if err != nil {
		t.Fatal(err)
	}
	fps, err := db.Fingerprints(ctx, ids, src.Layout)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*change.Fingerprint{}
	for _, fp := range fps {
		out[fp.Subject] = fp
	}
	return out
}

// fxStatuses returns the status of each carried change, by subject, and
// how each matched, by downstream id.
func fxStatuses(t *testing.T, db *store.DB, target string) (map[string]analyzer.Carried, map[string]match.Match) {
	t.Helper()
	carried, res, err := analyzer.Statuses(context.Background(), db, target)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]analyzer.Carried{}
	for _, c := range carried {
		out[c.Subject] = c
	}
	how := map[string]match.Match{}
	for _, m := range res.Matches {
		how[m.Downstream] = m
	}
	return out, how
}

// fxCommit is one commit a test makes on a downstream branch: its message,
// read verbatim from a file of testdata, over a change made the way the
// downstream made it: an upstream commit cherry-picked, then edits.
type fxCommit struct {
	msg    string   // file in the tree's testdata directory
	pick   string   // upstream commit to cherry-pick first; "" for none
	edits  []fxEdit // then these
	author string   // "Name <email>"; "" keeps the picked commit's author and author date
	date   string   // the commit's date (and author date when author is set)
}

// fxEdit replaces old with new, once, in path; with old empty it writes
// new as the whole file.
type fxEdit struct{ path, old, new string }

// fxDownstream makes a bare repository of its own holding branch:
// upstream's history up to base, then commits, committed by committer.
func fxDownstream(t *testing.T, up, base, name, branch, msgDir, committer string, commits []fxCommit) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), name+".git")
	fxGit(t, "", nil, nil, "init", "-q", "--bare", bare)
	fxGit(t, up, nil, nil, "push", "-q", bare, base+"^{commit}:refs/heads/"+branch)
	work := filepath.Join(t.TempDir(), name)
	fxGit(t, "", nil, nil, "clone", "-q", "-b", branch, bare, work)
	fxGit(t, work, nil, nil, "fetch", "-q", up, "+refs/heads/*:refs/remotes/upstream/*")
	cname, cmail, ok := strings.Cut(strings.TrimSuffix(committer, ">"), " <")
	if !ok {
		t.Fatalf("committer %q: want Name <email>", committer)
	}
	for _, c := range commits {
		env := []string{"GIT_COMMITTER_NAME=" + cname, "GIT_COMMITTER_EMAIL=" + cmail, "GIT_COMMITTER_DATE=" + c.date}
		if c.pick != "" {
			fxGit(t, work, nil, nil, "cherry-pick", "-n", c.pick)
		}
		if c.author != "" {
			an, am, _ := strings.Cut(strings.TrimSuffix(c.author, ">"), " <")
			env = append(env, "GIT_AUTHOR_NAME="+an, "GIT_AUTHOR_EMAIL="+am, "GIT_AUTHOR_DATE="+c.date)
		} else {
			who := strings.Split(fxGit(t, work, nil, nil, "log", "-1", "--date=raw", "--format=%an%x00%ae%x00%ad", c.pick), "\x00")
			env = append(env, "GIT_AUTHOR_NAME="+who[0], "GIT_AUTHOR_EMAIL="+who[1], "GIT_AUTHOR_DATE="+who[2])
		}
		for _, e := range c.edits {
			p := filepath.Join(work, filepath.FromSlash(e.path))
			text := e.new
			if e.old != "" {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(string(data), e.old); n != 1 {
					t.Fatalf("%s: %q occurs %d times; want once", e.path, e.old, n)
				}
				text = strings.Replace(string(data), e.old, e.new, 1)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fxGit(t, work, nil, nil, "add", "-A")
		fxGit(t, work, nil, env, "commit", "-q", "--cleanup=verbatim", "-F", fxAbs(t, filepath.Join(msgDir, c.msg)))
	}
	fxGit(t, work, nil, nil, "push", "-q", "origin", branch)
	return bare
}

// fxPatchID is git's patch-id of the change a patch file makes: the patch
// applied with the git CLI on the upstream tree at base, then `git diff
// --cached | git patch-id --stable`.
func fxPatchID(t *testing.T, up, base, patch string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "apply")
	fxGit(t, "", nil, nil, "clone", "-q", "--no-checkout", up, work)
	fxGit(t, work, nil, nil, "checkout", "-q", base)
	fxGit(t, work, nil, nil, "apply", "--index", patch)
	diff := fxGit(t, work, nil, nil, "diff", "--cached")
	id, _, _ := strings.Cut(fxGit(t, work, []byte(diff+"\n"), nil, "patch-id", "--stable"), " ")
	if len(id) != 40 {
		t.Fatalf("git patch-id of %s: %q", patch, id)
	}
	return id
}

// fxTextPatchID is what `git patch-id --stable` prints for the text of a
// patch file: "" when git finds no "diff --git" in it, as for quilt.
func fxTextPatchID(t *testing.T, patch string) string {
	t.Helper()
	data, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(fxGit(t, "", data, nil, "patch-id", "--stable"), " ")
	return id
}

// fxUpstreamPatchID is git's patch-id of an upstream commit, or of its
// changes to paths.
func fxUpstreamPatchID(t *testing.T, up, commit string, paths ...string) string {
	t.Helper()
	show := fxGit(t, up, nil, nil, append([]string{"show", "--format=commit %H", commit, "--"}, paths...)...)
	id, _, _ := strings.Cut(fxGit(t, up, []byte(show+"\n"), nil, "patch-id", "--stable"), " ")
	return id
}

// fxCheckPatch checks the fingerprint of a patch file against the git
// CLI: its files and changed line counts are what `git apply --numstat`
// reads; its patch-id is what `git patch-id --stable` prints for the
// text ("" for a quilt or OFED patch, which has no "diff --git" lines);
// and for a patch with them, each file's patch-id is that of the change
// the patch makes on the upstream tree at base.
func fxCheckPatch(t *testing.T, fp *change.Fingerprint, up, base, patch string) {
	t.Helper()
	name := filepath.Base(patch)
	var want, got []string
	for _, l := range strings.Split(fxGit(t, t.TempDir(), nil, nil, "apply", "--numstat", patch), "\n") {
		want = append(want, strings.Join(strings.Fields(l), " "))
	}
	for _, f := range fp.Files {
		got = append(got, strconv.Itoa(f.Added)+" "+strconv.Itoa(f.Deleted)+" "+f.Path)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: files %q; git apply --numstat reads %q", name, got, want)
	}
	if text := fxTextPatchID(t, patch); fp.PatchID != text {
		t.Errorf("%s: patch-id %q; git patch-id --stable prints %q for it", name, fp.PatchID, text)
	}
	data, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("\ndiff --git ")) {
		applied := fxPatchID(t, up, base, patch)
		if len(fp.Files) != 1 || fp.Files[0].PatchID != applied {
			t.Errorf("%s: files %+v; want one, with git's patch-id %s of the change", name, fp.Files, applied)
		}
	}
}

// fxGitFlow is what every fixture of a git downstream checks: the parsed
// references and evidence of each carried commit, and the status the
// analyzer gives it.
type fxGitFlow struct {
	subject  string
	ref      change.Ref // the upstream reference its message makes; zero for none
	header   string     // the "Upstream Status:" value, or the subject prefix
	comps    []string
	status   string // the status a user sees
	release  string // its first upstream release
	upstream string // the upstream commit it matched
	method   string
}

func fxCheckFlows(t *testing.T, db *store.DB, source, ref string, want []fxGitFlow) {
	t.Helper()
	fps := fxCarried(t, db, source, ref)
	if len(fps) != len(want) {
		var got []string
		for s := range fps {
			got = append(got, s)
		}
		t.Errorf("%s@%s carries %d commits %q; want %d", source, ref, len(fps), got, len(want))
	}
	st, how := fxStatuses(t, db, source+"@"+ref)
	for _, w := range want {
		fp := fps[w.subject]
		if fp == nil {
			t.Errorf("%q: not among the commits %s@%s carries", w.subject, source, ref)
			continue
		}
		var refs []change.Ref
		if w.ref.ID != "" {
			refs = []change.Ref{w.ref}
		}
		if !slices.Equal(fp.Trailers.Upstream, refs) {
			t.Errorf("%q: upstream references %+v; want %+v", w.subject, fp.Trailers.Upstream, refs)
		}
		if got := fp.Trailers.UpstreamStatus + fp.Trailers.Prefix; got != w.header {
			t.Errorf("%q: Upstream Status/prefix %q; want %q", w.subject, got, w.header)
		}
		if !slices.Equal(fp.Components, w.comps) {
			t.Errorf("%q: components %q; want %q", w.subject, fp.Components, w.comps)
		}
		c, ok := st[w.subject]
		if !ok {
			t.Errorf("%q: no status", w.subject)
			continue
		}
		var up []string
		if w.upstream != "" {
			up = []string{w.upstream}
		}
		if c.Status.Status != w.status || c.Status.Release != w.release || !slices.Equal(c.Status.Upstream, up) {
			t.Errorf("%q: status %s, release %q, upstream %q; want %s, %q, %q (evidence %+v)", w.subject,
				c.Status.Status, c.Status.Release, c.Status.Upstream, w.status, w.release, up, c.Status.Evidence)
		}
		if c.Status.Conflict != "" {
			t.Errorf("%q: conflict %q; the message and the match agree", w.subject, c.Status.Conflict)
		}
		if m := how[fp.ID]; w.method != "" && m.Method != w.method {
			t.Errorf("%q: matched by %q (%s); want %q", w.subject, m.Method, m.Why, w.method)
		}
	}
}

// TestFixtureRHELCommitBodies syncs a CentOS Stream-style tree whose
// commits carry the messages of testdata/rhel verbatim: JIRA:/Bugzilla:
// and Upstream Status: headers, the leading "commit X" with the upstream
// Author:/Date: and indented message, a Conflicts: note on a reworked
// backport, and a RHEL-only change.
func TestFixtureRHELCommitBodies(t *testing.T) {
	fxNeedGit(t)
	up := fxLinux(t)
	const kaspar = "Kaspar Heyden <kheyden@redhat.com>"
	rhel := fxDownstream(t, up, "v6.6", "centos-stream-9", "main", "rhel", "Ludmila Vance <lvance@redhat.com>", []fxCommit{
		{msg: "0001-RDMA-mlx5-Fix-mkey-cache-leak-when-the-cache-is-disabled.msg", pick: fxMkc,
			author: kaspar, date: "2023-12-05T10:14:00+01:00"},
		{msg: "0002-RDMA-cma-Fix-use-after-free-of-the-multicast-entry-on-join-failure.msg", pick: fxCma,
			edits:  []fxEdit{{"drivers/infiniband/core/cma.c", "\t\tcma_cancel_mc_work(id_priv, mc);\n", "\t\tflush_workqueue(cma_wq);\n"}},
			author: kaspar, date: "2023-12-06T16:40:00+01:00"},
		{msg: "0003-RDMA-mlx5-Keep-LAG-events-off-on-multi-host-adapters.msg",
			edits: []fxEdit{{"drivers/infiniband/hw/mlx5/main.c", "\treturn dev->lag_active && dev->num_ports > 1;\n",
				"\treturn dev->lag_active && dev->num_ports > 1 && !dev->is_multi_host;\n"}},
			author: kaspar, date: "2023-12-07T09:05:00+01:00"},
		{msg: "0004-RDMA-rxe-Spread-RoCEv2-UDP-source-ports-by-QP-number.msg", pick: fxRxe,
			author: kaspar, date: "2024-01-10T11:30:00+01:00"},
	})
	cfg := fxProject(t, `[[source]]
name = "linux"
kind = "upstream"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "c9s"
kind = "distro"
url = `+fxQuote(rhel)+`
refs = ["main"]
upstream = "linux"
`)
	rep := fxSync(t, cfg)
	if r := fxRef(t, rep, "c9s"); r.Fingerprinted != 4 || !strings.Contains(r.Base, fxV66[:12]) {
		t.Errorf("c9s: %+v; want its 4 commits fingerprinted on the base v6.6 (%.12s)", r, fxV66)
	}
	db := fxStore(t, cfg)
	fxCheckFlows(t, db, "c9s", "main", []fxGitFlow{
		{"RDMA/mlx5: Fix mkey cache leak when the cache is disabled", change.Ref{ID: fxMkc, Style: change.RHELCommit},
			"v6.7-rc1", []string{"mlx5"}, status.Mainline, "v6.7-rc1", fxMkc, match.MethodTrailer},
		// Reworked (Conflicts:): the diff is not upstream's, the reference is.
		{"RDMA/cma: Fix use-after-free of the multicast entry on join failure", change.Ref{ID: fxCma, Style: change.RHELCommit},
			"v6.7-rc1", []string{"cm"}, status.Mainline, "v6.7-rc1", fxCma, match.MethodTrailer},
		{"RDMA/mlx5: Keep LAG events off on multi-host adapters", change.Ref{},
			"RHEL-only", []string{"mlx5"}, status.Never, "", "", ""},
		{"RDMA/rxe: Spread RoCEv2 UDP source ports by QP number", change.Ref{ID: fxRxe, Style: change.RHELCommit},
			"v6.7", []string{"roce", "rxe"}, status.Mainline, "v6.7", fxRxe, match.MethodTrailer},
	})
	fps := fxCarried(t, db, "c9s", "main")
	// The indented upstream message keeps its trailers: what it fixes,
	// that it went to stable; the backporter signs off last.
	fix := fps["RDMA/mlx5: Fix mkey cache leak when the cache is disabled"]
	if fix != nil {
		want := []change.Fix{{ID: "3a0f83932038", Subject: "RDMA/mlx5: Add mkey cache buckets for ODP regions"}}
		if !slices.Equal(fix.Trailers.Fixes, want) || !fix.Trailers.CcStable {
			t.Errorf("mkey cache fix: Fixes %+v, Cc stable %v; want %+v and Cc stable", fix.Trailers.Fixes, fix.Trailers.CcStable, want)
		}
		if sob := fix.Trailers.SignedOffBy; len(sob) == 0 || sob[len(sob)-1] != kaspar {
			t.Errorf("mkey cache fix: Signed-off-by %q; want the backporter last", sob)
		}
		if fix.AuthorName != "Kaspar Heyden" {
			t.Errorf("mkey cache fix: author %q; a RHEL backport is the backporter's commit", fix.AuthorName)
		}
	}
	// The Conflicts: note names an upstream commit in prose: not a reference.
	if cma := fps["RDMA/cma: Fix use-after-free of the multicast entry on join failure"]; cma != nil {
		if id := fxUpstreamPatchID(t, up, fxCma); cma.PatchID == id {
			t.Errorf("the reworked cma backport has upstream's patch-id %s; the fixture's rework was lost", id)
		}
	}
}

// TestFixtureUbuntuCommits syncs an Ubuntu-style tree whose commits carry
// the messages of testdata/ubuntu verbatim: a clean cherry-pick and a
// reworked backport with BugLink: and the kernel team's sign-offs and
// acks, an UBUNTU: SAUCE: patch, and an UBUNTU: [Config] change outside
// the RDMA stack.
func TestFixtureUbuntuCommits(t *testing.T) {
	fxNeedGit(t)
	up := fxLinux(t)
	const ines = "Ines Marlowe <ines.marlowe@canonical.com>"
	ubuntu := fxDownstream(t, up, "v6.6", "ubuntu-noble", "master-next", "ubuntu", "Stellan Brandt <stellan.brandt@canonical.com>", []fxCommit{
		{msg: "0001-RDMA-irdma-Add-a-read-barrier-between-the-CQE-valid-bit-and-its-contents.msg", pick: fxIrdma,
			date: "2024-02-05T14:00:00+01:00"},
		{msg: "0002-UBUNTU-SAUCE-RDMA-mlx5-Cap-the-mkey-cache-on-systems-with-little-memory.msg",
			edits: []fxEdit{{"drivers/infiniband/hw/mlx5/mr.c", "\t\treturn 0;\n\treturn MKC_DEFAULT_LIMIT;\n",
				"\t\treturn 0;\n\tif (totalram_pages() < MKC_SMALL_SYSTEM_PAGES)\n\t\treturn MKC_DEFAULT_LIMIT / 4;\n\treturn MKC_DEFAULT_LIMIT;\n"}},
			author: ines, date: "2024-02-06T10:20:00+01:00"},
		{msg: "0003-RDMA-mlx5-Reject-ODP-registrations-the-mkey-cache-cannot-hold.msg", pick: fxOdp,
			edits: []fxEdit{{"drivers/infiniband/hw/mlx5/mr.c", "mlx5_ib_dbg(dev, ", "mlx5_ib_warn(dev, "}},
			date:  "2024-02-12T09:45:00+01:00"},
		{msg: "0004-UBUNTU-Config-Enable-INFINIBAND_IRDMA-on-arm64.msg",
			edits: []fxEdit{{"debian.master/config/annotations", "",
				"# Menu: Device Drivers >> InfiniBand support >> Intel Ethernet Protocol Driver for RDMA\n" +
					"CONFIG_INFINIBAND_IRDMA                         policy<{'amd64': 'm', 'arm64': 'm', 'ppc64el': 'm'}>\n" +
					"CONFIG_INFINIBAND_IRDMA                         note<'LP: #2051432'>\n"}},
			author: ines, date: "2024-02-12T10:00:00+01:00"},
	})
	cfg := fxProject(t, `[[source]]
name = "linux"
kind = "upstream"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "ubuntu"
kind = "distro"
url = `+fxQuote(ubuntu)+`
refs = ["master-next"]
upstream = "linux"
`)
	rep := fxSync(t, cfg)
	r := fxRef(t, rep, "ubuntu")
	if r.Fingerprinted != 3 || !strings.Contains(r.Base, fxV66[:12]) {
		t.Errorf("ubuntu: %+v; want 3 commits fingerprinted, base v6.6 (%.12s)", r, fxV66)
	}
	db := fxStore(t, cfg)
	// The [Config] commit, the tip, touches nothing of the RDMA stack.
	if fp, err := db.Fingerprint(context.Background(), r.Tip, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the UBUNTU: [Config] commit %.12s is stored (%v, %v); it is out of scope", r.Tip, fp, err)
	}
	fxCheckFlows(t, db, "ubuntu", "master-next", []fxGitFlow{
		{"RDMA/irdma: Add a read barrier between the CQE valid bit and its contents", change.Ref{ID: fxIrdma, Style: change.CherryPicked},
			"", []string{"irdma"}, status.Mainline, "v6.7", fxIrdma, match.MethodTrailer},
		{"UBUNTU: SAUCE: RDMA/mlx5: Cap the mkey cache on systems with little memory", change.Ref{},
			"UBUNTU: SAUCE", []string{"mlx5"}, status.Never, "", "", ""},
		// "(backported from commit X)" says the diff was reworked.
		{"RDMA/mlx5: Reject ODP registrations the mkey cache cannot hold", change.Ref{ID: fxOdp, Style: change.BackportedFrom, Partial: true},
			"", []string{"mlx5"}, status.Mainline, "v6.8", fxOdp, match.MethodTrailer},
	})
	fps := fxCarried(t, db, "ubuntu", "master-next")
	if pick := fps["RDMA/irdma: Add a read barrier between the CQE valid bit and its contents"]; pick != nil {
		// A cherry-pick keeps the upstream author; the team's sign-offs follow it.
		wantSOB := []string{"Marek Ilves <marek.ilves@intel.com>", "Leora Romann <leora@kernel.org>", ines, "Stellan Brandt <stellan.brandt@canonical.com>"}
		if pick.AuthorEmail != "marek.ilves@intel.com" || !slices.Equal(pick.Trailers.SignedOffBy, wantSOB) {
			t.Errorf("cherry-pick: author %s, Signed-off-by %q; want the upstream author and %q", pick.AuthorEmail, pick.Trailers.SignedOffBy, wantSOB)
		}
		if id := fxUpstreamPatchID(t, up, fxIrdma); pick.PatchID != id {
			t.Errorf("cherry-pick: patch-id %s; git says upstream's is %s", pick.PatchID, id)
		}
	}
}

// TestFixtureSUSEKernelSource syncs the SUSE kernel-source tree of
// testdata/suse: series.conf with a guarded entry, patches.suse/ headers
// with Patch-mainline: (a release, "Queued in subsystem maintainer
// repository" with Git-repo:), Git-commit: (whole and "(partial)"),
// References:, and a patches.kabi/ patch that will never go upstream.
func TestFixtureSUSEKernelSource(t *testing.T) {
	fxNeedGit(t)
	up := fxLinux(t)
	tree := fxAbs(t, "suse")
	cfg := fxProject(t, `[[source]]
name = "linux"
kind = "upstream"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "rdma-for-next"
kind = "queue"
url = `+fxQuote(up)+`
refs = ["for-next"]
upstream = "linux"

[[source]]
name = "sle15-sp6"
kind = "distro"
format = "series"
url = `+fxQuote(tree)+`
upstream = "linux"
base = "v6.6"
`)
	rep := fxSync(t, cfg)
	// The +needs_updating entry is not applied in a build: not carried.
	if r := fxRef(t, rep, "sle15-sp6"); r.Walked != 4 || r.Fingerprinted != 4 || !strings.Contains(r.Base, fxV66[:12]) {
		t.Errorf("sle15-sp6: %+v; want the 4 applied patches fingerprinted on v6.6 (%.12s)", r, fxV66)
	}
	db := fxStore(t, cfg)
	ctx := context.Background()
	_, ref, err := db.FindRef(ctx, "sle15-sp6", "series")
	if err != nil {
		t.Fatal(err)
	}
	files, err := db.PatchFiles(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	byPath := map[string]string{}
	for _, f := range files {
		order = append(order, f.Path)
		byPath[f.Path] = f.OID
	}
	const (
		mkc   = "patches.suse/RDMA-mlx5-Fix-mkey-cache-leak-when-the-cache-is-disa.patch"
		ipoib = "patches.suse/IB-ipoib-Fix-memory-leak-of-the-connected-mode-TX-ri.patch"
		queue = "patches.suse/RDMA-mlx5-Let-the-mkey-cache-limit-be-set-at-load-ti.patch"
		kabi  = "patches.kabi/RDMA-core-Preserve-kABI-of-struct-ib_device_ops.patch"
	)
	if want := []string{mkc, ipoib, queue, kabi}; !slices.Equal(order, want) {
		t.Fatalf("patches in apply order %q; want %q", order, want)
	}
	tests := []struct {
		path     string
		subject  string
		mainline string // Patch-mainline:
		ref      change.Ref
		comps    []string
		status   string
		release  string
		upstream string
		same     bool // the patch is the upstream commit's whole diff
	}{
		// quilt-refreshed: no "diff --git", a diffstat padded as quilt pads it
		{mkc, "RDMA/mlx5: Fix mkey cache leak when the cache is disabled", "v6.7-rc1",
			change.Ref{ID: fxMkc, Style: change.GitCommit, Partial: true}, []string{"mlx5"},
			status.Mainline, "v6.7-rc1", fxMkc, false},
		{ipoib, "IB/ipoib: Fix memory leak of the connected mode TX ring", "v6.7-rc1",
			change.Ref{ID: fxIpoib, Style: change.GitCommit}, []string{"ipoib"},
			status.Mainline, "v6.7-rc1", fxIpoib, true},
		{queue, "RDMA/mlx5: Let the mkey cache limit be set at load time", "Queued in subsystem maintainer repository",
			change.Ref{ID: fxQueue, Style: change.GitCommit}, []string{"mlx5"},
			status.Queued, "", fxQueue, true},
		{kabi, "RDMA/core: Preserve kABI of struct ib_device_ops", "Never, kABI workaround",
			change.Ref{}, []string{"core"},
			status.Never, "", "", false},
	}
	st, _ := fxStatuses(t, db, "sle15-sp6@series")
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			fp, err := db.Fingerprint(ctx, byPath[tt.path], "linux")
			if err != nil {
				t.Fatal(err)
			}
			var refs []change.Ref
			if tt.ref.ID != "" {
				refs = []change.Ref{tt.ref}
			}
			if fp.Subject != tt.subject || fp.Trailers.PatchMainline != tt.mainline || !slices.Equal(fp.Trailers.Upstream, refs) {
				t.Errorf("subject %q, Patch-mainline %q, references %+v; want %q, %q, %+v",
					fp.Subject, fp.Trailers.PatchMainline, fp.Trailers.Upstream, tt.subject, tt.mainline, refs)
			}
			if !slices.Equal(fp.Components, tt.comps) {
				t.Errorf("components %q; want %q", fp.Components, tt.comps)
			}
			fxCheckPatch(t, fp, up, fxV66, filepath.Join(tree, tt.path))
			if tt.same {
				if id := fxUpstreamPatchID(t, up, tt.upstream); fp.PatchID != id {
					t.Errorf("patch-id %s; the upstream commit's is %s", fp.PatchID, id)
				}
			}
			c := st[tt.subject]
			var want []string
			if tt.upstream != "" {
				want = []string{tt.upstream}
			}
			if c.Status.Status != tt.status || c.Status.Release != tt.release || !slices.Equal(c.Status.Upstream, want) || c.Path != tt.path {
				t.Errorf("status %s, release %q, upstream %q, path %q; want %s, %q, %q, %q (evidence %+v)", c.Status.Status,
					c.Status.Release, c.Status.Upstream, c.Path, tt.status, tt.release, want, tt.path, c.Status.Evidence)
			}
		})
	}
	// The (partial) backport carries exactly the mr.c half of the upstream
	// commit: the same changed lines, and nothing of main.c.
	part, err := db.Fingerprint(ctx, byPath[mkc], "linux")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := db.Fingerprint(ctx, fxMkc, "linux")
	if err != nil {
		t.Fatal(err)
	}
	var half []change.File
	for _, f := range whole.Files {
		if f.Path == "drivers/infiniband/hw/mlx5/mr.c" {
			half = append(half, f)
		}
	}
	if len(whole.Files) != 2 || len(half) != 1 || len(part.Files) != 1 ||
		!slices.Equal(part.Files[0].Plus, half[0].Plus) || !slices.Equal(part.Files[0].Minus, half[0].Minus) {
		t.Errorf("the (partial) patch changes %+v; upstream %.12s changes %+v: want its mr.c lines alone", part.Files, fxMkc, whole.Files)
	}
}

// TestFixtureOFEDBackports syncs the MLNX_OFED-style tree of testdata/ofed:
// backports/NNNN-BACKPORT-<path>.patch compat patches with #ifdef HAVE_*
// hunks, on the upstream commit LINUX_BASE_BRANCH names.
func TestFixtureOFEDBackports(t *testing.T) {
	fxNeedGit(t)
	up := fxLinux(t)
	tree := fxAbs(t, "ofed")
	cfg := fxProject(t, `[[source]]
name = "linux"
kind = "upstream"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "mlnx-ofed"
kind = "vendor"
format = "ofed"
layout = "ofed"
url = `+fxQuote(tree)+`
upstream = "linux"
`)
	rep := fxSync(t, cfg)
	r := fxRef(t, rep, "mlnx-ofed")
	if r.Unit != "patches" || r.Walked != 2 || r.Fingerprinted != 2 {
		t.Errorf("mlnx-ofed: %+v; want its 2 backports fingerprinted", r)
	}
	db := fxStore(t, cfg)
	ctx := context.Background()
	_, ref, err := db.FindRef(ctx, "mlnx-ofed", "")
	if err != nil {
		t.Fatal(err)
	}
	if base, err := db.GetBase(ctx, ref.ID); err != nil || base.Commit != fxV67 {
		t.Errorf("base %+v, %v; want %s, the commit LINUX_BASE_BRANCH names", base, err, fxV67)
	}
	files, err := db.PatchFiles(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, subject string
		comps         []string
	}{
		// The file's component, and "backports" by the subject's BACKPORT.
		{"backports/0001-BACKPORT-drivers-infiniband-core-addr.c.patch", "BACKPORT: drivers/infiniband/core/addr.c", []string{"addr", "backports"}},
		{"backports/0002-BACKPORT-drivers-infiniband-ulp-ipoib-ipoib_cm.c.patch", "BACKPORT: drivers/infiniband/ulp/ipoib/ipoib_cm.c", []string{"backports", "ipoib"}},
	}
	if len(files) != len(tests) {
		t.Fatalf("patch files %+v; want %d", files, len(tests))
	}
	st, _ := fxStatuses(t, db, "mlnx-ofed@ofed")
	for i, tt := range tests {
		if files[i].Path != tt.path {
			t.Errorf("patch %d is %s; want %s", i, files[i].Path, tt.path)
			continue
		}
		fp, err := db.Fingerprint(ctx, files[i].OID, "ofed")
		if err != nil {
			t.Fatal(err)
		}
		if fp.Subject != tt.subject || !slices.Equal(fp.Components, tt.comps) || fp.AuthorEmail != "vfainberg@nvidia.com" {
			t.Errorf("%s: subject %q, components %q, author %s; want %q, %q", tt.path, fp.Subject, fp.Components, fp.AuthorEmail, tt.subject, tt.comps)
		}
		fxCheckPatch(t, fp, up, fxV67, filepath.Join(tree, tt.path))
		// A compat patch names a file, not an upstream change: nothing
		// about it says mainline.
		c := st[tt.subject]
		if c.Status.Status == status.Mainline || len(c.Status.Upstream) != 0 {
			t.Errorf("%s: status %+v; a compat backport is no upstream change", tt.path, c.Status)
		}
		for _, e := range c.Status.Evidence {
			if e.Says == status.Mainline {
				t.Errorf("%s: evidence %q says mainline", tt.path, e.What)
			}
		}
	}
}

// TestFixtureKCIDBSubmission imports the kcidb v4 submission of
// testdata/kcidb through the results importer, against the upstream and
// its for-next queue, which its checkouts name by tree_name.
func TestFixtureKCIDBSubmission(t *testing.T) {
	fxNeedGit(t)
	up := fxLinux(t)
	cfg := fxProject(t, `[[source]]
name = "mainline"
kind = "upstream"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "rdma"
kind = "queue"
url = `+fxQuote(up)+`
refs = ["for-next"]
upstream = "mainline"
`)
	fxSync(t, cfg)
	db := fxStore(t, cfg)
	ctx := context.Background()
	file := fxAbs(t, "kcidb/unh-iol-rdma-interop.json")
	rep, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: file})
	if err != nil {
		t.Fatal(err)
	}
	wantTargets := []string{"mainline@v6.7", "mainline@v6.8", "rdma@v6.8-1-ged535613e436"}
	if rep.Format != "kcidb" || rep.Cases != 8 || rep.Added != 8 || !slices.Equal(rep.Targets, wantTargets) {
		t.Errorf("import: %+v; want 8 kcidb results added on %q", rep, wantTargets)
	}
	got, err := db.TestResults(ctx, store.ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ path, label string }
	byKey := map[key]store.TestResult{}
	for _, r := range got {
		byKey[key{r.Path, r.Target.Label}] = r
	}
	const cx6 = "ConnectX-6 Dx (fw 22.39.1002) to ConnectX-7, HDR switch"
	tests := []struct {
		path, label, commit, status, hardware, message string
		props                                          map[string]string
	}{
		{"ipoib.connected_mode.ping", "v6.7", fxV67, "PASS", "x86_64 " + cx6, "",
			map[string]string{"fabric": "ib-hdr", "mtu": "65520"}},
		{"ipoib.connected_mode.ping", "v6.8", fxV68, "FAIL", "x86_64 " + cx6,
			"ping: 100% packet loss to 192.168.7.8 over ib0 (connected mode)", map[string]string{"fabric": "ib-hdr", "mtu": "65520"}},
		{"ipoib.connected_mode.ping", "v6.8-1-ged535613e436", fxQueue, "ERROR", "x86_64 " + cx6,
			"harness: node08 unreachable over the management network", map[string]string{"kcidb.waived": "true"}},
		{"rdma_utils.mlx5.odp_register", "v6.7", fxV67, "PASS", "x86_64 ConnectX-6 Dx (fw 22.39.1002)", "", nil},
		{"rdma_utils.mlx5.odp_register", "v6.8", fxV68, "PASS", "x86_64 ConnectX-6 Dx (fw 22.39.1002)", "", nil},
		{"perf.roce.ib_write_bw", "v6.8", fxV68, "DONE", "x86_64 ConnectX-7, 200GbE RoCEv2", "", map[string]string{"bw_gbps": "187.4"}},
		{"srp.login", "v6.8", fxV68, "MISS", "aarch64 BlueField-3 DPU", "target node12 did not come up", nil},
		{"nfs_rdma.connectathon.basic", "v6.8", fxV68, "SKIP", "aarch64 BlueField-3 DPU", "", nil},
	}
	if len(got) != len(tests) {
		t.Errorf("%d results stored; want %d", len(got), len(tests))
	}
	for _, tt := range tests {
		r, ok := byKey[key{tt.path, tt.label}]
		if !ok {
			t.Errorf("%s on %s: not stored", tt.path, tt.label)
			continue
		}
		if r.Target.Commit != tt.commit || r.Status != tt.status || r.Hardware != tt.hardware || r.Lab != "unh-iol" || r.Message != tt.message {
			t.Errorf("%s on %s: commit %.12s, status %s, hardware %q, lab %q, message %q; want %.12s, %s, %q, unh-iol, %q",
				tt.path, tt.label, r.Target.Commit, r.Status, r.Hardware, r.Lab, r.Message, tt.commit, tt.status, tt.hardware, tt.message)
		}
		for k, v := range tt.props {
			if r.Properties[k] != v {
				t.Errorf("%s on %s: property %s = %q; want %q (all: %v)", tt.path, tt.label, k, r.Properties[k], v, r.Properties)
			}
		}
	}
	// A target orders by its commit's time: v6.7, v6.8, then the queue.
	if a, b := byKey[key{"ipoib.connected_mode.ping", "v6.7"}], byKey[key{"ipoib.connected_mode.ping", "v6.8"}]; !a.Target.Time.Before(b.Target.Time) {
		t.Errorf("v6.7 at %v is not before v6.8 at %v", a.Target.Time, b.Target.Time)
	}
	// The same file again adds nothing.
	again, err := ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: file})
	if err != nil || !again.Duplicate || again.Added != 0 {
		t.Errorf("second import: %+v, %v; want a duplicate adding nothing", again, err)
	}
	// A checkout of a tree the project does not know is refused whole.
	bad := filepath.Join(t.TempDir(), "other-tree.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, bytes.Replace(data, []byte(`"tree_name": "rdma"`), []byte(`"tree_name": "net-next"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ingest.ImportResults(ctx, db, cfg, ingest.ResultsImport{File: bad})
	if !errors.Is(err, ingest.ErrBadSource) || !strings.Contains(err.Error(), "other-tree.json") || strings.Contains(err.Error(), "\n") {
		t.Errorf("import of a checkout of net-next: %v; want one line naming the file", err)
	}
	if n, err := db.TestResults(ctx, store.ResultQuery{}); err != nil || len(n) != len(tests) {
		t.Errorf("after the refused import: %d results, %v; want %d", len(n), err, len(tests))
	}
}

// TestFixtureStableBranchTags syncs the rdma-core history of
// testdata/stable-tags, whose repository holds master and the stable
// branches with their vNN.M tags, as the upstream with refs = ["master"],
// and the stable-v48 branch, in a repository of its own, as a downstream.
// The git CLI on the repository holding both is the oracle: the base is
// the merge-base of the branch with master, and the first release of every
// commit is the first release tag master reaches that contains it.
func TestFixtureStableBranchTags(t *testing.T) {
	fxNeedGit(t)
	up := fxImport(t, "stable-tags/repo.fi", "rdma-core.git")
	down := filepath.Join(t.TempDir(), "rdma-core-48.git")
	fxGit(t, "", nil, nil, "init", "-q", "--bare", down)
	fxGit(t, up, nil, nil, "push", "-q", down, "stable-v48", "v48.0", "v48.1", "v48.2")
	cfg := fxProject(t, `[[source]]
name = "rdma-core"
kind = "upstream"
layout = "rdma-core"
url = `+fxQuote(up)+`
refs = ["master"]

[[source]]
name = "rdma-core-48"
kind = "stable"
layout = "rdma-core"
url = `+fxQuote(down)+`
refs = ["stable-v48"]
upstream = "rdma-core"
`)
	rep := fxSync(t, cfg)
	db := fxStore(t, cfg)
	ctx := context.Background()

	mergeBase := fxGit(t, up, nil, nil, "merge-base", "master", "stable-v48")
	v482 := fxGit(t, up, nil, nil, "rev-parse", "v48.2^{commit}")
	_, ref, err := db.FindRef(ctx, "rdma-core-48", "stable-v48")
	if err != nil {
		t.Fatal(err)
	}
	base, err := db.GetBase(ctx, ref.ID)
	if err != nil || base.Commit != mergeBase {
		t.Errorf("base of rdma-core-48@stable-v48: %.12s (%s), %v; want the merge-base with master, %.12s (not the stable tag v48.2, %.12s)",
			base.Commit, base.How, err, mergeBase, v482)
	}
	if r := fxRef(t, rep, "rdma-core-48"); !strings.Contains(r.Base, mergeBase[:12]) {
		t.Errorf("the sync reports the base %q; want %.12s", r.Base, mergeBase)
	}

	src, _, err := db.FindRef(ctx, "rdma-core", "master")
	if err != nil {
		t.Fatal(err)
	}
	checkReleases := func(when string) {
		t.Helper()
		releaseTags := strings.Fields(fxGit(t, up, nil, nil, "tag", "--merged", "master"))
		checked := 0
		for _, id := range strings.Fields(fxGit(t, up, nil, nil, "rev-list", "--all")) {
			// The first release master reaches that contains the commit,
			// in version order; none for a commit master does not reach.
			want := ""
			if in := fxGit(t, up, nil, nil, "tag", "--merged", "master", "--contains", id, "--sort=version:refname"); in != "" {
				want = strings.Fields(in)[0]
			}
			got, err := db.Release(ctx, src.ID, id)
			if errors.Is(err, store.ErrNotFound) {
				got, err = "", nil
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				subject := fxGit(t, up, nil, nil, "log", "-1", "--format=%s", id)
				t.Errorf("%s: %.12s %q: first release %q; want %q (release tags of master: %q)", when, id, subject, got, want, releaseTags)
			}
			checked++
		}
		if checked < 18 {
			t.Errorf("%s: only %d commits checked", when, checked)
		}
	}
	checkReleases("first sync")
	// rdma-core publishes v50.0. The first releases are worked out again,
	// now that the stable branch's commits are in the store too: its tags
	// still are no releases of master.
	fxGit(t, up, nil, []string{"GIT_COMMITTER_DATE=2024-04-01T10:00:00+03:00"},
		"tag", "-a", "v50.0", "-m", "rdma-core-50.0:\n\nUpdates from version 49.0\n * tests: Add a test for rdma_getaddrinfo without hints\n", "master")
	fxSync(t, cfg)
	checkReleases("after v50.0")

	// What a user sees: the branch's backports are mainline commits first
	// released in v49.0, not in the stable tags that carry their copies.
	const (
		getaddrinfo = "955b5d698b99bb5f9607a408b6cc1e52106645e6"
		cqeVersion  = "ca97659efa0adbee90f24ab4a32f5a828c14296f"
	)
	fxCheckStable := []fxGitFlow{
		{"librdmacm: Fix a crash in rdma_getaddrinfo with a NULL hint", change.Ref{ID: getaddrinfo, Style: change.UpstreamCommit},
			"", []string{"cm"}, status.Mainline, "v49.0", getaddrinfo, match.MethodTrailer},
		{"mlx5: Fix the CQE version check on ConnectX-8", change.Ref{ID: cqeVersion, Style: change.UpstreamCommit},
			"", []string{"mlx5"}, status.Mainline, "v49.0", cqeVersion, match.MethodTrailer},
	}
	st, _ := fxStatuses(t, db, "rdma-core-48@stable-v48")
	fps := fxCarried(t, db, "rdma-core-48", "stable-v48")
	for _, w := range fxCheckStable {
		fp, c := fps[w.subject], st[w.subject]
		if fp == nil {
			t.Errorf("%q: not carried by rdma-core-48@stable-v48 since its base (carried: %d)", w.subject, len(fps))
			continue
		}
		if !slices.Equal(fp.Trailers.Upstream, []change.Ref{w.ref}) || !slices.Equal(fp.Components, w.comps) {
			t.Errorf("%q: references %+v, components %q; want %+v, %q", w.subject, fp.Trailers.Upstream, fp.Components, w.ref, w.comps)
		}
		if c.Status.Status != w.status || c.Status.Release != w.release || !slices.Equal(c.Status.Upstream, []string{w.upstream}) {
			t.Errorf("%q: status %s, release %q, upstream %q; want %s, %q, %.12s", w.subject, c.Status.Status, c.Status.Release,
				c.Status.Upstream, w.status, w.release, w.upstream)
		}
	}
}
