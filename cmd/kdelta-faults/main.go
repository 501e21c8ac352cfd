// Command kdelta-faults runs the fault sweep of issue 18 and writes
// RELIABILITY.md: kdelta sync of the demo world, run as a real process, is
// killed (SIGKILL) or interrupted (SIGINT) at fixed points (when a stage
// of its progress starts, or some milliseconds into the run), then run
// again to its end; each store is compared, table by table, with the store
// of one uninterrupted sync (store.Dump: by names and commit ids, sorted).
// Then the concurrency cases: two syncs at once on one SQLite store (with
// and without --wait), two projects that share a mirrors directory syncing
// at once, readers and a results import while a sync writes. `make faults`
// runs it; it is not part of `make test`.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kdelta-faults:", err)
		os.Exit(1)
	}
}

// harness runs kdelta on copies of one world.
type harness struct {
	bin   string
	world *world.World
	dir   string // where the projects of the cases are made
	n     int    // projects made so far
	ref   map[string][]string
	code  int // the uninterrupted sync's exit code
}

func run() error {
	kdelta := flag.String("kdelta", "bin/kdelta", "the kdelta binary to run")
	out := flag.String("out", "RELIABILITY.md", "the file to write the figures into ('' for none)")
	size := flag.String("size", "demo", "world size: demo, or small for a quick trial")
	seed := flag.Int64("seed", 1, "world seed")
	work := flag.String("work", "", "directory for the world and the projects (default: a new temporary one, removed after)")
	flag.Parse()
	bin, err := filepath.Abs(*kdelta)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: build it first (make build)", bin)
	}
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kdelta-faults-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	started := time.Now()
	logf("building the %s world (seed %d) in %s", *size, *seed, dir)
	w, err := world.Build(world.Options{Seed: *seed, Size: world.Size(*size), Dir: filepath.Join(dir, "world")})
	if err != nil {
		return fmt.Errorf("build world: %w", err)
	}
	h := &harness{bin: bin, world: w, dir: dir}

	// The uninterrupted run everything is compared with.
	refDir, err := h.project("")
	if err != nil {
		return err
	}
	ref := h.sync(refDir, nil)
	if ref.code != 0 && ref.code != 4 {
		return fmt.Errorf("the uninterrupted sync failed (exit %d):\n%s", ref.code, ref.stderr)
	}
	h.code = ref.code
	if h.ref, err = dumpStore(refDir); err != nil {
		return err
	}
	stages := stageLines(ref.lines)
	logf("uninterrupted sync: exit %d in %s, %d stages, %d rows", ref.code, ref.took.Round(time.Millisecond), len(stages), rowCount(h.ref))

	var faults []faultCase
	for _, st := range stages {
		faults = append(faults, faultCase{sig: syscall.SIGKILL, onLine: st})
	}
	walk := longestStage(ref.lines)
	for _, d := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond} {
		faults = append(faults, faultCase{sig: syscall.SIGKILL, onLine: walk, delay: d})
	}
	for _, pct := range []int{10, 30, 50, 70, 90} {
		faults = append(faults, faultCase{sig: syscall.SIGKILL, after: ref.took * time.Duration(pct) / 100, pct: pct})
	}
	for _, st := range pick(stages, 5) {
		faults = append(faults, faultCase{sig: syscall.SIGINT, onLine: st})
	}
	faults = append(faults, faultCase{sig: syscall.SIGINT, onLine: walk, delay: 250 * time.Millisecond})
	for _, pct := range []int{25, 75} {
		faults = append(faults, faultCase{sig: syscall.SIGINT, after: ref.took * time.Duration(pct) / 100, pct: pct})
	}
	// Cases are named without the temporary directory of the world.
	for i := range faults {
		faults[i].label = strings.ReplaceAll(faults[i].at(), w.Dir+string(filepath.Separator), "")
	}
	var results []faultResult
	for i, fc := range faults {
		r := h.fault(fc)
		results = append(results, r)
		logf("%2d/%d %-7s %-55s interrupted: %-12s resumed: exit %d; %s", i+1, len(faults), sigName(fc.sig), fc.label, r.interrupted, r.resumed, r.verdict())
	}
	conc := h.concurrency()
	for _, c := range conc {
		logf("%-60s %s", c.name, c.verdict())
	}
	rep := report{size: *size, seed: *seed, ref: ref, refRows: rowCount(h.ref), faults: results, conc: conc, took: time.Since(started)}
	rep.print(os.Stdout)
	if *out != "" {
		if err := rep.write(*out); err != nil {
			return err
		}
		logf("wrote %s", *out)
	}
	if rep.failures() > 0 {
		return fmt.Errorf("%d of %d cases failed", rep.failures(), len(results)+len(conc))
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kdelta-faults: "+format+"\n", args...)
}

// project makes a new project of the world in a directory of its own:
// the world's project file with its sources named by absolute paths, its
// store and mirrors in the project's directory, or the mirrors in
// mirrors when given.
func (h *harness) project(mirrors string) (string, error) {
	h.n++
	dir := filepath.Join(h.dir, fmt.Sprintf("p%02d", h.n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	text, err := os.ReadFile(h.world.Config)
	if err != nil {
		return "", err
	}
	url := regexp.MustCompile(`(?m)^url = "([^"/][^"]*)"$`)
	cfg := url.ReplaceAllStringFunc(string(text), func(line string) string {
		rel := url.FindStringSubmatch(line)[1]
		return fmt.Sprintf("url = %q", filepath.Join(h.world.Dir, rel))
	})
	if mirrors != "" {
		cfg = strings.Replace(cfg, "[store]\n", fmt.Sprintf("[store]\nmirrors = %q\n", mirrors), 1)
	}
	if !strings.Contains(cfg, "[store]\n") {
		return "", fmt.Errorf("%s has no [store] table", h.world.Config)
	}
	return dir, os.WriteFile(filepath.Join(dir, "kdelta.toml"), []byte(cfg), 0o644)
}

// line is a line a run printed on stderr, and when.
type line struct {
	at   time.Duration
	text string
}

// result is how a kdelta process ended.
type result struct {
	code   int    // exit code; -1 when a signal ended it
	signal string // the signal that ended it
	took   time.Duration
	sentAt time.Duration // when the signal was sent; 0 if none was
	stderr string
	lines  []line
}

// stop says when to signal a run: when a line holding onLine is printed
// (then after delay), or after a time. With hook, hook is run then (while
// the run goes on) instead.
type stop struct {
	sig    syscall.Signal
	onLine string
	delay  time.Duration
	after  time.Duration
	hook   func()
}

// kdelta runs kdelta in a project, signalling it as st says (nil: never).
func (h *harness) kdelta(dir string, st *stop, args ...string) result {
	cmd := exec.Command(h.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdout = io.Discard
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return result{code: -2, stderr: err.Error()}
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{code: -2, stderr: err.Error()}
	}
	var (
		mu     sync.Mutex
		sentAt time.Duration
		exited bool
	)
	send := func() {
		mu.Lock()
		defer mu.Unlock()
		if exited || sentAt > 0 {
			return // a signal after the end would hit nothing, or another process
		}
		sentAt = time.Since(start)
		if st.hook != nil {
			go st.hook()
			return
		}
		cmd.Process.Signal(st.sig)
	}
	if st != nil && st.onLine == "" {
		t := time.AfterFunc(st.after, send)
		defer t.Stop()
	}
	var lines []line
	var all strings.Builder
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		lines = append(lines, line{at: time.Since(start), text: text})
		all.WriteString(text + "\n")
		if st != nil && st.onLine != "" && strings.Contains(text, st.onLine) {
			if st.delay > 0 {
				time.AfterFunc(st.delay, send)
			} else {
				send()
			}
		}
	}
	err = cmd.Wait()
	r := result{took: time.Since(start), stderr: all.String(), lines: lines}
	mu.Lock()
	exited = true
	r.sentAt = sentAt
	mu.Unlock()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.code, r.signal = -1, ws.Signal().String()
		} else {
			r.code = ee.ExitCode()
		}
	case err != nil:
		r.code = -2
		r.stderr += err.Error()
	}
	return r
}

func (h *harness) sync(dir string, st *stop, args ...string) result {
	return h.kdelta(dir, st, append([]string{"sync", "--config", "kdelta.toml"}, args...)...)
}

// stageLines are the distinct stages a run started, in order: a stage's
// first line ("linux@master: walking and fingerprinting"), not its count.
func stageLines(lines []line) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		t := l.text
		if strings.Contains(t, " done in ") || strings.Contains(t, ": cloned ") || strings.Contains(t, ": fetched ") ||
			strings.HasPrefix(t, "kdelta ") || strings.Contains(t, "skipped") {
			continue
		}
		if i := strings.LastIndex(t, ": "); i >= 0 && strings.ContainsAny(t[i:], "0123456789") && strings.Contains(t, "(") {
			t = t[:i] // "...: 20 tags" counts of a stage with a total
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// longestStage is the stage that ran longest: where kills land mid-work.
func longestStage(lines []line) string {
	best, bestTook := "", time.Duration(-1)
	for i, l := range lines {
		if strings.Contains(l.text, " done in ") || i+1 >= len(lines) {
			continue
		}
		if took := lines[i+1].at - l.at; took > bestTook {
			best, bestTook = l.text, took
		}
	}
	return best
}

// pick returns n of list spread over it.
func pick(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, list[i*(len(list)-1)/(n-1)])
	}
	return out
}

func sigName(s syscall.Signal) string {
	if s == syscall.SIGKILL {
		return "kill -9"
	}
	return "SIGINT"
}

// faultCase is one interruption of a sync.
type faultCase struct {
	sig    syscall.Signal
	onLine string
	delay  time.Duration
	after  time.Duration
	pct    int    // after, as a share of the uninterrupted run
	label  string // at(), for people
}

func (f faultCase) at() string {
	switch {
	case f.onLine != "" && f.delay > 0:
		return fmt.Sprintf("%s +%dms", f.onLine, f.delay.Milliseconds())
	case f.onLine != "":
		return f.onLine
	}
	return fmt.Sprintf("%d ms (%d%% of the run)", f.after.Milliseconds(), f.pct)
}

// faultResult is what came of one interruption and the run after it.
type faultResult struct {
	c           faultCase
	interrupted string        // how the interrupted run ended: "killed", "exit 130", "finished first"
	stopIn      time.Duration // SIGINT: from the signal to the exit
	resumed     int           // the resumed run's exit code
	diff        []string      // tables that differ from the uninterrupted run's
	problems    []string      // anything else wrong
}

func (r faultResult) ok() bool { return len(r.diff) == 0 && len(r.problems) == 0 }

func (r faultResult) verdict() string {
	if r.ok() {
		return "store equal"
	}
	return strings.Join(append(append([]string(nil), r.problems...), r.diff...), "; ")
}

// fault interrupts a sync of a new project as f says, runs it again to
// its end, and compares the store with the uninterrupted run's.
func (h *harness) fault(f faultCase) faultResult {
	r := faultResult{c: f}
	dir, err := h.project("")
	if err != nil {
		r.problems = append(r.problems, err.Error())
		return r
	}
	first := h.sync(dir, &stop{sig: f.sig, onLine: f.onLine, delay: f.delay, after: f.after})
	switch {
	case first.sentAt == 0:
		r.interrupted = fmt.Sprintf("finished first (exit %d)", first.code)
	case first.code == -1:
		r.interrupted = "killed"
	default:
		r.interrupted = fmt.Sprintf("exit %d", first.code)
		r.stopIn = first.took - first.sentAt
	}
	if f.sig == syscall.SIGINT && first.sentAt > 0 {
		if first.code != 130 && first.code != h.code {
			r.problems = append(r.problems, fmt.Sprintf("SIGINT: exit %d, want 130: %s", first.code, lastLine(first.stderr)))
		}
		if r.stopIn > time.Second {
			r.problems = append(r.problems, fmt.Sprintf("SIGINT: took %s to stop", r.stopIn.Round(time.Millisecond)))
		}
	}
	second := h.sync(dir, nil)
	r.resumed = second.code
	if second.code != h.code {
		r.problems = append(r.problems, fmt.Sprintf("resumed: exit %d, want %d: %s", second.code, h.code, lastLine(second.stderr)))
	}
	r.problems = append(r.problems, h.checkProject(dir, first.sentAt > 0 && first.code != h.code)...)
	dump, err := dumpStore(dir)
	if err != nil {
		r.problems = append(r.problems, err.Error())
		return r
	}
	r.diff = store.DiffDumps(h.ref, dump)
	return r
}

// checkProject looks at what a project's runs left: no partial clone, no
// run recorded as running, the interrupted one (when interrupted says
// there was one) recorded as interrupted, a store SQLite finds sound.
func (h *harness) checkProject(dir string, interrupted bool) []string {
	var out []string
	partial, _ := filepath.Glob(filepath.Join(dir, "kdelta-mirrors", ".partial-*"))
	if len(partial) > 0 {
		out = append(out, fmt.Sprintf("%d partial clones left", len(partial)))
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "kdelta.db"), nil)
	if err != nil {
		return append(out, err.Error())
	}
	defer db.Close()
	runs, err := db.SyncRuns(context.Background())
	if err != nil {
		return append(out, err.Error())
	}
	statuses := map[string]int{}
	for _, r := range runs {
		statuses[r.Status]++
	}
	if statuses["running"] > 0 {
		out = append(out, fmt.Sprintf("%d runs still recorded as running", statuses["running"]))
	}
	if interrupted && len(runs) > 1 && statuses["interrupted"] == 0 {
		out = append(out, fmt.Sprintf("the interrupted run is not recorded as interrupted (runs: %v)", statuses))
	}
	if msg, err := db.Integrity(context.Background()); err != nil || msg != "" {
		out = append(out, fmt.Sprintf("integrity check: %s %v", msg, err))
	}
	return out
}

func dumpStore(dir string) (map[string][]string, error) {
	db, err := store.Open(context.Background(), filepath.Join(dir, "kdelta.db"), nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Dump(context.Background())
}

func rowCount(d map[string][]string) int {
	n := 0
	for _, rows := range d {
		n += len(rows)
	}
	return n
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// concResult is a concurrency case and what came of it.
type concResult struct {
	name     string
	outcome  string
	problems []string
}

func (c concResult) verdict() string {
	if len(c.problems) == 0 {
		return "ok: " + c.outcome
	}
	return "FAILED: " + strings.Join(c.problems, "; ") + " (" + c.outcome + ")"
}

// concurrency runs the concurrency cases.
func (h *harness) concurrency() []concResult {
	return []concResult{
		h.twoSyncs(false),
		h.twoSyncs(true),
		h.sharedMirrors(),
		h.readersDuringSync(),
		h.importDuringSync(),
	}
}

// both runs two kdelta commands at once.
func (h *harness) both(a, b func() result) (result, result) {
	var ra, rb result
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ra = a() }()
	go func() { defer wg.Done(); rb = b() }()
	wg.Wait()
	return ra, rb
}

// sameAsRef compares a project's store with the uninterrupted run's.
func (h *harness) sameAsRef(dir string) []string {
	dump, err := dumpStore(dir)
	if err != nil {
		return []string{err.Error()}
	}
	return store.DiffDumps(h.ref, dump)
}

// twoSyncs: two syncs at once on one SQLite store. Without --wait the
// second fails at once naming the first (exit 2); with it, it waits, then
// finds everything up to date.
func (h *harness) twoSyncs(wait bool) concResult {
	c := concResult{name: "two syncs at once on one SQLite store"}
	var args []string
	if wait {
		c.name += ", --wait 10m"
		args = []string{"--wait", "10m"}
	}
	dir, err := h.project("")
	if err != nil {
		c.problems = append(c.problems, err.Error())
		return c
	}
	a, b := h.both(func() result { return h.sync(dir, nil, args...) },
		func() result { time.Sleep(100 * time.Millisecond); return h.sync(dir, nil, args...) })
	c.outcome = fmt.Sprintf("exits %d and %d", a.code, b.code)
	switch {
	case wait:
		if a.code != h.code || b.code != h.code {
			c.problems = append(c.problems, "want both to sync")
		}
		if !strings.Contains(a.stderr+b.stderr, "waiting for the store") {
			c.problems = append(c.problems, "neither said it waited")
		} else {
			c.outcome += ", the second waited for the first"
		}
	default:
		ok := a.code == h.code && b.code == 2 && strings.Contains(b.stderr, "locked by another kdelta run: kdelta sync (pid") ||
			b.code == h.code && a.code == 2 && strings.Contains(a.stderr, "locked by another kdelta run: kdelta sync (pid")
		if !ok {
			c.problems = append(c.problems, "want one to sync and the other to fail at once (exit 2) naming it: "+lastLine(a.stderr)+" / "+lastLine(b.stderr))
		} else {
			c.outcome += ", the second named the first"
		}
	}
	c.problems = append(c.problems, h.sameAsRef(dir)...)
	return c
}

// sharedMirrors: two projects whose mirrors directory is one, syncing at
// once: both sync, their stores equal the uninterrupted run's, no partial
// clone is left.
func (h *harness) sharedMirrors() concResult {
	c := concResult{name: "two projects sharing a mirrors directory, syncing at once"}
	mirrors := filepath.Join(h.dir, "shared-mirrors")
	a, err := h.project(mirrors)
	if err != nil {
		c.problems = append(c.problems, err.Error())
		return c
	}
	b, _ := h.project(mirrors)
	ra, rb := h.both(func() result { return h.sync(a, nil) }, func() result { return h.sync(b, nil) })
	c.outcome = fmt.Sprintf("exits %d and %d", ra.code, rb.code)
	if ra.code != h.code || rb.code != h.code {
		c.problems = append(c.problems, "want both to sync: "+lastLine(ra.stderr)+" / "+lastLine(rb.stderr))
	}
	if partial, _ := filepath.Glob(filepath.Join(mirrors, ".partial-*")); len(partial) > 0 {
		c.problems = append(c.problems, fmt.Sprintf("%d partial clones left", len(partial)))
	}
	for _, d := range []string{a, b} {
		c.problems = append(c.problems, h.sameAsRef(d)...)
	}
	if len(c.problems) == 0 {
		c.outcome += ", both stores equal the uninterrupted run's"
	}
	return c
}

// readersDuringSync: read commands run over and over while a sync
// writes; none waits for it, none fails but as bad input (nothing synced
// yet).
func (h *harness) readersDuringSync() concResult {
	c := concResult{name: "read commands while a sync writes"}
	dir, err := h.project("")
	if err != nil {
		c.problems = append(c.problems, err.Error())
		return c
	}
	done := make(chan result, 1)
	go func() { done <- h.sync(dir, nil) }()
	var slowest time.Duration
	counts := map[int]int{}
	reads := [][]string{{"summary"}, {"status", "rhel"}, {"delta", "--all"}, {"skips"}}
	n := 0
	for running := true; running; {
		select {
		case r := <-done:
			running = false
			if r.code != h.code {
				c.problems = append(c.problems, fmt.Sprintf("the sync: exit %d: %s", r.code, lastLine(r.stderr)))
			}
		default:
			args := reads[n%len(reads)]
			n++
			r := h.kdelta(dir, nil, append(args, "--config", "kdelta.toml")...)
			counts[r.code]++
			slowest = max(slowest, r.took)
			if r.code != 0 && r.code != 2 {
				c.problems = append(c.problems, fmt.Sprintf("%s: exit %d: %s", strings.Join(args, " "), r.code, lastLine(r.stderr)))
			}
		}
	}
	var codes []string
	for code, k := range counts {
		codes = append(codes, fmt.Sprintf("%d exit %d", k, code))
	}
	sort.Strings(codes)
	c.outcome = fmt.Sprintf("%d reads (%s), the slowest %s", n, strings.Join(codes, ", "), slowest.Round(time.Millisecond))
	if slowest > 5*time.Second {
		c.problems = append(c.problems, "a read waited for the writer")
	}
	return c
}

// importDuringSync: a results import while a sync holds the store fails
// at once naming it; with --wait it waits and imports.
func (h *harness) importDuringSync() concResult {
	c := concResult{name: "results import while a sync writes"}
	var file, target string
	for _, f := range h.world.Results {
		if base := filepath.Base(f); strings.HasPrefix(base, "rhel-") && strings.HasSuffix(base, ".junit.xml") {
			file = f
			target = "rhel@" + strings.TrimSuffix(strings.TrimPrefix(base, "rhel-"), ".junit.xml")
			break
		}
	}
	if file == "" {
		c.problems = append(c.problems, "the world has no rhel JUnit results")
		return c
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(h.world.Dir, file)
	}
	dir, err := h.project("")
	if err != nil {
		c.problems = append(c.problems, err.Error())
		return c
	}
	imp := func(args ...string) result {
		return h.kdelta(dir, nil, append([]string{"results", "import", "--config", "kdelta.toml", "--target", target, file}, args...)...)
	}
	// The first sync of the project holds the store: the imports start
	// when it walks the upstream's history (the one with --wait imports
	// once the sync has synced its target).
	var now, waited result
	hooked := make(chan struct{})
	s := h.sync(dir, &stop{onLine: "walking", hook: func() {
		defer close(hooked)
		now = imp()
		waited = imp("--wait", "5m")
	}})
	select {
	case <-hooked:
	case <-time.After(10 * time.Minute):
		c.problems = append(c.problems, "the imports did not end")
		return c
	}
	if s.sentAt == 0 {
		c.problems = append(c.problems, "the sync printed no 'walking' line")
		return c
	}
	c.outcome = fmt.Sprintf("without --wait exit %d, with --wait exit %d; the sync exit %d", now.code, waited.code, s.code)
	if now.code != 2 || !strings.Contains(now.stderr, "kdelta sync (pid") {
		c.problems = append(c.problems, "without --wait, want exit 2 naming the sync: "+lastLine(now.stderr))
	} else {
		c.outcome += "; the first named the sync"
	}
	if waited.code != 0 || !strings.Contains(waited.stderr, "waiting for the store") {
		c.problems = append(c.problems, "with --wait, want it to wait and import: "+lastLine(waited.stderr))
	}
	return c
}

// report is the sweep's outcome.
type report struct {
	size    string
	seed    int64
	ref     result
	refRows int
	faults  []faultResult
	conc    []concResult
	took    time.Duration
}

func (r report) failures() int {
	n := 0
	for _, f := range r.faults {
		if !f.ok() {
			n++
		}
	}
	for _, c := range r.conc {
		if len(c.problems) > 0 {
			n++
		}
	}
	return n
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\n%-3s %-8s %-58s %-26s %-8s %s\n", "#", "signal", "at", "interrupted run", "resumed", "store")
	for i, f := range r.faults {
		fmt.Fprintf(w, "%-3d %-8s %-58s %-26s exit %-3d %s\n", i+1, sigName(f.c.sig), f.c.label, f.interrupted, f.resumed, f.verdict())
	}
	fmt.Fprintln(w)
	for _, c := range r.conc {
		fmt.Fprintf(w, "%-62s %s\n", c.name, c.verdict())
	}
	fmt.Fprintf(w, "\n%d cases, %d failed, in %s\n", len(r.faults)+len(r.conc), r.failures(), r.took.Round(time.Second))
}

// write writes RELIABILITY.md.
func (r report) write(path string) error {
	var b strings.Builder
	kills, ints, equal, maxStop := 0, 0, 0, time.Duration(0)
	int130, intFinished := 0, 0
	for _, f := range r.faults {
		if f.c.sig == syscall.SIGKILL {
			kills++
		} else {
			ints++
			maxStop = max(maxStop, f.stopIn)
			switch {
			case f.interrupted == "exit 130":
				int130++
			case strings.HasPrefix(f.interrupted, "finished first"):
				intFinished++
			}
		}
		if f.ok() {
			equal++
		}
	}
	host, _ := os.Hostname()
	fmt.Fprintf(&b, `# Reliability

What the fault sweep (`+"`make faults`"+`, cmd/kdelta-faults) found, in one run on %s
on %s. It is not part of `+"`make test`"+`: it builds the %s world (seed %d), runs
`+"`kdelta sync`"+` of it as a real process and interrupts it at fixed points: kill -9
(SIGKILL), which nothing can catch, and SIGINT (Ctrl-C), when a stage of the
sync starts (its progress line), some milliseconds into its longest stage, and
at shares of an uninterrupted run's time. Each interrupted project is synced
again to its end and its store compared, table by table, with the store of one
uninterrupted sync: every table by source and ref names and commit ids, not
row ids or times (store.Dump), sorted, with the latest snapshot; the analysis
cache and the record of runs are left out. After each resumed run it also
checks that no partial clone is left, that no run is still recorded as running
(a killed run is recorded as interrupted by the next), and SQLite's integrity
check.

## Figures

- Uninterrupted sync: exit %d in %s, %d stages; the store it leaves has %d rows
  in the tables compared.
- %d interruptions (%d kill -9, %d SIGINT): %d resumed to a store equal to the
  uninterrupted run's, %d did not.
- SIGINT: %d of the %d runs exited 130 (%d had finished before the signal);
  the slowest stopped %s after it.
- %d concurrency cases, %d failed.
- The whole sweep took %s.

## Interruptions

| # | signal | at | interrupted run | resumed | store |
|---|---|---|---|---|---|
`, time.Now().UTC().Format("2006-01-02"), host, r.size, r.seed,
		r.refCode(), r.ref.took.Round(time.Millisecond), len(stageLines(r.ref.lines)), r.refRows,
		len(r.faults), kills, ints, equal, len(r.faults)-equal, int130, ints, intFinished, maxStop.Round(time.Millisecond),
		len(r.conc), r.concFailures(), r.took.Round(time.Second))
	for i, f := range r.faults {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | exit %d | %s |\n", i+1, sigName(f.c.sig), mdCell(f.c.label), mdCell(f.interrupted), f.resumed, mdCell(f.verdict()))
	}
	b.WriteString("\n## Concurrency\n\n| case | outcome |\n|---|---|\n")
	for _, c := range r.conc {
		fmt.Fprintf(&b, "| %s | %s |\n", mdCell(c.name), mdCell(c.verdict()))
	}
	b.WriteString(`
## How to run it

    make faults                      # builds bin/kdelta, runs the sweep, rewrites this file
    go run ./cmd/kdelta-faults -size small -out ''   # a quick trial, this file left alone
`)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func (r report) refCode() int { return r.ref.code }

func (r report) concFailures() int {
	n := 0
	for _, c := range r.conc {
		if len(c.problems) > 0 {
			n++
		}
	}
	return n
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
