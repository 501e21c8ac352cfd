package snapshot

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// maxPathLen bounds a path or a symlink target, in bytes: Linux's PATH_MAX.
// It also bounds the memory that file names take.
const maxPathLen = 4096

// kind is what a path of a snapshot is.
type kind uint8

const (
	kindDir  kind = iota + 1 // a directory, listed or implied by a path below it
	kindFile                 // a regular file or a symlink
)

// collector gathers the files of one snapshot and enforces what holds for
// directories and archives alike: limits, unique paths, safe symlinks.
type collector struct {
	name    string // the archive or directory, for errors
	lim     Limits
	entries int   // entries seen, of any kind
	total   int64 // bytes of file contents
	files   []File
	entry   []string // entry[i] is the name files[i] had in the archive or directory
	paths   map[string]kind
	index   map[string]int // path -> its index in files
	targets map[int]string // index in files of a symlink -> its target
}

func newCollector(name string, lim Limits) *collector {
	return &collector{
		name:    name,
		lim:     lim,
		paths:   make(map[string]kind),
		index:   make(map[string]int),
		targets: make(map[int]string),
	}
}

// fail returns the refusal of the snapshot about entry.
func (c *collector) fail(entry string, kind error, format string, args ...any) *fileerr.Error {
	return entryError(c.name, entry, fmt.Sprintf(format, args...), kind)
}

// count counts one more entry.
func (c *collector) count(entry string) error {
	c.entries++
	if c.entries > c.lim.MaxFiles {
		return c.fail(entry, ErrLimit, "more than %d entries", c.lim.MaxFiles)
	}
	return nil
}

// reserve accounts for a file of size bytes before it is read.
func (c *collector) reserve(entry string, size int64) error {
	if size > c.lim.MaxFileSize {
		return c.fail(entry, ErrLimit, "file of %d bytes is over the limit of %d", size, c.lim.MaxFileSize)
	}
	if size > c.lim.MaxTotalSize-c.total {
		return c.fail(entry, ErrLimit, "files add up to more than the limit of %d bytes", c.lim.MaxTotalSize)
	}
	c.total += size
	return nil
}

// cleanPath returns the clean form of an entry's name, or why it is refused.
// It returns "." for the root itself ("./").
func cleanPath(name string) (string, string) {
	switch {
	case name == "":
		return "", "empty path"
	case strings.HasPrefix(name, "/"):
		return "", "absolute path"
	}
	p := path.Clean(name)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", "path leads out of the root"
	}
	if len(p) > maxPathLen {
		return "", fmt.Sprintf("path longer than %d bytes", maxPathLen)
	}
	return p, ""
}

// inGit tells whether the clean path p is or lies under a ".git" directory.
func inGit(p string) bool {
	for p != "" {
		first, rest, _ := strings.Cut(p, "/")
		if first == ".git" {
			return true
		}
		p = rest
	}
	return false
}

// claimParents marks the directories above p, refusing if one is a file.
func (c *collector) claimParents(entry, p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		dir := p[:i]
		switch c.paths[dir] {
		case kindFile:
			return c.fail(entry, ErrUnsafe, "lies below %q, which is a file or symlink", dir)
		case 0:
			c.paths[dir] = kindDir
		}
	}
	return nil
}

// addDir records the directory at clean path p.
func (c *collector) addDir(entry, p string) error {
	if err := c.claimParents(entry, p); err != nil {
		return err
	}
	if c.paths[p] == kindFile {
		return c.fail(entry, ErrUnsafe, "directory has the path of an earlier file")
	}
	c.paths[p] = kindDir
	return nil
}

// addFile records f, read from entry.
func (c *collector) addFile(entry string, f File) error {
	if err := c.claimParents(entry, f.Path); err != nil {
		return err
	}
	switch c.paths[f.Path] {
	case kindFile:
		return c.fail(entry, ErrUnsafe, "duplicate path: it would overwrite an earlier entry")
	case kindDir:
		return c.fail(entry, ErrUnsafe, "file has the path of a directory")
	}
	c.paths[f.Path] = kindFile
	c.index[f.Path] = len(c.files)
	c.files = append(c.files, f)
	c.entry = append(c.entry, entry)
	return nil
}

// checkTarget returns why a symlink target is refused, or "".
func checkTarget(target string) string {
	switch {
	case target == "":
		return "symlink with an empty target"
	case strings.HasPrefix(target, "/"):
		return fmt.Sprintf("symlink to the absolute path %q leads out of the root", target)
	case len(target) > maxPathLen:
		return fmt.Sprintf("symlink target longer than %d bytes", maxPathLen)
	case strings.IndexByte(target, 0) >= 0:
		return "symlink target holds a NUL byte"
	}
	return ""
}

// addLink records a symlink at clean path p. Where it leads is checked by
// finish, once all paths are known.
func (c *collector) addLink(entry, p, target string) error {
	if msg := checkTarget(target); msg != "" {
		return c.fail(entry, ErrUnsafe, "%s", msg)
	}
	f := File{Path: p, Size: int64(len(target)), Blob: blobID([]byte(target)), Mode: ModeSymlink}
	if err := c.addFile(entry, f); err != nil {
		return err
	}
	c.targets[len(c.files)-1] = target
	return nil
}

// addHardLink records a hard link at clean path p to the earlier entry
// named linkname (a path from the archive's root).
func (c *collector) addHardLink(entry, p, linkname string) error {
	t, msg := cleanPath(linkname)
	if msg != "" {
		return c.fail(entry, ErrUnsafe, "hard link to %q: %s", linkname, msg)
	}
	i, ok := c.index[t]
	if !ok {
		return c.fail(entry, ErrUnsafe, "hard link to %q, which is not an earlier file of the archive", linkname)
	}
	f := c.files[i]
	f.Path = p
	target, isLink := c.targets[i]
	if err := c.addFile(entry, f); err != nil {
		return err
	}
	if isLink {
		c.targets[len(c.files)-1] = target
	}
	return nil
}

// strip removes the single top-level directory that holds every entry,
// if there is one, and returns its name.
func (c *collector) strip() string {
	top, n := "", 0
	for p := range c.paths {
		if !strings.Contains(p, "/") {
			top, n = p, n+1
		}
	}
	if n != 1 || c.paths[top] != kindDir || len(c.paths) < 2 {
		return ""
	}
	for i := range c.files {
		c.files[i].Path = c.files[i].Path[len(top)+1:]
	}
	return top
}

// finish strips the top-level directory if strip is set, checks where
// the symlinks lead and returns the snapshot.
func (c *collector) finish(strip bool) (Snapshot, error) {
	s := Snapshot{Root: c.name}
	if strip {
		s.Stripped = c.strip()
	}
	if len(c.targets) > 0 {
		links := make(map[string]string, len(c.targets))
		for i, t := range c.targets {
			links[c.files[i].Path] = t
		}
		if bad, msg := checkLinks(links); bad != "" {
			i := c.index[bad]
			if s.Stripped != "" {
				i = c.index[s.Stripped+"/"+bad]
			}
			return Snapshot{}, c.fail(c.entry[i], ErrUnsafe, "%s", msg)
		}
	}
	slices.SortFunc(c.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	s.Files = c.files
	return s, nil
}
