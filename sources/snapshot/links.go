package snapshot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// maxLinkDepth is how many symlinks deep a resolution may go: Linux's
// limit (MAXSYMLINKS), past which the system gives up with ELOOP.
const maxLinkDepth = 40

// checkLinks resolves every symlink of a snapshot, given as path -> target
// (paths clean and relative to the root, targets relative and non-empty),
// and returns the first symlink (by path) that is refused, with why; ""
// if none is.
//
// A target is followed component by component as the system would follow
// it, each ".." taken from where the symlinks before it really lead, not
// from the text: "d/l/../x" leaves the root when d/l is a symlink to
// "../..". A symlink is refused when it leads out of the root, when it is
// part of a loop, and when it starts a chain of more than maxLinkDepth
// symlinks. Dangling targets are allowed, as git allows them.
func checkLinks(links map[string]string) (string, string) {
	r := resolver{links: links, done: make(map[string]string), busy: make(map[string]bool)}
	for _, p := range slices.Sorted(maps.Keys(links)) {
		if bad, msg := r.resolve(p, 0); msg != "" {
			if bad == "" { // too deep: the chain that starts here is at fault
				bad = p
			}
			return bad, msg
		}
	}
	return "", ""
}

// resolver resolves the symlinks of one snapshot, each once.
type resolver struct {
	links map[string]string
	done  map[string]string // link -> the path it resolves to, itself no symlink
	busy  map[string]bool   // links being resolved, to find loops
}

// resolve resolves the symlink p into r.done, fully: every component of
// the result is a directory or a file, or missing, never a symlink, so
// that a ".." after it climbs from where it really is. When p is refused
// it returns why (msg) and the symlink at fault (bad; "" when the chain of
// links is too deep, which is the fault of the first); msg is "" when p
// is fine.
func (r *resolver) resolve(p string, depth int) (bad, msg string) {
	if _, ok := r.done[p]; ok {
		return "", ""
	}
	if r.busy[p] {
		return p, "symlink loop"
	}
	if depth > maxLinkDepth {
		return "", fmt.Sprintf("more than %d levels of symlinks", maxLinkDepth)
	}
	r.busy[p] = true
	defer delete(r.busy, p)

	target := r.links[p]
	// The parents of p are directories: the collector refuses a path
	// below a file or symlink.
	cur := parent(p)
	for _, c := range strings.Split(target, "/") {
		switch {
		case c == "" || c == ".":
		case c == "..":
			if cur == "" {
				return p, fmt.Sprintf("symlink to %q leads out of the root", target)
			}
			cur = parent(cur)
		default:
			cur = join(cur, c)
			if _, isLink := r.links[cur]; isLink {
				if bad, msg := r.resolve(cur, depth+1); msg != "" {
					return bad, msg // the link at fault, not the one that led to it
				}
				cur = r.done[cur]
			}
		}
	}
	r.done[p] = cur
	return "", ""
}

// parent returns the directory of the clean relative path p; "" for the root.
func parent(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// join appends the component c to the directory dir ("" for the root).
func join(dir, c string) string {
	if dir == "" {
		return c
	}
	return dir + "/" + c
}
