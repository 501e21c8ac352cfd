package mbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffLineNamesTheDiffInTheArchive: an error in a posting's diff must
// name the diff's own line in the mbox, so each message knows where its
// diff starts.
func TestDiffLineNamesTheDiffInTheArchive(t *testing.T) {
	msg := func(subject string) string {
		return "From dev@example.org Mon Jan  1 00:00:00 2024\n" +
			"From: Dev <dev@example.org>\n" +
			"Subject: [PATCH] " + subject + "\n" +
			"Date: Mon, 1 Jan 2024 00:00:00 +0000\n" +
			"Message-ID: <" + subject + "@example.org>\n" +
			"\n" +
			"Why it is needed.\n" +
			"\n" +
			"Signed-off-by: Dev <dev@example.org>\n" +
			"---\n" +
			"diff --git a/drivers/infiniband/core/cm.c b/drivers/infiniband/core/cm.c\n" +
			"--- a/drivers/infiniband/core/cm.c\n" +
			"+++ b/drivers/infiniband/core/cm.c\n" +
			"@@ -1,2 +1,2 @@\n" +
			" a\n" +
			"-b\n" +
			"+c\n" +
			"\n"
	}
	text := msg("one") + msg("two")
	path := filepath.Join(t.TempDir(), "list.mbox")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	var want []int
	for i, l := range lines {
		if strings.HasPrefix(l, "diff --git") {
			want = append(want, i+1)
		}
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	for i, m := range msgs {
		if m.DiffLine != want[i] {
			t.Errorf("message %d: DiffLine %d, want %d (the line of its diff --git)", i+1, m.DiffLine, want[i])
		}
	}
}
