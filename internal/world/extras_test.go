package world

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/kdelta/kdelta/project"
	"github.com/ulikunitz/xz"
)

// The small world of seed 1, built once for the tests that only read it.
var shared struct {
	once sync.Once
	w    *World
	dir  string
	err  error
}

func sharedWorld(t *testing.T) *World {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "kdelta-world-")
		if shared.err == nil {
			shared.w, shared.err = Build(Options{Seed: 1, Size: Small, Dir: shared.dir})
		}
	})
	if shared.err != nil {
		t.Fatalf("Build: %v", shared.err)
	}
	return shared.w
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// extraFiles lists every file of the extra sources, relative to the
// world's directory.
func extraFiles(t *testing.T, w *World) []string {
	t.Helper()
	var out []string
	for _, p := range w.Files {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(w.Dir, path)
			out = append(out, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// sameExtras checks that two worlds built from the same seed have the same
// extra sources, byte for byte, and the same truth of them.
func sameExtras(t *testing.T, a, b *World) {
	t.Helper()
	fa, fb := extraFiles(t, a), extraFiles(t, b)
	if strings.Join(fa, "\n") != strings.Join(fb, "\n") {
		t.Fatalf("same seed, different extra files:\n%v\n%v", fa, fb)
	}
	if len(fa) < 20 {
		t.Errorf("only %d extra files", len(fa))
	}
	for _, f := range append(fa, "linux.git/refs/heads/for-next") {
		da, _ := os.ReadFile(filepath.Join(a.Dir, f))
		db, _ := os.ReadFile(filepath.Join(b.Dir, f))
		if len(da) == 0 || !bytes.Equal(da, db) {
			t.Errorf("%s differs between two builds of one seed", f)
		}
	}
	ja, _ := json.Marshal([]any{a.Truth.Series, a.Truth.Snapshots, a.Truth.Postings, a.Truth.Queues, a.Truth.Statuses})
	jb, _ := json.Marshal([]any{b.Truth.Series, b.Truth.Snapshots, b.Truth.Postings, b.Truth.Queues, b.Truth.Statuses})
	if !bytes.Equal(ja, jb) {
		t.Error("same seed, different truth of the extras")
	}
}

func TestExtrasConfig(t *testing.T) {
	w := sharedWorld(t)
	cfg, err := project.Load(w.Config)
	if err != nil {
		t.Fatalf("project.Load: %v", err)
	}
	want := map[string][2]string{
		"linux": {"upstream", "git"}, "rhel": {"distro", "git"}, "ofed": {"vendor", "git"},
		slesName: {"distro", "series"}, mlnxName: {"vendor", "ofed"}, win30Name: {"vendor", "snapshot"},
		win31Name: {"vendor", "snapshot"}, listName: {"list", "mbox"}, queueName: {"queue", "git"},
	}
	for name, kf := range want {
		s := cfg.Source(name)
		if s == nil {
			t.Errorf("no source %s", name)
			continue
		}
		if s.Kind != kf[0] || s.Format != kf[1] {
			t.Errorf("%s: kind %s format %s, want %s %s", name, s.Kind, s.Format, kf[0], kf[1])
		}
		if _, err := os.Stat(cfg.SourceURL(s)); err != nil {
			t.Errorf("%s: url: %v", name, err)
		}
		if p, ok := w.Files[name]; ok && p != cfg.SourceURL(s) {
			t.Errorf("%s: World.Files says %s, the config %s", name, p, cfg.SourceURL(s))
		}
	}
	if len(cfg.Sources) != len(want) {
		t.Errorf("%d sources, want %d", len(cfg.Sources), len(want))
	}
}

// seriesEntry is one line of series.conf naming a patch.
type seriesEntry struct{ guard, path string }

func readSeriesConf(t *testing.T, path string) []seriesEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []seriesEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		e := seriesEntry{path: fields[len(fields)-1]}
		if len(fields) == 2 {
			e.guard = fields[0]
		}
		out = append(out, e)
	}
	return out
}

func TestSeriesTruth(t *testing.T) {
	w := sharedWorld(t)
	tr := w.Truth
	sles, ofed := tr.SeriesOf(slesName), tr.SeriesOf(mlnxName)
	if sles == nil || ofed == nil {
		t.Fatal("no series truth")
	}
	// series.conf lists the truth's patches, in order, with their guards.
	entries := readSeriesConf(t, filepath.Join(w.Files[slesName], "series.conf"))
	if len(entries) != len(sles.Patches) {
		t.Fatalf("series.conf lists %d patches, truth %d", len(entries), len(sles.Patches))
	}
	for i, e := range entries {
		if p := sles.Patches[i]; e.path != p.Path || e.guard != p.Guard {
			t.Errorf("series.conf entry %d is %q %q, truth %q %q", i, e.guard, e.path, p.Guard, p.Path)
		}
	}
	rhel := tr.Downstream(distroName)
	if d := rhel.Commits; len(sles.Patches) < len(d)*2/5-2 {
		t.Errorf("%d SUSE patches of %d distro commits", len(sles.Patches), len(d))
	}
	base, _ := os.ReadFile(filepath.Join(w.Files[mlnxName], "LINUX_BASE_BRANCH"))
	if string(base) != tr.Downstream(vendorName).BaseTag+"\n" {
		t.Errorf("LINUX_BASE_BRANCH is %q", base)
	}
	reName := regexp.MustCompile(`^backports/(\d{4})-BACKPORT-[A-Za-z0-9._-]+\.patch$`)
	for i, p := range ofed.Patches {
		m := reName.FindStringSubmatch(p.Path)
		if m == nil || m[1] != fmt.Sprintf("%04d", i+1) {
			t.Errorf("backport %d is named %s", i+1, p.Path)
		}
		if p.Kind != KindIfdef && p.Kind != KindDownstreamOnly {
			t.Errorf("%s: kind %s", p.Path, p.Kind)
		}
	}

	rel := releaseIndex(tr)
	kinds := map[string]int{}
	for _, s := range []*SeriesInfo{sles, ofed} {
		ds := rhel
		if s == ofed {
			ds = tr.Downstream(vendorName)
		}
		entries := map[string]Entry{}
		for _, e := range ds.Commits {
			entries[e.ID] = e
		}
		for _, p := range s.Patches {
			root := w.Files[s.Source]
			text, err := os.ReadFile(filepath.Join(root, p.Path))
			if err != nil {
				t.Errorf("%s: %v", p.Path, err)
				continue
			}
			e, ok := entries[p.From]
			if !ok || e.Kind != p.Kind || strings.Join(e.Upstream, " ") != strings.Join(p.Upstream, " ") {
				t.Errorf("%s: from %s, which is not a %s entry with its upstream ids", p.Path, p.From, p.Kind)
			}
			header := ""
			if i := bytes.Index(text, []byte("\nPatch-mainline: ")); i >= 0 {
				header = string(text[i+len("\nPatch-mainline: "):])
				header = header[:strings.IndexByte(header, '\n')]
			}
			if header != p.Header {
				t.Errorf("%s: Patch-mainline: %q, truth %q", p.Path, header, p.Header)
			}
			var named []string
			for _, m := range regexp.MustCompile(`(?m)^Git-commit: ([0-9a-f]{40})( \(partial\))?$`).FindAllSubmatch(text, -1) {
				named = append(named, string(m[1]))
				if (len(m[2]) > 0) != p.Partial {
					t.Errorf("%s: (partial) is %v, truth %v", p.Path, len(m[2]) > 0, p.Partial)
				}
			}
			if strings.Join(named, " ") != strings.Join(p.GitCommit, " ") {
				t.Errorf("%s: Git-commit: %v, truth %v", p.Path, named, p.GitCommit)
			}
			for _, u := range p.Upstream {
				if len(p.GitCommit) == 0 && bytes.Contains(text, []byte(u)) {
					t.Errorf("%s: names its upstream id %s without a Git-commit:", p.Path, u[:12])
				}
			}
			switch {
			case len(p.Upstream) > 0:
				kinds["backport"]++
				if p.Status != "mainline" || p.Release != rel.first(p.Upstream) || p.Conflict {
					t.Errorf("%s: backport with status %s release %q (want mainline %q)", p.Path, p.Status, p.Release, rel.first(p.Upstream))
				}
				if s == sles && p.Header != p.Release && p.Header != queuedHeader || s == sles && p.Header == "" {
					t.Errorf("%s: header %q for release %q", p.Path, p.Header, p.Release)
				}
				if p.Header == queuedHeader {
					kinds["queued header"]++
				}
				if len(p.GitCommit) == 0 {
					kinds["no git-commit"]++
				}
			case p.Conflict:
				kinds["conflict"]++
				if p.Status != "unknown" || !regexp.MustCompile(`^v\d+\.\d+$`).MatchString(p.Header) {
					t.Errorf("%s: conflict with status %s header %q", p.Path, p.Status, p.Header)
				}
			case s == sles:
				kinds[p.Status]++
				want := map[string]string{"Never,": "never", "No,": "never", "Submitted,": "submitted"}[strings.Fields(p.Header + " x")[0]]
				if p.Status != want {
					t.Errorf("%s: header %q, status %s", p.Path, p.Header, p.Status)
				}
			}
			if p.Guard != "" {
				kinds["guard"]++
			}
		}
	}
	for _, k := range []string{"backport", "no git-commit", "conflict", "never", "submitted", "guard", "queued header"} {
		if kinds[k] == 0 {
			t.Errorf("no series patch of kind %q", k)
		}
	}
	if n := kinds["conflict"]; n < 1 || n > 2 {
		t.Errorf("%d conflicts planted, want 1 or 2", n)
	}
}

// releaseFinder answers which upstream release first contains commits.
type releaseFinder struct {
	pos  map[string]int
	tags []Tag // in order
}

func releaseIndex(tr *Truth) releaseFinder {
	r := releaseFinder{pos: map[string]int{}}
	for i, c := range tr.Upstream.Commits {
		r.pos[c.ID] = i
	}
	r.tags = append(r.tags, tr.Upstream.Tags...)
	sort.Slice(r.tags, func(i, j int) bool { return r.pos[r.tags[i].Commit] < r.pos[r.tags[j].Commit] })
	return r
}

func (r releaseFinder) first(ids []string) string {
	best := ""
	bestPos := -1
	for _, id := range ids {
		p := r.pos[id]
		name := ""
		for _, t := range r.tags {
			if r.pos[t.Commit] >= p {
				name = t.Name
				break
			}
		}
		if name == "" {
			return ""
		}
		if p > bestPos {
			best, bestPos = name, p
		}
	}
	return best
}

// patchIDs runs `git patch-id --stable` on input and returns the patch-id
// of each commit id it names.
func patchIDs(t *testing.T, input []byte) map[string]string {
	t.Helper()
	cmd := exec.Command("git", "patch-id", "--stable")
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git patch-id: %v", err)
	}
	ids := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			ids[f[1]] = f[0]
		}
	}
	return ids
}

// formatPatches runs `git format-patch` on commits of repo and returns
// each commit's output.
func formatPatches(t *testing.T, repo string, ids []string) map[string]string {
	t.Helper()
	out := gitCmd(t, repo, append([]string{"format-patch", "--stdout", "--no-walk"}, ids...)...)
	res := map[string]string{}
	re := regexp.MustCompile(`(?m)^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001$`)
	locs := re.FindAllStringSubmatchIndex(out, -1)
	for i, l := range locs {
		end := len(out)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		res[out[l[2]:l[3]]] = out[l[0]:end]
	}
	return res
}

// diffPart is a patch from its "---" line to its signature.
func diffPart(s string) string {
	i := strings.Index(s, "\n---\n")
	if i < 0 {
		return ""
	}
	s = s[i+1:]
	if j := strings.Index(s, "\n-- \n"); j >= 0 {
		s = s[:j+1]
	}
	return s
}

// TestSeriesAgainstGit checks every series patch against git: the same
// patch-id as the commit it was exported from, and the diffstat and diff
// `git format-patch` writes for that commit, byte for byte.
func TestSeriesAgainstGit(t *testing.T) {
	needGit(t)
	w := sharedWorld(t)
	for _, s := range w.Truth.Series {
		repo := w.Repos[distroName]
		if s.Format == "ofed" {
			repo = w.Repos[vendorName]
		}
		var ids []string
		var files bytes.Buffer
		for _, p := range s.Patches {
			ids = append(ids, p.From)
			text, err := os.ReadFile(filepath.Join(w.Files[s.Source], p.Path))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(text, []byte("From "+p.From)) {
				files.WriteString("commit " + p.From + "\n")
			}
			files.Write(text)
		}
		fp := formatPatches(t, repo, ids)
		// (Not format-patch's output: a RHEL message quotes its upstream
		// commit with a "commit <id>" line, which patch-id takes for a
		// new patch.)
		want := patchIDs(t, []byte(gitCmd(t, repo, append([]string{"show", "--format=commit %H"}, ids...)...)))
		got := patchIDs(t, files.Bytes())
		for _, p := range s.Patches {
			if got[p.From] == "" || got[p.From] != want[p.From] {
				t.Errorf("%s %s: patch-id %s, its commit's %s", s.Source, p.Path, got[p.From], want[p.From])
			}
			text, _ := os.ReadFile(filepath.Join(w.Files[s.Source], p.Path))
			if s.Format == "ofed" {
				// The From line, From: and Date: are format-patch's.
				head := func(s string) string { return strings.Join(strings.SplitN(s, "\n", 4)[:3], "\n") }
				if g, f := head(string(text)), head(fp[p.From]); g != f {
					t.Errorf("%s %s: header %q, git format-patch's %q", s.Source, p.Path, g, f)
				}
			}
			if g, f := diffPart(string(text)), diffPart(fp[p.From]); g == "" || g != f {
				t.Errorf("%s %s: diffstat and diff differ from git format-patch's:\n%s\n---- git:\n%s", s.Source, p.Path, g, f)
			}
		}
	}
}

// TestSeriesApply applies each series to its base tag with git apply.
func TestSeriesApply(t *testing.T) {
	needGit(t)
	w := sharedWorld(t)
	for _, s := range w.Truth.Series {
		dir := t.TempDir()
		archive := exec.Command("git", "-C", w.Repos[upstreamName], "archive", s.BaseTag)
		out, err := archive.Output()
		if err != nil {
			t.Fatalf("git archive %s: %v", s.BaseTag, err)
		}
		untar(t, bytes.NewReader(out), dir)
		var paths []string
		for _, p := range s.Patches {
			if p.Guard == "" {
				paths = append(paths, filepath.Join(w.Files[s.Source], p.Path))
			}
		}
		cmd := exec.Command("git", append([]string{"apply"}, paths...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not apply to %s: %v\n%s", s.Source, s.BaseTag, err, out)
		}
	}
}

// untar extracts a tar stream into dir and returns the files' contents by
// name.
func untar(t *testing.T, r io.Reader, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = data
		if dir != "" {
			if err := writeFile(dir, h.Name, data); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestQueue(t *testing.T) {
	w := sharedWorld(t)
	tr := w.Truth
	if len(tr.Queues) != 1 {
		t.Fatalf("%d queues", len(tr.Queues))
	}
	q := tr.Queues[0]
	if q.Base != tr.Upstream.Head || len(q.Commits) == 0 {
		t.Fatalf("queue base %s (master %s), %d commits", q.Base, tr.Upstream.Head, len(q.Commits))
	}
	repo, err := git.PlainOpen(w.Repos[upstreamName])
	if err != nil {
		t.Fatal(err)
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(queueBranch), true)
	if err != nil || ref.Hash().String() != q.Head {
		t.Fatalf("for-next: %v %v, truth %s", ref, err, q.Head)
	}
	// for-next is master plus exactly the queue's commits.
	c, err := repo.CommitObject(ref.Hash())
	for i := len(q.Commits) - 1; i >= 0; i-- {
		if err != nil || c.Hash.String() != q.Commits[i].ID || c.NumParents() != 1 {
			t.Fatalf("for-next commit %d is not %s", i, q.Commits[i].ID)
		}
		c, err = c.Parent(0)
	}
	if err != nil || c.Hash.String() != tr.Upstream.Head {
		t.Fatalf("for-next does not start at master")
	}
	queued := map[string]bool{}
	for _, qc := range q.Commits {
		queued[qc.Carries.Commit] = true
	}
	for _, s := range tr.Statuses {
		if s.Source == vendorName && (s.Status == "queued") != queued[s.Commit] {
			t.Errorf("ofed %s: status %s, queued %v", s.Commit, s.Status, queued[s.Commit])
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	gitCmd(t, w.Repos[upstreamName], "merge-base", "--is-ancestor", tr.Upstream.Branch, queueBranch)
	up := gitCmd(t, w.Repos[upstreamName], append([]string{"show", "--format=commit %H"}, idsOf(q.Commits)...)...)
	var carried []string
	for _, qc := range q.Commits {
		carried = append(carried, qc.Carries.Commit)
	}
	down := gitCmd(t, w.Repos[vendorName], append([]string{"show", "--format=commit %H"}, carried...)...)
	pu, pd := patchIDs(t, []byte(up)), patchIDs(t, []byte(down))
	authors := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(gitCmd(t, w.Repos[vendorName], append([]string{"show", "-s", "--format=%H %ae"}, carried...)...)), "\n") {
		f := strings.Fields(l)
		authors[f[0]] = f[1]
	}
	for _, qc := range q.Commits {
		if pu[qc.ID] == "" || pu[qc.ID] != pd[qc.Carries.Commit] {
			t.Errorf("for-next %s: patch-id %s, the ofed commit's %s", qc.ID[:12], pu[qc.ID], pd[qc.Carries.Commit])
		}
		if a := strings.TrimSpace(gitCmd(t, w.Repos[upstreamName], "show", "-s", "--format=%ae", qc.ID)); a != authors[qc.Carries.Commit] {
			t.Errorf("for-next %s: author %s, the ofed commit's %s", qc.ID[:12], a, authors[qc.Carries.Commit])
		}
	}
	if out := gitCmd(t, w.Repos[upstreamName], "fsck", "--strict"); strings.Contains(out, "error") {
		t.Errorf("fsck: %s", out)
	}
}

func idsOf(cs []QueueCommit) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// mboxMessage is one message of an mbox archive.
type mboxMessage struct {
	sep  string
	msg  *mail.Message
	body string
}

// readMbox splits an mboxrd archive at its "From " lines and undoes the
// quoting of body lines.
func readMbox(t *testing.T, data []byte) []mboxMessage {
	t.Helper()
	var out []mboxMessage
	var cur []string
	var sep string
	flush := func() {
		if sep == "" {
			return
		}
		text := strings.Join(cur, "")
		text = strings.TrimSuffix(text, "\n") // the blank line before the next separator
		m, err := mail.ReadMessage(strings.NewReader(text))
		if err != nil {
			t.Fatalf("message after %q: %v", sep, err)
		}
		body, _ := io.ReadAll(m.Body)
		var b strings.Builder
		for _, l := range strings.SplitAfter(string(body), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") && strings.HasPrefix(l, ">") {
				l = l[1:]
			}
			b.WriteString(l)
		}
		out = append(out, mboxMessage{sep: sep, msg: m, body: b.String()})
	}
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(l, "From ") {
			flush()
			sep, cur = l, nil
			continue
		}
		if sep == "" && l != "" {
			t.Fatalf("archive does not start with a From line: %q", l)
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

func TestMbox(t *testing.T) {
	w := sharedWorld(t)
	tr := w.Truth
	data, err := os.ReadFile(w.Files[listName])
	if err != nil {
		t.Fatal(err)
	}
	msgs := readMbox(t, data)
	if len(tr.Postings) != 1 || len(tr.Postings[0].Messages) != len(msgs) {
		t.Fatalf("%d messages in the archive, truth lists %v", len(msgs), len(tr.Postings))
	}
	posts := tr.Postings[0].Messages
	reSep := regexp.MustCompile(`^From \S+@\S+ (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\n$`)
	seen := map[string]int{}
	commitTime := map[string]int64{}
	for _, name := range []string{distroName, vendorName} {
		repo, _ := git.PlainOpen(w.Repos[name])
		for _, e := range tr.Downstream(name).Commits {
			if c, err := repo.CommitObject(plumbing.NewHash(e.ID)); err == nil {
				commitTime[e.ID] = c.Committer.When.Unix()
			}
		}
	}
	kinds := map[string]int{}
	var last time.Time
	for i, m := range msgs {
		p := posts[i]
		if !reSep.MatchString(m.sep) {
			t.Errorf("message %d: separator %q is not an archive's From line", i, m.sep)
		}
		id := strings.Trim(m.msg.Header.Get("Message-ID"), "<>")
		if id != p.MessageID {
			t.Errorf("message %d: Message-ID %s, truth %s", i, id, p.MessageID)
		}
		if _, dup := seen[id]; dup {
			t.Errorf("message id %s twice", id)
		}
		seen[id] = i
		if subj := strings.Join(strings.Fields(m.msg.Header.Get("Subject")), " "); subj != p.Subject {
			t.Errorf("message %d: Subject %q, truth %q", i, subj, p.Subject)
		}
		date, err := m.msg.Header.Date()
		if err != nil {
			t.Errorf("message %d: Date: %v", i, err)
		}
		if date.Before(last) {
			t.Errorf("message %d is older than the one before", i)
		}
		last = date
		if irt := strings.Trim(m.msg.Header.Get("In-Reply-To"), "<>"); irt != p.InReplyTo {
			t.Errorf("message %d: In-Reply-To %q, truth %q", i, irt, p.InReplyTo)
		} else if j, ok := seen[irt]; irt != "" && (!ok || j >= i) {
			t.Errorf("message %d answers %s, which is not earlier in the archive", i, irt)
		}
		if p.Series != "" {
			if _, ok := seen[p.Series]; !ok {
				t.Errorf("message %d: series %s not earlier in the archive", i, p.Series)
			}
		}
		kinds[p.Kind]++
		if p.Carries != nil {
			kinds["carries "+p.Carries.Source]++
			if p.Carries.Source == vendorName && date.Unix() <= commitTime[p.Carries.Commit] {
				t.Errorf("message %d posts %s before it was committed", i, p.Carries.Commit[:12])
			}
			if !p.Carries.SameDiff {
				kinds["changed diff"]++
			}
		}
		if p.Version > 1 {
			kinds["v2"]++
		}
	}
	for _, k := range []string{"cover", "patch", "reply", "carries ofed", "carries sles", "changed diff", "v2"} {
		if kinds[k] == 0 {
			t.Errorf("no message of kind %q", k)
		}
	}
	// No body line may look like a separator.
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "From ") && !reSep.MatchString(l+"\n") {
			t.Errorf("unquoted From line in a body: %q", l)
		}
	}
	// Statuses: a submitted vendor commit names its latest posting.
	latest := map[string]Posting{}
	for _, p := range posts {
		if p.Carries != nil && p.Carries.Source == vendorName && p.Version >= latest[p.Carries.Commit].Version {
			latest[p.Carries.Commit] = p
		}
	}
	for _, s := range tr.Statuses {
		if s.Source != vendorName {
			continue
		}
		l, posted := latest[s.Commit]
		switch {
		case s.Status == "unknown" && posted, s.Status != "unknown" && !posted:
			t.Errorf("ofed %s: status %s, posted %v", s.Commit[:12], s.Status, posted)
		case posted && (s.MessageID != l.MessageID || s.Version != l.Version):
			t.Errorf("ofed %s: status names %s v%d, latest posting %s v%d", s.Commit[:12], s.MessageID, s.Version, l.MessageID, l.Version)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	// Patch-ids: a posting with the carried diff has the carried change's.
	var in bytes.Buffer
	var carried []string
	for i, m := range msgs {
		if p := posts[i]; p.Carries != nil {
			fmt.Fprintf(&in, "commit %040x\n", i)
			in.WriteString(m.body)
			if p.Carries.Source == vendorName {
				carried = append(carried, p.Carries.Commit)
			}
		}
	}
	got := patchIDs(t, in.Bytes())
	want := patchIDs(t, []byte(gitCmd(t, w.Repos[vendorName], append([]string{"show", "--format=commit %H"}, carried...)...)))
	var sles bytes.Buffer
	slesFrom := map[string]string{}
	for _, p := range tr.SeriesOf(slesName).Patches {
		slesFrom[p.Path] = p.From
		text, _ := os.ReadFile(filepath.Join(w.Files[slesName], p.Path))
		sles.WriteString("commit " + p.From + "\n")
		sles.Write(text)
	}
	for id, pid := range patchIDs(t, sles.Bytes()) {
		want[id] = pid
	}
	for i, p := range posts {
		if p.Carries == nil {
			continue
		}
		key := p.Carries.Commit
		if p.Carries.Source == slesName {
			key = slesFrom[p.Carries.Path]
		}
		g := got[fmt.Sprintf("%040x", i)]
		if same := g != "" && g == want[key]; same != p.Carries.SameDiff {
			t.Errorf("message %d (%s): same patch-id as the carried change: %v, truth says %v", i, p.Subject, same, p.Carries.SameDiff)
		}
	}
}

// readTarball reads a .tar.gz or .tar.xz.
func readTarball(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader
	if strings.HasSuffix(path, ".xz") {
		r, err = xz.NewReader(f)
	} else {
		r, err = gzip.NewReader(f)
	}
	if err != nil {
		t.Fatal(err)
	}
	return untar(t, r, "")
}

func TestSnapshots(t *testing.T) {
	w := sharedWorld(t)
	if len(w.Truth.Snapshots) != 1 {
		t.Fatalf("%d snapshot diffs", len(w.Truth.Snapshots))
	}
	d := w.Truth.Snapshots[0]
	trees := map[string]map[string][]byte{}
	for _, name := range []string{d.From, d.To} {
		files := readTarball(t, w.Files[name])
		top := "WinOF-" + strings.TrimPrefix(name, "winofed-") + "/"
		tree := map[string][]byte{}
		for p, data := range files {
			if !strings.HasPrefix(p, top) {
				t.Fatalf("%s: %s is not under %s", name, p, top)
			}
			tree[strings.TrimPrefix(p, top)] = data
		}
		trees[name] = tree
	}
	old, cur := trees[d.From], trees[d.To]
	var added, removed, changed []string
	for p, data := range cur {
		if o, ok := old[p]; !ok {
			added = append(added, p)
		} else if !bytes.Equal(o, data) {
			changed = append(changed, p)
		}
	}
	for p := range old {
		if _, ok := cur[p]; !ok {
			removed = append(removed, p)
		}
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"added", d.Added, added}, {"removed", d.Removed, removed}, {"changed", d.Changed, changed}} {
		sort.Strings(c.want)
		if strings.Join(c.got, " ") != strings.Join(c.want, " ") || len(c.want) == 0 {
			t.Errorf("%s: truth %v, tarballs %v", c.what, c.got, c.want)
		}
	}
	comps, err := project.NewComponents(project.DefaultComponents())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, pd := range d.Components {
		for _, l := range [][]string{pd.Added, pd.Removed, pd.Changed} {
			for _, p := range l {
				if !containsString(comps.Classify(project.LayoutWinOFED, []string{p}, ""), name) {
					t.Errorf("%s listed under %s", p, name)
				}
				n++
			}
		}
	}
	if n < len(added)+len(removed)+len(changed) || len(d.Components) < 5 {
		t.Errorf("%d component entries in %d components for %d paths", n, len(d.Components), len(added)+len(removed)+len(changed))
	}
	for _, want := range []string{"ipoib", "addr", "mlx4", "core"} {
		if pd := d.Components[want]; pd == nil || len(pd.Added)+len(pd.Removed)+len(pd.Changed) == 0 {
			t.Errorf("no change in component %s", want)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	// git agrees on what changed.
	a, b := t.TempDir(), t.TempDir()
	for dir, tree := range map[string]map[string][]byte{a: old, b: cur} {
		for p, data := range tree {
			if err := writeFile(dir, p, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command("git", "diff", "--no-index", "--no-renames", "--name-status", a, b)
	out, _ := cmd.Output() // exit status 1: there are differences
	status := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(l, "\t", 2)
		if len(f) != 2 {
			continue
		}
		p := f[1]
		for _, root := range []string{a, b} {
			p = strings.TrimPrefix(p, strings.TrimPrefix(root, "/")+"/")
			p = strings.TrimPrefix(p, root+"/")
		}
		status[p] = f[0]
	}
	for _, c := range []struct {
		letter string
		paths  []string
	}{{"A", d.Added}, {"D", d.Removed}, {"M", d.Changed}} {
		for _, p := range c.paths {
			if status[p] != c.letter {
				t.Errorf("git diff --no-index says %q for %s, truth %s", status[p], p, c.letter)
			}
		}
	}
	if len(status) != len(d.Added)+len(d.Removed)+len(d.Changed) {
		t.Errorf("git diff --no-index lists %d paths, truth %d", len(status), len(d.Added)+len(d.Removed)+len(d.Changed))
	}
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// checkStatuses checks that every downstream-only commit has exactly one
// status and no other commit has one.
func checkStatuses(t *testing.T, tr *Truth) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range tr.Statuses {
		if seen[s.Commit] {
			t.Errorf("%s: two statuses", s.Commit)
		}
		seen[s.Commit] = true
	}
	for _, ds := range tr.Downstreams {
		for _, e := range ds.Commits {
			if (e.Kind == KindDownstreamOnly) != seen[e.ID] {
				t.Errorf("%s %s (%s): has a status: %v", ds.Source, e.ID[:12], e.Kind, seen[e.ID])
			}
		}
	}
}

func TestStatuses(t *testing.T) {
	checkStatuses(t, sharedWorld(t).Truth)
}
