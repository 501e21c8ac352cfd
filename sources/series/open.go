package series

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Open reads the tree in dir, whose layout it detects, in this order:
//
//   - series.conf: a SUSE kernel-source tree; its patches are named from
//     the root (patches.suse/..., patches.kernel.org/...).
//   - series: a quilt series at the root; a patch is looked up next to it,
//     then under patches/ (quilt's default QUILT_PATCHES).
//   - patches/series: a quilt tree; patches are under patches/.
//   - backports/: an OFED or MLNX_OFED tree; its NNNN-*.patch files in the
//     order of their number, then name (other files are ignored), and the
//     base named by LINUX_BASE_BRANCH at the root or in ofed_scripts/.
//
// Every listed patch must be a file inside the tree (symbolic links are
// followed and must stay inside it); one that is not is an error naming
// the series file and line.
func Open(dir string) (*Series, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &Error{File: dir, Msg: pathErr(err)}
	}
	if !st.IsDir() {
		return nil, &Error{File: dir, Msg: "not a directory: expected a quilt, SUSE kernel-source or OFED tree"}
	}
	t := tree{dir: dir}
	switch {
	case isFile(filepath.Join(dir, "series.conf")):
		return t.listed("suse", "series.conf", []string{""})
	case isFile(filepath.Join(dir, "series")):
		return t.listed("quilt", "series", []string{"", "patches"})
	case isFile(filepath.Join(dir, "patches", "series")):
		return t.listed("quilt", "patches/series", []string{"patches"})
	case isDir(filepath.Join(dir, "backports")):
		return t.ofed()
	}
	return nil, &Error{File: dir, Msg: "no series.conf, series, patches/series or backports/ directory: expected a SUSE kernel-source, quilt or OFED tree"}
}

// tree is the directory Open reads.
type tree struct {
	dir  string
	real string // dir with symbolic links resolved, once needed
}

// listed reads the series file rel (slash-separated, under the root) and
// resolves each entry in the first of bases (directories under the root)
// that holds it.
func (t *tree) listed(format, rel string, bases []string) (*Series, error) {
	file := filepath.Join(t.dir, filepath.FromSlash(rel))
	f, err := os.Open(file)
	if err != nil {
		return nil, &Error{File: file, Msg: pathErr(err)}
	}
	defer f.Close()
	entries, err := ParseSeries(file, f)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		e := &entries[i]
		found := ""
		for _, b := range bases {
			p := path.Join(b, e.Path)
			if strings.HasPrefix(p, "../") {
				continue
			}
			if isFile(filepath.Join(t.dir, filepath.FromSlash(p))) {
				found = p
				break
			}
		}
		if found == "" {
			where := e.Path
			if len(bases) > 1 || bases[0] != "" {
				var tried []string
				for _, b := range bases {
					tried = append(tried, path.Join(b, e.Path))
				}
				where = strings.Join(tried, " or ")
			}
			return nil, &Error{File: file, Line: e.Line, Msg: fmt.Sprintf("patch %s: no such file in the tree", where)}
		}
		if err := t.inside(found); err != nil {
			return nil, &Error{File: file, Line: e.Line, Msg: err.Error()}
		}
		e.Path = found
	}
	return &Series{Format: format, File: file, Entries: entries}, nil
}

// ofed reads an OFED tree's backports/ directory and LINUX_BASE_BRANCH.
func (t *tree) ofed() (*Series, error) {
	dir := filepath.Join(t.dir, "backports")
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{File: dir, Msg: pathErr(err)}
	}
	type numbered struct {
		num  string // the number prefix without leading zeros
		name string
	}
	var ps []numbered
	for _, de := range des {
		name := de.Name()
		num, ok := backportNumber(name)
		if !ok || !isFile(filepath.Join(dir, name)) {
			continue
		}
		ps = append(ps, numbered{num, name})
	}
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if len(a.num) != len(b.num) {
			return len(a.num) < len(b.num)
		}
		if a.num != b.num {
			return a.num < b.num
		}
		return a.name < b.name
	})
	s := &Series{Format: "ofed", File: dir}
	for _, p := range ps {
		rel := "backports/" + p.name
		if err := t.inside(rel); err != nil {
			return nil, &Error{File: dir, Msg: err.Error()}
		}
		s.Entries = append(s.Entries, Entry{Path: rel, Strip: 1})
	}
	for _, rel := range []string{"LINUX_BASE_BRANCH", "ofed_scripts/LINUX_BASE_BRANCH"} {
		file := filepath.Join(t.dir, filepath.FromSlash(rel))
		if !isFile(file) {
			continue
		}
		if s.Base, err = readBase(file); err != nil {
			return nil, err
		}
		break
	}
	return s, nil
}

// backportNumber reads the number of an OFED backport's name
// "NNNN-<what>.patch", without its leading zeros.
func backportNumber(name string) (string, bool) {
	n := 0
	for n < len(name) && name[n] >= '0' && name[n] <= '9' {
		n++
	}
	if n == 0 || n >= len(name) || name[n] != '-' || !strings.HasSuffix(name, ".patch") ||
		len(name) <= n+1+len(".patch") {
		return "", false
	}
	num := strings.TrimLeft(name[:n], "0")
	return num, true
}

// readBase reads a LINUX_BASE_BRANCH file: one line holding the upstream
// commit id (or a branch or tag) that MLNX_OFED's scripts copied the
// sources from.
func readBase(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", &Error{File: file, Msg: pathErr(err)}
	}
	if len(data) > 4096 {
		return "", &Error{File: file, Msg: "more than 4 KiB: expected one line naming the upstream base"}
	}
	base := ""
	for n, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if base != "" {
			return "", &Error{File: file, Line: n + 1, Msg: "a second line: expected one line naming the upstream base"}
		}
		if strings.ContainsAny(l, " \t") {
			return "", &Error{File: file, Line: n + 1, Msg: fmt.Sprintf("%q: expected one commit id, branch or tag", l)}
		}
		base = l
	}
	if base == "" {
		return "", &Error{File: file, Msg: "empty: expected the upstream commit id, branch or tag the tree is based on"}
	}
	return base, nil
}

// inside checks that rel, a file under the root, stays in the tree once
// symbolic links are followed.
func (t *tree) inside(rel string) error {
	if t.real == "" {
		r, err := filepath.EvalSymlinks(t.dir)
		if err != nil {
			return errors.New(pathErr(err))
		}
		t.real = r
	}
	p, err := filepath.EvalSymlinks(filepath.Join(t.dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("patch %s: %s", rel, pathErr(err))
	}
	r, err := filepath.Rel(t.real, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return fmt.Errorf("patch %s leads outside the tree (to %s)", rel, p)
	}
	return nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// pathErr is the reason of a file system error without the path, which
// the Error names already.
func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
