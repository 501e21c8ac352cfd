package analyzer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// ChangeText returns the diff of a stored change (a full id) as git
// prints it, read from where the store says the change lives: the mirror
// of a git source that has the commit, or a patch file of a series or OFED
// source (its diff part). It says which source it read.
func ChangeText(ctx context.Context, db *store.DB, cfg *project.Config, id string) (text, from string, err error) {
	locs, err := db.Locations(ctx, id)
	if err != nil {
		return "", "", err
	}
	if len(locs) == 0 {
		return "", "", fmt.Errorf("%.12s is in no synced source: %w", id, store.ErrNotFound)
	}
	var errs []string
	for _, l := range locs {
		src := cfg.Source(l.Source)
		if src == nil {
			continue
		}
		if l.Path == "" && src.IsGit() {
			t, err := commitText(cfg, src, id)
			if err == nil {
				return t, l.Source, nil
			}
			errs = append(errs, err.Error())
			continue
		}
		if l.Path != "" {
			b, err := os.ReadFile(filepath.Join(cfg.SourceURL(src), filepath.FromSlash(l.Path)))
			if err == nil {
				return diffPart(string(b)), l.Source + ":" + l.Path, nil
			}
			errs = append(errs, err.Error())
		}
	}
	if len(errs) == 0 {
		return "", "", fmt.Errorf("%.12s: no source in %s holds it any more: %w", id, cfg.File, store.ErrNotFound)
	}
	return "", "", fmt.Errorf("%.12s: %s", id, strings.Join(errs, "; "))
}

func commitText(cfg *project.Config, src *project.Source, id string) (string, error) {
	repo, err := gitrepo.Open(cfg.MirrorPath(src))
	if err != nil {
		return "", fmt.Errorf("source %s: %w", src.Name, err)
	}
	defer repo.Close()
	c, err := repo.Commit(plumbing.NewHash(id))
	if err != nil {
		return "", fmt.Errorf("source %s: %w", src.Name, err)
	}
	files, err := repo.Diff(c, gitrepo.NewScope(nil), gitrepo.DefaultLimits)
	if err != nil {
		return "", fmt.Errorf("source %s: %.12s: %w", src.Name, id, err)
	}
	return string(fingerprint.NewBuilder().Build(files).Text), nil
}

// diffPart cuts a patch file's message off: the diff starts at its first
// "diff --git" line, or else at its first "--- " line followed by "+++ ".
func diffPart(patch string) string {
	lines := strings.SplitAfter(patch, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "diff --git ") {
			return strings.Join(lines[i:], "")
		}
		if strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ ") {
			return strings.Join(lines[i:], "")
		}
	}
	return patch
}
