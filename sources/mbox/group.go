package mbox

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"
)

// UnthreadedWindow is how far apart, from the first, the patches of one
// series sent without threading may be dated: same sender, same version,
// same n/m total. git send-email dates a series' messages one second
// apart; half an hour leaves room for a series sent by hand from a mail
// client, and is short enough that one sender's two series of the same
// length rarely fall into it (they would also need disjoint indexes).
const UnthreadedWindow = 30 * time.Minute

// Series is one posting of a patch series: one version.
type Series struct {
	// ID is a stable key: the cover letter's message-id, else the first
	// patch's (lowest index, then earliest). A message without a
	// Message-ID is keyed "FILE:LINE" in an mbox, else "FILE#" and a hash
	// of its sender, date and subject.
	ID      string
	Version int
	Title   string   // the cover letter's title, else the first patch's
	Cover   *Message // nil when there is none
	// Patches are sorted by index, then date; a patch posted twice under
	// one series (a resend in the thread) is listed twice. They point into
	// the slice given to Group.
	Patches []*Message
	// Missing are the indexes of 1..Total that no patch has.
	Missing []int
	// Previous is the ID of the previous version of this series, "" when
	// none was found (see Group).
	Previous string
}

// Group groups the patches among msgs into series, and links each series
// to its previous version.
//
// A patch is a message with a diff that is neither a reply nor a cover
// letter nor a pull request. Patches threaded (In-Reply-To, else the
// nearest of References) under a cover letter of the same version form a
// series with it; patches threaded under a patch of the same version,
// total and sender (git send-email without a cover letter: 2..n under 1)
// join that patch's series; the patches and cover letters left unthreaded join by
// sender, version and total when dated within UnthreadedWindow of the
// first and their indexes do not clash. A patch without an n/m counter is
// a series of one. A cover letter without patches is a series too.
//
// Previous links a series to an earlier version: the one an explicit
// link in its cover letter or its patches' notes names as such ("v1:
// https://lore.kernel.org/r/<msgid>", "Link to v1: ...", "Changes since
// v1 [1]" and a footnote "[1] https://..."), else the one by the same
// sender whose title is equal after normalisation (case, white space, a
// final period) or whose patch titles overlap by MinTitleOverlap. Only a
// lower version posted before qualifies; among several, the highest
// version, then the latest posted.
//
// Messages with the same Message-ID (an archive read twice) count once.
// Series come sorted by the date of their first message, then ID.
func Group(msgs []Message) []Series {
	g := grouper{msgs: msgs, byID: map[string]int{}}
	g.classify()
	g.thread()
	g.unthreaded()
	series := g.build()
	linkVersions(series)
	return series
}

// A message's role in a series.
const (
	roleNone = iota
	rolePatch
	roleCover
)

// grouper holds the state of one Group call. Messages are referred to by
// their index in msgs.
type grouper struct {
	msgs []Message
	byID map[string]int
	role []int
	// root is the index of the message whose group a message joins:
	// itself for a root; -1 for a message that is in no series.
	root []int
}

// key returns the stable key of message i: its Message-ID, else
// "FILE:LINE" in an mbox, else "FILE#" and a hash of its sender, date and
// subject.
func (g *grouper) key(i int) string {
	m := &g.msgs[i]
	switch {
	case m.MessageID != "":
		return m.MessageID
	case m.Line > 0:
		return m.File + ":" + strconv.Itoa(m.Line)
	}
	h := sha1.Sum([]byte(m.FromEmail + "\x00" + m.Date.UTC().Format(time.RFC3339) + "\x00" + m.Subject))
	return m.File + "#" + hex.EncodeToString(h[:6])
}

// classify finds the patches and cover letters, skipping duplicates.
func (g *grouper) classify() {
	g.role = make([]int, len(g.msgs))
	g.root = make([]int, len(g.msgs))
	for i := range g.msgs {
		g.root[i] = -1
		m := &g.msgs[i]
		if m.MessageID != "" {
			if _, dup := g.byID[m.MessageID]; dup {
				continue
			}
			g.byID[m.MessageID] = i
		}
		switch {
		case m.Tags.Reply || isPull(m.Tags):
		case m.Tags.Cover():
			g.role[i] = roleCover
		case m.Diff != nil:
			g.role[i] = rolePatch
		}
	}
}

// isPull reports whether a subject is a pull request's ("[GIT PULL]").
func isPull(t Tags) bool {
	for _, p := range t.Prefixes {
		if strings.EqualFold(p, "PULL") {
			return true
		}
	}
	return false
}

// thread sets the root of every cover letter (itself) and patch.
func (g *grouper) thread() {
	const (
		unvisited = -1
		visiting  = -2
	)
	state := make([]int, len(g.msgs))
	for i := range state {
		state[i] = unvisited
	}
	// find returns the root of patch or cover i; iterative so that a long
	// deep-threaded series cannot exhaust the stack.
	find := func(i int) int {
		var path []int
		cur := i
		for {
			if state[cur] >= 0 {
				break
			}
			if state[cur] == visiting { // a threading loop: stop here
				state[cur] = cur
				break
			}
			state[cur] = visiting
			path = append(path, cur)
			parent := -1
			if g.role[cur] == rolePatch {
				parent = g.threadParent(cur)
			}
			if parent < 0 {
				state[cur] = cur
				break
			}
			cur = parent
		}
		r := state[cur]
		for _, p := range path {
			state[p] = r
		}
		return r
	}
	for i := range g.msgs {
		if g.role[i] != roleNone {
			g.root[i] = find(i)
		}
	}
}

// threadParent returns the nearest thread ancestor of patch i that it
// belongs with: a cover letter of its version, or a patch of its version
// and total from its sender; -1 when there is none. The ancestors are
// In-Reply-To, then References from the last.
func (g *grouper) threadParent(i int) int {
	m := &g.msgs[i]
	try := func(id string) int {
		j, ok := g.byID[id]
		if !ok || j == i {
			return -1
		}
		a := &g.msgs[j]
		switch {
		case g.role[j] == roleCover && a.Tags.Version == m.Tags.Version && m.Tags.Total > 0:
			return j
		case g.role[j] == rolePatch && a.Tags.Version == m.Tags.Version && a.Tags.Total == m.Tags.Total && m.Tags.Total > 0 &&
			strings.EqualFold(a.FromEmail, m.FromEmail):
			return j
		}
		return -1
	}
	if m.InReplyTo != "" {
		if j := try(m.InReplyTo); j >= 0 {
			return j
		}
	}
	for k := len(m.References) - 1; k >= 0; k-- {
		if j := try(m.References[k]); j >= 0 {
			return j
		}
	}
	return -1
}

// unthreaded joins the groups of patches sent without threading: same
// sender, version and total, dated within UnthreadedWindow of the first,
// indexes that do not clash, at most one cover letter.
func (g *grouper) unthreaded() {
	type group struct {
		root    int
		first   time.Time
		indexes map[int]bool
		cover   bool
	}
	groups := map[int]*group{}
	var order []*group
	for i := range g.msgs {
		r := g.root[i]
		if r < 0 {
			continue
		}
		m := &g.msgs[i]
		gr := groups[r]
		if gr == nil {
			gr = &group{root: r, first: m.Date, indexes: map[int]bool{}}
			groups[r] = gr
			order = append(order, gr)
		}
		if m.Date.Before(gr.first) {
			gr.first = m.Date
		}
		gr.indexes[m.Tags.Index] = true
		if g.role[i] == roleCover {
			gr.cover = true
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return order[a].first.Before(order[b].first) })

	type clusterKey struct {
		sender         string
		version, total int
	}
	clusters := map[clusterKey][]*group{}
	merged := map[int]int{} // root -> root it was merged into
	for _, gr := range order {
		rm := &g.msgs[gr.root]
		if rm.Tags.Total == 0 || rm.FromEmail == "" || gr.first.IsZero() {
			continue
		}
		k := clusterKey{strings.ToLower(rm.FromEmail), rm.Tags.Version, rm.Tags.Total}
		var into *group
		cs := clusters[k]
		for j := len(cs) - 1; j >= 0; j-- { // the latest that fits
			c := cs[j]
			if gr.first.Sub(c.first) > UnthreadedWindow {
				break // the clusters are in date order
			}
			if !(gr.cover && c.cover) && !clash(c.indexes, gr.indexes) {
				into = c
				break
			}
		}
		if into == nil {
			clusters[k] = append(clusters[k], gr)
			continue
		}
		for idx := range gr.indexes {
			into.indexes[idx] = true
		}
		into.cover = into.cover || gr.cover
		merged[gr.root] = into.root
	}
	for i, r := range g.root {
		if r < 0 {
			continue
		}
		if to, ok := merged[r]; ok {
			g.root[i] = to
		}
	}
}

// clash reports whether two sets of indexes share one.
func clash(a, b map[int]bool) bool {
	for i := range b {
		if a[i] {
			return true
		}
	}
	return false
}

// build turns the groups into series.
func (g *grouper) build() []Series {
	members := map[int][]int{}
	var roots []int
	for i, r := range g.root {
		if r < 0 {
			continue
		}
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	out := make([]Series, 0, len(roots))
	for _, r := range roots {
		var s Series
		cover := -1
		var patches []int
		for _, i := range members[r] {
			if g.role[i] == roleCover {
				if cover < 0 || g.msgs[i].Date.Before(g.msgs[cover].Date) {
					cover = i
				}
				continue
			}
			patches = append(patches, i)
		}
		sort.SliceStable(patches, func(a, b int) bool {
			pa, pb := &g.msgs[patches[a]], &g.msgs[patches[b]]
			if pa.Tags.Index != pb.Tags.Index {
				return pa.Tags.Index < pb.Tags.Index
			}
			return pa.Date.Before(pb.Date)
		})
		for _, i := range patches {
			s.Patches = append(s.Patches, &g.msgs[i])
		}
		head := cover
		if cover >= 0 {
			s.Cover = &g.msgs[cover]
		} else {
			head = patches[0]
		}
		hm := &g.msgs[head]
		s.ID = g.key(head)
		s.Version = hm.Tags.Version
		s.Title = hm.Tags.Title
		if total := hm.Tags.Total; total > 0 {
			have := make(map[int]bool, len(s.Patches))
			for _, p := range s.Patches {
				have[p.Tags.Index] = true
			}
			for k := 1; k <= total; k++ {
				if !have[k] {
					s.Missing = append(s.Missing, k)
				}
			}
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(a, b int) bool {
		da, db := seriesDate(&out[a]), seriesDate(&out[b])
		if !da.Equal(db) {
			return da.Before(db)
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// seriesDate is when a series was posted: its earliest message's date.
func seriesDate(s *Series) time.Time {
	var d time.Time
	if s.Cover != nil {
		d = s.Cover.Date
	}
	for _, p := range s.Patches {
		if d.IsZero() || (!p.Date.IsZero() && p.Date.Before(d)) {
			d = p.Date
		}
	}
	return d
}
