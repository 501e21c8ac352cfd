package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/project"
)

func runIgnore(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "ignore")
	config := configFlag(fs)
	reason := fs.String("reason", "", "why it is not an issue (required for add)")
	downstream := fs.String("downstream", "", "the downstream source (a name such as rhel) the entry is for; without it, every downstream. With list: the entries that apply to it")
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] != "add" && rest[0] != "rm" && rest[0] != "list" {
		return usagef("ignore add ID|PATH --reason TEXT [--downstream NAME] | ignore rm ID|PATH [--downstream NAME] | ignore list [--downstream NAME]")
	}
	f := newFactory(e, *config)
	defer f.Close()
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	scope, err := ignoreScope(cfg, *downstream)
	if err != nil {
		return err
	}
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	switch rest[0] {
	case "list":
		if len(rest) != 1 {
			return usagef("ignore list takes no argument")
		}
		return listIgnores(ctx, e, svc, scope)
	case "rm":
		if len(rest) != 2 {
			return usagef("ignore rm takes one entry")
		}
		return removeIgnore(ctx, e, svc, rest[1], scope)
	}
	if len(rest) != 2 {
		return usagef("ignore add takes one upstream commit id or one path")
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("--reason is required: say why it is not an issue")
	}
	ig := analyzer.Ignore{Target: rest[1], Kind: "path", Scope: scope, Reason: *reason}
	if !isPath(rest[1]) {
		id, err := fullID(ctx, svc, rest[1])
		if err != nil {
			return err
		}
		ig.Target, ig.Kind = id, "id"
	}
	if _, err := svc.AddIgnore(ctx, ig); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ignoring %s %s in the missing lists %s: %s\n", ig.Kind, ig.Target, scopeText(scope), *reason)
	return nil
}

// ignoreScope checks --downstream: "" (every downstream) or the name of
// a downstream source of the project file.
func ignoreScope(cfg *project.Config, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	if strings.Contains(name, "@") {
		return "", usagef("--downstream %q: name the source alone (an entry is for every ref of it), as in --downstream %s", name, strings.SplitN(name, "@", 2)[0])
	}
	var names []string
	for i := range cfg.Sources {
		if cfg.Sources[i].IsDownstream() {
			names = append(names, cfg.Sources[i].Name)
		}
	}
	if s := cfg.Source(name); s != nil && s.IsDownstream() {
		return name, nil
	}
	msg := fmt.Sprintf("--downstream %q is not a downstream of %s", name, cfg.File)
	if near := didYouMean(name, names, 3); len(near) > 0 {
		msg += "; did you mean " + quoteList(near) + "?"
	} else {
		msg += " (downstreams: " + strings.Join(names, ", ") + ")"
	}
	return "", badInputf("%s", msg)
}

// scopeText says whom an entry is for.
func scopeText(scope string) string {
	if scope == "" {
		return "for every downstream"
	}
	return "for " + scope + " only"
}

// listIgnores prints the ignore list, or with a scope the entries that
// apply to that downstream.
func listIgnores(ctx context.Context, e *env, svc *analyzer.Service, scope string) error {
	list, err := svc.Ignores(ctx)
	if err != nil {
		return err
	}
	if scope != "" {
		list = analyzer.IgnoresFor(list, scope)
	}
	if len(list) == 0 {
		if scope != "" {
			fmt.Fprintf(e.stdout, "nothing on the ignore list applies to %s\n", scope)
		} else {
			fmt.Fprintln(e.stdout, "the ignore list is empty")
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tTARGET\tFOR\tREASON\tADDED\tBY")
	for _, ig := range list {
		who := "every downstream"
		if ig.Scope != "" {
			who = ig.Scope
		}
		by := ig.Who
		if by == "" {
			by = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ig.Kind, safe(ig.Target), who, safe(squeeze(ig.Reason)), ig.Created.Format("2006-01-02"), safe(by))
	}
	return tw.Flush()
}

// removeIgnore removes the entry of a target (a path, or an upstream id as
// ignore add takes it: full or abbreviated) for a scope.
func removeIgnore(ctx context.Context, e *env, svc *analyzer.Service, arg, scope string) error {
	list, err := svc.Ignores(ctx)
	if err != nil {
		return err
	}
	target := arg
	if !isPath(arg) {
		p := strings.ToLower(arg)
		if len(p) < 4 || len(p) > 40 || strings.Trim(p, "0123456789abcdef") != "" {
			return usagef("%q is not a commit id (4 to 40 hex digits) nor a path", arg)
		}
		// The list itself resolves the abbreviation: its commit may be
		// gone from the store since.
		var ids []string
		for _, ig := range list {
			if ig.Kind == "id" && strings.HasPrefix(ig.Target, p) && (len(ids) == 0 || ids[len(ids)-1] != ig.Target) {
				ids = append(ids, ig.Target)
			}
		}
		switch len(ids) {
		case 0:
			return badInputf("no upstream commit %s is on the ignore list", arg)
		case 1:
			target = ids[0]
		default:
			sort.Strings(ids)
			return badInputf("%s is ambiguous: the ignore list has %s; give more digits", arg, change.ShortList(ids))
		}
	}
	var scopes []string
	for _, ig := range list {
		if ig.Target == target {
			scopes = append(scopes, ig.Scope)
		}
	}
	switch {
	case len(scopes) == 0:
		return badInputf("%q is not on the ignore list", arg)
	case !slices.Contains(scopes, scope):
		var on []string
		for _, s := range scopes {
			on = append(on, scopeText(s))
		}
		hint := "--downstream " + scopes[0]
		if scopes[0] == "" {
			hint = "no --downstream"
		}
		return badInputf("%s is on the ignore list %s, not %s: remove it with %s", arg, strings.Join(on, " and "), scopeText(scope), hint)
	}
	if _, _, err := svc.RemoveIgnore(ctx, target, scope); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "removed %s from the ignore list %s\n", target, scopeText(scope))
	return nil
}
