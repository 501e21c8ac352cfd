package fingerprint

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

// gitPatchID runs `git patch-id --stable` on a patch text.
func gitPatchID(t *testing.T, patch string) string {
	t.Helper()
	cmd := exec.Command("git", "patch-id", "--stable")
	cmd.Stdin = strings.NewReader("commit 0123456789012345678901234567890123456789\n" + patch)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git patch-id: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

const twoFiles = `diff --git a/drivers/infiniband/hw/mlx5/qp.c b/drivers/infiniband/hw/mlx5/qp.c
index 1111111..2222222 100644
--- a/drivers/infiniband/hw/mlx5/qp.c
+++ b/drivers/infiniband/hw/mlx5/qp.c
@@ -10,7 +10,7 @@ static int mlx5_qp(struct ib_qp *qp)
 	int ret;
 
 	if (!qp)
-		return -EINVAL;
+		return -ENODEV;
 	ret = mlx5_cmd(qp);
 	return ret;
 }
diff --git a/drivers/infiniband/hw/mlx5/cq.c b/drivers/infiniband/hw/mlx5/cq.c
index 3333333..4444444 100644
--- a/drivers/infiniband/hw/mlx5/cq.c
+++ b/drivers/infiniband/hw/mlx5/cq.c
@@ -1,3 +1,4 @@
 #include <linux/kernel.h>
+#include <linux/slab.h>
 
 int x;
`

func TestTextAgreesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	reordered := twoFiles[strings.Index(twoFiles, "diff --git a/drivers/infiniband/hw/mlx5/cq.c"):] +
		twoFiles[:strings.Index(twoFiles, "diff --git a/drivers/infiniband/hw/mlx5/cq.c")]
	tests := []struct{ name, patch string }{
		{"two files", twoFiles},
		{"files reordered", reordered},
		{"whitespace changed", strings.ReplaceAll(twoFiles, "\t", "    ")},
		{"line numbers moved", strings.Replace(twoFiles, "@@ -10,7 +10,7 @@", "@@ -110,7 +112,7 @@", 1)},
		{"mode change only then a file", "diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\n" + twoFiles},
		{"binary", "diff --git a/fw.bin b/fw.bin\nindex 1234567..89abcde 100644\nBinary files a/fw.bin and b/fw.bin differ\n" + twoFiles},
		{"no newline marker", "diff --git a/a.c b/a.c\nindex 1111111..2222222 100644\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-old\n\\ No newline at end of file\n+new\n\\ No newline at end of file\n"},
		{"commit message before the diff", "Subject: RDMA/mlx5: fix\n\nSome text\n---\n" + twoFiles},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := Text([]byte(tt.patch)), gitPatchID(t, tt.patch); got != want {
				t.Errorf("patch-id %q, git %q", got, want)
			}
		})
	}
	// The same change must keep its id when whitespace, order or line numbers change.
	base := Text([]byte(twoFiles))
	for _, p := range []string{reordered, strings.ReplaceAll(twoFiles, "\t", "    ")} {
		if Text([]byte(p)) != base {
			t.Errorf("the patch-id moved with order or whitespace")
		}
	}
}

func TestBuildSumsFilesLikeGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	old := []byte("a\nb\nc\nd\ne\nf\ng\n")
	new := []byte("a\nb\nC\nd\ne\nf\ng\nh\n")
	tests := []struct {
		name  string
		files []File
	}{
		{"two modified files", []File{
			{OldPath: "a.c", NewPath: "a.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "1111111", NewID: "2222222", Old: old, New: new},
			{OldPath: "b.c", NewPath: "b.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "3333333", NewID: "4444444", Old: new, New: old},
		}},
		{"a mode change merges into the next file", []File{
			{OldPath: "a.sh", NewPath: "a.sh", OldMode: 0o100644, NewMode: 0o100755, OldID: "1111111", NewID: "1111111", Old: old, New: old},
			{OldPath: "b.c", NewPath: "b.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "3333333", NewID: "4444444", Old: old, New: new},
		}},
		{"new empty file, rename, deletion", []File{
			{NewPath: "empty.h", NewMode: 0o100644, OldID: "0000000", NewID: "e69de29"},
			{OldPath: "old.c", NewPath: "new.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "1111111", NewID: "2222222", Old: old, New: new, Similarity: 75},
			{OldPath: "gone.c", OldMode: 0o100644, OldID: "3333333", NewID: "0000000", Old: old},
		}},
		{"binary in the middle", []File{
			{OldPath: "a.c", NewPath: "a.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "1111111", NewID: "2222222", Old: old, New: new},
			{OldPath: "fw.bin", NewPath: "fw.bin", OldMode: 0o100644, NewMode: 0o100644, OldID: "5555555", NewID: "6666666", Old: []byte("\x00a"), New: []byte("\x00b")},
			{OldPath: "b.c", NewPath: "b.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "3333333", NewID: "4444444", Old: new, New: old},
		}},
		{"non-ASCII and quoted names", []File{
			{OldPath: "naïve.c", NewPath: "naïve.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "1111111", NewID: "2222222", Old: old, New: new},
			{OldPath: "a\"b.c", NewPath: "a\"b.c", OldMode: 0o100644, NewMode: 0o100644, OldID: "1111111", NewID: "2222222", Old: old, New: new},
		}},
	}
	b := NewBuilder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := b.Build(tt.files)
			if want := gitPatchID(t, string(ch.Text)); ch.PatchID != want {
				t.Errorf("patch-id %q, git %q on our text:\n%s", ch.PatchID, want, ch.Text)
			}
			if want := Text(ch.Text); ch.PatchID != want {
				t.Errorf("patch-id %q, but the whole text hashes to %q", ch.PatchID, want)
			}
			for _, f := range ch.Files {
				if f.PatchID == "" && !f.Binary && f.Added+f.Deleted > 0 {
					t.Errorf("%s has changes but no patch-id", f.Path)
				}
			}
		})
	}
}

func TestQuoting(t *testing.T) {
	tests := []struct{ prefix, name, want string }{
		{"a/", "drivers/infiniband/core/cma.c", "a/drivers/infiniband/core/cma.c"},
		{"a/", "with space.c", "a/with space.c"},
		{"a/", "naïve.c", `"a/na\303\257ve.c"`},
		{"b/", "tab\there", `"b/tab\there"`},
		{"", "quote\"back\\slash", `"quote\"back\\slash"`},
		{"", "del\x7f", `"del\177"`},
	}
	for _, tt := range tests {
		if got := string(appendQuoted(nil, tt.prefix, tt.name)); got != tt.want {
			t.Errorf("quote(%q, %q) = %s, want %s", tt.prefix, tt.name, got, tt.want)
		}
	}
}

func TestSignatureIgnoresWhitespaceAndWrappers(t *testing.T) {
	h1, ok1 := signatureHash([]byte("\tret = mlx5_cmd_exec(dev, in, out);\n"))
	h2, ok2 := signatureHash([]byte("    ret = mlx5_cmd_exec( dev, in, out );"))
	if !ok1 || !ok2 || h1 != h2 {
		t.Errorf("whitespace changed the signature: %x %v, %x %v", h1, ok1, h2, ok2)
	}
	for _, line := range []string{"", "\t}\n", "#ifdef HAVE_IB_UMEM_DMABUF\n", "#endif /* HAVE_FOO */\n", "  else\n", "#if defined(HAVE_X) && defined(HAVE_Y)"} {
		if _, ok := signatureHash([]byte(line)); ok {
			t.Errorf("%q counted in the signature", line)
		}
	}
	ch := NewBuilder().Build([]File{{OldPath: "a.c", NewPath: "a.c", OldMode: 0o100644, NewMode: 0o100644,
		OldID: "1111111", NewID: "2222222", Old: []byte("x\n"), New: []byte("x\n#ifdef HAVE_Y\ny();\n#endif\n")}})
	f := ch.Files[0]
	if f.Added != 3 || len(f.Plus) != 1 || f.Status != change.Modified {
		t.Errorf("added %d lines, signature %d, status %c; want 3, 1, M", f.Added, len(f.Plus), f.Status)
	}
}

func FuzzText(f *testing.F) {
	f.Add([]byte(twoFiles))
	f.Add([]byte("diff --git a/x b/x\nindex 1..2\nBinary files a/x and b/x differ\n"))
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n-b\n+c\n"))
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -99999999999999999999,1 +1 @@\n"))
	f.Fuzz(func(t *testing.T, patch []byte) {
		id := Text(patch)
		if id != "" && (len(id) != 40 || strings.Trim(id, "0123456789abcdef") != "") {
			t.Fatalf("patch-id %q is not 40 hex digits", id)
		}
		// Splitting the input differently (CRLF kept, a final newline added)
		// must not panic either.
		Text(append(bytes.Clone(patch), '\n'))
	})
}
