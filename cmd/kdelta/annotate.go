package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/store"
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
	db, err := openStore(ctx, e, *config)
	if err != nil {
		return err
	}
	defer db.Close()
	if *clear {
		if fs.NArg() != 1 {
			return usagef("annotate --clear takes one patch")
		}
		id, err := changeID(ctx, db, fs.Arg(0))
		if err != nil {
			return err
		}
		had, err := db.Unannotate(ctx, id)
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
	id, err := changeID(ctx, db, fs.Arg(0))
	if err != nil {
		return err
	}
	if err := db.Annotate(ctx, store.Annotation{Change: id, Status: st, Reason: *reason, Detail: strings.Trim(*msgid, "<>")}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%.12s is now %s by hand: %s\n", id, st, *reason)
	return nil
}

// changeID resolves a commit id (full or abbreviated) or a patch file of
// a series to the change's full id.
func changeID(ctx context.Context, db *store.DB, key string) (string, error) {
	if isPath(key) {
		ids, err := db.PatchByPath(ctx, key)
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
	return fullID(ctx, db, key)
}

func runIgnore(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "ignore")
	config := configFlag(fs)
	reason := fs.String("reason", "", "why it is not an issue (required for add)")
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] != "add" && rest[0] != "rm" && rest[0] != "list" {
		return usagef("ignore add ID|PATH --reason TEXT | ignore rm ID|PATH | ignore list")
	}
	db, err := openStore(ctx, e, *config)
	if err != nil {
		return err
	}
	defer db.Close()
	switch rest[0] {
	case "list":
		list, err := db.Ignores(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stdout, "the ignore list is empty")
			return nil
		}
		for _, ig := range list {
			fmt.Fprintf(e.stdout, "%-4s %s\t%s (%s)\n", ig.Kind, ig.Target, ig.Reason, ig.Created.Format("2006-01-02"))
		}
		return nil
	case "rm":
		if len(rest) != 2 {
			return usagef("ignore rm takes one entry")
		}
		had, err := db.RemoveIgnore(ctx, ignoreTarget(rest[1]))
		if err != nil {
			return err
		}
		if !had {
			return badInputf("%q is not on the ignore list", rest[1])
		}
		fmt.Fprintf(e.stdout, "removed %s from the ignore list\n", rest[1])
		return nil
	}
	if len(rest) != 2 {
		return usagef("ignore add takes one upstream commit id or one path")
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("--reason is required: say why it is not an issue")
	}
	ig := store.Ignore{Target: ignoreTarget(rest[1]), Kind: "path", Reason: *reason}
	if !isPath(rest[1]) {
		id, err := fullID(ctx, db, rest[1])
		if err != nil {
			return err
		}
		ig.Target, ig.Kind = id, "id"
	}
	if err := db.AddIgnore(ctx, ig); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ignoring %s %s in the missing lists: %s\n", ig.Kind, ig.Target, *reason)
	return nil
}

func ignoreTarget(s string) string {
	if isPath(s) {
		return s
	}
	return strings.ToLower(s)
}
