package tui

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/ingest"
	"github.com/kdelta/kdelta/internal/world"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// fixedNow is the clock of every test: output is deterministic.
func fixedNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// testWorld is a synced small world with its test results imported.
type testWorld struct {
	*world.World
	cfg *project.Config
	db  *store.DB
}

// newTestWorld builds, syncs and imports the small world (seed 5) in a
// temporary directory: about a second.
func newTestWorld(t *testing.T) *testWorld {
	t.Helper()
	return buildTestWorld(t, nil)
}

// buildTestWorld builds the small world (seed 5), lets plant change it
// (when not nil) and returns more results files to import, then syncs it
// and imports the world's results and those.
func buildTestWorld(t *testing.T, plant func(w *world.World) []string) *testWorld {
	t.Helper()
	ctx := context.Background()
	w, err := world.Build(world.Options{Seed: 5, Size: world.Small, Dir: filepath.Join(t.TempDir(), "world")})
	if err != nil {
		t.Fatal(err)
	}
	var imports []ingest.ResultsImport
	if plant != nil {
		for _, f := range plant(w) {
			imports = append(imports, ingest.ResultsImport{File: filepath.Join(w.Dir, f)})
		}
	}
	cfg, err := project.Load(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Sync(ctx, cfg, ingest.Options{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.StorePath(), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, f := range w.Truth.Results.Files {
		imports = append(imports, ingest.ResultsImport{File: filepath.Join(w.Dir, f.Path), Target: f.Target})
	}
	for _, imp := range imports {
		if _, err := ingest.ImportResults(ctx, db, cfg, imp); err != nil {
			t.Fatal(err)
		}
	}
	return &testWorld{World: w, cfg: cfg, db: db}
}

// common returns the shared state of a UI session on the world, without
// colour.
func (w *testWorld) common(t *testing.T) *Common {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	svc, err := analyzer.NewService(w.db, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return NewCommon(context.Background(), svc, NewStyles(r), fixedNow)
}

// start runs the App on a first page in an 80x24 terminal.
func start(t *testing.T, c *Common, first Page) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, NewApp(c, first), teatest.WithInitialTermSize(80, 24))
}

// waitFor waits until the screen shows text.
func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytesContains(b, text) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// finalView quits the program and returns the App's last screen.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	return m.View()
}
