package project

import (
	"fmt"
	"strings"
)

// FormatRules are what a project file's validation, and whatever asks how
// a source is read or measured, know of one source format. Each format is
// read by one implementation in ingest (ingest/git.go, ingest/series.go,
// ...), which returns these rules; validation asks for them by name
// (FormatOf) and never names a format itself.
//
// To add a format: write one file in ingest that implements its reader,
// returns its FormatRules and registers both in an init func (ingest's
// register, which calls RegisterFormat), plus its tests. The formats
// below are the ones every binary knows, whether or not it links ingest:
// internal/world, kdelta-bench and kdelta-faults load project files that
// name them without reading any source.
type FormatRules struct {
	Name string
	// Unit is what a sync of a source of this format counts:
	// "commits", "patches", "files", "messages", "postings looked up".
	Unit string
	// URL is the kind of url the format takes, and URLWanted says, in the
	// words of an error message, what the url must be.
	URL       URLKind
	URLWanted string
	// History: a history of commits read by ref. Its sources must list
	// refs; a source of any other format must not, and has one ref named
	// for its format ("sles@series").
	History bool
	// Upstream: a source of this format may be an upstream or a queue,
	// whose commits others are measured against.
	Upstream bool
	// List: a mailing-list archive. A source of kind list must have a list
	// format, and a source of a list format must be of kind list.
	List bool
	// ByFiles: a release drop without history, measured file by file
	// against its upstream's tree or an earlier drop of its own format, not
	// by its commits.
	ByFiles bool
	// ReadsLists: reading it looks up what the list sources posted (and
	// marks their postings), so it is read after them and holds them.
	ReadsLists bool
	// Keys are the keys only some formats take that this one takes
	// (see formatKeys): "project" for patchwork.
	Keys []string
	// Check, when not nil, checks what the common rules do not. It returns
	// the problem's message without the source's name, and the keys whose
	// line the problem is reported at; "" when the source is fine.
	Check func(s *Source) (msg string, keys []string)
}

// URLKind is the kind of url a format takes.
type URLKind int

const (
	// URLRepository is a remote URL, a file:// URL or a local path.
	URLRepository URLKind = iota
	// URLLocal is a local path: a remote url is refused ("download it first").
	URLLocal
	// URLHTTP is an http:// or https:// URL.
	URLHTTP
)

// formatKeys are the keys of a [[source]] that only some formats take,
// each with whether a source sets it.
var formatKeys = []struct {
	name string
	set  func(s *Source) bool
}{
	{"project", func(s *Source) bool { return s.Project != "" }},
}

// builtinFormats are the formats every binary knows, in the order error
// messages list them. Their readers are in ingest, one file each.
var builtinFormats = []FormatRules{
	{Name: FormatGit, Unit: "commits", URL: URLRepository, History: true, Upstream: true,
		URLWanted: "a remote URL, a file:// URL or a local path to a git repository"},
	{Name: FormatSeries, Unit: "patches", URL: URLLocal,
		URLWanted: "a local path to a quilt tree (a series file) or a SUSE kernel-source tree (series.conf)"},
	{Name: FormatOFED, Unit: "patches", URL: URLLocal,
		URLWanted: "a local path to an OFED tree (backports/ and LINUX_BASE_BRANCH)"},
	{Name: FormatSnapshot, Unit: "files", URL: URLLocal, ByFiles: true,
		URLWanted: "a local path to a release directory or a .tar, .tar.gz, .tgz, .tar.xz or .txz archive"},
	{Name: FormatMbox, Unit: "messages", URL: URLLocal, List: true,
		URLWanted: "a local path to an mbox file, a public-inbox repository or a directory of messages"},
	{Name: FormatPatchwork, Unit: "postings looked up", URL: URLHTTP, List: true, ReadsLists: true, Keys: []string{"project"},
		URLWanted: `the Patchwork server's URL, like "https://patchwork.kernel.org"`,
		Check: func(s *Source) (string, []string) {
			if s.Project == "" {
				return `a patchwork source needs project, like project = "linux-rdma"`, []string{"format"}
			}
			return "", nil
		}},
}

// registered are the formats RegisterFormat added, after builtinFormats.
// It is written only by init funcs, before any project file is read.
var registered []FormatRules

// RegisterFormat makes a format defined outside this package (by its
// reader's file in ingest) known to validation. Call it only from an init
// func, as image.RegisterFormat; it panics on a name already known.
func RegisterFormat(r FormatRules) {
	if r.Name == "" {
		panic("project: RegisterFormat: a format needs a name")
	}
	if _, ok := FormatOf(r.Name); ok {
		panic(fmt.Sprintf("project: RegisterFormat: format %q is registered twice", r.Name))
	}
	registered = append(registered, r)
}

// FormatOf returns the rules of the named format; "" is the default, git.
// ok is false for a format nobody registered.
func FormatOf(name string) (r FormatRules, ok bool) {
	if name == "" {
		name = FormatGit
	}
	for _, list := range [][]FormatRules{builtinFormats, registered} {
		for _, r := range list {
			if r.Name == name {
				return r, true
			}
		}
	}
	return FormatRules{}, false
}

// Formats returns the names of the known formats, in the order error
// messages list them.
func Formats() []string {
	var out []string
	for _, list := range [][]FormatRules{builtinFormats, registered} {
		for _, r := range list {
			out = append(out, r.Name)
		}
	}
	return out
}

// Rules returns the rules of the source's format (the zero FormatRules for
// an unknown one, which validation refuses).
func (s *Source) Rules() FormatRules {
	r, _ := FormatOf(s.Format)
	return r
}

// IsDownstream says whether the source is measured against an upstream by
// its commits or patches (see the function IsDownstream).
func (s *Source) IsDownstream() bool { return IsDownstream(s.Kind, s.Format, s.Upstream) }

// IsDownstream says whether a source of the given kind and format that
// names the given upstream is measured against it by its commits or
// patches: it names one and is not a queue or a list (which are evidence)
// nor of a format measured by files (a snapshot). It takes the fields, not
// a Source, so that the store's rows of sources ask it too.
func IsDownstream(kind, format, upstream string) bool {
	if upstream == "" || kind == KindQueue || kind == KindList {
		return false
	}
	r, _ := FormatOf(format)
	return !r.ByFiles
}

// orList joins names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// formatsWhere names the known formats whose rules pass keep, in order.
func formatsWhere(keep func(FormatRules) bool) []string {
	var out []string
	for _, name := range Formats() {
		if r, _ := FormatOf(name); keep(r) {
			out = append(out, name)
		}
	}
	return out
}
