package world

import (
	"fmt"
	"math/rand"
	"strings"
	"time"
)

// Commit messages: upstream kernel style (body, crash trace, Fixes:,
// Cc: stable, Link:, Signed-off-by chains) and the downstream conventions
// that carry or hide the upstream reference.

func sob(p person) string { return "Signed-off-by: " + p.name + " <" + p.email + ">\n" }

func fmtCompact(t int64) string { return time.Unix(t, 0).UTC().Format("20060102150405") }

func fmtDay(t int64) string { return time.Unix(t, 0).UTC().Format("2006-01-02") }

// gitDate formats a date as git log prints it.
func gitDate(t int64, tz int) string {
	return time.Unix(t, 0).In(time.FixedZone("", tz*60)).Format("Mon Jan 2 15:04:05 2006 -0700")
}

type trailers struct {
	fixes []*ucommit
}

func (g *upstreamGen) body(c *ucommit, e edit, au person, tr trailers) string {
	var b strings.Builder
	b.WriteString(wrap(fill(e.why, e.fn)))
	b.WriteString("\n\n")
	if e.oops && chance(g.r, 0.35) {
		mod := c.area.ident
		fmt.Fprintf(&b, " BUG: kernel NULL pointer dereference, address: %016x\n #PF: supervisor read access in kernel mode\n Oops: 0000 [#1] SMP PTI\n", 8*(1+g.r.Intn(64)))
		fmt.Fprintf(&b, " CPU: %d PID: %d Comm: %s Not tainted 5.%d.0-rc%d+ #1\n", g.r.Intn(32), 1000+g.r.Intn(30000), pick(g.r, []string{"kworker/u16:2", "ibv_rc_pingpong", "rdma", "modprobe", "ip"}), 10+g.r.Intn(10), 1+g.r.Intn(7))
		fmt.Fprintf(&b, " RIP: 0010:%s+0x%x/0x%x [%s]\n Call Trace:\n  <TASK>\n", e.fn, 16+g.r.Intn(300), 400+g.r.Intn(400), mod)
		fmt.Fprintf(&b, "  %s_%s+0x%x/0x%x [%s]\n  process_one_work+0x1d5/0x3c0\n  worker_thread+0x4d/0x3d0\n  kthread+0x10d/0x130\n  </TASK>\n\n", mod, pick(g.r, verbs), 16+g.r.Intn(200), 300+g.r.Intn(300), mod)
	}
	for _, cve := range c.cves {
		fmt.Fprintf(&b, "This issue has been assigned %s.\n\n", cve)
	}
	for _, f := range tr.fixes {
		fmt.Fprintf(&b, "Fixes: %s (\"%s\")\n", f.id.short(), f.subject)
	}
	if c.stable {
		b.WriteString("Cc: stable@vger.kernel.org")
		if chance(g.r, 0.3) {
			fmt.Fprintf(&b, " # %s+", pick(g.r, []string{"5.10", "5.15", "6.1", "6.6"}))
		}
		b.WriteString("\n")
	}
	if chance(g.r, 0.1) {
		rp := pick(g.r, developers)
		fmt.Fprintf(&b, "Reported-by: %s <%s>\n", rp.name, rp.email)
	}
	b.WriteString(sob(au))
	if chance(g.r, 0.5) {
		r := pick(g.r, reviewers)
		fmt.Fprintf(&b, "Reviewed-by: %s <%s>\n", r.name, r.email)
	}
	if c.area.rdma || chance(g.r, 0.5) {
		b.WriteString("Link: " + g.link(c.obj.authorTime, au) + "\n")
	}
	b.WriteString(sob(c.obj.committer))
	return b.String()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func changeID(r *rand.Rand) string {
	var b [20]byte
	r.Read(b[:])
	return "I" + oid(b).String()
}

// upstreamMessage is the full message of an upstream commit.
func upstreamMessage(u *ucommit) string {
	if u.body == "" {
		return u.subject + "\n"
	}
	return u.subject + "\n\n" + u.body
}

// styled writes the message of an exact backport of u in a trailer style,
// and says whether the author is kept.
func styled(r *rand.Rand, style string, u *ucommit, release string, eng person) (msg string, keepAuthor bool) {
	id := u.id.String()
	switch style {
	case "cherry-picked":
		return upstreamMessage(u) + "(cherry picked from commit " + id + ")\n" + sob(eng), true
	case "commit-upstream":
		return u.subject + "\n\ncommit " + id + " upstream.\n\n" + u.body + sob(eng), true
	case "upstream-commit":
		return u.subject + "\n\n[ Upstream commit " + id + " ]\n\n" + u.body + sob(eng), true
	case "git-commit":
		mainline := release
		if mainline == "" {
			mainline = "Queued in subsystem maintainer repository"
		}
		return fmt.Sprintf("%s\n\nGit-commit: %s\nPatch-mainline: %s\nReferences: bsc#%d jsc#PED-%d\n\n%sAcked-by: %s <%s>\n",
			u.subject, id, mainline, 1180000+r.Intn(40000), 1000+r.Intn(9000), u.body, eng.name, eng.email), true
	case "rhel-commit":
		var b strings.Builder
		b.WriteString(u.subject + "\n\n")
		jira := fmt.Sprintf("JIRA: https://issues.redhat.com/browse/RHEL-%d\n", 1000+r.Intn(40000))
		first := chance(r, 0.7)
		if !first {
			b.WriteString(jira)
			for _, c := range u.cves {
				b.WriteString("CVE: " + c + "\n")
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "commit %s\nAuthor: %s <%s>\nDate:   %s\n\n", id, u.obj.author.name, u.obj.author.email, gitDate(u.obj.authorTime, u.obj.author.tz))
		b.WriteString(indent(upstreamMessage(u)))
		b.WriteString("\n")
		if first {
			b.WriteString(jira)
			for _, c := range u.cves {
				b.WriteString("CVE: " + c + "\n")
			}
		}
		b.WriteString(sob(eng))
		return b.String(), false
	}
	return upstreamMessage(u), true
}

func jira(r *rand.Rand) string {
	return fmt.Sprintf("JIRA: https://issues.redhat.com/browse/RHEL-%d\n", 1000+r.Intn(40000))
}

// rewordSubject is how a distro engineer may retitle a backport.
func rewordSubject(r *rand.Rand, s string, a *area) string {
	switch r.Intn(3) {
	case 0:
		tag := "[infiniband] "
		if a != nil && (a.name == "mlx5_core" || a.name == "mlx4_core") {
			tag = "[netdrv] "
		}
		return tag + s
	case 1:
		if i := strings.Index(s, ": "); i > 0 && i+3 < len(s) {
			return s[:i+2] + strings.ToLower(s[i+2:i+3]) + s[i+3:]
		}
	}
	return strings.Replace(s, "Fix ", "fix ", 1)
}

// joinSubject puts a subject prefix and its text together: "net/mlx5: Fix
// x", or "net/mlx5: E-Switch, Fix x" for a prefix that ends in a comma.
func joinSubject(prefix, what string) string {
	if strings.HasSuffix(prefix, ",") {
		return prefix + " " + what
	}
	return prefix + ": " + what
}

// wrap refills each paragraph of s to 72 columns; lines that start with a
// space (crash traces) are kept as they are.
func wrap(s string) string {
	var out []string
	for _, para := range strings.Split(s, "\n\n") {
		if strings.HasPrefix(para, " ") {
			out = append(out, para)
			continue
		}
		var lines []string
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(line)+1+len(w) > 72 {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		if line != "" {
			lines = append(lines, line)
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n")
}
