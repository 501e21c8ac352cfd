package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/project"
)

const goodPatch = `From: Ada Lovelace <ada@example.org>
Date: Wed, 11 Jan 2023 09:00:00 +0100
Subject: [PATCH] RDMA/irdma: Add missing read barrier
Patch-mainline: Never, SLES-specific

Only the CQ part applies here.

Signed-off-by: Ada Lovelace <ada@example.org>
---
--- a/drivers/infiniband/hw/irdma/uk.c
+++ b/drivers/infiniband/hw/irdma/uk.c
@@ -1,3 +1,4 @@
 	if (polarity != cq->polarity)
 		return -ENOENT;
+	dma_rmb();
 	get_64bit_val(cqe, 8, &comp_ctx);
`

// seriesProject writes a SUSE-style tree with the given patches and a
// project file naming it, without an upstream.
func seriesProject(t *testing.T, patches map[string]string) (*project.Config, string) {
	t.Helper()
	dir := t.TempDir()
	tree := filepath.Join(dir, "sles")
	if err := os.MkdirAll(filepath.Join(tree, "patches.suse"), 0o755); err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	conf.WriteString("# SUSE series\n\n")
	for _, name := range []string{"a.patch", "b.patch", "c.patch"} {
		body, ok := patches[name]
		if !ok {
			continue
		}
		if err := os.WriteFile(filepath.Join(tree, "patches.suse", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		conf.WriteString("\tpatches.suse/" + name + "\n")
	}
	if err := os.WriteFile(filepath.Join(tree, "series.conf"), []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "kdelta.toml")
	text := "[[source]]\nname = \"sles\"\nkind = \"distro\"\nformat = \"series\"\nurl = \"sles\"\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, tree
}

func TestSeriesWithoutUpstream(t *testing.T) {
	out := strings.Replace(goodPatch, "drivers/infiniband/hw/irdma/uk.c", "fs/ext4/inode.c", 2)
	cfg, _ := seriesProject(t, map[string]string{"a.patch": goodPatch, "b.patch": out})
	rep := syncAll(t, cfg)
	r := refReport(t, rep, "sles")
	if r.Ref != "series" || r.Walked != 2 || r.Fingerprinted != 1 || r.OutOfScope != 1 {
		t.Errorf("report = %+v; want 2 patches read, 1 in scope", r)
	}
	db := openStore(t, cfg)
	src, ref, err := db.FindRef(context.Background(), "sles", "")
	if err != nil {
		t.Fatal(err)
	}
	if src.Format != "series" {
		t.Errorf("format = %q", src.Format)
	}
	files, err := db.PatchFiles(context.Background(), ref.ID)
	if err != nil || len(files) != 1 || files[0].Path != "patches.suse/a.patch" {
		t.Fatalf("patch files = %+v, %v", files, err)
	}
	fp, err := db.Fingerprint(context.Background(), files[0].OID, "linux")
	if err != nil {
		t.Fatal(err)
	}
	if fp.Subject != "RDMA/irdma: Add missing read barrier" || fp.Trailers.PatchMainline != "Never, SLES-specific" ||
		fp.AuthorEmail != "ada@example.org" || len(fp.Files) != 1 || fp.Files[0].Added != 1 {
		t.Errorf("fingerprint = %+v", fp)
	}
	// Nothing changed: nothing is read again.
	if r := refReport(t, syncAll(t, cfg), "sles"); !r.Unchanged {
		t.Errorf("resync = %+v, want unchanged", r)
	}
}

func TestMalformedPatchChangesNothing(t *testing.T) {
	cfg, tree := seriesProject(t, map[string]string{"a.patch": goodPatch})
	syncAll(t, cfg)
	db := openStore(t, cfg)
	_, before, err := db.FindRef(context.Background(), "sles", "")
	if err != nil {
		t.Fatal(err)
	}
	// A second patch whose hunk is cut short.
	bad := strings.TrimSuffix(goodPatch, " \tget_64bit_val(cqe, 8, &comp_ctx);\n")
	if err := os.WriteFile(filepath.Join(tree, "patches.suse", "b.patch"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := "\tpatches.suse/a.patch\n\tpatches.suse/b.patch\n"
	if err := os.WriteFile(filepath.Join(tree, "series.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), cfg, Options{Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), filepath.Join("patches.suse", "b.patch")+":") {
		t.Fatalf("err = %v; want one naming b.patch and its line", err)
	}
	_, after, err := db.FindRef(context.Background(), "sles", "")
	if err != nil {
		t.Fatal(err)
	}
	if after.Tip != before.Tip {
		t.Errorf("the ref moved to %s after a failed sync", after.Tip)
	}
	// A series naming a missing patch.
	if err := os.WriteFile(filepath.Join(tree, "series.conf"), []byte("\tpatches.suse/a.patch\n\tpatches.suse/gone.patch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), cfg, Options{Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "series.conf:2") {
		t.Errorf("err = %v; want one naming series.conf:2", err)
	}
}
