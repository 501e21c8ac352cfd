package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// runStore runs 'kdelta store migrate' and 'kdelta store copy --to'.
func runStore(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "store")
	config := configFlag(fs)
	to := fs.String("to", "", "copy: the store to copy into, a postgres:// URL or a SQLite file (relative to the current directory); it must be new or empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	switch {
	case len(rest) == 1 && rest[0] == "migrate" && *to == "":
		return storeMigrate(ctx, e, *config)
	case len(rest) == 1 && rest[0] == "copy" && *to != "":
		return storeCopy(ctx, e, *config, *to)
	case len(rest) == 1 && rest[0] == "copy":
		return usagef("store copy wants --to URL|FILE")
	}
	return usagef("store migrate | store copy --to URL|FILE")
}

// storeMigrate brings the project's store up to this kdelta's schema. A
// SQLite store is migrated whenever kdelta opens it; a PostgreSQL store a
// team shares only by this command, since every kdelta that uses it must
// then be this version or newer.
func storeMigrate(ctx context.Context, e *env, config string) error {
	cfg, err := loadConfig(config)
	if err != nil {
		return err
	}
	db, applied, err := store.Migrate(ctx, cfg.StoreLocation(), e.now)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "store: %s is up to date (migration %s)\n", db.Describe(), store.Version())
		return nil
	}
	fmt.Fprintf(e.stdout, "store: %s migrated to %s (applied %s)\n", db.Describe(), store.Version(), strings.Join(applied, ", "))
	return nil
}

// storeCopy copies the project's store into a new, empty store: a SQLite
// store into a team's PostgreSQL database, or back.
func storeCopy(ctx context.Context, e *env, config, to string) error {
	cfg, err := loadConfig(config)
	if err != nil {
		return err
	}
	dest := to
	if i := strings.Index(dest, "://"); i >= 0 && !store.IsURL(dest) {
		return badInputf("store copy --to: want a postgres:// URL or a SQLite file, not a %s:// URL", dest[:i])
	}
	if !store.IsURL(dest) {
		if abs, err := filepath.Abs(dest); err == nil {
			dest = abs
		}
		if filepath.Clean(dest) == filepath.Clean(cfg.StoreLocation()) {
			return badInputf("store copy --to %s: that is the store it copies from", dest)
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
	}
	src, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, dest, e.now)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		return badInputf("%w", err)
	}
	total := 0
	var parts []string
	for _, c := range counts {
		total += c.Rows
		if c.Rows > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Table, c.Rows))
		}
	}
	fmt.Fprintf(e.stdout, "copied %d rows from %s to %s: %s\n", total, src.Describe(), dst.Describe(), strings.Join(parts, ", "))
	if store.IsURL(dest) {
		fmt.Fprintf(e.stdout, "to use it, set url = \"%s\" in the [store] table of %s, or $%s\n", store.Redact(dest), cfg.File, project.StoreURLEnv)
	} else {
		fmt.Fprintf(e.stdout, "to use it, set path = \"%s\" in the [store] table of %s, without url (and unset $%s)\n", dest, cfg.File, project.StoreURLEnv)
	}
	return nil
}

// whoAmI names the person running kdelta, as annotations, manual matches
// and ignores record it: $KDELTA_USER, else git's user.name and
// user.email (as git config reads them in dir), else $USER.
func whoAmI(dir string) string {
	if u := strings.TrimSpace(os.Getenv("KDELTA_USER")); u != "" {
		return u
	}
	gitConfig := func(key string) string {
		cmd := exec.Command("git", "config", "--get", key)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	name, email := gitConfig("user.name"), gitConfig("user.email")
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	case email != "":
		return "<" + email + ">"
	}
	return os.Getenv("USER")
}
