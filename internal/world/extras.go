package world

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/fingerprint"
)

// The sources that are not git repositories, made from the repositories
// once they are written: a SUSE kernel-source series exported from the
// distro's commits (series.go), an MLNX_OFED backports tree exported from
// the vendor's (ofed.go), a mailing-list archive where vendor and SUSE
// patches are posted (mbox.go), a maintainer's for-next branch in the
// upstream repository that queues some vendor patches (queue.go), and two
// WinOFED release drops (snapshot.go).

// Names and paths of the extra sources.
const (
	slesName     = "sles"
	slesDir      = "sles"
	mlnxName     = "mlnx-ofed"
	mlnxDir      = "mlnx-ofed"
	win30Name    = "winofed-3.0"
	win30File    = "winofed-3.0.tar.gz"
	win31Name    = "winofed-3.1"
	win31File    = "winofed-3.1.tar.xz"
	listName     = "linux-rdma"
	listFile     = "linux-rdma.mbox"
	queueName    = "rdma-next"
	queueBranch  = "for-next"
	listAddress  = "linux-rdma@vger.kernel.org"
	slesBaseTag  = "v5.14"
	slesMaxGuard = 2
)

// extrasConfig sizes the extra sources. The bench world uses the demo
// world's counts: the extras are about formats, not scale.
type extrasConfig struct {
	series     int // SUSE patches, at most (and at most 40% of the distro's commits)
	backports  int // OFED backports, at most
	conflicts  int // SUSE patches whose Patch-mainline: claims a release they are not in
	postSeries int // vendor series posted as v1 and v2
	singles    int // vendor patches posted once
	queued     int // vendor patches on for-next
	slesPosted int // SUSE "Submitted" patches posted
	noise      int // unrelated patches on the list
}

func extrasFor(s Size) extrasConfig {
	if s == Small {
		return extrasConfig{series: 24, backports: 12, conflicts: 1, postSeries: 1, singles: 2, queued: 2, slesPosted: 2, noise: 3}
	}
	return extrasConfig{series: 128, backports: 40, conflicts: 2, postSeries: 3, singles: 6, queued: 5, slesPosted: 4, noise: 10}
}

// patch is a commit of a world repository read back as a patch.
type patch struct {
	id         string
	author     person
	when       int64 // author time
	commitTime int64
	subject    string
	body       string // the message after the subject paragraph
	files      []fingerprint.File
	changed    []change.File
	patchID    string
	text       []byte // the diff, as `git show` prints it
	stat       string // the diffstat and summary `git format-patch` prints
}

func (p *patch) paths() []string {
	var out []string
	for _, f := range p.changed {
		out = append(out, f.Path)
	}
	return out
}

// exportable says whether p is a plain text change: files added, deleted
// or modified in place, each with changed lines.
func (p *patch) exportable() bool {
	if len(p.files) == 0 || len(p.files) != len(p.changed) {
		return false
	}
	for i, f := range p.changed {
		src := p.files[i]
		if f.Binary || f.Status == change.Renamed || f.Added+f.Deleted == 0 ||
			src.OldMode != 0 && src.NewMode != 0 && src.OldMode != src.NewMode {
			return false
		}
	}
	return true
}

// genRepo is what the extras need of a generated downstream repository:
// its commits as the generator remembers them (message, file versions
// before and after) and its pack, for abbreviated object ids.
type genRepo struct {
	commits []*dcommit
	pw      *packWriter
}

// reader makes patches of a downstream repository's commits from the
// generator's memory, as `git format-patch` would write them from the
// repository.
type reader struct {
	g     *genRepo
	fb    *fingerprint.Builder
	cache map[int]*patch
}

func newReader(g *genRepo) *reader {
	return &reader{g: g, fb: fingerprint.NewBuilder(), cache: map[int]*patch{}}
}

// read returns commit i (in the order of the truth's entries) as a patch,
// or nil when it is not a plain text change or its file versions were not
// kept.
func (rd *reader) read(i int) *patch {
	if p := rd.cache[i]; p != nil {
		return p
	}
	dc := rd.g.commits[i]
	if !dc.plain || len(dc.paths) == 0 || len(dc.pre) != len(dc.paths) {
		return nil
	}
	p := &patch{id: dc.entry.ID, author: dc.obj.author, when: dc.obj.authorTime, commitTime: dc.obj.commitTime}
	p.subject, p.body, _ = strings.Cut(dc.obj.message, "\n\n")
	p.subject = strings.TrimSpace(p.subject)
	order := make([]int, len(dc.paths))
	for k := range order {
		order[k] = k
	}
	// git's diff order is the byte order of the full paths.
	sort.Slice(order, func(a, b int) bool { return dc.paths[order[a]] < dc.paths[order[b]] })
	zero := rd.g.pw.abbrev(oid{})
	for _, k := range order {
		pre, post := dc.pre[k], dc.post[k]
		if pre == post {
			continue
		}
		f := fingerprint.File{OldID: zero, NewID: zero}
		if pre != nil {
			f.OldPath, f.OldMode, f.Old, f.OldID = dc.paths[k], pre.mode, pre.bytes(), rd.g.pw.abbrev(pre.id())
		}
		if post != nil {
			f.NewPath, f.NewMode, f.New, f.NewID = dc.paths[k], post.mode, post.bytes(), rd.g.pw.abbrev(post.id())
		}
		p.files = append(p.files, f)
	}
	p.setDiff(rd.fb)
	rd.cache[i] = p
	return p
}

// setDiff fingerprints p.files and sets the diff, its patch-id and stat.
func (p *patch) setDiff(fb *fingerprint.Builder) {
	ch := fb.Build(p.files)
	p.changed, p.patchID = ch.Files, ch.PatchID
	p.text = withFuncNames(ch.Text, p.files)
	if p.exportable() {
		p.stat = diffstat(p.changed, p.files)
	}
}

// extras builds the extra sources into dir and their truth into truth.
type extras struct {
	dir   string
	cfg   extrasConfig
	up    *upstreamGen
	truth *Truth
	upPos map[string]int // upstream commit id -> generation index
	rhel  *reader
	ofed  *reader

	// Decisions shared between the sources.
	sles      *seriesOut
	ofedTree  *seriesOut
	backports []backport
	posts     *postPlan
	queue     *QueueInfo
	files     map[string]string // source name -> path
}

// buildExtras writes the extra sources under dir and adds their truth.
// seed seeds every decision; the repositories must be written, and rhel
// and ofed are what their generators kept.
func buildExtras(dir string, size Size, up *upstreamGen, rhel, ofed *genRepo, truth *Truth, seed int64) (map[string]string, error) {
	x := &extras{dir: dir, cfg: extrasFor(size), up: up, truth: truth, upPos: make(map[string]int, len(up.commits)),
		files: map[string]string{}, rhel: newReader(rhel), ofed: newReader(ofed)}
	for _, c := range up.commits {
		x.upPos[c.id.String()] = c.idx
	}

	r := rand.New(rand.NewSource(seed))
	seriesSeed, ofedSeed, postSeed, queueSeed, mboxSeed, winSeed := r.Int63(), r.Int63(), r.Int63(), r.Int63(), r.Int63(), r.Int63()
	steps := []struct {
		name string
		fn   func(*rand.Rand) error
		seed int64
	}{
		{"sles", x.buildSLES, seriesSeed},
		{"mlnx-ofed", x.selectBackports, ofedSeed},
		{"postings", x.planPostings, postSeed},
		{"for-next", x.buildQueue, queueSeed},
		{"mbox", x.writeMbox, mboxSeed},
		{"mlnx-ofed", x.writeBackports, 0},
		{"winofed", x.buildWinOFED, winSeed},
	}
	for _, s := range steps {
		if err := s.fn(rand.New(rand.NewSource(s.seed))); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	x.statuses()
	x.truth.Series = append(x.truth.Series, x.sles.truth, x.ofedTree.truth)
	return x.files, nil
}

// release is the first upstream release containing every one of ids, ""
// when one of them is in none yet.
func (x *extras) release(ids []string) string {
	best, bestIdx := "", -1
	for _, id := range ids {
		idx, ok := x.upPos[id]
		if !ok {
			return ""
		}
		rel := x.up.releaseOf(idx)
		if rel == "" {
			return ""
		}
		if idx > bestIdx {
			best, bestIdx = rel, idx
		}
	}
	return best
}

// statuses records the expected status of every vendor downstream-only
// commit the extras say something about (Truth.Derive fills in the rest
// and puts them in order), and gives the backports tree's downstream-only
// patches their commits' statuses.
func (x *extras) statuses() {
	for _, id := range x.posts.order {
		ps := x.posts.bySource[id]
		st := Status{Source: vendorName, Commit: id, Status: "submitted", MessageID: ps.latest().messageID, Version: ps.latest().version}
		if x.posts.queued[id] != "" {
			st.Status = "queued"
		}
		x.truth.Statuses = append(x.truth.Statuses, st)
	}
	// The backports tree's downstream-only patches take their commit's status.
	for i := range x.ofedTree.truth.Patches {
		p := &x.ofedTree.truth.Patches[i]
		if p.Kind != KindDownstreamOnly {
			continue
		}
		p.Status = "unknown"
		if ps := x.posts.bySource[p.From]; ps != nil {
			p.Status, p.MessageID, p.Version = "submitted", ps.latest().messageID, ps.latest().version
			if x.posts.queued[p.From] != "" {
				p.Status = "queued"
			}
		}
	}
}

// writeFile writes data to dir/rel, creating directories.
func writeFile(dir, rel string, data []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// subjectOnly strips the vendor and distro markers a downstream-only
// subject carries, leaving what it would say upstream.
func subjectOnly(s string) string {
	s = strings.TrimPrefix(s, "[redhat] ")
	s = strings.TrimPrefix(s, "RHEL-only: ")
	s = strings.TrimSuffix(s, " (RHEL-only)")
	s = strings.TrimSuffix(s, " (MLNX_OFED only)")
	return s
}

// proseOf returns the paragraphs of a downstream-only commit's body that
// explain the change: no tracker lines, vendor notes or trailers.
func proseOf(body string) string {
	var keep []string
	for _, para := range strings.Split(strings.TrimSpace(body), "\n\n") {
		first := strings.SplitN(para, "\n", 2)[0]
		switch {
		case strings.HasPrefix(first, "JIRA:"), strings.HasPrefix(first, "Upstream Status:"),
			strings.HasPrefix(first, "Issue:"), strings.HasPrefix(first, "Signed-off-by:"),
			strings.HasPrefix(first, "This is needed by MLNX_OFED"):
			continue
		}
		keep = append(keep, para)
	}
	return strings.Join(keep, "\n\n")
}

// trailerLines returns the lines of body that start with one of keys.
func trailerLines(body string, keys ...string) string {
	var b strings.Builder
	for _, l := range strings.Split(body, "\n") {
		for _, k := range keys {
			if strings.HasPrefix(l, k) {
				b.WriteString(l + "\n")
				break
			}
		}
	}
	return b.String()
}
