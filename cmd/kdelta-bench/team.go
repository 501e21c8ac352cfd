package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
	"github.com/kdelta/kdelta/store/pgtest"
)

// teamRun is the team store measured: the first sync of the upstream into
// PostgreSQL (against SQLite's, which run measures), and the concurrent
// scenario: the downstreams synced at once, one process each.
type teamRun struct {
	skipped    string // why nothing was measured
	server     string // what the server is
	first      measure
	concurrent measure // wall time of all the downstream syncs; peak: the largest process
	sources    []string
	commits    int // on the downstreams' refs after the concurrent syncs
}

// teamConfig writes a copy of the world's project file that keeps the
// store in PostgreSQL (url) and mirrors in a directory of its own, so that
// its first sync clones as SQLite's did.
func teamConfig(config, url string) (string, error) {
	b, err := os.ReadFile(config)
	if err != nil {
		return "", err
	}
	text := string(b)
	if !strings.Contains(text, "[store]\n") || strings.Contains(text, "\nmirrors =") {
		return "", fmt.Errorf("%s has no [store] table, or names its mirrors: the bench writes both", config)
	}
	text = strings.Replace(text, "[store]\n", fmt.Sprintf("[store]\nurl = %q\nmirrors = \"kdelta-mirrors-team\"\n", url), 1)
	out := filepath.Join(filepath.Dir(config), "kdelta-team.toml")
	return out, os.WriteFile(out, []byte(text), 0o644)
}

// team measures the team store. The server is $KDELTA_BENCH_POSTGRES (an
// admin URL), or one started here with this machine's PostgreSQL
// binaries; a new database on it holds the store.
func team(bin, config, dir string) (teamRun, error) {
	var r teamRun
	admin := os.Getenv("KDELTA_BENCH_POSTGRES")
	if admin == "" {
		// In the system's temporary directory: the server runs as another
		// user when this runs as root, and dir is private to root.
		s, err := pgtest.Start("")
		if err != nil {
			r.skipped = err.Error()
			log("team store: not measured: %v", err)
			return r, nil
		}
		defer s.Stop()
		admin = s.URL
		r.server = "a server started for the bench (fsync off)"
	} else {
		r.server = "$KDELTA_BENCH_POSTGRES"
	}
	url, err := createDatabase(admin, "kdelta_bench")
	if err != nil {
		return r, err
	}
	if r.server == "$KDELTA_BENCH_POSTGRES" {
		r.server = "the server at " + store.Redact(url)
	}
	teamCfg, err := teamConfig(config, url)
	if err != nil {
		return r, err
	}
	cfg, err := project.Load(teamCfg)
	if err != nil {
		return r, err
	}
	log("kdelta: first sync of the upstream into PostgreSQL")
	if r.first, err = timeCmd(bin, "sync", "--config", teamCfg, "linux"); err != nil {
		return r, err
	}
	for _, s := range cfg.Sources {
		if s.Upstream == "linux" && s.Kind != project.KindQueue {
			r.sources = append(r.sources, s.Name)
		}
	}
	log("kdelta: %d downstream syncs at once into PostgreSQL (%s)", len(r.sources), strings.Join(r.sources, ", "))
	start := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for _, name := range r.sources {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			m, err := timeCmd(bin, "sync", "--config", teamCfg, "--wait", "1h", "--no-snapshot", name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			r.concurrent.maxRSS = max(r.concurrent.maxRSS, m.maxRSS)
		}(name)
	}
	wg.Wait()
	r.concurrent.took = time.Since(start)
	if firstErr != nil {
		return r, firstErr
	}
	db, err := store.Open(context.Background(), url, nil)
	if err != nil {
		return r, err
	}
	defer db.Close()
	refs, _, err := db.Summary(context.Background())
	if err != nil {
		return r, err
	}
	for _, ref := range refs {
		for _, s := range r.sources {
			if ref.Source == s {
				r.commits += ref.Commits
			}
		}
	}
	return r, nil
}

func openAdmin(admin string) (*sql.DB, error) {
	return sql.Open("pgx", admin) // the driver store registers
}

// createDatabase makes a new database on the server of an admin URL and
// returns its URL.
func createDatabase(admin, name string) (string, error) {
	db, err := openAdmin(admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	name = fmt.Sprintf("%s_%d", name, time.Now().Unix())
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	i := strings.Index(admin, "?")
	base, query := admin, ""
	if i >= 0 {
		base, query = admin[:i], admin[i:]
	}
	j := strings.LastIndex(base, "/")
	if j < len("postgres://") {
		return "", fmt.Errorf("%s names no database", store.Redact(admin))
	}
	return base[:j+1] + name + query, nil
}

func renderTeam(b *strings.Builder, sqliteFirst measure, r teamRun) {
	fmt.Fprintf(b, "\n## Team store: PostgreSQL against SQLite\n\n")
	if r.skipped != "" {
		fmt.Fprintf(b, "Not measured: %s.\n", r.skipped)
		return
	}
	fmt.Fprintf(b, "The same world synced into a PostgreSQL store (%s, on this machine's unix socket), with mirrors of its own.\n\n", r.server)
	fmt.Fprintf(b, "| what | time | peak memory | ratio to SQLite |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(b, "| first `kdelta sync linux` into SQLite | %s | %d MiB | 1.00x |\n", sqliteFirst.took.Round(10*time.Millisecond), sqliteFirst.maxRSS>>20)
	fmt.Fprintf(b, "| first `kdelta sync linux` into PostgreSQL | %s | %d MiB | %.2fx |\n", r.first.took.Round(10*time.Millisecond), r.first.maxRSS>>20,
		r.first.took.Seconds()/sqliteFirst.took.Seconds())
	rate := float64(r.commits) / r.concurrent.took.Seconds()
	fmt.Fprintf(b, "| %d first downstream syncs at once into PostgreSQL, one process each (%s): %d commits on their refs | %s | %d MiB (largest) | %.0f commits/s |\n\n",
		len(r.sources), strings.Join(r.sources, ", "), r.commits, r.concurrent.took.Round(10*time.Millisecond), r.concurrent.maxRSS>>20, rate)
	fmt.Fprintf(b, "Target (issue 17): the first sync into PostgreSQL at most 1.5x SQLite's.\n")
}
