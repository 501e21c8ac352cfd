package ingest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/sources/patchfile"
	"github.com/kdelta/kdelta/store"
)

// patchdirFormat is a format of this file alone, to show that adding a
// format is one file: a directory of .patch files, each a carried patch,
// read in name order on top of a configured base. Nothing outside this
// file names it; project's validation and sync know it from register.
type patchdirFormat struct{ readOnce }

func init() { register(patchdirFormat{}) }

func (patchdirFormat) Rules() project.FormatRules {
	return project.FormatRules{Name: "patchdir", Unit: "patches", URL: project.URLLocal,
		URLWanted: "a local path to a directory of .patch files",
		Check: func(s *project.Source) (string, []string) {
			if s.Upstream != "" && s.Base == "" {
				return `a patchdir source measured against an upstream needs base, like base = "v6.1"`, []string{"upstream"}
			}
			return "", nil
		}}
}

func (patchdirFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = patchdirRead(ctx, s, src, ref, &rep)
	return []RefReport{rep}, err
}

func patchdirRead(ctx context.Context, s *syncer, src project.Source, ref store.Ref, rep *RefReport) error {
	dir := s.url(src)
	names, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	tipHash := sha1.New()
	datas := make([][]byte, len(names))
	for i, n := range names {
		if datas[i], err = os.ReadFile(n); err != nil {
			return badSource(fmt.Errorf("source %s: %w", src.Name, err))
		}
		fmt.Fprintf(tipHash, "%s\x00%s\x00", filepath.Base(n), patchKey(datas[i]))
	}
	tip := hex.EncodeToString(tipHash.Sum(nil))
	rep.Tip = tip
	if ref.Tip == tip && ref.ScopeHash == s.comps.Hash() {
		rep.Unchanged = true
		return s.patchBase(ctx, src, ref, src.Base, rep)
	}
	scope := gitrepo.NewScope(s.comps.Prefixes(src.Layout))
	var fps []*change.Fingerprint
	u := store.RefUpdate{RefID: ref.ID, Tip: tip, ScopeHash: s.comps.Hash(), Reset: true, Patches: []store.PatchFile{}}
	var places []store.PatchFile
	for i, n := range names {
		rep.Walked++
		p, err := patchfile.Parse(n, datas[i])
		if err != nil {
			return badSource(fmt.Errorf("source %s: %w", src.Name, err))
		}
		fp, err := s.patchFingerprint(patchKey(datas[i]), p, scope, src.Layout)
		if err != nil {
			return badSource(fmt.Errorf("source %s: %w", src.Name, err))
		}
		if fp == nil {
			rep.OutOfScope++
			continue
		}
		fps = append(fps, fp)
		places = append(places, store.PatchFile{Path: filepath.Base(n), Seq: i, OID: fp.ID})
	}
	ids, err := s.db.PutFingerprints(ctx, src.Layout, fps)
	if err != nil {
		return err
	}
	rep.Fingerprinted = len(fps)
	for _, pl := range places {
		u.Add = append(u.Add, ids[pl.OID])
		u.Patches = append(u.Patches, store.PatchFile{Path: pl.Path, Seq: pl.Seq, CommitID: ids[pl.OID]})
	}
	if err := s.db.UpdateRef(ctx, u); err != nil {
		return err
	}
	ref.Tip = tip
	return s.patchBase(ctx, src, ref, src.Base, rep)
}

// Every format project's validation knows has its reader here, and the
// other way round, in the order the project file's formats are listed.
func TestEveryFormatHasItsReader(t *testing.T) {
	var readers []string
	for _, f := range formats {
		readers = append(readers, f.Rules().Name)
	}
	if known := project.Formats(); !slices.Equal(readers, known) {
		t.Errorf("ingest reads %v; project knows %v", readers, known)
	}
	for _, name := range readers {
		if r, ok := project.FormatOf(name); !ok || r.Unit == "" || r.URLWanted == "" {
			t.Errorf("format %s: rules %+v, %v; want a unit and the url it wants", name, r, ok)
		}
	}
}

// The project file's validation applies the rules the format's file gave.
func TestARegisteredFormatIsValidated(t *testing.T) {
	const up = "[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = \"linux.git\"\nrefs = [\"master\"]\n\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"fine", up + "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"p\"\nupstream = \"linux\"\nbase = \"v1\"\n", ""},
		{"no url", "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\n",
			`kdelta.toml:1: source "c": url is missing; expected a local path to a directory of .patch files`},
		{"remote url", "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"https://example.org/p\"\n",
			`kdelta.toml:5: source "c": url "https://example.org/p" is remote; expected a local path to a directory of .patch files (download patchdir sources first)`},
		{"upstream", "[[source]]\nname = \"c\"\nkind = \"upstream\"\nformat = \"patchdir\"\nurl = \"p\"\n",
			`kdelta.toml:4: source "c": an upstream must be a git source; format "patchdir" cannot be measured against`},
		{"list", "[[source]]\nname = \"c\"\nkind = \"list\"\nformat = \"patchdir\"\nurl = \"p\"\n",
			`kdelta.toml:4: source "c": kind list needs format mbox or patchwork, not "patchdir"`},
		{"refs", "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"p\"\nrefs = [\"m\"]\n",
			`kdelta.toml:6: source "c": refs is set on a patchdir source; expected refs only on git sources`},
		{"project", "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"p\"\nproject = \"linux-rdma\"\n",
			`kdelta.toml:6: source "c": project is set on a patchdir source; expected project only with format patchwork`},
		{"its own check", up + "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"p\"\nupstream = \"linux\"\n",
			`kdelta.toml:12: source "c": a patchdir source measured against an upstream needs base, like base = "v6.1"`},
		{"listed", "[[source]]\nname = \"c\"\nkind = \"vendor\"\nformat = \"svn\"\nurl = \"p\"\n",
			`kdelta.toml:4: source "c": format "svn" is not one of git, series, ofed, snapshot, mbox, patchwork, patchdir`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := project.ParseConfig(strings.NewReader(tc.text), "kdelta.toml")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
			if err == nil {
				if s := cfg.Source("c"); !s.IsDownstream() || s.RefNames()[0] != "patchdir" {
					t.Errorf("source c: downstream %v, refs %v; want a downstream measured by its patches, with one ref named patchdir",
						s.IsDownstream(), s.RefNames())
				}
			}
		})
	}
}

// A source of the registered format is synced like any other: its patches
// read and fingerprinted, the one that is an upstream commit carried with
// that commit's patch-id, its base recorded, and nothing read again when
// nothing changed.
func TestARegisteredFormatIsSynced(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	up := filepath.Join(dir, "linux")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = up
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.org", "GIT_COMMITTER_NAME=Ada",
			"GIT_COMMITTER_EMAIL=ada@example.org", "GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(up, "drivers/infiniband/core/cma.c")
	if err := os.MkdirAll(up, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "master")
	write(src, "int a;\nint b;\nint c;\n")
	git("add", ".")
	git("commit", "-q", "-m", "RDMA/cma: Add cma.c")
	git("tag", "v1")
	base := git("rev-parse", "HEAD")
	write(src, "int a;\nint b2;\nint c;\n")
	git("commit", "-q", "-am", "RDMA/cma: Rename b")
	fix := git("rev-parse", "HEAD")

	patches := filepath.Join(dir, "carried")
	write(filepath.Join(patches, "0001-rename-b.patch"), git("format-patch", "-1", "--stdout", fix)+"\n")
	write(filepath.Join(patches, "0002-ext4.patch"), strings.Replace(goodPatch, "drivers/infiniband/hw/irdma/uk.c", "fs/ext4/inode.c", 2))
	file := filepath.Join(dir, "kdelta.toml")
	write(file, fmt.Sprintf("[[source]]\nname = \"linux\"\nkind = \"upstream\"\nurl = %q\nrefs = [\"master\"]\n\n"+
		"[[source]]\nname = \"carried\"\nkind = \"vendor\"\nformat = \"patchdir\"\nurl = \"carried\"\nupstream = \"linux\"\nbase = \"v1\"\n", up))
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}

	r := refReport(t, syncAll(t, cfg), "carried")
	if r.Ref != "patchdir" || r.Unit != "patches" || r.Walked != 2 || r.Fingerprinted != 1 || r.OutOfScope != 1 ||
		!strings.HasPrefix(r.Base, "configured base v1: ") {
		t.Errorf("report %+v; want 2 patches read, 1 in scope, on the configured base v1", r)
	}
	db := openStore(t, cfg)
	ctx := context.Background()
	s, ref, err := db.FindRef(ctx, "carried", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "patchdir" || ref.Name != "patchdir" {
		t.Errorf("stored as %s@%s, format %q; want carried@patchdir, format patchdir", s.Name, ref.Name, s.Format)
	}
	files, err := db.PatchFiles(ctx, ref.ID)
	if err != nil || len(files) != 1 || files[0].Path != "0001-rename-b.patch" {
		t.Fatalf("patch files %+v, %v; want 0001-rename-b.patch", files, err)
	}
	carried, err := db.Fingerprint(ctx, files[0].OID, "linux")
	if err != nil {
		t.Fatal(err)
	}
	upstream, err := db.Fingerprint(ctx, fix, "linux")
	if err != nil {
		t.Fatal(err)
	}
	if carried.PatchID == "" || carried.PatchID != upstream.PatchID || carried.Subject != "RDMA/cma: Rename b" {
		t.Errorf("carried patch %q, patch-id %s; want %q with upstream %.12s's patch-id %s",
			carried.Subject, carried.PatchID, upstream.Subject, fix, upstream.PatchID)
	}
	if b, err := db.GetBase(ctx, ref.ID); err != nil || b.Commit != base {
		t.Errorf("base %+v, %v; want %s (v1)", b, err, base)
	}
	if r := refReport(t, syncAll(t, cfg, "carried"), "carried"); !r.Unchanged {
		t.Errorf("second sync: %+v; want up to date", r)
	}
}
