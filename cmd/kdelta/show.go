package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/internal/termtext"
)

func runShow(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "show")
	config := configFlag(fs)
	withDiff := fs.Bool("diff", false, "also print the diff, read from the source's mirror or patch file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("show takes one commit id (full or abbreviated)")
	}
	id := strings.ToLower(fs.Arg(0))
	if len(id) < 4 || strings.Trim(id, "0123456789abcdef") != "" {
		return usagef("%q is not a commit id (4 to 40 hex digits)", fs.Arg(0))
	}
	f := newFactory(e, *config)
	defer f.Close()
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	fp, err := svc.Fingerprint(ctx, id)
	if err != nil {
		return err
	}
	printFingerprint(e.stdout, fp)
	if *withDiff {
		text, from, err := svc.ChangeText(ctx, fp.ID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// What keeps the diff from being read is the state of the
			// sources (a mirror damaged or gone, a patch file removed),
			// not kdelta: bad input.
			return badInputf("%w (the store's fingerprint is above; 'kdelta sync' reads the sources again)", err)
		}
		fmt.Fprintf(e.stdout, "\n(diff from %s)\n%s", safe(from), termtext.Text(text))
	}
	return nil
}

func printFingerprint(w io.Writer, fp *change.Fingerprint) {
	fmt.Fprintf(w, "commit     %s\n", fp.ID)
	fmt.Fprintf(w, "author     %s <%s> %s\n", safe(fp.AuthorName), safe(fp.AuthorEmail), fp.AuthorTime.Format("2006-01-02 15:04:05 -0700"))
	fmt.Fprintf(w, "committer  %s <%s> %s\n", safe(fp.CommitterName), safe(fp.CommitterEmail), fp.CommitTime.Format("2006-01-02 15:04:05 -0700"))
	fmt.Fprintf(w, "subject    %s\n", safe(fp.Subject))
	fmt.Fprintf(w, "components %s\n", strings.Join(fp.Components, ", "))
	if fp.PatchID != "" {
		fmt.Fprintf(w, "patch-id   %s\n", fp.PatchID)
	}
	if fp.Skip != "" {
		fmt.Fprintf(w, "skipped    %s\n", safe(fp.Skip))
	}
	t := fp.Trailers
	for _, f := range t.Fixes {
		if f.Subject != "" {
			fmt.Fprintf(w, "fixes      %s (%q)\n", safe(f.ID), f.Subject) // %q escapes
		} else {
			fmt.Fprintf(w, "fixes      %s\n", safe(f.ID))
		}
	}
	for _, r := range t.Upstream {
		p := ""
		if r.Partial {
			p = " (partial)"
		}
		fmt.Fprintf(w, "upstream   %s by %s%s\n", safe(r.ID), r.Style, p)
	}
	if t.CcStable {
		fmt.Fprintln(w, "cc         stable@vger.kernel.org")
	}
	for _, c := range t.CVEs {
		fmt.Fprintf(w, "cve        %s\n", safe(c))
	}
	if t.PatchMainline != "" {
		fmt.Fprintf(w, "mainline   %s\n", safe(t.PatchMainline))
	}
	if t.UpstreamStatus != "" {
		fmt.Fprintf(w, "status     %s\n", safe(t.UpstreamStatus))
	}
	if t.Prefix != "" {
		fmt.Fprintf(w, "prefix     %s\n", safe(t.Prefix))
	}
	for _, l := range t.Links {
		fmt.Fprintf(w, "link       %s\n", safe(l))
	}
	for _, s := range t.SignedOffBy {
		fmt.Fprintf(w, "signed-off %s\n", safe(s))
	}
	fmt.Fprintf(w, "files      %d\n", len(fp.Files))
	for _, f := range fp.Files {
		name := f.Path
		if f.OldPath != "" {
			name = f.OldPath + " => " + f.Path
		}
		kind := fmt.Sprintf("+%d -%d", f.Added, f.Deleted)
		if f.Binary {
			kind = "binary"
		}
		pid := f.PatchID
		if len(pid) > 12 {
			pid = pid[:12]
		}
		fmt.Fprintf(w, "  %c %-60s %-10s patch-id %s, signature %d+%d lines\n", f.Status, safe(name), kind, safe(pid), len(f.Plus), len(f.Minus))
	}
}
