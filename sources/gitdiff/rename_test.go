package gitdiff

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fileSpec is one file of a test tree.
type fileSpec struct {
	mode    uint32 // 0 means 0100644
	content string // blob content; for gitlinks the commit id in hex
}

type tree map[string]fileSpec

func (f fileSpec) gitMode() uint32 {
	if f.mode == 0 {
		return 0o100644
	}
	return f.mode
}

func blobID(data []byte) [20]byte {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	var id [20]byte
	copy(id[:], h.Sum(nil))
	return id
}

// fastImport builds a repository in a new temporary directory from a list
// of branches, each a sequence of trees committed in order.
func fastImport(t *testing.T, branches map[string][]tree) string {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	var stream bytes.Buffer
	names := make([]string, 0, len(branches))
	for n := range branches {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for k, tr := range branches[name] {
			fmt.Fprintf(&stream, "commit refs/heads/%s\ncommitter t <t@example.com> %d +0000\ndata 0\n", name, 1000+k)
			stream.WriteString("deleteall\n")
			paths := make([]string, 0, len(tr))
			for p := range tr {
				paths = append(paths, p)
			}
			slices.Sort(paths)
			for _, p := range paths {
				f := tr[p]
				if f.gitMode() == 0o160000 {
					fmt.Fprintf(&stream, "M 160000 %s %s\n", f.content, p)
					continue
				}
				fmt.Fprintf(&stream, "M %o inline %s\ndata %d\n%s\n", f.gitMode(), p, len(f.content), f.content)
			}
			stream.WriteString("\n")
		}
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	return dir
}

// rawEntry is one line of `git diff-tree -r --no-renames` output.
type rawEntry struct {
	oldMode, newMode uint32
	oldID, newID     string
	status           byte
	path             string
}

func diffTreeRaw(t *testing.T, dir, rev string) []rawEntry {
	out := runGit(t, dir, nil, "diff-tree", "-r", "--no-renames", "--no-abbrev", rev+"^", rev)
	var res []rawEntry
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		meta, path, ok := strings.Cut(line, "\t")
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		if !ok || len(f) != 5 {
			t.Fatalf("bad raw line %q", line)
		}
		om, _ := strconv.ParseUint(f[0], 8, 32)
		nm, _ := strconv.ParseUint(f[1], 8, 32)
		res = append(res, rawEntry{uint32(om), uint32(nm), f[2], f[3], f[4][0], path})
	}
	return res
}

// gitRename is a rename git reported.
type gitRename struct {
	from, to string
	percent  int
}

func parseNameStatus(t *testing.T, out []byte) []gitRename {
	var res []gitRename
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "R") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("bad name-status line %q", line)
		}
		p, err := strconv.Atoi(f[0][1:])
		if err != nil {
			t.Fatalf("bad name-status line %q", line)
		}
		res = append(res, gitRename{f[1], f[2], p})
	}
	return res
}

// candidatesFor returns the deleted and added candidates of the commit
// from old to new, checking that they match git's raw diff.
func candidatesFor(t *testing.T, raw []rawEntry, old, new tree) (deleted, added []Candidate) {
	mk := func(path string, f fileSpec) Candidate {
		c := Candidate{Path: path, Mode: f.gitMode()}
		if f.gitMode() == 0o160000 {
			hex.Decode(c.Hash[:], []byte(f.content))
			c.Data = func() ([]byte, error) { return nil, errors.New("gitlink has no blob") }
			return c
		}
		data := []byte(f.content)
		c.Hash = blobID(data)
		loaded := false
		c.Data = func() ([]byte, error) {
			if loaded {
				t.Errorf("Data of %s loaded twice", path)
			}
			loaded = true
			return data, nil
		}
		return c
	}
	for _, e := range raw {
		switch e.status {
		case 'D':
			c := mk(e.path, old[e.path])
			if hex.EncodeToString(c.Hash[:]) != e.oldID || c.Mode != e.oldMode {
				t.Fatalf("deleted %s: test tree and git disagree", e.path)
			}
			deleted = append(deleted, c)
		case 'A':
			c := mk(e.path, new[e.path])
			if hex.EncodeToString(c.Hash[:]) != e.newID || c.Mode != e.newMode {
				t.Fatalf("added %s: test tree and git disagree", e.path)
			}
			added = append(added, c)
		}
	}
	// Present the candidates in an order different from git's, since
	// DetectRenames must not depend on it.
	slices.Reverse(deleted)
	return deleted, added
}

type renameScenario struct {
	name     string
	old, new tree
	opts     RenameOptions
	gitArgs  []string // extra options for git show, e.g. -l2
}

// lines returns n distinct 10-byte lines "<tag>NNNNN\n" (tag is 4 bytes).
func lines10(tag string, from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "%s%05d\n", tag, i)
	}
	return b.String()
}

func cSource(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(99, seed))
	return string(joinLines(genCFile(r, n), true, false))
}

func cEdited(seed uint64, n, edits int) string {
	r := rand.New(rand.NewPCG(99, seed))
	orig := genCFile(r, n)
	r2 := rand.New(rand.NewPCG(7, seed))
	return string(joinLines(mutate(r2, orig, edits), true, false))
}

func renameScenarios() []renameScenario {
	big := cSource(1, 200)
	big2 := cSource(2, 200)
	big3 := cSource(3, 150)
	keep := tree{"README": {content: "readme\n"}}
	with := func(base tree, kv ...any) tree {
		out := tree{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			switch v := kv[i+1].(type) {
			case string:
				out[kv[i].(string)] = fileSpec{content: v}
			case fileSpec:
				out[kv[i].(string)] = v
			}
		}
		return out
	}
	// 49% and 51% similar pairs: 100 lines of 10 bytes, 49 or 51 kept.
	src100 := lines10("keep", 0, 100)
	dst49 := lines10("keep", 0, 49) + lines10("new_", 0, 51)
	dst51 := lines10("keep", 0, 51) + lines10("new_", 0, 49)
	srcB := lines10("bbbb", 0, 100)
	dstB74 := lines10("bbbb", 0, 74) + lines10("nowB", 0, 26)
	dstB76 := lines10("bbbb", 0, 76) + lines10("nowB", 0, 24)
	dstB80 := lines10("bbbb", 0, 80) + lines10("nawB", 0, 20)
	tieBase := cSource(20, 120)
	many := cSource(21, 200)
	manyEdit := func(k uint64, edits int) string {
		lines := strings.Split(strings.TrimSuffix(many, "\n"), "\n")
		return string(joinLines(mutate(rand.New(rand.NewPCG(k, 3)), lines, edits), true, false))
	}
	gitlink := strings.Repeat("ab", 20)

	return []renameScenario{
		{name: "exact rename",
			old: with(keep, "src/a.c", big), new: with(keep, "lib/a.c", big)},
		{name: "renamed and edited",
			old: with(keep, "drivers/x/foo.c", cSource(4, 200)), new: with(keep, "drivers/y/bar.c", cEdited(4, 200, 5))},
		{name: "same basename renamed and edited",
			old: with(keep, "drivers/x/foo.c", cSource(4, 200)), new: with(keep, "drivers/y/foo.c", cEdited(4, 200, 5))},
		{name: "49 vs 51 percent",
			old: with(keep, "a/one.txt", src100, "a/two.txt", strings.ReplaceAll(src100, "keep", "kept")),
			new: with(keep, "b/uno.txt", dst49, "b/dos.txt", strings.ReplaceAll(dst51, "keep", "kept"))},
		// A unique-basename pair needs 75% to be matched before the
		// matrix; below that a better differently-named file wins.
		{name: "basename threshold 74 vs 76 percent",
			old: with(keep, "x/f1.c", srcB, "x/f2.c", strings.ReplaceAll(srcB, "bbbb", "cccc")),
			new: with(keep, "y/f1.c", dstB74, "z/other1.c", dstB80,
				"y/f2.c", strings.ReplaceAll(dstB76, "bbbb", "cccc"), "z/other2.c", strings.ReplaceAll(dstB80, "bbbb", "cccc"))},
		{name: "identical sources, basename preferred",
			old: with(keep, "a/foo.c", big, "b/bar.c", big),
			new: with(keep, "c/bar.c", big, "d/foo.c", big)},
		{name: "identical sources, path order",
			old: with(keep, "a/x.c", big, "b/y.c", big, "c/z.c", big),
			new: with(keep, "n/p.c", big, "m/q.c", big)},
		{name: "one source, two identical destinations",
			old: with(keep, "old.c", big), new: with(keep, "new1.c", big, "new2.c", big)},
		{name: "exact beats inexact",
			old: with(keep, "a.c", big, "b.c", cSource(5, 200)),
			new: with(keep, "c.c", big, "d.c", cEdited(5, 200, 3))},
		{name: "basename match wins over better inexact",
			old: with(keep, "dir1/util.c", cSource(6, 200)),
			new: with(keep, "dir2/util.c", cEdited(6, 200, 12), "dir3/other.c", cEdited(6, 200, 1))},
		{name: "duplicate basenames go to the matrix",
			old: with(keep, "a/util.c", cSource(7, 200), "b/util.c", cSource(8, 200)),
			new: with(keep, "c/util.c", cEdited(8, 200, 4), "d/util.c", cEdited(7, 200, 4))},
		{name: "one source two similar destinations",
			old: with(keep, "s.c", cSource(9, 200)),
			new: with(keep, "t1.c", cEdited(9, 200, 10), "t2.c", cEdited(9, 200, 2))},
		{name: "two sources one destination",
			old: with(keep, "s1.c", cSource(10, 200), "s2.c", cEdited(10, 200, 8)),
			new: with(keep, "t.c", cEdited(10, 200, 3))},
		{name: "equal scores tie, path order",
			old: with(keep, "p/a.c", tieBase+"/* a */\n", "q/b.c", tieBase+"/* b */\n"),
			new: with(keep, "r/c.c", tieBase+"/* c */\n")},
		{name: "equal scores tie, name score",
			old: with(keep, "a/d.c", tieBase+"/* a */\n", "p/c.c", tieBase+"/* b */\n", "q/c.c", tieBase+"/* bb */\n/* b */\n"),
			new: with(keep, "r/c.c", tieBase+"/* c */\n")},
		{name: "more sources than candidate slots",
			old: with(keep, "s1.c", manyEdit(1, 1), "s2.c", manyEdit(2, 2), "s3.c", manyEdit(3, 3),
				"s4.c", manyEdit(4, 4), "s5.c", manyEdit(5, 5), "s6.c", manyEdit(6, 6)),
			new: with(keep, "d1.c", manyEdit(7, 2), "d2.c", manyEdit(8, 3), "d3.c", manyEdit(9, 8))},
		{name: "symlink exact rename",
			old: with(keep, "link", fileSpec{0o120000, "target/file"}),
			new: with(keep, "newlink", fileSpec{0o120000, "target/file"})},
		{name: "symlink to regular file same content",
			old: with(keep, "link", fileSpec{0o120000, "target/file"}),
			new: with(keep, "file", "target/file")},
		{name: "edited symlink",
			old: with(keep, "link", fileSpec{0o120000, "target/some/long/path/file1"}),
			new: with(keep, "link2", fileSpec{0o120000, "target/some/long/path/file2"})},
		{name: "mode change with rename",
			old: with(keep, "run.sh", big2), new: with(keep, "bin/run.sh", fileSpec{0o100755, big2})},
		{name: "gitlink exact rename",
			old: with(keep, "sub", fileSpec{0o160000, gitlink}),
			new: with(keep, "modules/sub", fileSpec{0o160000, gitlink})},
		{name: "empty files",
			old: with(keep, "e1", "", "e2", ""), new: with(keep, "f1", "", "g/e2", "")},
		{name: "size early exit",
			old: with(keep, "small.c", cSource(11, 40)), new: with(keep, "large.c", cSource(11, 40)+cSource(12, 80))},
		{name: "crlf conversion",
			old: with(keep, "dos.txt", big2), new: with(keep, "dos2.txt", strings.ReplaceAll(big2, "\n", "\r\n"))},
		{name: "binary with crlf",
			old: with(keep, "bin.dat", "\x00"+big2), new: with(keep, "bin2.dat", "\x00"+strings.ReplaceAll(big2, "\n", "\r\n"))},
		{name: "no trailing newline",
			old: with(keep, "nl.c", strings.TrimSuffix(big3, "\n")), new: with(keep, "nonl.c", strings.TrimSuffix(cEdited(3, 150, 2), "\n"))},
		{name: "long lines over 64 bytes",
			old: with(keep, "long.txt", strings.Repeat(strings.Repeat("abcdefgh", 20)+"\n", 30)),
			new: with(keep, "long2.txt", strings.Repeat(strings.Repeat("abcdefgh", 20)+"\n", 20)+strings.Repeat("z", 150)+"\n")},
		{name: "rename limit exceeded",
			old:  with(keep, "a1.c", cSource(13, 100), "a2.c", cSource(14, 100), "a3.c", cSource(15, 100), "ex.c", big),
			new:  with(keep, "b1.c", cEdited(13, 100, 2), "b2.c", cEdited(14, 100, 2), "ex2.c", big),
			opts: RenameOptions{Limit: 2}, gitArgs: []string{"-l2"}},
		{name: "rename limit not exceeded",
			old:  with(keep, "a1.c", cSource(13, 100), "a2.c", cSource(14, 100), "ex.c", big),
			new:  with(keep, "b1.c", cEdited(13, 100, 2), "b2.c", cEdited(14, 100, 2), "ex2.c", big),
			opts: RenameOptions{Limit: 2}, gitArgs: []string{"-l2"}},
		{name: "minimum score 90 percent",
			old:  with(keep, "m1.c", cSource(16, 200), "m2.c", cSource(17, 200)),
			new:  with(keep, "n1.c", cEdited(16, 200, 1), "n2.c", cEdited(17, 200, 25)),
			opts: RenameOptions{MinScore: 54000}, gitArgs: []string{"-M90%"}},
	}
}

// randomRenameScenario moves, edits, deletes and adds many files at once.
func randomRenameScenario(seed uint64) renameScenario {
	r := rand.New(rand.NewPCG(5150, seed))
	old, new := tree{}, tree{}
	dirs := []string{"drivers/net", "drivers/gpu", "fs/ext4", "kernel", "mm", "include/linux"}
	names := []string{"core.c", "main.c", "util.c", "Makefile", "Kconfig", "debug.c", "irq.c", "dma.c"}
	for i := 0; i < 30; i++ {
		path := fmt.Sprintf("%s/%d_%s", dirs[r.IntN(len(dirs))], r.IntN(4), names[r.IntN(len(names))])
		if r.IntN(3) == 0 {
			path = fmt.Sprintf("%s/%s", dirs[r.IntN(len(dirs))], names[r.IntN(len(names))])
		}
		content := cSource(seed*1000+uint64(i), 20+r.IntN(200))
		if r.IntN(10) == 0 {
			content = cSource(seed*1000, 60) // identical blobs
		}
		old[path] = fileSpec{content: content}
		switch r.IntN(6) {
		case 0: // unchanged
			new[path] = old[path]
		case 1: // deleted
		default: // moved somewhere, maybe edited
			np := fmt.Sprintf("%s/%s", dirs[r.IntN(len(dirs))], names[r.IntN(len(names))])
			if r.IntN(2) == 0 {
				np = fmt.Sprintf("%s/x%d_%s", dirs[r.IntN(len(dirs))], i, names[r.IntN(len(names))])
			}
			c := content
			if r.IntN(3) != 0 {
				lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
				c = string(joinLines(mutate(r, lines, r.IntN(12)), true, false))
			}
			new[np] = fileSpec{content: c}
		}
	}
	for i := 0; i < 4; i++ {
		new[fmt.Sprintf("new/%d.c", i)] = fileSpec{content: cSource(seed*1000+500+uint64(i), 50)}
	}
	return renameScenario{name: fmt.Sprintf("random %d", seed), old: old, new: new}
}

func TestDetectRenamesAgainstGit(t *testing.T) {
	requireGit(t)
	scenarios := renameScenarios()
	for s := uint64(0); s < 25; s++ {
		scenarios = append(scenarios, randomRenameScenario(s))
	}
	branches := map[string][]tree{}
	for i, sc := range scenarios {
		branches[fmt.Sprintf("s%03d", i)] = []tree{sc.old, sc.new}
	}
	dir := fastImport(t, branches)

	agreed, renames := 0, 0
	for i, sc := range scenarios {
		rev := fmt.Sprintf("s%03d", i)
		args := append([]string{"show", "--format=", "-M", "--name-status"}, sc.gitArgs...)
		want := parseNameStatus(t, runGit(t, dir, nil, append(args, rev)...))
		deleted, added := candidatesFor(t, diffTreeRaw(t, dir, rev), sc.old, sc.new)

		pairs, err := sc.opts.Detect(deleted, added)
		if err != nil {
			t.Errorf("%s: %v", sc.name, err)
			continue
		}
		var got []gitRename
		for _, p := range pairs {
			got = append(got, gitRename{deleted[p.From].Path, added[p.To].Path, SimilarityPercent(p.Score)})
		}
		byTo := func(a, b gitRename) int { return strings.Compare(a.to, b.to) }
		slices.SortFunc(got, byTo)
		slices.SortFunc(want, byTo)
		if !slices.Equal(got, want) {
			t.Errorf("%s: renames differ from git\n got: %v\nwant: %v", sc.name, got, want)
			continue
		}
		agreed++
		renames += len(want)
		if testing.Verbose() && i < len(renameScenarios()) {
			t.Logf("%s: %v", sc.name, want)
		}
	}
	t.Logf("rename scenarios: %d/%d agreed with git (%d renames)", agreed, len(scenarios), renames)
}

// TestDefaultRenameLimit checks git's default limit of 1000 at its
// boundary: 1000x1000 remaining candidates still get inexact detection,
// 1001x1000 do not.
func TestDefaultRenameLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	requireGit(t)
	mk := func(nsrc int) renameScenario {
		old, new := tree{}, tree{}
		// Unrelated small files with distinct basenames, so that only
		// the exhaustive (limited) matrix could pair them.
		for i := 0; i < nsrc; i++ {
			old[fmt.Sprintf("o/a%04d", i)] = fileSpec{content: lines10(fmt.Sprintf("%04d", i), 0, 3)}
		}
		for i := 0; i < 1000; i++ {
			new[fmt.Sprintf("n/b%04d", i)] = fileSpec{content: lines10(fmt.Sprintf("n%03d", i), 0, 3)}
		}
		// One real inexact rename.
		old["o/a0000"] = fileSpec{content: lines10("real", 0, 10)}
		new["n/b0000"] = fileSpec{content: lines10("real", 0, 9) + "changed!!\n"}
		return renameScenario{old: old, new: new}
	}
	at, over := mk(1000), mk(1001)
	dir := fastImport(t, map[string][]tree{"at": {at.old, at.new}, "over": {over.old, over.new}})
	for _, c := range []struct {
		rev  string
		sc   renameScenario
		want int
	}{{"at", at, 1}, {"over", over, 0}} {
		want := parseNameStatus(t, runGit(t, dir, nil, "show", "--format=", "-M", "--name-status", c.rev))
		deleted, added := candidatesFor(t, diffTreeRaw(t, dir, c.rev), c.sc.old, c.sc.new)
		pairs, err := DetectRenames(deleted, added)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != c.want || len(pairs) != len(want) {
			t.Errorf("%s: git found %d renames, DetectRenames %d, expected %d", c.rev, len(want), len(pairs), c.want)
		}
	}
}

// TestSimilarityAgainstGit renames one file per commit, with edits of
// every size, and compares git's similarity index (with -M1% so that
// low scores are reported too) with SimilarityPercent(SimilarityMin()).
func TestSimilarityAgainstGit(t *testing.T) {
	requireGit(t)
	r := rand.New(rand.NewPCG(31337, 1))
	type pair struct{ src, dst string }
	var pairs []pair
	for i := 0; i < 160; i++ {
		n := 5 + r.IntN(250)
		base := genCFile(r, n)
		edited := mutate(r, base, r.IntN(1+i/4))
		fa, fb := r.IntN(5) != 0, r.IntN(5) != 0
		src := joinLines(base, fa, r.IntN(8) == 0)
		dst := joinLines(edited, fb, r.IntN(8) == 0)
		switch i % 16 {
		case 3:
			dst = append([]byte("\x00"), dst...) // binary destination
		case 7:
			dst = append(dst, dst...) // doubled size
		case 11:
			dst = dst[:len(dst)/3] // truncated
		}
		pairs = append(pairs, pair{string(src), string(dst)})
	}
	var history []tree
	for i, p := range pairs {
		history = append(history,
			tree{fmt.Sprintf("old/f%03d.c", i): {content: p.src}},
			tree{fmt.Sprintf("new/g%03d.c", i): {content: p.dst}})
	}
	dir := fastImport(t, map[string][]tree{"main": history})
	out := runGit(t, dir, nil, "log", "--reverse", "--format=format:commit", "-M1%", "--name-status", "main")
	chunks := strings.Split(string(out), "commit\n")[1:]
	if len(chunks) != len(history) {
		t.Fatalf("expected %d commits, got %d", len(history), len(chunks))
	}
	agreed, checked, reported := 0, 0, 0
	for k := 1; k < len(history); k++ {
		old, new := history[k-1], history[k]
		var src, dst string
		for _, f := range old {
			src = f.content
		}
		for _, f := range new {
			dst = f.content
		}
		if src == dst {
			continue
		}
		want := -1
		if rs := parseNameStatus(t, []byte(chunks[k])); len(rs) == 1 {
			want = rs[0].percent
		}
		got := -1
		if s := SimilarityMin([]byte(src), []byte(dst), 600); s >= 600 {
			got = SimilarityPercent(s)
		}
		checked++
		if want >= 0 {
			reported++
		}
		if got != want {
			t.Errorf("commit %d: similarity %d%%, git says %d%% (-1: no rename)", k, got, want)
			continue
		}
		agreed++
	}
	t.Logf("similarity: %d/%d commits agreed with git (%d reported as renames)", agreed, checked, reported)
}

func TestSimilarityPercent(t *testing.T) {
	tests := []struct{ score, want int }{
		{0, 0}, {599, 0}, {600, 1}, {30000, 50}, {29999, 49}, {59999, 99}, {MaxScore, 100},
	}
	for _, tt := range tests {
		if got := SimilarityPercent(tt.score); got != tt.want {
			t.Errorf("SimilarityPercent(%d) = %d, want %d", tt.score, got, tt.want)
		}
	}
}

func TestSimilarityTable(t *testing.T) {
	text := strings.Repeat("0123456789\n", 10) // 110 bytes, 10 chunks
	tests := []struct {
		name     string
		src, dst string
		want     int
	}{
		{"identical", text, text, MaxScore},
		{"empty destination", text, "", 0},
		{"both empty", "", "", 0},
		{"trailing partial chunk ignored", text + "abc", text + "abc", MaxScore * 110 / 113},
		{"crlf skipped in text", text, strings.ReplaceAll(text, "\n", "\r\n"), MaxScore * 110 / 120},
		{"half copied", text, text[:55] + strings.Repeat("abcdefghij\n", 5), MaxScore / 2},
		{"size too different", "a\n", strings.Repeat("a\n", 10), 0},
		{"64-byte chunks", strings.Repeat("x", 128), strings.Repeat("x", 128), MaxScore},
	}
	for _, tt := range tests {
		if got := Similarity([]byte(tt.src), []byte(tt.dst)); got != tt.want {
			t.Errorf("%s: Similarity = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestBasenameSame(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a/b.c", "b.c", true},
		{"x/y/b.c", "z/b.c", true},
		{"ab.c", "b.c", false},
		{"a/b.c", "a/bb.c", false},
		{"b.c", "b.c", true},
		{"dir/b.c", "dir2/b.c", true},
	}
	for _, tt := range tests {
		if got := basenameSame(tt.a, tt.b); got != tt.want {
			t.Errorf("basenameSame(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
