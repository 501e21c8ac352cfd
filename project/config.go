package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The kinds of source.
const (
	KindUpstream = "upstream" // the tree others are measured against
	KindDistro   = "distro"   // an in-box distribution kernel or package
	KindVendor   = "vendor"   // a vendor fork (MLNX_OFED, community OFED, WinOFED)
	KindStable   = "stable"   // a stable or long-term branch of upstream
	KindQueue    = "queue"    // a maintainer's for-next tree: "queued" evidence
	KindList     = "list"     // a mailing-list archive or Patchwork: "submitted" evidence
)

// The layouts a source's paths can follow.
const (
	LayoutLinux    = "linux"     // the Linux kernel tree
	LayoutRDMACore = "rdma-core" // the rdma-core user-space tree
	LayoutWinOFED  = "winofed"   // the OFA Windows (WinOF) tree
	LayoutOFED     = "ofed"      // an OFED kernel tree: linux paths plus backports/, compat/
	LayoutCustom   = "custom"    // anything else: the whole tree is in scope
)

// How a git source is mirrored.
const (
	MirrorAuto  = "auto"   // the git CLI when it is on PATH, go-git otherwise
	MirrorGoGit = "go-git" // go-git only
	MirrorGit   = "git"    // the git command-line tool
)

// The formats a source can come in; each has its FormatRules (format.go)
// and its reader in ingest.
const (
	FormatGit       = "git"       // a git repository (the default)
	FormatSeries    = "series"    // a quilt series or a SUSE kernel-source tree (series.conf + patches.*/)
	FormatOFED      = "ofed"      // an OFED/MLNX_OFED tree: backports/NNNN-BACKPORT-*.patch + LINUX_BASE_BRANCH
	FormatSnapshot  = "snapshot"  // a release drop without history: a directory, .tar, .tar.gz/.tgz or .tar.xz/.txz
	FormatMbox      = "mbox"      // a mailing-list archive: an mbox file, a public-inbox repository or a directory of messages
	FormatPatchwork = "patchwork" // a Patchwork server's REST API (read only)
)

// Defaults of the [store] table, relative to the project file's directory.
const (
	DefaultStorePath = "kdelta.db"
	DefaultMirrorDir = "kdelta-mirrors"
)

// maxFileSize bounds a project file; a real one is a few kilobytes.
const maxFileSize = 4 << 20

var (
	kinds         = []string{KindUpstream, KindDistro, KindVendor, KindStable, KindQueue, KindList}
	layouts       = []string{LayoutLinux, LayoutRDMACore, LayoutWinOFED, LayoutOFED, LayoutCustom}
	mirrorMethods = []string{MirrorAuto, MirrorGoGit, MirrorGit}
)

// Kinds returns the kinds of source, in the order the project file documents them.
func Kinds() []string { return append([]string(nil), kinds...) }

// Layouts returns the known layouts.
func Layouts() []string { return append([]string(nil), layouts...) }

// Config is a parsed project file.
type Config struct {
	// File is the project file as named to ParseConfig or Load, used in
	// error messages; "" for a Config built in code.
	File string
	// Dir is the directory relative paths (store, mirrors, local source
	// URLs) resolve against: the project file's directory.
	Dir    string
	Store  Store
	Report Report
	// Sources in the order the file lists them.
	Sources []Source
	// ComponentSpecs are the file's [[component]] entries, which extend or
	// override the default map; see Components.
	ComponentSpecs []ComponentSpec
	// TestRuleSpecs are the file's [[test_rule]] entries, which extend or
	// override the default test rules; see TestRules.
	TestRuleSpecs []TestRule

	// From the parse, for error lines: the line of each key path
	// ("source[1].kind") and the names the sources and components had, so
	// that a Config edited in code after the parse gets no wrong lines.
	lines     map[string]int
	srcNames  []string
	compNames []string
}

// Report is the [report] table: what `kdelta report` adds by default.
type Report struct {
	// Compare names pairs of downstreams (A, B) whose comparison is a
	// section of every report, as `kdelta report --compare A:B` adds one.
	Compare [][2]string
}

// Store is the [store] table.
type Store struct {
	Path    string // SQLite database file; default "kdelta.db"
	URL     string // a PostgreSQL database a team shares (postgres://...); when set, Path is not used
	Mirrors string // directory where git sources are mirrored; default "kdelta-mirrors"
}

// StoreURLEnv names the variable whose URL, when set, is the store,
// whatever the project file says.
const StoreURLEnv = "KDELTA_STORE_URL"

// IsStoreURL says whether s is a store URL kdelta can use: PostgreSQL's.
func IsStoreURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Source is one [[source]] entry: a named tree.
type Source struct {
	Name     string   // unique; letters, digits, '.', '_', '-'
	Kind     string   // upstream, distro, vendor, stable or queue
	URL      string   // remote URL, file:// URL or local path (relative to Config.Dir)
	Refs     []string // branches or tags to read
	Layout   string   // linux, rdma-core, winofed, ofed or custom; default linux
	Upstream string   // the upstream source this one is measured against; "" for none
	Base     string   // the upstream commit or tag it starts from; "" for the merge-base
	Mirror   string   // auto, go-git or git; default auto
	Format   string   // git, series, ofed, snapshot, mbox or patchwork; default git
	Project  string   // patchwork: the project's link name, like "linux-rdma"
}

// IsGit says whether the source is a git repository, read by ref.
func (s *Source) IsGit() bool { return s.Format == FormatGit }

// DownstreamRefs lists the downstreams measured by commits or patches,
// as SOURCE@REF, in the order the file lists them.
func (c *Config) DownstreamRefs() []string {
	var out []string
	for i := range c.Sources {
		s := &c.Sources[i]
		if !s.IsDownstream() {
			continue
		}
		for _, ref := range s.RefNames() {
			out = append(out, s.Name+"@"+ref)
		}
	}
	return out
}

// RefNames returns the refs of a source as the store names them: a git
// source's refs, or the one ref of any other source, named for its format
// ("sles@series", "winof-3.1@snapshot").
func (s *Source) RefNames() []string {
	if s.Rules().History {
		return s.Refs
	}
	return []string{s.Format}
}

// TreeRef names the ref of a git upstream under which its files at rev are
// kept, for the snapshots compared with it.
func TreeRef(rev string) string { return "tree:" + rev }

// ComponentSpec is one [[component]] entry, or one entry of the default map.
type ComponentSpec struct {
	Name string
	// Paths maps a layout to its patterns. In an override, each layout
	// given replaces the default's patterns for that layout (an empty list
	// removes them); layouts not given keep the default's.
	Paths map[string][]string
	// Subjects are keywords matched against commit subjects. In an
	// override, nil keeps the default's keywords and a non-nil list
	// (even empty) replaces them.
	Subjects []string
}

// DefaultConfig returns the configuration used when no project file exists:
// the default store and mirror paths, no sources and no extra components.
func DefaultConfig() *Config {
	return &Config{
		Dir:   ".",
		Store: Store{Path: DefaultStorePath, Mirrors: DefaultMirrorDir},
	}
}

// Load reads and validates the project file at path. Relative paths in it
// resolve against the file's directory. A missing file gives an *Error that
// wraps fs.ErrNotExist.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read: " + ioReason(err), Err: err}
	}
	defer f.Close()
	c, err := ParseConfig(f, path)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(path); err == nil {
		c.Dir = filepath.Dir(abs)
	}
	if u := os.Getenv(StoreURLEnv); u != "" {
		if !IsStoreURL(u) {
			return nil, &Error{File: path, Msg: fmt.Sprintf("$%s must be a postgres:// URL (a PostgreSQL database), not a %s", StoreURLEnv, describeURL(u))}
		}
		c.Store.URL = u
	}
	return c, nil
}

// describeURL says what a store URL that is not PostgreSQL's looks like,
// without printing it: it may hold a password.
func describeURL(u string) string {
	if i := strings.Index(u, "://"); i > 0 {
		return u[:i] + ":// URL"
	}
	return "file name"
}

// ioReason is the reason of an I/O error without the path, which the
// message already names.
func ioReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}

// ParseConfig reads a project file from r. name is the file's name, used in
// error messages; its directory becomes Config.Dir. The result is validated
// and has its defaults filled in.
func ParseConfig(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read: " + ioReason(err), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d MiB; expected a small TOML project file", maxFileSize>>20)}
	}
	c, err := decode(string(data), name)
	if err != nil {
		return nil, err
	}
	c.Dir = filepath.Dir(name)
	if name == "" {
		c.Dir = "."
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Source returns the source with the given name, or nil.
func (c *Config) Source(name string) *Source {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i]
		}
	}
	return nil
}

// Downstreams returns the sources measured against the named upstream, in
// file order.
func (c *Config) Downstreams(upstream string) []*Source {
	var out []*Source
	for i := range c.Sources {
		if c.Sources[i].Upstream == upstream {
			out = append(out, &c.Sources[i])
		}
	}
	return out
}

// StoreLocation returns where the store is: the PostgreSQL URL when one
// is set, else the SQLite file (StorePath).
func (c *Config) StoreLocation() string {
	if c.Store.URL != "" {
		return c.Store.URL
	}
	return c.StorePath()
}

// StorePath returns the database file, resolved against Dir.
func (c *Config) StorePath() string {
	p := c.Store.Path
	if p == "" {
		p = DefaultStorePath
	}
	return c.resolve(p)
}

// MirrorDir returns the directory git sources are mirrored into, resolved
// against Dir.
func (c *Config) MirrorDir() string {
	p := c.Store.Mirrors
	if p == "" {
		p = DefaultMirrorDir
	}
	return c.resolve(p)
}

// SourceURL returns s.URL with a relative local path resolved against Dir;
// remote and file:// URLs are returned unchanged.
func (c *Config) SourceURL(s *Source) string {
	if isRemote(s.URL) || hasFileScheme(s.URL) {
		return s.URL
	}
	return c.resolve(s.URL)
}

// MirrorPath returns the directory s is mirrored into. Sources whose URLs
// name the same repository share it (see MirrorKey).
func (c *Config) MirrorPath(s *Source) string {
	return filepath.Join(c.MirrorDir(), MirrorKey(c.SourceURL(s)))
}

func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, p)
}
