package world

// Exporting a built world into the repository layouts users have. Build
// writes each git tree in its own bare repository; real users also keep
// upstream and downstreams in one repository, fetch a distro's branches
// and release tags into their upstream clone, or work in a downstream
// repository that is a clone of upstream plus its own commits. kdelta
// must give one answer whatever the layout (see DESIGN.md: "Upstream" is
// what the upstream source's configured refs reach, nothing else), and
// Export builds the bench that proves it.
//
// Objects are content-addressed, so an export copies the object files
// (packs and loose objects) of the repositories it combines and writes the
// refs itself (packed-refs); no git CLI is involved. Running Export again
// onto the same directory refreshes it after the source world changed
// (Rebase, Advance, RevertUpstream, AddUpstreamFix): new object files are
// copied and every ref is rewritten, so a force-push shows as one.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kdelta/kdelta/project"
)

// Layout names an arrangement of a world's git trees in repositories.
type Layout string

// The layouts. In every one, a downstream's branch B is named
// SOURCE/B (rhel/main, ofed/master), so that the refs of each source, and
// so kdelta's SOURCE@REF names, are the same strings in every layout; the
// upstream's refs keep their names.
const (
	// OneRepo keeps upstream and every downstream in one repository,
	// rdma.git: upstream's branches and tags, each downstream's branch
	// and release tags alongside.
	OneRepo Layout = "one-repo"
	// Separate keeps each tree in its own repository, as Build does:
	// linux.git, rhel.git, ofed.git.
	Separate Layout = "separate"
	// Published is Separate with the upstream repository also carrying
	// every downstream's branch and release tags (as projects publish
	// stable branches and linux-stable carries every stable tag), and
	// their objects.
	Published Layout = "published"
	// Clones makes each downstream repository a clone of the upstream
	// one plus its own branch and tags: it has every upstream branch and
	// tag.
	Clones Layout = "clones"
)

// Layouts lists every layout.
func Layouts() []Layout { return []Layout{OneRepo, Separate, Published, Clones} }

// combinedRepo is the repository of the OneRepo layout.
const combinedRepo = "rdma"

// layoutMarker is the file that says which layout an export directory
// holds, so that a second Export refreshes it and never writes over
// anything else.
const layoutMarker = "kdelta-world-layout"

// Exported is a world exported in a layout.
type Exported struct {
	// World describes the export: Dir and Config (kdelta.toml) are the
	// export's; Repos maps each git source to the repository its
	// kdelta.toml reads (in OneRepo all are the same); Files and Results
	// are the source world's files, which the export's kdelta.toml names
	// by absolute path; Truth is the source world's truth.json with each
	// downstream's Branch renamed as the export names it.
	World
	Layout Layout
	// Refs maps each git source to the refs its kdelta.toml reads.
	Refs map[string][]string
}

// Export writes the git trees of the world at src (a directory Build
// wrote, maybe evolved since) into dir, arranged as layout, with a
// kdelta.toml whose sources have the same names and settings as the
// world's; only git URLs (absolute paths into dir) and downstream branch
// names (SOURCE/BRANCH) differ. Sources that are not git repositories keep
// pointing at the world's files (absolute paths). The store of the export
// is dir/kdelta.db.
//
// dir must be absent, empty, or an earlier export of the same layout,
// which is then refreshed: object files it lacks are copied and every ref
// is rewritten, so a rebased downstream shows as a forced update; the
// store, the mirrors and objects no ref reaches any more stay.
func Export(src string, layout Layout, dir string) (*Exported, error) {
	if _, ok := planLayout(layout, treeRepo{}, nil); !ok {
		return nil, fmt.Errorf("export: unknown layout %q (want one of %s)", layout, layoutNames())
	}
	src, err := filepath.Abs(src)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	truth, err := LoadTruth(filepath.Join(src, "truth.json"))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	cfg, err := project.Load(filepath.Join(src, "kdelta.toml"))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if len(cfg.ComponentSpecs) > 0 || len(cfg.TestRuleSpecs) > 0 {
		return nil, fmt.Errorf("export: %s has [[component]] or [[test_rule]] tables, which an export does not copy (want sources only)", cfg.File)
	}

	// The trees: the upstream's repository and each git downstream's.
	up := treeRepo{source: truth.Upstream.Source, path: filepath.Join(src, truth.Upstream.Source+".git")}
	if up.refs, err = readRefs(up.path, ""); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var downs []treeRepo
	for _, d := range truth.Downstreams {
		t := treeRepo{source: d.Source, path: filepath.Join(src, d.Source+".git")}
		if t.refs, err = readRefs(t.path, branchPrefix(d.Source)); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		downs = append(downs, t)
	}

	// Write each repository of the layout, objects before refs.
	if err := claimExportDir(dir, layout); err != nil {
		return nil, err
	}
	repos, _ := planLayout(layout, up, downs)
	where := map[string]string{} // source-world repository -> export repository
	for _, r := range repos {
		path := filepath.Join(dir, r.name+".git")
		if err := writeExportRepo(path, r); err != nil {
			return nil, fmt.Errorf("export: layout %s: %s.git: %w", layout, r.name, err)
		}
		for _, t := range r.serves {
			where[t] = path
		}
	}

	x := &Exported{Layout: layout, Refs: map[string][]string{},
		World: World{Dir: dir, Config: filepath.Join(dir, "kdelta.toml"), Truth: truth, Repos: map[string]string{}, Files: map[string]string{}}}
	var b strings.Builder
	b.WriteString("# The synthetic RDMA world, exported in the " + string(layout) + " layout (see world/layout.go).\n\n[store]\npath = \"kdelta.db\"\n")
	for i := range cfg.Sources {
		s := cfg.Sources[i]
		url := cfg.SourceURL(&s)
		if !s.IsGit() {
			s.URL = url
			x.Files[s.Name] = url
			writeSource(&b, s)
			continue
		}
		repo, ok := where[filepath.Clean(url)]
		if !ok {
			return nil, fmt.Errorf("export: %s: source %s reads %s, which is not a repository of the world (want one of %s)",
				cfg.File, s.Name, url, strings.Join(repoPaths(where), ", "))
		}
		s.URL = repo
		// A downstream's branches are renamed; any other ref keeps its name.
		refs := make([]string, len(s.Refs))
		for j, r := range s.Refs {
			refs[j] = r
			for _, d := range downs {
				if filepath.Clean(url) == d.path && hasName(d.refs, "refs/heads/"+branchPrefix(d.source)+r) {
					refs[j] = branchPrefix(d.source) + r
				}
			}
		}
		s.Refs = refs
		x.Repos[s.Name] = repo
		x.Refs[s.Name] = refs
		writeSource(&b, s)
	}
	for i := range truth.Downstreams {
		d := &truth.Downstreams[i]
		d.Branch = branchPrefix(d.Source) + d.Branch
	}
	if truth.Results != nil {
		for _, f := range truth.Results.Files {
			x.Results = append(x.Results, filepath.Join(src, filepath.FromSlash(f.Path)))
		}
	}
	if err := writeAtomic(x.Config, []byte(b.String())); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return x, nil
}

// treeRepo is one git repository of the source world with its refs as
// an export names them.
type treeRepo struct {
	source string
	path   string
	refs   []ref
}

// exportRepo is one repository of an export: the source-world
// repositories whose objects it holds, its refs, its HEAD branch, and the
// source-world repositories whose sources read it.
type exportRepo struct {
	name   string
	from   []string
	refs   [][]ref
	head   string
	serves []string
}

// planLayout says which repositories an export in layout has.
func planLayout(layout Layout, up treeRepo, downs []treeRepo) ([]exportRepo, bool) {
	var out []exportRepo
	switch layout {
	case OneRepo:
		all := exportRepo{name: combinedRepo, from: []string{up.path}, refs: [][]ref{up.refs}, head: upstreamHead(up), serves: []string{up.path}}
		for _, d := range downs {
			all.from = append(all.from, d.path)
			all.refs = append(all.refs, d.refs)
			all.serves = append(all.serves, d.path)
		}
		out = append(out, all)
	case Separate:
		out = append(out, alone(up, upstreamHead(up)))
		for _, d := range downs {
			out = append(out, alone(d, firstBranch(d)))
		}
	case Published:
		pub := alone(up, upstreamHead(up))
		for _, d := range downs {
			pub.from = append(pub.from, d.path)
			pub.refs = append(pub.refs, d.refs)
		}
		out = append(out, pub)
		for _, d := range downs {
			out = append(out, alone(d, firstBranch(d)))
		}
	case Clones:
		out = append(out, alone(up, upstreamHead(up)))
		for _, d := range downs {
			r := alone(d, firstBranch(d))
			r.from = append([]string{up.path}, r.from...)
			r.refs = append([][]ref{up.refs}, r.refs...)
			out = append(out, r)
		}
	default:
		return nil, false
	}
	return out, true
}

func alone(t treeRepo, head string) exportRepo {
	return exportRepo{name: t.source, from: []string{t.path}, refs: [][]ref{t.refs}, head: head, serves: []string{t.path}}
}

// upstreamHead is the upstream's branch HEAD names: master when it has
// one, else its first branch.
func upstreamHead(t treeRepo) string {
	if hasName(t.refs, "refs/heads/"+upstreamBranch) {
		return upstreamBranch
	}
	return firstBranch(t)
}

func firstBranch(t treeRepo) string {
	for _, r := range t.refs {
		if b, ok := strings.CutPrefix(r.name, "refs/heads/"); ok {
			return b
		}
	}
	return upstreamBranch
}

func hasName(refs []ref, name string) bool {
	for _, r := range refs {
		if r.name == name {
			return true
		}
	}
	return false
}

// branchPrefix is what the name of a downstream's branch starts with in
// an export: rhel's main is rhel/main in every layout.
func branchPrefix(source string) string { return source + "/" }

// readRefs reads the branches and tags of the repository at path (loose
// and packed), annotated tags peeled, sorted by name. Branch names get
// prefix (refs/heads/main -> refs/heads/rhel/main).
func readRefs(path, prefix string) ([]ref, error) {
	repo, err := git.PlainOpen(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	it, err := repo.References()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []ref
	err = it.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		name := r.Name().String()
		switch {
		case r.Name().IsBranch():
			name = "refs/heads/" + prefix + r.Name().Short()
		case r.Name().IsTag():
		default:
			return nil
		}
		rf := ref{name: name, target: oid(r.Hash())}
		if r.Name().IsTag() {
			peeled, annotated, err := peel(repo, r.Hash())
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, r.Name(), err)
			}
			if annotated {
				rf.tag, rf.peeled = true, oid(peeled)
			}
		}
		out = append(out, rf)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// peel follows annotated tags from h to the object they finally name.
func peel(repo *git.Repository, h plumbing.Hash) (plumbing.Hash, bool, error) {
	for depth := 0; depth <= 10; depth++ {
		obj, err := repo.Object(plumbing.AnyObject, h)
		if err != nil {
			return h, depth > 0, fmt.Errorf("object %s: %w", h, err)
		}
		t, ok := obj.(*object.Tag)
		if !ok {
			return h, depth > 0, nil
		}
		h = t.Target
	}
	return h, true, fmt.Errorf("tag %s: more than 10 tags deep", h)
}

// claimExportDir makes sure dir is new, empty or an export of layout, and
// marks it as one.
func claimExportDir(dir string, layout Layout) error {
	marker := filepath.Join(dir, layoutMarker)
	b, err := os.ReadFile(marker)
	switch {
	case err == nil:
		if got := strings.TrimSpace(string(b)); got != string(layout) {
			return fmt.Errorf("export: %s holds an export in the %s layout (want %s, or an empty directory)", dir, got, layout)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("export: %w", err)
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("export: %s is not empty and holds no export (no %s): want an empty directory or an earlier export", dir, layoutMarker)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return os.WriteFile(marker, []byte(string(layout)+"\n"), 0o644)
}

// writeExportRepo writes or refreshes one repository of an export: the
// object files of its sources it lacks, then its refs.
func writeExportRepo(path string, r exportRepo) error {
	if err := initRepo(path); err != nil {
		return err
	}
	for _, from := range r.from {
		if err := copyObjects(from, path); err != nil {
			return err
		}
	}
	merged := map[string]ref{}
	for i, refs := range r.refs {
		for _, rf := range refs {
			if old, ok := merged[rf.name]; ok && old != rf {
				return fmt.Errorf("%s is %s in %s but %s in an earlier repository (want one target per name)", rf.name, rf.target, r.from[i], old.target)
			}
			merged[rf.name] = rf
		}
	}
	all := make([]ref, 0, len(merged))
	for _, rf := range merged {
		all = append(all, rf)
	}
	// Only packed-refs names refs: drop loose ones an earlier writer left.
	for _, d := range []string{"refs/heads", "refs/tags"} {
		if err := os.RemoveAll(filepath.Join(path, d)); err != nil {
			return err
		}
	}
	if err := initRepo(path); err != nil {
		return err
	}
	// writeRefs writes packed-refs in place; a reader must never see it
	// half written, so it goes to a scratch repository first.
	tmp := path + ".refs.tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "info"), 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := writeRefs(tmp, r.head, all); err != nil {
		return err
	}
	for _, n := range []string{"config", "description", "info/exclude", "HEAD", "packed-refs"} {
		if err := os.Rename(filepath.Join(tmp, n), filepath.Join(path, n)); err != nil {
			return err
		}
	}
	return nil
}

// copyObjects copies the packs (with their indexes) and loose objects of
// the repository at from into to, skipping files to already has: both
// are named by their content.
func copyObjects(from, to string) error {
	objs := filepath.Join(from, "objects")
	ents, err := os.ReadDir(objs)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		isPack, isLoose := name == "pack", len(name) == 2 && isHex(name)
		if !isPack && !isLoose {
			continue
		}
		files, err := os.ReadDir(filepath.Join(objs, name))
		if err != nil {
			return err
		}
		for _, f := range files {
			n := f.Name()
			if !f.Type().IsRegular() ||
				isPack && !(strings.HasPrefix(n, "pack-") && (strings.HasSuffix(n, ".pack") || strings.HasSuffix(n, ".idx"))) ||
				isLoose && (len(n) != 38 || !isHex(n)) {
				continue
			}
			if err := copyNew(filepath.Join(objs, name, n), filepath.Join(to, "objects", name, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// copyNew copies file from to to unless to exists, through a temporary
// file so that a reader never sees half an object.
func copyNew(from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := to + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o444); err != nil {
		return err
	}
	return os.Rename(tmp, to)
}

// writeSource writes one [[source]] table.
func writeSource(b *strings.Builder, s project.Source) {
	fmt.Fprintf(b, "\n[[source]]\nname = %q\nkind = %q\n", s.Name, s.Kind)
	if !s.IsGit() {
		fmt.Fprintf(b, "format = %q\n", s.Format)
	}
	fmt.Fprintf(b, "url = %q\n", s.URL)
	if s.IsGit() {
		q := make([]string, len(s.Refs))
		for i, r := range s.Refs {
			q[i] = fmt.Sprintf("%q", r)
		}
		fmt.Fprintf(b, "refs = [%s]\n", strings.Join(q, ", "))
	}
	for _, kv := range [][2]string{{"layout", s.Layout}, {"upstream", s.Upstream}, {"base", s.Base}, {"mirror", s.Mirror}, {"project", s.Project}} {
		if kv[1] != "" {
			fmt.Fprintf(b, "%s = %q\n", kv[0], kv[1])
		}
	}
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func repoPaths(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func layoutNames() string {
	var n []string
	for _, l := range Layouts() {
		n = append(n, string(l))
	}
	return strings.Join(n, ", ")
}
