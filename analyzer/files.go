package analyzer

import (
	"context"
	"fmt"
	"sort"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// FileDelta is the file-level delta of a snapshot (a release drop without
// history) against its upstream, another snapshot: per component, the
// files added, removed and changed since.
type FileDelta struct {
	Downstream string           `json:"downstream"` // SOURCE@REF
	Against    string           `json:"against"`    // SOURCE@REF
	Components []ComponentFiles `json:"components"` // the whole first (component ""), then by name
}

// ComponentFiles is the file-level delta of one component.
type ComponentFiles struct {
	Component string   `json:"component"`
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Changed   []string `json:"changed"`
	Same      int      `json:"same"`
}

// SnapshotDelta compares a snapshot source with the snapshot it names as
// its upstream, file by file, and sorts the differences into components.
func SnapshotDelta(ctx context.Context, db *store.DB, comps *project.Components, target string) (*FileDelta, error) {
	source, refName := Target(target)
	src, ref, err := db.FindRef(ctx, source, refName)
	if err != nil {
		return nil, err
	}
	if r, _ := project.FormatOf(src.Format); !r.ByFiles {
		return nil, fmt.Errorf("%s is a %s source, not a snapshot: %w", src.Name, src.Format, ErrNoBase)
	}
	if src.Upstream == "" {
		return nil, fmt.Errorf("%s has no upstream to be compared with: set upstream = \"<an earlier snapshot>\" for it in the project file: %w", src.Name, ErrNoBase)
	}
	upSrc, upRef, err := db.FindRef(ctx, src.Upstream, "")
	if err != nil {
		return nil, fmt.Errorf("%s: upstream: %w", src.Name, err)
	}
	if r, _ := project.FormatOf(upSrc.Format); !r.ByFiles {
		// A git upstream: its tree at the base, kept by the sync.
		rev := src.Base
		if rev == "" {
			rev = upRef.Name
		}
		if upSrc, upRef, err = db.FindRef(ctx, src.Upstream, project.TreeRef(rev)); err != nil {
			return nil, fmt.Errorf("%s: the files of %s at %s are not synced yet: run 'kdelta sync %s': %w", src.Name, src.Upstream, rev, src.Name, ErrNoBase)
		}
	}
	mine, err := db.SnapshotFiles(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	theirs, err := db.SnapshotFiles(ctx, upRef.ID)
	if err != nil {
		return nil, err
	}
	d := &FileDelta{Downstream: src.Name + "@" + ref.Name, Against: upSrc.Name + "@" + upRef.Name}
	by := map[string]*ComponentFiles{"": {Component: ""}}
	classify := func(path string, add func(*ComponentFiles)) {
		add(by[""])
		for _, c := range comps.Classify(src.Layout, []string{path}, "") {
			cf := by[c]
			if cf == nil {
				cf = &ComponentFiles{Component: c}
				by[c] = cf
			}
			add(cf)
		}
	}
	old := make(map[string]store.SnapshotFile, len(theirs))
	for _, f := range theirs {
		old[f.Path] = f
	}
	for _, f := range mine {
		o, ok := old[f.Path]
		delete(old, f.Path)
		switch {
		case !ok:
			classify(f.Path, func(c *ComponentFiles) { c.Added = append(c.Added, f.Path) })
		case o.Blob != f.Blob || o.Mode != f.Mode:
			classify(f.Path, func(c *ComponentFiles) { c.Changed = append(c.Changed, f.Path) })
		default:
			classify(f.Path, func(c *ComponentFiles) { c.Same++ })
		}
	}
	for p := range old {
		classify(p, func(c *ComponentFiles) { c.Removed = append(c.Removed, p) })
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := by[n]
		for _, l := range []*[]string{&c.Added, &c.Removed, &c.Changed} {
			if *l == nil {
				*l = []string{}
			}
			sort.Strings(*l)
		}
		d.Components = append(d.Components, *c)
	}
	return d, nil
}
