package match

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

func fixedNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// loaded is a synced synthetic world as the matcher sees it.
type loaded struct {
	truth    *world.Truth
	upstream []*change.Fingerprint            // every stored commit of the upstream ref
	down     map[string][]*change.Fingerprint // downstream source -> its commits since base, in store order
	// cherry is, per downstream source, what `git cherry upstream
	// downstream` says of each downstream commit: true ("-") when an
	// upstream commit since the merge-base has the same patch-id.
	cherry map[string]map[string]bool
}

var (
	worldsMu sync.Mutex
	worlds   = map[string]*loaded{}
)

// loadWorld builds, syncs and reads a synthetic world once per test binary.
func loadWorld(tb testing.TB, size world.Size, seed int64) *loaded {
	tb.Helper()
	key := fmt.Sprintf("%s/%d", size, seed)
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if l := worlds[key]; l != nil {
		return l
	}
	dir, err := os.MkdirTemp("", "kdelta-match-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	w, err := world.Build(world.Options{Seed: seed, Size: size, Dir: filepath.Join(dir, "world")})
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := project.Load(w.Config)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: fixedNow}); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.StorePath(), fixedNow)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	srcs, err := db.Sources(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	src := func(name string) store.Source {
		for _, s := range srcs {
			if s.Name == name {
				return s
			}
		}
		tb.Fatalf("no source %s", name)
		return store.Source{}
	}
	read := func(s store.Source, ids []int64) []*change.Fingerprint {
		fps, err := db.Fingerprints(ctx, ids, s.Layout)
		if err != nil {
			tb.Fatal(err)
		}
		out := make([]*change.Fingerprint, 0, len(ids))
		for _, id := range ids {
			if f := fps[id]; f != nil {
				out = append(out, f)
			}
		}
		return out
	}
	l := &loaded{truth: w.Truth, down: map[string][]*change.Fingerprint{}, cherry: map[string]map[string]bool{}}
	for _, d := range w.Truth.Downstreams {
		if l.cherry[d.Source], err = gitCherry(dir, w, d); err != nil {
			tb.Fatal(err)
		}
	}
	up := src(w.Truth.Upstream.Source)
	upRef, err := db.EnsureRef(ctx, up.ID, w.Truth.Upstream.Branch)
	if err != nil {
		tb.Fatal(err)
	}
	all, err := db.RefCommitIDs(ctx, upRef.ID)
	if err != nil {
		tb.Fatal(err)
	}
	var upIDs []int64
	for id := range all {
		upIDs = append(upIDs, id)
	}
	sort.Slice(upIDs, func(i, j int) bool { return upIDs[i] < upIDs[j] })
	l.upstream = read(up, upIDs)
	for _, d := range w.Truth.Downstreams {
		s := src(d.Source)
		ref, err := db.EnsureRef(ctx, s.ID, d.Branch)
		if err != nil {
			tb.Fatal(err)
		}
		ids, err := db.SinceBase(ctx, ref.ID, "downstream")
		if err != nil {
			tb.Fatal(err)
		}
		l.down[d.Source] = read(s, ids)
	}
	worlds[key] = l
	return l
}

// gitCherry runs `git cherry upstream downstream` in a bare repository
// that borrows the objects of both, and returns its verdict per commit.
func gitCherry(dir string, w *world.World, d world.Downstream) (map[string]bool, error) {
	repo := filepath.Join(dir, "cherry-"+d.Source+".git")
	git := func(args ...string) (string, error) {
		out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", repo).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git init: %w: %s", err, out)
	}
	alt := filepath.Join(w.Repos[w.Truth.Upstream.Source], "objects") + "\n" + filepath.Join(w.Repos[d.Source], "objects") + "\n"
	if err := os.WriteFile(filepath.Join(repo, "objects", "info", "alternates"), []byte(alt), 0o644); err != nil {
		return nil, err
	}
	if _, err := git("update-ref", "refs/heads/upstream", w.Truth.Upstream.Head); err != nil {
		return nil, err
	}
	if _, err := git("update-ref", "refs/heads/downstream", d.Head); err != nil {
		return nil, err
	}
	out, err := git("cherry", "upstream", "downstream")
	if err != nil {
		return nil, err
	}
	verdict := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			verdict[f[1]] = f[0] == "-"
		}
	}
	return verdict, nil
}

// tally counts outcomes against the truth.
type tally struct {
	predicted, predictedRight int // non-empty predictions, and the right ones
	positive, found           int // commits with a non-empty truth, and those predicted exactly
	total, right              int
}

func (t *tally) add(truth, got []string) {
	ok := sameSet(truth, got)
	t.total++
	if ok {
		t.right++
	}
	if len(got) > 0 {
		t.predicted++
		if ok {
			t.predictedRight++
		}
	}
	if len(truth) > 0 {
		t.positive++
		if ok {
			t.found++
		}
	}
}

func (t tally) precision() float64 { return ratio(t.predictedRight, t.predicted) }
func (t tally) recall() float64    { return ratio(t.found, t.positive) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (t tally) String() string {
	return fmt.Sprintf("precision %.4f (%d/%d) recall %.4f (%d/%d) exact %d/%d",
		t.precision(), t.predictedRight, t.predicted, t.recall(), t.found, t.positive, t.right, t.total)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x] == 0 {
			return false
		}
		m[x]--
	}
	return true
}

// reworked are the kinds that carry no trailer and differ from upstream.
var reworked = map[world.Kind]bool{
	world.KindContext: true, world.KindPartial: true, world.KindSquash: true, world.KindSplit: true,
	world.KindConflict: true, world.KindIdentity: true, world.KindIfdef: true, world.KindLanded: true,
}

// baseline is what `git cherry` sees: exact whole-commit patch-id only.
func baseline(up, down []*change.Fingerprint) map[string][]string {
	by := map[string]string{}
	for _, u := range up {
		if u.PatchID != "" {
			if _, ok := by[u.PatchID]; !ok {
				by[u.PatchID] = u.ID
			}
		}
	}
	out := map[string][]string{}
	for _, d := range down {
		if u, ok := by[d.PatchID]; ok && d.PatchID != "" {
			out[d.ID] = []string{u}
		}
	}
	return out
}

type accuracy struct {
	all, allBase       tally
	rework, reworkBase tally
	kind, kindBase     map[world.Kind]*tally
	phen, phenBase     map[world.Phenomenon]*tally
	methods            map[string]int // matches per method
	skipped            int
	problems           int
	wrong              []string
}

// indexFor is the index analyze builds for a downstream: upstream's
// commits after its base, and those at or before it (matches with these
// only are duplicates).
func indexFor(l *loaded, d world.Downstream) *Index {
	older := map[string]bool{}
	for _, c := range l.truth.Upstream.Commits {
		older[c.ID] = true
		if c.ID == d.BaseCommit {
			break
		}
	}
	var since, before []*change.Fingerprint
	for _, u := range l.upstream {
		if older[u.ID] {
			before = append(before, u)
		} else {
			since = append(since, u)
		}
	}
	return NewIndexWithBase(since, before)
}

func measure(tb testing.TB, l *loaded) *accuracy {
	acc := newAccuracy()
	for _, d := range l.truth.Downstreams {
		ix := indexFor(l, d)
		fps := l.down[d.Source]
		got, probs := ix.Match(fps, nil)
		acc.problems += len(probs)
		if len(got) != len(fps) {
			tb.Fatalf("%s: %d matches for %d commits", d.Source, len(got), len(fps))
		}
		byID := map[string]Match{}
		fpOf := map[string]*change.Fingerprint{}
		for i, m := range got {
			if m.Downstream != fps[i].ID {
				tb.Fatalf("match %d is for %s, want %s", i, m.Downstream, fps[i].ID)
			}
			if m.Upstream == nil {
				tb.Fatalf("%s: upstream is nil, want []", m.Downstream)
			}
			if m.Score < 0 || m.Score > 1 || m.Why == "" || m.Method == "" {
				tb.Errorf("%s: bad match %+v", m.Downstream, m)
			}
			byID[m.Downstream] = m
			fpOf[m.Downstream] = fps[i]
			if !slices.Contains(MethodNames(), m.Method) {
				tb.Errorf("%s: method %q is not among the methods kdelta lists (%v)", m.Downstream, m.Method, MethodNames())
			}
			acc.methods[m.Method]++
		}
		base := baseline(l.upstream, fps)
		// The parts of each split that are in the store.
		parts := map[string]int{}
		for _, e := range d.Commits {
			if _, ok := byID[e.ID]; ok && e.Kind == world.KindSplit {
				parts[e.Upstream[0]]++
			}
		}
		for _, e := range d.Commits {
			m, ok := byID[e.ID]
			if !ok {
				acc.skipped++
				continue
			}
			for _, t := range []*map[world.Kind]*tally{&acc.kind, &acc.kindBase} {
				if (*t)[e.Kind] == nil {
					(*t)[e.Kind] = &tally{}
				}
			}
			acc.all.add(e.Upstream, m.Upstream)
			acc.allBase.add(e.Upstream, base[e.ID])
			acc.kind[e.Kind].add(e.Upstream, m.Upstream)
			acc.kindBase[e.Kind].add(e.Upstream, base[e.ID])
			if reworked[e.Kind] && e.Trailer == "" {
				acc.rework.add(e.Upstream, m.Upstream)
				acc.reworkBase.add(e.Upstream, base[e.ID])
			}
			right := sameSet(e.Upstream, m.Upstream)
			switch {
			case e.Phenomenon == world.PhTwin && right && m.Method != MethodDuplicate:
				tb.Errorf("%s %s: a copy of %v older than the base is matched by %s, want %s", d.Source, e.ID[:10], shortAll(e.Upstream), m.Method, MethodDuplicate)
			case e.Kind == world.KindSplit && right && parts[e.Upstream[0]] > 1 && (m.Method != MethodPartial || !strings.Contains(m.Why, "split across downstream commits")):
				tb.Errorf("%s %s: a part of split %v is matched by %s (%s), want %s naming its sibling", d.Source, e.ID[:10], shortAll(e.Upstream), m.Method, m.Why, MethodPartial)
			case e.Kind == world.KindSquash && right && !strings.Contains(m.Why, "each part's share"):
				tb.Errorf("%s %s: squash %v: %s; want each part's share", d.Source, e.ID[:10], shortAll(e.Upstream), m.Why)
			}
			if p := e.Phenomenon; p != "" {
				if acc.phen[p] == nil {
					acc.phen[p], acc.phenBase[p] = &tally{}, &tally{}
				}
				acc.phen[p].add(e.Upstream, m.Upstream)
				acc.phenBase[p].add(e.Upstream, base[e.ID])
			}
			if !sameSet(e.Upstream, m.Upstream) {
				acc.wrong = append(acc.wrong, fmt.Sprintf("%s %s %-15s truth %v got %v by %s %.2f: %s | %q",
					d.Source, e.ID[:10], e.Kind, shortAll(e.Upstream), shortAll(m.Upstream), m.Method, m.Score, m.Why, fpOf[e.ID].Subject))
			}
		}
	}
	return acc
}

func shortAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = change.Short(id)[:10]
	}
	return out
}

func (acc *accuracy) log(tb testing.TB, name string) {
	tb.Logf("%s: ours     all: %s", name, acc.all)
	tb.Logf("%s: patch-id all: %s", name, acc.allBase)
	tb.Logf("%s: ours     reworked without trailer: %s", name, acc.rework)
	tb.Logf("%s: patch-id reworked without trailer: %s", name, acc.reworkBase)
	var kinds []string
	for k := range acc.kind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		o, b := acc.kind[world.Kind(k)], acc.kindBase[world.Kind(k)]
		tb.Logf("%s: %-15s n=%-4d ours exact %4d (%.3f)  patch-id exact %4d (%.3f)", name, k, o.total, o.right, ratio(o.right, o.total), b.right, ratio(b.right, b.total))
	}
	for _, p := range world.Phenomena() {
		if o := acc.phen[p]; o != nil {
			b := acc.phenBase[p]
			tb.Logf("%s: phenomenon %-19s n=%-4d ours precision %.3f recall %.3f exact %.3f  patch-id exact %.3f",
				name, p, o.total, o.precision(), o.recall(), ratio(o.right, o.total), ratio(b.right, b.total))
		}
	}
	var ms []string
	for _, m := range MethodNames() {
		ms = append(ms, fmt.Sprintf("%s %d", m, acc.methods[m]))
	}
	tb.Logf("%s: matches by method: %s", name, strings.Join(ms, ", "))
	tb.Logf("%s: %d truth entries out of scope (not in the store), %d problems reported", name, acc.skipped, acc.problems)
	for _, w := range acc.wrong {
		tb.Logf("%s: wrong: %s", name, w)
	}
}

// The acceptance bars. Each world must meet issue 3's (a small world has
// about 85 pairs, so that one miss costs more than 0.01); all worlds
// together, issue 13's, and every planted phenomenon its own.
const (
	barPrecision    = 0.99
	barRecall       = 0.98
	barReworkRecall = 0.95

	barAllPrecision    = 0.995
	barAllRecall       = 0.995
	barAllReworkRecall = 0.98
	barPhenomenon      = 0.95
	// minCases: a phenomenon planted this many times at least in each
	// demo world.
	minCases = 20
)

func (acc *accuracy) check(t *testing.T, name string) {
	acc.checkBars(t, name, barPrecision, barRecall, barReworkRecall)
}

func (acc *accuracy) checkBars(t *testing.T, name string, precision, recall, rework float64) {
	t.Helper()
	if p := acc.all.precision(); p < precision {
		t.Errorf("%s: precision %.4f < %.3f", name, p, precision)
	}
	if r := acc.all.recall(); r < recall {
		t.Errorf("%s: recall %.4f < %.3f", name, r, recall)
	}
	if r := acc.rework.recall(); r < rework {
		t.Errorf("%s: recall on reworked backports without trailer %.4f < %.3f", name, r, rework)
	}
}

// checkPhenomena asks every planted phenomenon for its bars.
func (acc *accuracy) checkPhenomena(t *testing.T, name string) {
	t.Helper()
	for _, p := range world.Phenomena() {
		o := acc.phen[p]
		if o == nil {
			t.Errorf("%s: phenomenon %s is not planted", name, p)
			continue
		}
		if o.precision() < barPhenomenon || o.recall() < barPhenomenon {
			t.Errorf("%s: phenomenon %s: precision %.3f, recall %.3f; want both >= %.2f", name, p, o.precision(), o.recall(), barPhenomenon)
		}
	}
}

func newAccuracy() *accuracy {
	return &accuracy{kind: map[world.Kind]*tally{}, kindBase: map[world.Kind]*tally{},
		phen: map[world.Phenomenon]*tally{}, phenBase: map[world.Phenomenon]*tally{}, methods: map[string]int{}}
}

func TestAccuracyAgainstTruth(t *testing.T) {
	cases := []struct {
		size world.Size
		seed int64
	}{{world.Demo, 1}, {world.Demo, 2}, {world.Demo, 3}, {world.Small, 7}, {world.Small, 11}, {world.Small, 23}}
	if testing.Short() {
		cases = cases[1:2]
	}
	total := newAccuracy()
	for _, c := range cases {
		name := fmt.Sprintf("%s-%d", c.size, c.seed)
		t.Run(name, func(t *testing.T) {
			acc := measure(t, loadWorld(t, c.size, c.seed))
			acc.log(t, name)
			acc.check(t, name)
			if c.size == world.Demo {
				for _, p := range world.Phenomena() {
					if o := acc.phen[p]; o == nil || o.total < minCases {
						t.Errorf("%s: phenomenon %s planted %d times, want at least %d", name, p, acc.phen[p].n(), minCases)
					}
				}
			}
			total.merge(acc)
		})
	}
	if len(cases) > 1 {
		total.wrong = nil
		total.log(t, "all worlds")
		total.checkBars(t, "all worlds", barAllPrecision, barAllRecall, barAllReworkRecall)
		total.checkPhenomena(t, "all worlds")
	}
}

// n is how many entries a tally counted; 0 for none.
func (t *tally) n() int {
	if t == nil {
		return 0
	}
	return t.total
}

func (acc *accuracy) merge(o *accuracy) {
	add := func(a *tally, b tally) {
		a.predicted += b.predicted
		a.predictedRight += b.predictedRight
		a.positive += b.positive
		a.found += b.found
		a.total += b.total
		a.right += b.right
	}
	add(&acc.all, o.all)
	add(&acc.allBase, o.allBase)
	add(&acc.rework, o.rework)
	add(&acc.reworkBase, o.reworkBase)
	for k, v := range o.kind {
		if acc.kind[k] == nil {
			acc.kind[k], acc.kindBase[k] = &tally{}, &tally{}
		}
		add(acc.kind[k], *v)
		add(acc.kindBase[k], *o.kindBase[k])
	}
	for k, v := range o.methods {
		acc.methods[k] += v
	}
	for p, v := range o.phen {
		if acc.phen[p] == nil {
			acc.phen[p], acc.phenBase[p] = &tally{}, &tally{}
		}
		add(acc.phen[p], *v)
		add(acc.phenBase[p], *o.phenBase[p])
	}
	acc.skipped += o.skipped
	acc.problems += o.problems
}

// TestExactPairsSupersetOfGitCherry: every downstream commit `git cherry`
// finds upstream (an upstream commit since the merge-base with the same
// patch-id) is paired by kdelta with an upstream commit of that patch-id.
func TestExactPairsSupersetOfGitCherry(t *testing.T) {
	cases := []struct {
		size world.Size
		seed int64
	}{{world.Demo, 1}, {world.Demo, 2}, {world.Demo, 3}, {world.Small, 7}}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%d", c.size, c.seed), func(t *testing.T) {
			l := loadWorld(t, c.size, c.seed)
			ix := NewIndex(l.upstream)
			patchID := map[string]string{}
			for _, u := range l.upstream {
				patchID[u.ID] = u.PatchID
			}
			for _, d := range l.truth.Downstreams {
				fps := l.down[d.Source]
				got, _ := ix.Match(fps, nil)
				cherry, ours := 0, 0
				for i, m := range got {
					fp := fps[i]
					same := false
					for _, u := range m.Upstream {
						same = same || fp.PatchID != "" && patchID[u] == fp.PatchID
					}
					if same {
						ours++
					}
					if !l.cherry[d.Source][fp.ID] {
						continue
					}
					cherry++
					if !same {
						t.Errorf("%s %s %q: git cherry finds it upstream (patch-id %s), kdelta pairs it with %v by %s: %s",
							d.Source, change.Short(fp.ID), fp.Subject, change.Short(fp.PatchID), shortAll(m.Upstream), m.Method, m.Why)
					}
				}
				t.Logf("%s: git cherry finds %d commits upstream; kdelta pairs %d with an upstream commit of the same patch-id", d.Source, cherry, ours)
				if cherry == 0 {
					t.Errorf("%s: git cherry finds nothing upstream: the comparison says nothing", d.Source)
				}
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	l := loadWorld(b, world.Demo, 1)
	var down []*change.Fingerprint
	for _, d := range l.truth.Downstreams {
		down = append(down, l.down[d.Source]...)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := NewIndex(l.upstream)
		ix.Match(down, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(down)), "ns/downstream")
	b.ReportMetric(float64(len(l.upstream)), "upstream")
}

// BenchmarkMatchScaled estimates the speed target: the demo
// world's upstream copied to 100,000 commits and its downstreams to
// 10,000 (each copy with its own ids and line hashes), index build
// included.
func BenchmarkMatchScaled(b *testing.B) {
	l := loadWorld(b, world.Demo, 1)
	const nUp, nDown = 100000, 10000
	relabel := func(f *change.Fingerprint, c int) *change.Fingerprint {
		g := *f
		g.ID = fmt.Sprintf("%s%02x", f.ID[:38], c%256)
		g.PatchID = fmt.Sprintf("%s-%d", f.PatchID, c)
		g.Files = make([]change.File, len(f.Files))
		salt := uint64(c) * 0x9e3779b97f4a7c15
		for i, fl := range f.Files {
			fl.PatchID = fmt.Sprintf("%s-%d", fl.PatchID, c)
			fl.Plus = xorAll(fl.Plus, salt)
			fl.Minus = xorAll(fl.Minus, salt)
			g.Files[i] = fl
		}
		return &g
	}
	var up, down []*change.Fingerprint
	for c := 0; len(up) < nUp; c++ {
		for _, u := range l.upstream {
			if len(up) == nUp {
				break
			}
			up = append(up, relabel(u, c))
		}
	}
	for c := 0; len(down) < nDown; c++ {
		for _, d := range l.truth.Downstreams {
			for _, f := range l.down[d.Source] {
				if len(down) < nDown {
					down = append(down, relabel(f, c))
				}
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := NewIndex(up)
		ix.Match(down, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(down)), "ns/downstream")
}

func xorAll(h []uint64, salt uint64) []uint64 {
	out := make([]uint64, len(h))
	for i, x := range h {
		out[i] = x ^ salt
	}
	return out
}
