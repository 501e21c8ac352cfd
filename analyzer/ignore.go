package analyzer

import (
	"context"
	"path"
	"strings"

	"github.com/kdelta/kdelta/analyzer/delta"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

// ignorer keeps the ignore list's entries out of the missing lists: an
// upstream commit by id (full or abbreviated), or every upstream commit
// whose changed files all match a path pattern (a directory prefix ending
// in "/", or a glob as path.Match reads it).
//
// It applies the entries for every downstream (Scope ""). An entry for one
// downstream applies only once the list is read for that downstream
// (ignoresFor), so a list read whole never lets one downstream's entries
// hide another's missing commits.
type ignorer struct {
	ids   []string
	paths []string
}

func newIgnorer(list []store.Ignore) *ignorer {
	ig := &ignorer{}
	for _, e := range list {
		switch {
		case e.Scope != "":
		case e.Kind == "id":
			ig.ids = append(ig.ids, strings.ToLower(e.Target))
		default:
			ig.paths = append(ig.paths, e.Target)
		}
	}
	return ig
}

// ignoresFor reads the ignore list as it applies to one downstream source:
// the entries for every downstream and those for the source, each made an
// entry for every downstream (in the list returned, every entry applies).
func ignoresFor(ctx context.Context, db *store.DB, source string) ([]store.Ignore, error) {
	list, err := db.Ignores(ctx)
	if err != nil {
		return nil, err
	}
	out := IgnoresFor(list, source)
	for i := range out {
		out[i].Scope = ""
	}
	return out, nil
}

// IgnoresFor returns the entries of an ignore list that apply to a
// downstream source: those for every downstream and those for it.
func IgnoresFor(list []store.Ignore, source string) []store.Ignore {
	out := []store.Ignore{}
	for _, e := range list {
		if e.Scope == "" || e.Scope == source {
			out = append(out, e)
		}
	}
	return out
}

// IgnoreOf returns the entry of an ignore list that keeps an upstream
// commit out of a downstream source's missing lists, or nil.
func IgnoreOf(list []store.Ignore, source string, c *change.Fingerprint) *store.Ignore {
	for i := range list {
		e := list[i]
		if e.Scope != "" && e.Scope != source {
			continue
		}
		e.Scope = ""
		if newIgnorer([]store.Ignore{e}).ignored(delta.Item{Commit: c}) {
			return &list[i]
		}
	}
	return nil
}

func ignoresKey(list []store.Ignore) string {
	var parts []string
	for _, e := range list {
		parts = append(parts, e.Kind+":"+e.Target+":"+e.Scope)
	}
	return strings.Join(parts, "\n")
}

// filter drops ignored items and says how many it dropped.
func (ig *ignorer) filter(items []delta.Item) ([]delta.Item, int) {
	if len(ig.ids) == 0 && len(ig.paths) == 0 {
		return items, 0
	}
	out := items[:0:0]
	for _, it := range items {
		if !ig.ignored(it) {
			out = append(out, it)
		}
	}
	return out, len(items) - len(out)
}

func (ig *ignorer) ignored(it delta.Item) bool {
	c := it.Commit
	for _, id := range ig.ids {
		if strings.HasPrefix(c.ID, id) {
			return true
		}
	}
	if len(ig.paths) == 0 || len(c.Files) == 0 {
		return false
	}
	for _, f := range c.Files {
		if !ig.pathIgnored(f.Path) {
			return false
		}
	}
	return true
}

func (ig *ignorer) pathIgnored(p string) bool {
	for _, pat := range ig.paths {
		if strings.HasSuffix(pat, "/") && strings.HasPrefix(p, pat) || pat == p {
			return true
		}
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}
