package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/store"
)

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "status")
	config := configFlag(fs)
	format := fs.String("format", "table", "table or json")
	only := fs.String("status", "", "with a DOWNSTREAM: list only carried changes of this status ("+strings.Join(status.All(), ", ")+")")
	all := fs.Bool("all", false, "with a DOWNSTREAM: list its backports too (every change since its base), not only the carried changes (those upstream lacks)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name one downstream (SOURCE or SOURCE@REF) or one patch (commit id or patch file)")
	}
	if *format != "table" && *format != "json" {
		return usagef("--format %q: want table or json", *format)
	}
	if *only != "" && !status.Valid(*only) {
		return usagef("--status %q: want one of %s", *only, strings.Join(status.All(), ", "))
	}
	f := newFactory(e, *config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	arg := fs.Arg(0)
	if src, _ := analyzer.Target(arg); cfg.Source(src) != nil {
		return downstreamStatus(ctx, e, db, arg, *format, *only, *all)
	}
	return patchTimeline(ctx, e, db, cfg.DownstreamRefs(), arg, *format)
}

// downstreamStatus lists a downstream's carried changes (those upstream
// lacks; with all, its backports too) with their status.
func downstreamStatus(ctx context.Context, e *env, db *store.DB, target, format, only string, all bool) error {
	every, r, err := analyzer.Statuses(ctx, db, target)
	if err != nil {
		return err
	}
	carried := every
	backports := 0
	if !all {
		own := map[string]bool{}
		if whole := r.Component(""); whole != nil {
			for _, c := range whole.DownstreamOnly {
				own[c.ID] = true
			}
		}
		carried = nil
		for _, c := range every {
			if own[c.ID] {
				carried = append(carried, c)
			}
		}
		backports = len(every) - len(carried)
	}
	if carried == nil {
		carried = []analyzer.Carried{}
	}
	if only != "" {
		kept := carried[:0]
		for _, c := range carried {
			if c.Status.Status == only {
				kept = append(kept, c)
			}
		}
		carried = kept
	}
	if format == "json" {
		return writeJSON(e.stdout, carried)
	}
	counts := map[string]int{}
	conflicts := 0
	for _, c := range carried {
		counts[c.Status.Status]++
		if c.Status.Conflict != "" {
			conflicts++
		}
	}
	what, after := "carried changes", " that upstream lacks"
	if all {
		what, after = "changes since its base", ", carried and backports"
	}
	fmt.Fprintf(e.stdout, "%s against %s: %d %s", r.Downstream, r.Upstream, len(carried), what)
	var parts []string
	for _, s := range status.All() {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(e.stdout, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprint(e.stdout, after)
	if conflicts > 0 {
		fmt.Fprintf(e.stdout, "; %d with conflicting evidence (!)", conflicts)
	}
	if backports > 0 && only == "" {
		fmt.Fprintf(e.stdout, "; %d backports (--all lists them too)", backports)
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tDETAIL\tSUBJECT")
	for _, c := range carried {
		mark := ""
		if c.Status.Conflict != "" {
			mark = " !"
		}
		name := c.ID[:12]
		if c.Path != "" {
			name = safe(c.Path)
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\n", name, c.Status.Status, mark, trim(detailOf(c.Status), 50), trim(c.Subject, 50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if conflicts > 0 {
		fmt.Fprintf(e.stdout, "\n! marks conflicting evidence: 'kdelta status PATCH' shows it\n")
	}
	return nil
}

// detailOf is a status's short detail: the release, the posting, the reason.
func detailOf(s status.Status) string {
	switch s.Status {
	case status.Mainline:
		if s.Release != "" {
			return s.Release
		}
		if len(s.Upstream) > 0 {
			return "unreleased " + change.ShortList(s.Upstream[:1])
		}
	case status.Queued:
		if len(s.Upstream) > 0 {
			return change.ShortList(s.Upstream[:1])
		}
	case status.Submitted, status.Rejected:
		if s.MessageID != "" {
			return fmt.Sprintf("v%d %s <%s>", s.Version, s.Date.Format("2006-01-02"), s.MessageID)
		}
	}
	if s.Reason != "" {
		return s.Reason
	}
	if len(s.Evidence) > 0 {
		return s.Evidence[0].What
	}
	return "-"
}

// patchTimeline prints one patch's status across snapshots and, when
// it differs from the last snapshot's (an annotation or a manual match
// made since), its status now: a last entry with snapshot 0.
func patchTimeline(ctx context.Context, e *env, db *store.DB, all []string, key, format string) error {
	out, err := analyzer.Timeline(ctx, db, key)
	if err != nil {
		return err
	}
	now, err := statusNow(ctx, db, out, all, key)
	if err != nil {
		return err
	}
	for _, n := range now {
		n.At = e.now().UTC()
		out = append(out, n)
	}
	if len(out) == 0 {
		return badInputf("no downstream carries a change %q (a commit id of 7 or more hex digits, or a patch file)", key)
	}
	ids := map[string]bool{}
	for _, x := range out {
		ids[x.ID] = true
	}
	if len(ids) > 1 && !isPath(key) {
		var list []string
		for id := range ids {
			list = append(list, id[:12])
		}
		sort.Strings(list)
		return badInputf("%q names %d changes (%s); give more of the id", key, len(ids), strings.Join(list, ", "))
	}
	if format == "json" {
		return writeJSON(e.stdout, out)
	}
	last := out[len(out)-1]
	name := last.ID
	if last.Path != "" {
		name = last.Path + " (" + last.ID[:12] + ")"
	}
	fmt.Fprintf(e.stdout, "%s\n%s\n\n", safe(name), safe(last.Subject))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tWHEN\tDOWNSTREAM\tSTATUS\tDETAIL")
	prev := map[string]string{}
	for _, x := range out {
		st := x.Status.Status
		if p, ok := prev[x.Downstream]; ok && p != st {
			st += " (was " + p + ")"
		}
		prev[x.Downstream] = x.Status.Status
		snap := fmt.Sprint(x.Snapshot)
		if x.Snapshot == 0 {
			snap = "now"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", snap, x.At.Format("2006-01-02 15:04"), x.Downstream, st, safe(detailOf(x.Status)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(now) > 0 {
		fmt.Fprintln(e.stdout, "\nnow: what was entered by hand since the last snapshot; the next sync saves it")
	}
	printEvidence(e.stdout, last.Status)
	return nil
}

// statusNow is the status today of the changes key names, in each
// downstream of the timeline (or of all, when no snapshot has them), where
// it differs from the downstream's last entry in the timeline: annotations
// and manual matches take effect at once, snapshots only at the next sync.
func statusNow(ctx context.Context, db *store.DB, timeline []analyzer.TimelineEntry, all []string, key string) ([]analyzer.TimelineEntry, error) {
	last := map[string]analyzer.TimelineEntry{} // by downstream and id
	var targets []string
	for _, x := range timeline {
		if !slices.Contains(targets, x.Downstream) {
			targets = append(targets, x.Downstream)
		}
		last[x.Downstream+" "+x.ID] = x
	}
	if len(timeline) == 0 {
		targets = all
	}
	var out []analyzer.TimelineEntry
	for _, t := range targets {
		carried, _, err := analyzer.Statuses(ctx, db, t)
		if err != nil {
			if len(timeline) == 0 {
				continue // a downstream not measured yet
			}
			return nil, err
		}
		for _, c := range carried {
			if !namesChange(key, c.ID, c.Path) {
				continue
			}
			if was, ok := last[t+" "+c.ID]; ok && sameStatus(was.Status, c.Status) {
				continue
			}
			out = append(out, analyzer.TimelineEntry{Downstream: t, ID: c.ID, Path: c.Path, Subject: c.Subject, Status: c.Status})
		}
	}
	return out, nil
}

// namesChange says whether key names a change as StatusHistory reads
// keys: its patch file (or the file's end after a "/"), or 7 or more hex
// digits its id starts with.
func namesChange(key, id, path string) bool {
	if path != "" && (path == key || strings.HasSuffix(path, "/"+key)) {
		return true
	}
	k := strings.ToLower(key)
	return len(k) >= 7 && len(k) <= 40 && strings.Trim(k, "0123456789abcdef") == "" && strings.HasPrefix(id, k)
}

// sameStatus compares two statuses as a snapshot keeps them.
func sameStatus(a, b status.Status) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func printEvidence(w io.Writer, s status.Status) {
	fmt.Fprintf(w, "\nnow %s; evidence:\n", s.Status)
	for _, ev := range s.Evidence {
		fmt.Fprintf(w, "  %-10s says %-9s %s\n", safe(ev.From), safe(ev.Says), safe(ev.What))
	}
	if len(s.Evidence) == 0 {
		fmt.Fprintln(w, "  none")
	}
	if s.Conflict != "" {
		fmt.Fprintf(w, "conflict: %s\n", safe(s.Conflict))
	}
}

func isPath(s string) bool { return strings.ContainsAny(s, "/.") }
