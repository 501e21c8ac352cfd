package ingest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/sources/gitrepo"
	"github.com/kdelta/kdelta/store"
)

// TestUnknownBaseFailsBeforeTheWalk: a configured base that does not
// exist is bad input named in one line, found before any commit of the
// downstream is fingerprinted.
func TestUnknownBaseFailsBeforeTheWalk(t *testing.T) {
	w, _ := smallWorld(t)
	cfgText, err := os.ReadFile(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(cfgText), `base = "v6.1"`, `base = "v6.1-typo"`, 1)
	if bad == string(cfgText) {
		t.Fatal("the world's config has no base = \"v6.1\" to break")
	}
	if err := os.WriteFile(w.Config, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The upstream first, so its mirror exists.
	if _, err := Sync(ctx, cfg, Options{Sources: []string{"linux"}}); err != nil {
		t.Fatal(err)
	}
	_, err = Sync(ctx, cfg, Options{Sources: []string{"ofed"}})
	if !errors.Is(err, gitrepo.ErrUnknownRef) || !strings.Contains(err.Error(), "v6.1-typo") {
		t.Fatalf("sync with an unknown base: %v, want an unknown-ref error naming it", err)
	}
	db, err := store.Open(ctx, cfg.StorePath(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, ref, err := db.FindRef(ctx, "ofed", ""); err == nil && ref.Tip != "" {
		t.Errorf("ofed was walked (tip %s) before its base was found unknown", ref.Tip)
	}
}
