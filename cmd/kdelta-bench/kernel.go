package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/kdelta/kdelta/internal/world"
)

// kernelHeading opens the section of BENCHMARKS.md that `make
// bench-kernel` writes; `make bench` keeps it as it is.
const kernelHeading = "## Kernel scale (make bench-kernel)"

// kernelRun is what the kernel bench measured.
type kernelRun struct {
	size                    string
	buildTook               time.Duration
	upCommits, rdmaCommits  int
	paths                   int
	git, first, noop        measure
	down, vendorSync        measure
	run, vendor             analysisRun
	ours, cherry            score
	vendorOurs, vendorCh    score
	agree, compared, gitIDs int
	window, windowRDMA      int
	gitWindow, resync       measure
	noopAfter               measure
	gitFetch, goGitFetch    measure
}

// benchKernel builds the kernel world (size kernel or kernel-mini) in
// dir and measures, in one run: the first sync of the upstream against
// git's pathspec walk, the first sync of the distro, kdelta delta against
// git cherry, and the resync after the merge window.
func benchKernel(bin, self, dir, size, out string) error {
	if !world.IsKernel(world.Size(size)) {
		return fmt.Errorf("-kernel needs -size kernel or kernel-mini, not %q", size)
	}
	worldDir := filepath.Join(dir, "world")
	if _, err := os.Stat(filepath.Join(worldDir, "kdelta.toml")); err == nil {
		return fmt.Errorf("%s already holds a world: give an empty -work directory", worldDir)
	}
	k := kernelRun{size: size}
	start := time.Now()
	if _, err := timeCmd(self, "-work", dir, "-size", size, "-build-only"); err != nil {
		return err
	}
	k.buildTook = time.Since(start)
	config := filepath.Join(worldDir, "kdelta.toml")
	cfg, upRepo, paths, err := benchScope(config)
	if err != nil {
		return err
	}
	up := cfg.Source("linux")
	k.paths = len(paths)
	if k.upCommits, err = countLines(upRepo, "rev-list", "--no-merges", "master"); err != nil {
		return err
	}
	if k.rdmaCommits, err = countLines(upRepo, append([]string{"rev-list", "--no-merges", "--full-history", "master", "--"}, paths...)...); err != nil {
		return err
	}

	log("git CLI: git log -p | git patch-id --stable on the upstream (%d commits, %d in scope)", k.upCommits, k.rdmaCommits)
	var gitIDs map[string]string
	if k.git, gitIDs, err = gitPatchIDs(upRepo, "master", paths); err != nil {
		return err
	}

	log("kdelta: first sync of the upstream")
	if k.first, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "linux"); err != nil {
		return err
	}
	log("kdelta: no-op resync")
	if k.noop, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "linux"); err != nil {
		return err
	}
	log("kdelta: first sync of the distro")
	if k.down, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "rhel"); err != nil {
		return err
	}
	if k.run, err = analyse(bin, config, worldDir, "rhel", "main"); err != nil {
		return err
	}
	log("kdelta: first sync of the vendor tree")
	if k.vendorSync, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "ofed"); err != nil {
		return err
	}
	if k.vendor, err = analyse(bin, config, worldDir, "ofed", "master"); err != nil {
		return err
	}

	// The merge window: master moves to commits written at build time.
	// Two copies of the mirror as the first sync left it are fetched
	// after it, one by the git CLI and one by go-git, each in a process
	// of its own (issue 14: does go-git's fetch keep up at this size?).
	old, err := gitLine(upRepo, "rev-parse", "master")
	if err != nil {
		return err
	}
	mirror := cfg.MirrorPath(up)
	fetchGit, fetchGoGit := filepath.Join(dir, "fetch-git", "linux"), filepath.Join(dir, "fetch-go-git", "linux")
	for _, to := range []string{fetchGit, fetchGoGit} {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if _, err := timeCmd("cp", "-a", mirror, to); err != nil {
			return err
		}
	}
	if _, err := world.AdvanceKernel(worldDir); err != nil {
		return err
	}
	log("git CLI: git fetch of the merge window into a copy of the mirror")
	if k.gitFetch, err = timeCmd(self, "-fetch", fetchGit, "-url", upRepo, "-how", "git"); err != nil {
		return err
	}
	log("go-git: fetch of the merge window into a copy of the mirror")
	if k.goGitFetch, err = timeCmd(self, "-fetch", fetchGoGit, "-url", upRepo, "-how", "go-git"); err != nil {
		return err
	}
	for _, d := range []string{fetchGit, fetchGoGit} {
		os.RemoveAll(filepath.Dir(d))
	}
	if k.window, err = countLines(upRepo, "rev-list", "--no-merges", old+"..master"); err != nil {
		return err
	}
	if k.windowRDMA, err = countLines(upRepo, append([]string{"rev-list", "--no-merges", "--full-history", old + "..master", "--"}, paths...)...); err != nil {
		return err
	}
	log("git CLI: git log -p of the %d commits of the merge window", k.window)
	var windowIDs map[string]string
	if k.gitWindow, windowIDs, err = gitPatchIDs(upRepo, old+"..master", paths); err != nil {
		return err
	}
	for line, id := range windowIDs {
		gitIDs[line] = id
	}
	k.gitIDs = len(gitIDs)
	log("kdelta: resync after the merge window")
	if k.resync, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "linux"); err != nil {
		return err
	}
	if k.noopAfter, err = timeCmd(bin, "sync", "--config", config, "--no-snapshot", "linux"); err != nil {
		return err
	}

	// What follows reads large files into this process: no more timing.
	if k.agree, k.compared, err = agreement(cfg.StorePath(), gitIDs); err != nil {
		return err
	}
	if k.ours, k.cherry, err = scoreRuns(filepath.Join(worldDir, "truth.json"), []analysisRun{k.run}); err != nil {
		return err
	}
	if k.vendorOurs, k.vendorCh, err = scoreRuns(filepath.Join(worldDir, "truth.json"), []analysisRun{k.vendor}); err != nil {
		return err
	}
	section := renderKernel(k)
	fmt.Print(section)
	return writeSection(out, kernelHeading, section)
}

func gitLine(repo string, args ...string) (string, error) {
	m, err := timeCmd("git", append([]string{"-C", repo}, args...)...)
	return strings.TrimSpace(m.out), err
}

func renderKernel(k kernelRun) string {
	var b strings.Builder
	ratio := func(a, g time.Duration) string { return fmt.Sprintf("%.2fx", a.Seconds()/g.Seconds()) }
	mib := func(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
	round := func(d time.Duration) time.Duration {
		if d < time.Second {
			return d.Round(time.Millisecond)
		}
		return d.Round(10 * time.Millisecond)
	}
	fmt.Fprintf(&b, "%s\n\n", kernelHeading)
	fmt.Fprintf(&b, "Written by `make bench-kernel` on %s (issue 14). Machine: %s, %d cores, %s memory; %s.\n", time.Now().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), memTotal(), gitVersion())
	if k.size != string(world.Kernel) {
		fmt.Fprintf(&b, "\n**This run used the `%s` world (1/20 of the kernel size): it proves the pipeline, its figures say nothing of the kernel size.**\n", k.size)
	}
	fmt.Fprintf(&b, "\nWorld: `%s` (seed 1), built in %s; upstream `linux.git` master has %d non-merge commits, %d of them in scope (%d paths);\n",
		k.size, k.buildTook.Round(time.Second), k.upCommits, k.rdmaCommits, k.paths)
	fmt.Fprintf(&b, "the distro `rhel.git` has %d commits since v5.14 (git cherry lists them).\n\n", k.run.downstream)
	fmt.Fprintf(&b, "| what | time | peak memory | ratio to git |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| git CLI: `git log -p --no-merges --full-history -- <scope> \\| git patch-id --stable` | %s | %s | 1.00x |\n", round(k.git.took), mib(k.git.maxRSS))
	fmt.Fprintf(&b, "| kdelta: first `kdelta sync linux` | %s | %s | %s |\n", round(k.first.took), mib(k.first.maxRSS), ratio(k.first.took, k.git.took))
	fmt.Fprintf(&b, "| kdelta: no-op resync | %s | %s | |\n", round(k.noop.took), mib(k.noop.maxRSS))
	fmt.Fprintf(&b, "| kdelta: first sync of rhel (upstream already synced) | %s | %s | |\n", round(k.down.took), mib(k.down.maxRSS))
	fmt.Fprintf(&b, "| git cherry upstream rhel | %s | %s | 1.00x |\n", round(k.run.cherry.took), mib(k.run.cherry.maxRSS))
	fmt.Fprintf(&b, "| kdelta delta rhel, computed | %s | %s | %s |\n", round(k.run.first.took), mib(k.run.first.maxRSS), ratio(k.run.first.took, k.run.cherry.took))
	fmt.Fprintf(&b, "| kdelta delta rhel, asked again | %s | %s | |\n", round(k.run.cached.took), mib(k.run.cached.maxRSS))
	fmt.Fprintf(&b, "| kdelta: first sync of ofed (on v6.1) | %s | %s | |\n", round(k.vendorSync.took), mib(k.vendorSync.maxRSS))
	fmt.Fprintf(&b, "| git cherry upstream ofed | %s | %s | 1.00x |\n", round(k.vendor.cherry.took), mib(k.vendor.cherry.maxRSS))
	fmt.Fprintf(&b, "| kdelta delta ofed, computed | %s | %s | %s |\n", round(k.vendor.first.took), mib(k.vendor.first.maxRSS), ratio(k.vendor.first.took, k.vendor.cherry.took))
	fmt.Fprintf(&b, "| git CLI: `git log -p` of the merge window (%d commits, %d in scope) | %s | %s | 1.00x |\n", k.window, k.windowRDMA, round(k.gitWindow.took), mib(k.gitWindow.maxRSS))
	fmt.Fprintf(&b, "| kdelta: resync after the merge window | %s | %s | %s |\n", round(k.resync.took), mib(k.resync.maxRSS), ratio(k.resync.took, k.gitWindow.took))
	fmt.Fprintf(&b, "| kdelta: no-op resync after it | %s | %s | |\n\n", round(k.noopAfter.took), mib(k.noopAfter.maxRSS))
	fmt.Fprintf(&b, "Fetching the merge window into a copy of the mirror the first sync made (each in a process of its own, from the local repository):\n\n")
	fmt.Fprintf(&b, "| what | time | peak memory | ratio to git |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| git CLI: `git fetch --prune` (what `mirror = \"git\"` runs) | %s | %s | 1.00x |\n", round(k.gitFetch.took), mib(k.gitFetch.maxRSS))
	tRatio := k.goGitFetch.took.Seconds() / max(k.gitFetch.took.Seconds(), 1e-9)
	mRatio := float64(k.goGitFetch.maxRSS) / float64(max(k.gitFetch.maxRSS, 1))
	fmt.Fprintf(&b, "| go-git: fetch (what `mirror = \"go-git\"` runs) | %s | %s | %.2fx time, %.2fx memory |\n\n",
		round(k.goGitFetch.took), mib(k.goGitFetch.maxRSS), tRatio, mRatio)
	if tRatio > 2 || mRatio > 2 {
		fmt.Fprintf(&b, "go-git's fetch takes more than twice git's time or memory here (issue 14's bar), and it writes no commit-graph, which the walks read: `mirror = \"auto\"` (the default) fetches with the git CLI when it is on PATH, as it clones; go-git is used only without git, or with `mirror = \"go-git\"`.\n\n")
	} else {
		fmt.Fprintf(&b, "go-git's fetch is within twice git's time and memory here; `mirror = \"auto\"` still fetches with the git CLI when it is on PATH, because go-git writes no commit-graph, which the walks read.\n\n")
	}
	pct := 0.0
	if k.compared > 0 {
		pct = 100 * float64(k.agree) / float64(k.compared)
	}
	fmt.Fprintf(&b, "Patch-id agreement with `git patch-id --stable`: %d of %d commits (%.2f%%); git printed %d patch-ids (upstream and merge window).\n\n", k.agree, k.compared, pct, k.gitIDs)
	for _, a := range []struct {
		name         string
		ours, cherry score
	}{{"rhel", k.ours, k.cherry}, {"ofed", k.vendorOurs, k.vendorCh}} {
		reworked := ""
		if a.ours.reworked > 0 {
			reworked = fmt.Sprintf(" (reworked backports without a trailer: %.4f of %d)", a.ours.reworkedRecall(), a.ours.reworked)
		}
		fmt.Fprintf(&b, "Accuracy on %s's ground truth (commits in scope): kdelta precision %.4f, recall %.4f%s; git cherry precision %.4f, recall %.4f.\n\n",
			a.name, a.ours.precision(), a.ours.recall(), reworked, a.cherry.precision(), a.cherry.recall())
	}
	fmt.Fprintf(&b, "Targets (issue 14): first sync of the upstream at most 1.0x git, peak memory at most 2 GiB; no-op resync under 0.5 s;\n")
	fmt.Fprintf(&b, "accuracy bars as on the demo world.\n")
	return b.String()
}

// writeSection replaces the section that starts with heading in the
// Markdown file path (up to the next "## " heading) with section, or
// appends it; the rest of the file is kept as it is.
func writeSection(path, heading, section string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := replaceSection(string(b), heading, section)
	return os.WriteFile(path, []byte(doc), 0o644)
}

func replaceSection(doc, heading, section string) string {
	section = strings.TrimRight(section, "\n") + "\n"
	i := findHeading(doc, heading)
	if i < 0 {
		if doc == "" {
			return section
		}
		return strings.TrimRight(doc, "\n") + "\n\n" + section
	}
	rest := doc[i+len(heading)+1:]
	end := ""
	if j := strings.Index(rest, "\n## "); j >= 0 {
		end = "\n" + rest[j+1:]
	}
	return doc[:i] + section + end
}

// findHeading is where the line heading starts in doc, or -1.
func findHeading(doc, heading string) int {
	if strings.HasPrefix(doc, heading+"\n") {
		return 0
	}
	if i := strings.Index(doc, "\n"+heading+"\n"); i >= 0 {
		return i + 1
	}
	return -1
}

// keptSection is the section of the Markdown file path that starts with
// heading, or "" (so that `make bench`, which rewrites the file, keeps
// the kernel figures).
func keptSection(path, heading string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	doc := string(b)
	i := findHeading(doc, heading)
	if i < 0 {
		return ""
	}
	rest := doc[i:]
	if j := strings.Index(rest[len(heading):], "\n## "); j >= 0 {
		rest = rest[:len(heading)+j+1]
	}
	return rest
}
