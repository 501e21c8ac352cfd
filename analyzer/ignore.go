package analyzer

import (
	"path"
	"strings"

	"github.com/kdelta/kdelta/analyzer/delta"
	"github.com/kdelta/kdelta/store"
)

// ignorer keeps the ignore list's entries out of the missing lists: an
// upstream commit by id (full or abbreviated), or every upstream commit
// whose changed files all match a path pattern (a directory prefix ending
// in "/", or a glob as path.Match reads it).
type ignorer struct {
	ids   []string
	paths []string
}

func newIgnorer(list []store.Ignore) *ignorer {
	ig := &ignorer{}
	for _, e := range list {
		if e.Kind == "id" {
			ig.ids = append(ig.ids, strings.ToLower(e.Target))
		} else {
			ig.paths = append(ig.paths, e.Target)
		}
	}
	return ig
}

func ignoresKey(list []store.Ignore) string {
	var parts []string
	for _, e := range list {
		parts = append(parts, e.Kind+":"+e.Target)
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
