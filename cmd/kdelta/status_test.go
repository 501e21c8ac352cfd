package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusAnnotateIgnore drives status, annotate and ignore as a user
// would on the small world: a manual status shows in the next snapshot's
// timeline, and an ignored path leaves the missing lists.
func TestStatusAnnotateIgnore(t *testing.T) {
	_, _, do := demoWorld(t)

	js, stderr, code := do("status", "sles", "--format", "json")
	var carried []struct {
		ID     string `json:"id"`
		Path   string `json:"path"`
		Status struct {
			Status   string            `json:"status"`
			Evidence []json.RawMessage `json:"evidence"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(js), &carried); err != nil || code != exitOK || len(carried) == 0 {
		t.Fatalf("status sles: exit %d, %v: %s%.200s", code, err, stderr, js)
	}
	path := ""
	for _, c := range carried {
		if c.Status.Status == "submitted" && c.Path != "" {
			path = c.Path
		}
	}
	if path == "" {
		t.Fatalf("no submitted sles patch among %d", len(carried))
	}

	if _, stderr, code := do("annotate", path, "rejected"); code != exitBadInput || !strings.Contains(stderr, "--reason is required") {
		t.Errorf("annotate without a reason: exit %d: %s", code, stderr)
	}
	if _, stderr, code := do("annotate", path, "bogus", "--reason", "x"); code != exitBadInput || !strings.Contains(stderr, "want one of") {
		t.Errorf("annotate with a bad status: exit %d: %s", code, stderr)
	}
	if out, stderr, code := do("annotate", filepath.Base(path), "rejected", "--reason", "NAKed on the list"); code != exitOK || !strings.Contains(out, "rejected by hand") {
		t.Fatalf("annotate: exit %d: %s%s", code, out, stderr)
	}
	if _, stderr, code := do("sync"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	timeline, stderr, code := do("status", path)
	if code != exitOK || !strings.Contains(timeline, "rejected (was submitted)") || !strings.Contains(timeline, "NAKed on the list") {
		t.Errorf("timeline: exit %d\n%s%s", code, timeline, stderr)
	}
	if _, stderr, code := do("status", "patches.suse/no-such.patch"); code != exitBadInput {
		t.Errorf("status of an unknown patch: exit %d: %s", code, stderr)
	}

	before, _, _ := do("delta", "rhel", "--format", "json", "--component", "mlx5")
	if out, stderr, code := do("ignore", "add", "drivers/infiniband/hw/mlx5/", "--reason", "mlx5 comes from the vendor"); code != exitOK {
		t.Fatalf("ignore add: exit %d: %s%s", code, out, stderr)
	}
	after, _, _ := do("delta", "rhel", "--format", "json", "--component", "mlx5")
	type deltaJSON struct {
		Components []struct {
			Missing []json.RawMessage `json:"missing"`
			Ignored int               `json:"ignored"`
		} `json:"components"`
	}
	var b, a deltaJSON
	if err := json.Unmarshal([]byte(before), &b); err != nil || len(b.Components) != 1 {
		t.Fatalf("delta before ignore: %v %.200s", err, before)
	}
	if err := json.Unmarshal([]byte(after), &a); err != nil || len(a.Components) != 1 {
		t.Fatalf("delta after ignore: %v %.200s", err, after)
	}
	// mlx5 also spans drivers/net/ethernet/mellanox/mlx5/: only commits
	// wholly under the ignored path leave the list.
	was, now, ignored := len(b.Components[0].Missing), len(a.Components[0].Missing), a.Components[0].Ignored
	if ignored == 0 || now+ignored != was || b.Components[0].Ignored != 0 {
		t.Errorf("mlx5 missing: %d before, %d after with %d ignored", was, now, ignored)
	}
	if list, _, _ := do("ignore", "list"); !strings.Contains(list, "mlx5 comes from the vendor") {
		t.Errorf("ignore list: %s", list)
	}
	if _, _, code := do("ignore", "rm", "drivers/infiniband/hw/mlx5/"); code != exitOK {
		t.Errorf("ignore rm: exit %d", code)
	}
	if _, _, code := do("ignore", "rm", "drivers/infiniband/hw/mlx5/"); code != exitBadInput {
		t.Errorf("ignore rm twice: exit %d", code)
	}
}
