package ingest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/project"
)

// TestMboxAndPatchwork syncs a mailing-list archive, then asks a Patchwork
// server (a fake speaking the documented API) for the state of each posted
// patch by message-id.
func TestMboxAndPatchwork(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "sources", "mbox", "testdata", "linux-rdma.mbox"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "linux-rdma.mbox"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/1.2/patches/" || r.URL.Query().Get("project") != "linux-rdma" {
			http.NotFound(w, r)
			return
		}
		msgid := r.URL.Query().Get("msgid")
		asked = append(asked, msgid)
		w.Header().Set("Content-Type", "application/json")
		if msgid != "20240603070002.2-yishaih@nvidia.com" {
			w.Write([]byte("[]"))
			return
		}
		json.NewEncoder(w).Encode([]map[string]any{{
			"id": 1, "url": "http://x/api/1.2/patches/1/", "web_url": "http://x/project/linux-rdma/patch/1/",
			"msgid": "<" + msgid + ">", "date": "2024-06-03T07:00:02", "name": "[v2,2/3] RDMA/mlx5: x",
			"state": "changes-requested", "archived": false, "hash": nil,
			"submitter": map[string]any{"id": 1, "name": "Yishai Hadas", "email": "yishaih@nvidia.com"},
			"series":    []any{},
		}})
	}))
	defer srv.Close()
	text := `[[source]]
name = "linux-rdma"
kind = "list"
format = "mbox"
url = "linux-rdma.mbox"

[[source]]
name = "pw"
kind = "list"
format = "patchwork"
url = "` + srv.URL + `"
project = "linux-rdma"
`
	file := filepath.Join(dir, "kdelta.toml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	rep := syncAll(t, cfg)
	if r := refReport(t, rep, "linux-rdma"); r.Fingerprinted == 0 {
		t.Fatalf("mbox report = %+v; want posted patches fingerprinted", r)
	}
	db := openStore(t, cfg)
	src, _, err := db.FindRef(context.Background(), "linux-rdma", "")
	if err != nil {
		t.Fatal(err)
	}
	posts, err := db.Postings(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	versions := map[string]int{}
	for _, p := range posts {
		states[p.MessageID] = p.State
		versions[p.MessageID] = p.Version
	}
	if got := states["20240603070002.2-yishaih@nvidia.com"]; got != "Changes Requested" {
		t.Errorf("state = %q; want Changes Requested (postings %+v)", got, posts)
	}
	if len(asked) == 0 || strings.Contains(strings.Join(asked, " "), "cover.") {
		t.Errorf("asked Patchwork for %v; want the patches, not the cover letters", asked)
	}
}
