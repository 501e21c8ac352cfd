package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/status"
)

func runAnnotate(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "annotate")
	config := configFlag(fs)
	reason := fs.String("reason", "", "why (required unless --clear)")
	msgid := fs.String("message-id", "", "for submitted: the posting's message-id")
	clear := fs.Bool("clear", false, "remove the manual status of PATCH")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := newFactory(e, *config)
	defer f.Close()
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	if *clear {
		if fs.NArg() != 1 {
			return usagef("annotate --clear takes one patch")
		}
		id, err := changeID(ctx, svc, fs.Arg(0))
		if err != nil {
			return err
		}
		_, had, err := svc.ClearAnnotation(ctx, id)
		if err != nil {
			return err
		}
		if !had {
			return badInputf("%.12s has no manual status", id)
		}
		fmt.Fprintf(e.stdout, "removed the manual status of %.12s\n", id)
		return nil
	}
	if fs.NArg() != 2 {
		return usagef("name one patch and a status (%s)", strings.Join(status.All(), ", "))
	}
	st := fs.Arg(1)
	if !status.Valid(st) {
		return usagef("status %q: want one of %s", st, strings.Join(status.All(), ", "))
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("--reason is required: say why, for whoever reads the status later")
	}
	id, err := changeID(ctx, svc, fs.Arg(0))
	if err != nil {
		return err
	}
	if _, err := svc.Annotate(ctx, analyzer.Annotation{Change: id, Status: st, Reason: *reason, Detail: strings.Trim(*msgid, "<>")}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%.12s is now %s by hand: %s\n", id, st, *reason)
	return nil
}

// changeID resolves a commit id (full or abbreviated) or a patch file of
// a series to the change's full id.
func changeID(ctx context.Context, svc *analyzer.Service, key string) (string, error) {
	if isPath(key) {
		ids, err := svc.PatchesByPath(ctx, key)
		if err != nil {
			return "", err
		}
		switch len(ids) {
		case 0:
			return "", badInputf("no synced series has a patch %q", key)
		case 1:
			return ids[0], nil
		}
		return "", badInputf("%q names %d different patches (different contents in different series); give the id", key, len(ids))
	}
	return fullID(ctx, svc, key)
}
