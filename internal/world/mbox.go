package world

import (
	"bytes"
	"fmt"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/sources/fingerprint"
)

// The linux-rdma archive: an mbox file (mboxrd, "From sender date"
// separators, as list archives are) with what `git send-email` posts and
// what reviewers answer. Vendor downstream-only patches are posted as
// series (a v1 whose diff differs in a line, then a v2 with the carried
// diff, each with a cover letter, threaded by In-Reply-To/References) or
// once on their own; SUSE patches marked Submitted are posted on the day
// their header says; reviewers reply quoting part of a diff; other
// developers post patches no tree carries.

// message is one mail of the archive.
type message struct {
	messageID  string
	from       person
	to, cc     []string
	subject    string
	date       int64
	inReplyTo  string
	references []string
	body       string
	kind       string // cover, patch or reply
	version    int
	series     string
	carries    *Carried
	mailer     string // X-Mailer or User-Agent value
	seq        int    // creation order, to keep equal dates stable
}

// postedCommit is a vendor commit and its postings, oldest first.
type postedCommit struct {
	e        Entry
	p        *patch
	versions []*message
}

func (pc *postedCommit) latest() *message { return pc.versions[len(pc.versions)-1] }

// postPlan is every message of the archive and what it says about the
// vendor's commits.
type postPlan struct {
	msgs     []*message
	bySource map[string]*postedCommit // vendor commit id -> postings
	order    []string                 // vendor commits posted, in branch order
	queued   map[string]string        // vendor commit id -> for-next commit id
	ids      map[string]bool
	fb       *fingerprint.Builder
}

func (pp *postPlan) add(m *message) *message {
	m.seq = len(pp.msgs)
	pp.msgs = append(pp.msgs, m)
	return m
}

// sendEmailID is a Message-ID as git send-email makes it: the time the
// batch is sent, its process id, the message's number in the batch and the
// sender's address.
func (pp *postPlan) sendEmailID(t int64, pid, n int, p person) string {
	for {
		id := fmt.Sprintf("%s.%d-%d-%s", fmtCompact(t), pid, n, p.email)
		if !pp.ids[id] {
			pp.ids[id] = true
			return id
		}
		pid++
	}
}

// mutterID is a Message-ID as mutt makes it.
func (pp *postPlan) mutterID(t int64, p person) string {
	host := p.email[strings.IndexByte(p.email, '@')+1:]
	for k := 0; ; k++ {
		id := fmt.Sprintf("%s.G%c%d@%s", fmtCompact(t), 'A'+byte(k%26), 1000+k, host)
		if !pp.ids[id] {
			pp.ids[id] = true
			return id
		}
	}
}

var coverTitles = []string{"Fixes and cleanups", "Improve error handling", "Device capability updates",
	"Firmware interface updates", "Small fixes for the next release", "Robustness fixes"}

var reviewComments = []string{
	"Why is this needed only here? The same pattern exists in the caller.",
	"Please use the existing helper instead of open coding it.",
	"This changes the behaviour for every device, not only for the one the\ncommit message talks about. Please limit it.",
	"The lock is not held on this path, so the check is racy.",
}

// planPostings decides which vendor commits are posted, how, and when,
// and makes every message except the maintainer's replies to queued
// patches (buildQueue adds those).
func (x *extras) planPostings(r *rand.Rand) error {
	pp := &postPlan{bySource: map[string]*postedCommit{}, queued: map[string]string{}, ids: map[string]bool{}, fb: fingerprint.NewBuilder()}
	x.posts = pp
	ds := x.truth.Downstream(vendorName)
	var cand []*postedCommit
	for i, e := range ds.Commits {
		if e.Kind != KindDownstreamOnly || e.RevertedBy != "" {
			continue
		}
		if p := x.ofed.read(i); p != nil && p.exportable() {
			cand = append(cand, &postedCommit{e: e, p: p})
		}
	}
	// Series: runs of 2 or 3 consecutive commits, the first among the
	// latest commits (the maintainer queues recent postings); then singles,
	// half of them recent.
	taken := make([]bool, len(cand))
	recent := len(cand) * 2 / 3
	var series [][]*postedCommit
	for pass, order := range [][]int{permFrom(r, recent, len(cand)), r.Perm(len(cand))} {
		for _, start := range order {
			if len(series) >= min(1+pass*x.cfg.postSeries, x.cfg.postSeries) {
				break
			}
			n := min(2+r.Intn(2), len(cand)-start)
			if n < 2 {
				continue
			}
			free := true
			for k := start; k < start+n; k++ {
				free = free && !taken[k]
			}
			if !free {
				continue
			}
			for k := start; k < start+n; k++ {
				taken[k] = true
			}
			series = append(series, cand[start:start+n])
		}
	}
	var singles []*postedCommit
	for pass, order := range [][]int{permFrom(r, recent, len(cand)), r.Perm(len(cand))} {
		for _, k := range order {
			if len(singles) < (x.cfg.singles+1)/2+pass*x.cfg.singles && len(singles) < x.cfg.singles && !taken[k] {
				taken[k] = true
				singles = append(singles, cand[k])
			}
		}
	}
	for _, s := range series {
		x.postSeries(r, s)
	}
	for _, pc := range singles {
		x.postSingle(r, pc)
	}
	for i, c := range cand {
		if taken[i] {
			pp.bySource[c.e.ID] = c
			pp.order = append(pp.order, c.e.ID)
		}
	}
	for _, sp := range x.sles.posts {
		m := x.postPatch(r, sp.author, sp.when, "[PATCH] "+sp.subject, sp.body, sp.p, 1)
		m.carries = &Carried{Source: slesName, Path: sp.path, SameDiff: true}
		tp := &x.sles.truth.Patches[sp.index]
		tp.MessageID, tp.Version = m.messageID, 1
	}
	return x.postNoise(r)
}

// permFrom is a random permutation of the integers in [lo, hi).
func permFrom(r *rand.Rand, lo, hi int) []int {
	out := r.Perm(hi - lo)
	for i := range out {
		out[i] += lo
	}
	return out
}

// postSeries posts commits as a v1 series with a line changed in some
// patches, and as a v2 with the carried diffs.
func (x *extras) postSeries(r *rand.Rand, s []*postedCommit) {
	pp := x.posts
	sender := s[0].p.author
	t := s[0].p.commitTime
	for _, pc := range s {
		t = max(t, pc.p.commitTime)
	}
	t += 86400 + r.Int63n(6*86400)
	prefix := s[0].p.subject
	if i := strings.Index(prefix, ": "); i > 0 {
		prefix = prefix[:i]
	}
	title := joinSubject(prefix, pick(r, coverTitles))
	var v1Cover string
	var v1Patch *message
	for version := 1; version <= 2; version++ {
		tag := "rdma-next"
		if version > 1 {
			tag += fmt.Sprintf(" v%d", version)
		}
		n := len(s)
		pid := 1000 + r.Intn(60000)
		coverID := pp.sendEmailID(t, pid, 1, sender)
		var body strings.Builder
		body.WriteString("Hi,\n\n" + wrap(fmt.Sprintf("This series from %s brings %s to the %s code.", sender.name,
			strings.ToLower(title[len(prefix)+2:]), prefix)) + "\n\n")
		if version > 1 {
			fmt.Fprintf(&body, "Changelog:\nv%d:\n * Addressed review comments.\nv1: https://lore.kernel.org/r/%s\n\n", version, v1Cover)
		}
		body.WriteString("Thanks\n\n")
		fmt.Fprintf(&body, "%s (%d):\n", sender.name, n)
		for _, pc := range s {
			fmt.Fprintf(&body, "  %s\n", subjectOnly(pc.p.subject))
		}
		body.WriteString("\n" + mailSignature())
		pp.add(&message{messageID: coverID, from: sender, subject: fmt.Sprintf("[PATCH %s 0/%d] %s", tag, n, title),
			date: t, body: body.String(), kind: "cover", version: version, series: coverID})
		if version == 1 {
			v1Cover = coverID
		}
		for k, pc := range s {
			p := pc.p
			same := true
			if version == 1 && (k == 0 || chance(r, 0.5)) {
				if v := x.variant(r, p); v != nil {
					p, same = v, false
				}
			}
			note := ""
			if version > 1 {
				note = fmt.Sprintf("Changes in v%d:\n - %s\n\n", version, pick(r, []string{"Reworded the commit message.", "Fixed the error path.", "Rebased on rdma-next.", "Dropped the unneeded check."}))
			}
			subj := fmt.Sprintf("[PATCH %s %d/%d] %s", tag, k+1, n, subjectOnly(pc.p.subject))
			m := patchMessage(sender, pc.p.author, t+int64(k+1), subj, proseOf(pc.p.body)+"\n\n"+sob(pc.p.author), p, note)
			m.messageID = pp.sendEmailID(t, pid, k+2, sender)
			m.inReplyTo, m.references = coverID, []string{coverID}
			m.version, m.series = version, coverID
			m.carries = &Carried{Source: vendorName, Commit: pc.e.ID, SameDiff: same}
			pp.add(m)
			pc.versions = append(pc.versions, m)
			if version == 1 && k == 0 {
				v1Patch = m
			}
		}
		if version == 1 {
			x.reply(v1Patch, pick(r, reviewers), t+3600+r.Int63n(2*86400), pick(r, reviewComments))
			t += 7*86400 + r.Int63n(14*86400)
		} else {
			target := s[len(s)-1].latest()
			rv := pick(r, reviewers)
			x.reply(target, rv, t+3600+r.Int63n(2*86400), fmt.Sprintf("Thanks,\nReviewed-by: %s <%s>", rv.name, rv.email))
		}
	}
}

// postSingle posts one commit once, with its carried diff.
func (x *extras) postSingle(r *rand.Rand, pc *postedCommit) {
	t := pc.p.commitTime + 86400 + r.Int63n(9*86400)
	m := patchMessage(pc.p.author, pc.p.author, t, "[PATCH for-next] "+subjectOnly(pc.p.subject),
		proseOf(pc.p.body)+"\n\n"+sob(pc.p.author), pc.p, "")
	m.messageID = x.posts.sendEmailID(t, 1000+r.Intn(60000), 1, pc.p.author)
	m.version = 1
	m.carries = &Carried{Source: vendorName, Commit: pc.e.ID, SameDiff: true}
	x.posts.add(m)
	pc.versions = append(pc.versions, m)
}

// postPatch posts a patch on its own and returns its message.
func (x *extras) postPatch(r *rand.Rand, sender person, t int64, subject, msg string, p *patch, version int) *message {
	m := patchMessage(sender, sender, t, subject, msg, p, "")
	m.messageID = x.posts.sendEmailID(t, 1000+r.Intn(60000), 1, sender)
	m.version = version
	return x.posts.add(m)
}

// patchMessage is a patch mail as git send-email writes it: the message,
// "---", notes, the diffstat and the diff. A patch sent by someone else
// than its author starts with an in-body From: line.
func patchMessage(sender, author person, t int64, subject, msg string, p *patch, note string) *message {
	var b strings.Builder
	if author != sender {
		fmt.Fprintf(&b, "From: %s <%s>\n\n", author.name, author.email)
	}
	b.WriteString(strings.TrimLeft(msg, "\n"))
	if author != sender {
		b.WriteString(sob(sender))
	}
	b.WriteString("---\n" + note + p.stat + "\n" + string(p.text) + mailSignature())
	return &message{from: sender, subject: subject, date: t, body: b.String(), kind: "patch", mailer: "git-send-email " + gitVersion}
}

// variant returns p with one added line changed the way a reviewer's
// comment changes it, or nil when no line could be changed.
func (x *extras) variant(r *rand.Rand, p *patch) *patch {
	added := addedLines(p.text)
	for fi, lines := range added {
		if fi >= len(p.files) || len(lines) == 0 {
			continue
		}
		f := p.files[fi]
		content := splitLines(f.New)
		a := areaOfPath(f.NewPath)
		if a == nil {
			continue
		}
		cd := code{r: r, a: a}
		for _, i := range r.Perm(len(lines)) {
			at := lines[i]
			if at >= len(content) {
				continue
			}
			nl, _, ok := cd.mutate(content[at])
			if !ok {
				continue
			}
			was := content[at]
			content[at] = nl
			v := &patch{id: p.id, author: p.author, when: p.when, commitTime: p.commitTime, subject: p.subject, body: p.body}
			v.files = append([]fingerprint.File(nil), p.files...)
			nf := v.files[fi]
			nf.New = joinLines(content)
			nf.NewID = hashObject(objBlob, nf.New).String()[:len(nf.NewID)]
			v.files[fi] = nf
			v.setDiff(x.posts.fb)
			if v.patchID != p.patchID && v.exportable() {
				return v
			}
			content[at] = was
		}
	}
	return nil
}

func joinLines(lines []string) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// reply answers to a message, quoting the start of its text and the
// first hunk of its diff.
func (x *extras) reply(to *message, who person, t int64, comment string) *message {
	var b strings.Builder
	fmt.Fprintf(&b, "On %s, %s wrote:\n", time.Unix(to.date, 0).In(time.FixedZone("", to.from.tz*60)).Format("Mon, Jan 02, 2006 at 03:04:05PM -0700"), to.from.name)
	lines := strings.Split(to.body, "\n")
	for _, l := range lines {
		if l == "" || strings.HasPrefix(l, "From: ") {
			break
		}
		b.WriteString(quote(l))
	}
	if d := strings.Index(to.body, "\ndiff --git "); d >= 0 {
		b.WriteString(">\n> [...]\n>\n")
		hunk := false
		n := 0
		for _, l := range strings.Split(to.body[d+1:], "\n") {
			b.WriteString(quote(l))
			if strings.HasPrefix(l, "@@") {
				hunk = true
			} else if hunk {
				n++
			}
			if hunk && n >= 4 && (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) {
				break
			}
			if n > 12 {
				break
			}
		}
	}
	b.WriteString("\n" + comment + "\n")
	refs := append(append([]string(nil), to.references...), to.messageID)
	m := &message{messageID: x.posts.mutterID(t, who), from: who, to: []string{address(to.from)}, subject: "Re: " + to.subject, date: t, body: b.String(),
		kind: "reply", version: to.version, series: to.series, inReplyTo: to.messageID, references: refs, mailer: "Mutt/2.2.12 (2023-09-09)"}
	return x.posts.add(m)
}

func quote(l string) string {
	if l == "" {
		return ">\n"
	}
	return "> " + l + "\n"
}

// postNoise posts patches of other developers that no tree carries:
// changes to upstream files, some posted as a later version.
func (x *extras) postNoise(r *rand.Rand) error {
	ds := x.truth.Downstream(vendorName)
	base := x.up.commits[x.upPos[ds.BaseCommit]].obj.commitTime
	end := x.up.clock + 30*86400
	fb := x.posts.fb
	for made, try := 0, 0; made < x.cfg.noise && try < 50*x.cfg.noise; try++ {
		a := pickArea(r, nil)
		if !a.rdma {
			continue
		}
		files := areaFiles(x.up.root, a)
		if len(files) == 0 {
			continue
		}
		path := pick(r, files)
		f := x.up.root.get(path)
		e, ok := (code{r: r, a: a}).editFile(path, f.lines, "", nil)
		if !ok {
			continue
		}
		res, ok := applyChange(x.up.root, &changeSet{Files: []fileChange{{Op: opModify, Path: path, Hunks: e.hunks}}}, true)
		if !ok {
			continue
		}
		old, cur := f.bytes(), res.root.get(path).bytes()
		p := &patch{files: []fingerprint.File{{OldPath: path, NewPath: path, OldMode: f.mode, NewMode: f.mode,
			OldID: hashObject(objBlob, old).String()[:12], NewID: hashObject(objBlob, cur).String()[:12], Old: old, New: cur}}}
		p.setDiff(fb)
		if !p.exportable() {
			continue
		}
		au := x.up.author(a)
		t := base + r.Int63n(end-base)
		version := 1
		tag := "[PATCH"
		switch r.Intn(4) {
		case 0:
			version = 2 + r.Intn(3)
			tag += fmt.Sprintf(" v%d", version)
		case 1:
			tag += " for-rc"
		case 2:
			tag += " for-next"
		}
		subject := tag + "] " + joinSubject(prefixFor(r, a, path), fill(e.what, e.fn))
		m := x.postPatch(r, au, t, subject, wrap(fill(e.why, e.fn))+"\n\n"+sob(au), p, version)
		if chance(r, 0.4) {
			x.reply(m, pick(r, reviewers), t+3600+r.Int63n(3*86400), pick(r, reviewComments))
		}
		made++
	}
	return nil
}

// writeMbox writes the archive in date order and records its truth.
func (x *extras) writeMbox(*rand.Rand) error {
	msgs := append([]*message(nil), x.posts.msgs...)
	sort.SliceStable(msgs, func(i, j int) bool {
		if msgs[i].date != msgs[j].date {
			return msgs[i].date < msgs[j].date
		}
		return msgs[i].seq < msgs[j].seq
	})
	info := PostingsInfo{Source: listName, Messages: []Posting{}}
	var b bytes.Buffer
	for _, m := range msgs {
		m.write(&b)
		info.Messages = append(info.Messages, Posting{MessageID: m.messageID, Subject: m.subject, Kind: m.kind, Version: m.version,
			Series: m.series, InReplyTo: m.inReplyTo, Date: time.Unix(m.date, 0).UTC().Format(time.RFC3339), Carries: m.carries})
	}
	path := filepath.Join(x.dir, listFile)
	if err := writeFile(x.dir, listFile, b.Bytes()); err != nil {
		return err
	}
	x.truth.Postings = append(x.truth.Postings, info)
	x.files[listName] = path
	return nil
}

// write appends m to an mboxrd archive.
func (m *message) write(b *bytes.Buffer) {
	fmt.Fprintf(b, "From %s %s\n", m.from.email, mboxDate(m.date))
	fmt.Fprintf(b, "From: %s\n", address(m.from))
	to := m.to
	if len(to) == 0 {
		to = []string{address(rdmaMaintainers[0]), address(rdmaMaintainers[1])}
	}
	b.WriteString(foldHeader("To: " + strings.Join(to, ", ")))
	b.WriteString(foldHeader("Cc: " + strings.Join(append([]string{listAddress}, m.cc...), ", ")))
	b.WriteString(foldHeader("Subject: " + m.subject))
	fmt.Fprintf(b, "Date: %s\n", mailDate(m.date, m.from.tz))
	fmt.Fprintf(b, "Message-ID: <%s>\n", m.messageID)
	if m.inReplyTo != "" {
		fmt.Fprintf(b, "In-Reply-To: <%s>\n", m.inReplyTo)
		refs := make([]string, len(m.references))
		for i, r := range m.references {
			refs[i] = "<" + r + ">"
		}
		b.WriteString(foldHeader("References: " + strings.Join(refs, " ")))
	}
	b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n")
	if strings.HasPrefix(m.mailer, "git-send-email") {
		b.WriteString("X-Mailer: " + m.mailer + "\n")
	} else if m.mailer != "" {
		b.WriteString("User-Agent: " + m.mailer + "\n")
	}
	b.WriteString("\n")
	b.WriteString(mboxrdEscape(m.body))
	if !strings.HasSuffix(m.body, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// address formats a person for a mail header, RFC 2047-encoding a name
// that is not ASCII as git does.
func address(p person) string {
	return mailName("From: ", p.name) + " <" + p.email + ">"
}

// foldHeader folds a header line at spaces to lines of at most 78
// characters, continuation lines starting with a space.
func foldHeader(h string) string {
	var b strings.Builder
	line := ""
	for i, w := range strings.Split(h, " ") {
		switch {
		case i == 0:
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > 78:
			b.WriteString(line + "\n")
			line = " " + w
		default:
			line += " " + w
		}
	}
	return b.String() + line + "\n"
}

// mboxrdEscape quotes every body line that starts with zero or more '>'
// and then "From " with one more '>', as mboxrd does.
func mboxrdEscape(body string) string {
	if !strings.Contains(body, "From ") {
		return body
	}
	lines := strings.SplitAfter(body, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
			lines[i] = ">" + l
		}
	}
	return strings.Join(lines, "")
}
