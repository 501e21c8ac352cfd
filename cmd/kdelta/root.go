package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/analyzer/match"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/fileerr"
	"github.com/kdelta/kdelta/internal/termtext"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// Exit codes, mapped from errors in one place (exitCode).
const (
	exitOK          = 0
	exitRegressions = 1 // kdelta check found regressions
	exitBadInput    = 2 // bad input or usage
	exitInternal    = 3 // anything else
	exitSkips       = 4 // kdelta sync finished, but recorded skips: what it could not read
	exitInterrupted = 130
)

// env is what a command may touch of the outside world; tests replace it.
//
// Inside a command, stdout and stderr are guarded (run wraps them in a
// termtext.Writer): whatever a command prints, a control character of a
// commit subject, a file name, a posting or a test name is shown escaped,
// never obeyed by the terminal. Only what draws on the terminal itself
// writes to rawStdout (the TUI, which guards what it draws) and rawStderr
// (the progress bar).
type env struct {
	stdout, stderr       io.Writer
	rawStdout, rawStderr io.Writer // set by run: the terminal, unguarded
	isTerminal           bool      // stderr is a terminal: draw progress bars
	now                  func() time.Time
	getwd                func() (string, error)
	argv0                string // how kdelta was invoked, for hints
}

func newEnv() *env {
	return &env{
		stdout:     os.Stdout,
		stderr:     os.Stderr,
		isTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		now:        time.Now,
		getwd:      os.Getwd,
		argv0:      os.Args[0],
	}
}

// command is one kdelta subcommand.
type command struct {
	name    string
	args    string // synopsis of the arguments
	summary string
	example string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"init", "[--config FILE] [--force]", "write a commented starter kdelta.toml",
			"kdelta init", runInit},
		{"sync", "[--config FILE] [--workers N] [--wait DURATION] [--no-snapshot] [SOURCE...]", "mirror and read the sources, fingerprint every new commit and patch in scope, and save a snapshot of the statuses",
			"kdelta sync rhel9", runSync},
		{"summary", "[--config FILE]", "show what the store holds per source and component",
			"kdelta summary", runSummary},
		{"store", "[--config FILE] migrate | copy --to URL|FILE", "upgrade the store's schema ('kdelta store migrate'), or copy everything it holds into a new, empty store: a SQLite store into a team's PostgreSQL database, or back",
			"kdelta store copy --to postgres://kdelta@db.example.org/kdelta", runStore},
		{"show", "[--config FILE] [--diff] COMMIT", "print a stored fingerprint: metadata, trailers, files, patch-ids",
			"kdelta show 3f2a9c1", runShow},
		{"skips", "[--config FILE]", "list what syncs could not read or fingerprint, with the source, commit, object and reason",
			"kdelta skips", runSkips},
		{"delta", "[--config FILE] [--component C] [--format table|json] [--sort rank|date] [--limit N] DOWNSTREAM | --all", "what a downstream lacks (most critical first: CVEs, fixes of code a release ships, Cc: stable), has and carries on its own, per component",
			"kdelta delta rhel9 --component mlx5", runDelta},
		{"compare", "[--config FILE] [--component C] [--format table|json|md] [--limit N] A B", "two downstreams of one upstream side by side, per component: the upstream commits one has and the other lacks (fixes and CVEs first), what each carries alone, and the tests that pass on one and fail on the other",
			"kdelta compare rhel9 mlnx-ofed --component mlx5", runCompare},
		{"matches", "[--config FILE] [--format json|table] DOWNSTREAM", "each downstream commit with the upstream commits it carries, how it was found (" + strings.Join(match.MethodNames(), ", ") + ") and why",
			"kdelta matches rhel9", runMatches},
		{"match", "[--config FILE] set DOWNSTREAM [UPSTREAM...] | unset DOWNSTREAM", "pair a downstream commit with upstream commits by hand (none: downstream-only), or undo it",
			"kdelta match set 3f2a9c1 9b8e7d6", runMatch},
		{"status", "[--config FILE] [--format table|json] [--status S] [--all] DOWNSTREAM | PATCH", "where carried changes (those upstream lacks; --all: the backports too) stand upstream (mainline, queued, submitted, rejected, never, unknown) with their evidence; for one PATCH, its timeline across snapshots",
			"kdelta status sles  |  kdelta status patches.suse/RDMA-mlx5-Fix-foo.patch", runStatus},
		{"annotate", "[--config FILE] PATCH STATUS --reason TEXT [--message-id ID] | --clear PATCH", "set a carried change's status by hand; it wins over other evidence and survives resyncs",
			"kdelta annotate 3f2a9c1 never --reason \"vendor-only tuning\"", runAnnotate},
		{"ignore", "[--config FILE] add ID|PATH --reason TEXT [--downstream NAME] | rm ID|PATH [--downstream NAME] | list [--downstream NAME]", "keep known non-issues (upstream commits, paths) out of the missing lists of every downstream, or of one",
			"kdelta ignore add drivers/infiniband/hw/qib/ --reason \"qib is not shipped\"", runIgnore},
		{"results", "[--config FILE] import FILE... [--format junit|kcidb|csv] [--target SOURCE@REF] [--lab NAME] [--hardware TEXT] [--wait DURATION] | regressions [DOWNSTREAM] [--format table|json] [--limit N] | show TEST", "import interop test results (JUnit XML, kcidb JSON, CSV); list tests that went from PASS to FAIL with their suspects; show a test's history",
			"kdelta results import iol-rhel9.4.xml --target rhel9@kernel-5.14.0-427.el9", runResults},
		{"report", "[--config FILE] [--format md|html|json|csv] [-o FILE] [DOWNSTREAM...]", "a delta report for release managers: per downstream and component the counts, missing fixes, carried patches by status with evidence, test health, and the change since the previous snapshot",
			"kdelta report --format html -o rdma-delta.html", runReport},
		{"check", "[--config FILE] --baseline FILE|SNAPSHOT [--policy FILE] [--junit FILE] [--update-baseline FILE] [DOWNSTREAM...]", "CI gate: compare the analysis with a baseline and exit 1 on a regression (a status gone backwards, a lost backport, a new missing fix, growth beyond the policy, a test from PASS to FAIL)",
			"kdelta check --baseline baseline.json --junit kdelta-check.xml --update-baseline baseline.json", runCheck},
		{"tui", "[--config FILE] [--print]", "browse the delta in the terminal: the component x downstream matrix, each delta list, a backport side by side with its upstream; annotate, match and ignore from there",
			"kdelta tui", runTUI},
		{"demo", "[--size small|demo] [--seed N] [DIR]", "build the synthetic RDMA world in DIR, sync it, import its test results, print the delta and the regressions, and write DIR/report.html",
			"kdelta demo /tmp/kdelta-demo", runDemo},
	}
}

// usageError is a mistake in how kdelta was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// run runs a command with its output guarded (see env).
func run(args []string, e *env) int {
	out, errs := termtext.NewWriter(e.stdout), termtext.NewWriter(e.stderr)
	defer errs.Flush()
	defer out.Flush()
	g := *e
	g.stdout, g.stderr = out, errs
	g.rawStdout, g.rawStderr = e.stdout, e.stderr
	return runGuarded(args, &g)
}

func runGuarded(args []string, e *env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && (args[0] == "--version" || args[0] == "version") {
		fmt.Fprintln(e.stdout, versionLine())
		return exitOK
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return helpFor(e, args[1])
		}
		printUsage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			return finish(e, c, err)
		}
	}
	fmt.Fprintf(e.stderr, "kdelta: unknown command %q; run 'kdelta help' for the list\n", args[0])
	return exitBadInput
}

func helpFor(e *env, name string) int {
	for _, c := range commands() {
		if c.name == name {
			return finish(e, c, c.run(context.Background(), e, []string{"--help"}))
		}
	}
	fmt.Fprintf(e.stderr, "kdelta: unknown command %q; run 'kdelta help' for the list\n", name)
	return exitBadInput
}

// finish prints err (one line) and maps it to the exit code.
func finish(e *env, c command, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitCode(err)
	msg := err.Error()
	if code == exitInterrupted {
		msg = "interrupted; the store is consistent and the next run resumes"
	}
	fmt.Fprintf(e.stderr, "kdelta %s: %s\n", c.name, safe(squeeze(msg)))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "usage: kdelta %s %s\n", c.name, c.args)
	}
	return code
}

// exitCode is the one place errors become exit codes.
func exitCode(err error) int {
	var ue *usageError
	var pe *fileerr.Error // a problem at a position of an input file: a project file, series, patch, archive or diff
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, errRegressions):
		return exitRegressions
	case errors.As(err, new(skipsError)):
		return exitSkips
	case errors.As(err, &ue), errors.As(err, &pe),
		errors.Is(err, gitrepo.ErrUnknownRef), errors.Is(err, gitrepo.ErrNotRepository), errors.Is(err, gitrepo.ErrDamaged),
		errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrCorrupt),
		errors.Is(err, store.ErrNotStore), errors.Is(err, store.ErrReadOnly), errors.Is(err, store.ErrUnreachable),
		errors.Is(err, store.ErrNewer), errors.Is(err, store.ErrOlder),
		errors.Is(err, errBadInput), errors.Is(err, ingest.ErrUnknownSource), errors.Is(err, ingest.ErrBadSource), errors.Is(err, analyzer.ErrNoBase),
		errors.Is(err, analyzer.ErrBadID), errors.Is(err, analyzer.ErrNotComparable):
		return exitBadInput
	}
	return exitInternal
}

// errBadInput marks an error as the user's input being wrong (exit 2);
// badInputf makes one.
var errBadInput = errors.New("bad input")

// inputError is the user's input being wrong; its text is the message
// alone.
type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, errBadInput} }

// badInputf formats an error (%w wraps, as in fmt.Errorf) that is the
// user's input being wrong.
func badInputf(format string, args ...any) error {
	return inputError{fmt.Errorf(format, args...)}
}

// squeeze puts a text on one line with single spaces: every run of white
// space (line breaks too) becomes one space.
func squeeze(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, `kdelta tracks the patch delta between the upstream RDMA stack (Linux
drivers/infiniband and friends, rdma-core) and the distro and vendor trees
that ship it.

Usage: kdelta COMMAND [flags] [args]

Commands:`)
	cs := commands()
	sort.SliceStable(cs, func(i, j int) bool { return false })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Every command reads kdelta.toml from the current directory unless --config
names another file. Start with 'kdelta init', or try 'kdelta demo'.
Run 'kdelta help COMMAND' for a command's flags and an example, and
'kdelta --version' for the version and commit kdelta was built from.

Exit codes: 0 done, 1 regressions found (check), 2 bad input or usage,
3 internal error, 4 synced with skips (sync: see 'kdelta skips'),
130 interrupted.`)
}

// flags returns a FlagSet for a command whose --help prints its synopsis,
// summary, flags and example.
func flags(e *env, c string) *flag.FlagSet {
	fs := flag.NewFlagSet(c, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		for _, cmd := range commands() {
			if cmd.name == c {
				fmt.Fprintf(e.stderr, "usage: kdelta %s %s\n\n%s.\n\nFlags:\n", cmd.name, cmd.args, upperFirst(cmd.summary))
				fs.PrintDefaults()
				fmt.Fprintf(e.stderr, "\nExample:\n  %s\n", cmd.example)
			}
		}
	}
	return fs
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parse parses flags wherever they stand among the arguments
// (`kdelta delta rhel9 --component mlx5`); a flag error is a usage error.
// After "--" everything is an argument.
func parse(fs *flag.FlagSet, args []string) error {
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	args = append(append(flagArgs, "--"), positional...)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	return nil
}

// configFlag adds --config to a command.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "kdelta.toml", "the project file")
}

// loadConfig reads the project file, with a hint when there is none.
func loadConfig(path string) (*project.Config, error) {
	cfg, err := project.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w (run 'kdelta init' to write a starter, or 'kdelta demo' to try kdelta)", err)
		}
		return nil, err
	}
	return cfg, nil
}
