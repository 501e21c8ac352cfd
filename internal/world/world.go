// Package world builds the synthetic RDMA world that tests, benchmarks and
// `kdelta demo` run against: real bare git repositories on disk (an
// upstream kernel-like RDMA tree with a maintainer's for-next branch, a
// distro kernel and a vendor fork), the sources that are not git
// repositories (a SUSE kernel-source series, an MLNX_OFED backports tree,
// two WinOFED release tarballs and a linux-rdma mailing-list archive; see
// extras.go), the kdelta.toml that describes them all, and truth.json,
// the ground truth a matcher is scored against. Everything is
// deterministic from a seed and a size.
//
// The repositories are written without a worktree: the generator keeps an
// edit model of every file (hunks anchored on line content, see edit.go),
// and the pack writer stores each new blob and tree as a delta against its
// previous version (see pack.go).
package world

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Size names a world size.
type Size string

// The sizes: small for tests, demo for `kdelta demo`, bench for benchmarks.
const (
	Small Size = "small"
	Demo  Size = "demo"
	Bench Size = "bench"
)

// Options says what to build.
type Options struct {
	Seed int64
	Size Size
	Dir  string // created if absent; must be empty
	// Progress, when not nil, is called now and then with a stage name
	// ("linux", "rhel", "ofed", "extras", "results", "truth") and the work
	// done out of total.
	Progress func(stage string, done, total int)
}

// World is a built world.
type World struct {
	Dir    string
	Config string // path of kdelta.toml
	Truth  *Truth
	Repos  map[string]string // source name -> bare repository path
	// Files maps each source that is not a git repository to its file or
	// directory: the SUSE series, the OFED backports tree, the two WinOFED
	// drops and the mailing-list archive. (The queue source reads the
	// upstream repository's for-next branch.)
	Files map[string]string
	// Results lists the interop test result files (see results.go and
	// Truth.Results).
	Results []string
}

type sizeConfig struct {
	upstream, distro, vendor int
	distroBase, vendorBase   string
	// plant says the world plants issue 13's phenomena (phenomena.go),
	// which need more of some upstream commits than chance gives.
	plant bool
	// vendorFork, when set, is the release the vendor branch forks from:
	// it carries some commits of the next release, its base, then merges
	// that release (twins older than the base, phenomena.go).
	vendorFork string
}

func configFor(s Size) (sizeConfig, error) {
	switch s {
	case Small:
		return sizeConfig{upstream: 300, distro: 60, vendor: 40, distroBase: "v5.14", vendorBase: "v6.1"}, nil
	case Demo:
		return sizeConfig{upstream: 3000, distro: 400, vendor: 200, distroBase: "v5.14", vendorBase: "v6.1", plant: true, vendorFork: "v6.0"}, nil
	case Kernel, KernelMini:
		return sizeConfig{}, nil // kernelConfigFor has the kernel sizes
	case Bench:
		return sizeConfig{upstream: 100000, distro: 10000, vendor: 2000, distroBase: "v5.14", vendorBase: "v6.1", plant: true, vendorFork: "v6.0"}, nil
	}
	return sizeConfig{}, fmt.Errorf("world: unknown size %q (want small, demo, bench, kernel or kernel-mini)", s)
}

// objectsPerCommit is about how many new objects a generated commit brings
// (commit, blobs, trees along their paths).
const objectsPerCommit = 8

// Source names, repository directories and branches of the world.
const (
	upstreamName   = "linux"
	upstreamBranch = "master"
	distroName     = "rhel"
	distroBranch   = "main"
	vendorName     = "ofed"
	vendorBranch   = "master"
)

// Build writes a world under opts.Dir.
func Build(opts Options) (*World, error) {
	cfg, err := configFor(opts.Size)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, errors.New("world: no directory given")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if ents, err := os.ReadDir(opts.Dir); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	} else if len(ents) > 0 {
		return nil, fmt.Errorf("world: %s is not empty", opts.Dir)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if IsKernel(opts.Size) {
		return buildKernel(opts, dir) // kernel.go: a streaming generator
	}
	progress := func(stage string, total int) func(int) {
		if opts.Progress == nil {
			return nil
		}
		return func(done int) { opts.Progress(stage, min(done, total), total) }
	}

	r := rand.New(rand.NewSource(opts.Seed))
	upSeed, distroSeed, vendorSeed, extrasSeed := r.Int63(), r.Int63(), r.Int63(), r.Int63()
	resultsSeed := r.Int63() // drawn after the others, so that they keep their seeds

	w := &World{Dir: dir, Config: filepath.Join(dir, "kdelta.toml"), Repos: map[string]string{}}
	truth := &Truth{Seed: opts.Seed, Size: opts.Size}

	// Upstream.
	upDir := filepath.Join(dir, upstreamName+".git")
	if err := initRepo(upDir); err != nil {
		return nil, err
	}
	pw, err := newPackWriter(filepath.Join(upDir, "objects", "pack", "tmp_pack"), objectsPerCommit*cfg.upstream)
	if err != nil {
		return nil, err
	}
	up := newUpstream(rand.New(rand.NewSource(upSeed)), cfg, pw)
	up.progress = progress(upstreamName, cfg.upstream)
	if err := up.run(); err != nil {
		return nil, err
	}
	if err := pw.finish(upDir); err != nil {
		return nil, fmt.Errorf("world: %s: %w", upstreamName, err)
	}
	refs := []ref{{name: "refs/heads/" + upstreamBranch, target: up.tip}}
	for _, t := range up.tags {
		refs = append(refs, tagRef(up, t))
	}
	if err := writeRefs(upDir, upstreamBranch, refs); err != nil {
		return nil, err
	}
	w.Repos[upstreamName] = upDir
	truth.Upstream = up.truth()
	if opts.Progress != nil {
		opts.Progress(upstreamName, cfg.upstream, cfg.upstream)
	}

	// Downstreams.
	xcfg := extrasFor(opts.Size)
	specs := []struct {
		spec dsSpec
		seed int64
	}{
		{dsSpec{name: distroName, kind: "distro", branch: distroBranch, baseTag: cfg.distroBase, n: cfg.distro, mix: distroMix, keep: 4 * xcfg.series, plant: plantFor(opts.Size, "distro")}, distroSeed},
		{dsSpec{name: vendorName, kind: "vendor", branch: vendorBranch, baseTag: cfg.vendorBase, n: cfg.vendor, mix: vendorMix, keep: 4 * xcfg.backports, plant: plantFor(opts.Size, "vendor"), forkTag: cfg.vendorFork}, vendorSeed},
	}
	gens := map[string]*genRepo{}
	for _, s := range specs {
		ds, g, err := buildDownstream(dir, up, s.spec, s.seed, progress(s.spec.name, s.spec.n))
		if err != nil {
			return nil, fmt.Errorf("world: %s: %w", s.spec.name, err)
		}
		gens[s.spec.name] = g
		w.Repos[s.spec.name] = filepath.Join(dir, s.spec.name+".git")
		truth.Downstreams = append(truth.Downstreams, ds)
		if opts.Progress != nil {
			opts.Progress(s.spec.name, s.spec.n, s.spec.n)
		}
	}

	if w.Files, err = buildExtras(dir, opts.Size, up, gens[distroName], gens[vendorName], truth, extrasSeed); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if opts.Progress != nil {
		opts.Progress("extras", 1, 1)
	}
	if err := os.WriteFile(w.Config, []byte(configText(cfg)), 0o644); err != nil {
		return nil, err
	}
	up = nil // the generator's memory is not needed for the truth
	truth.Derive()
	// The test results read the derived missing fixes.
	if w.Results, err = buildResults(dir, opts.Size, truth, gens[distroName], gens[vendorName], w.Repos[distroName], resultsSeed); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if opts.Progress != nil {
		opts.Progress("results", 1, 1)
	}
	if err := truth.save(filepath.Join(dir, "truth.json")); err != nil {
		return nil, err
	}
	w.Truth = truth
	if opts.Progress != nil {
		opts.Progress("truth", 1, 1)
	}
	return w, nil
}

func tagRef(up *upstreamGen, t tagRec) ref {
	c := up.commits[t.idx].id
	if t.annotated {
		return ref{name: "refs/tags/" + t.name, target: t.object, peeled: c, tag: true}
	}
	return ref{name: "refs/tags/" + t.name, target: c}
}

// buildDownstream writes a downstream repository and returns its truth
// and what its generator kept for the extra sources.
func buildDownstream(dir string, up *upstreamGen, spec dsSpec, seed int64, progress func(int)) (Downstream, *genRepo, error) {
	repo := filepath.Join(dir, spec.name+".git")
	if err := initRepo(repo); err != nil {
		return Downstream{}, nil, err
	}
	snap, ok := up.snaps[spec.baseTag]
	if !ok {
		return Downstream{}, nil, fmt.Errorf("base tag %s not generated", spec.baseTag)
	}
	pw, err := newPackWriter(filepath.Join(repo, "objects", "pack", "tmp_pack"), objectsPerCommit*spec.n)
	if err != nil {
		return Downstream{}, nil, err
	}
	if err := pw.sharePrefix(up.pw, snap.prefixEnd); err != nil {
		return Downstream{}, nil, err
	}
	r := rand.New(rand.NewSource(seed))
	d := newDownstream(r, up, spec, pw)
	if err := d.run(progress); err != nil {
		return Downstream{}, nil, err
	}
	// Release tags of the downstream, every eighth of its history.
	var tags []Tag
	refs := []ref{{name: "refs/heads/" + spec.branch, target: d.tip}}
	for k := 1; k <= 8; k++ {
		i := k*len(d.commits)/8 - 1
		if i < 0 {
			continue
		}
		name := fmt.Sprintf("kernel-5.14.0-%d.el9", 70+k*36)
		if spec.kind == "vendor" {
			name = fmt.Sprintf("vmlnx-ofed-23.%02d-%d", 4+k/3, k)
		}
		id := d.commits[i].entry.ID
		tags = append(tags, Tag{Name: name, Commit: id})
		refs = append(refs, ref{name: "refs/tags/" + name, target: mustHash(id)})
	}
	for _, t := range up.tags {
		if t.idx <= snap.idx {
			refs = append(refs, tagRef(up, t))
		}
	}
	if err := pw.finish(repo); err != nil {
		return Downstream{}, nil, err
	}
	if err := writeRefs(repo, spec.branch, refs); err != nil {
		return Downstream{}, nil, err
	}
	ds := Downstream{Source: spec.name, Kind: spec.kind, Branch: spec.branch, BaseTag: spec.baseTag,
		BaseCommit: up.commits[snap.idx].id.String(), Head: d.tip.String(), Tags: tags, Landed: d.landed, Merges: d.merges}
	for _, c := range d.commits {
		ds.Commits = append(ds.Commits, c.entry)
	}
	return ds, &genRepo{commits: d.commits, pw: pw}, nil
}

func mustHash(s string) oid {
	var h oid
	if n, err := hex.Decode(h[:], []byte(s)); err != nil || n != len(h) {
		panic("world: bad hash " + s)
	}
	return h
}

func (up *upstreamGen) truth() UpstreamInfo {
	u := UpstreamInfo{Source: upstreamName, Branch: upstreamBranch, Head: up.tip.String(), Reverts: []Revert{}, Fixes: []FixLink{}}
	for _, t := range up.tags {
		tg := Tag{Name: t.name, Commit: up.commits[t.idx].id.String(), Annotated: t.annotated}
		if t.annotated {
			tg.Object = t.object.String()
		}
		u.Tags = append(u.Tags, tg)
	}
	for _, c := range up.commits {
		uc := UpstreamCommit{ID: c.id.String(), Subject: strings.ToValidUTF8(c.subject, "?"), Merge: c.merge, Release: c.release, Stable: c.stable, CVEs: c.cves}
		for _, f := range c.fixes {
			uc.Fixes = append(uc.Fixes, up.commits[f].id.String())
		}
		if len(uc.Fixes) > 0 {
			u.Fixes = append(u.Fixes, FixLink{Commit: uc.ID, Fixes: uc.Fixes})
		}
		if c.change != nil && !c.merge {
			uc.Files = changedPaths(c.change)
		}
		if c.reverts >= 0 {
			uc.Reverts = up.commits[c.reverts].id.String()
			u.Reverts = append(u.Reverts, Revert{Commit: uc.ID, Reverted: uc.Reverts})
		}
		u.Commits = append(u.Commits, uc)
	}
	return u
}

func configText(cfg sizeConfig) string {
	var b strings.Builder
	b.WriteString("# The synthetic RDMA world (see truth.json for the ground truth).\n\n[store]\npath = \"kdelta.db\"\n\n")
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"upstream\"\nurl = %q\nrefs = [%q]\nlayout = \"linux\"\n\n", upstreamName, upstreamName+".git", upstreamBranch)
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"distro\"\nurl = %q\nrefs = [%q]\nupstream = %q\n\n", distroName, distroName+".git", distroBranch, upstreamName)
	fmt.Fprintf(&b, "[[source]]\nname = %q\nkind = \"vendor\"\nurl = %q\nrefs = [%q]\nupstream = %q\nbase = %q\n", vendorName, vendorName+".git", vendorBranch, upstreamName, cfg.vendorBase)
	// The sources that are not git repositories, and the queue.
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"distro\"\nformat = \"series\"\nurl = %q\nupstream = %q\nbase = %q\n", slesName, slesDir, upstreamName, slesBaseTag)
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"vendor\"\nformat = \"ofed\"\nurl = %q\nupstream = %q\n", mlnxName, mlnxDir, upstreamName)
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"vendor\"\nformat = \"snapshot\"\nlayout = \"winofed\"\nurl = %q\n", win30Name, win30File)
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"vendor\"\nformat = \"snapshot\"\nlayout = \"winofed\"\nurl = %q\nupstream = %q\n", win31Name, win31File, win30Name)
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"list\"\nformat = \"mbox\"\nurl = %q\n", listName, listFile)
	fmt.Fprintf(&b, "\n[[source]]\nname = %q\nkind = \"queue\"\nurl = %q\nrefs = [%q]\nupstream = %q\n", queueName, upstreamName+".git", queueBranch, upstreamName)
	return b.String()
}

// changedPaths lists the paths a change touches, both sides of a rename.
func changedPaths(c *changeSet) []string {
	var out []string
	for _, f := range c.Files {
		if f.OldPath != "" {
			out = append(out, f.OldPath)
		}
		out = append(out, f.Path)
	}
	return out
}
