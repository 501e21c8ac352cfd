package fingerprint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

// gitRun runs git in dir with a clean configuration and returns its output.
func gitRun(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "core.quotePath=true", "-c", "diff.noprefix=false",
		"-c", "diff.mnemonicPrefix=false", "-c", "core.abbrev=7"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C",
		"GIT_AUTHOR_NAME=Leon Romanovsky", "GIT_AUTHOR_EMAIL=leon@kernel.org",
		"GIT_COMMITTER_NAME=Leon Romanovsky", "GIT_COMMITTER_EMAIL=leon@kernel.org",
		"GIT_AUTHOR_DATE=2024-01-05T10:00:00+00:00", "GIT_COMMITTER_DATE=2024-01-05T10:00:00+00:00")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// step is one commit's change to a work tree: path -> content; the
// content "\x00delete" deletes, a "->" prefix makes a symlink, and a "+x"
// suffix on the path makes the file executable.
type step map[string]string

func writeTree(t *testing.T, dir string, s step) {
	t.Helper()
	for name, content := range s {
		exe := strings.HasSuffix(name, "+x")
		name = strings.TrimSuffix(name, "+x")
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Remove(p)
		switch {
		case content == "\x00delete":
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(content[2:], p); err != nil {
				t.Fatal(err)
			}
		default:
			mode := os.FileMode(0o644)
			if exe {
				mode = 0o755
			}
			if err := os.WriteFile(p, []byte(content), mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// rawFiles builds the Builder input for rev^..rev from git's raw diff.
func rawFiles(t *testing.T, dir, rev string) []File {
	t.Helper()
	out := gitRun(t, dir, "diff", "--raw", "-M", "--no-abbrev", "-z", rev+"^", rev)
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	var files []File
	blob := func(id string) []byte {
		if strings.Trim(id, "0") == "" {
			return nil
		}
		return gitRun(t, dir, "cat-file", "blob", id)
	}
	for i := 0; i < len(fields); {
		meta := strings.Fields(strings.TrimPrefix(fields[i], ":"))
		oldMode, _ := strconv.ParseUint(meta[0], 8, 32)
		newMode, _ := strconv.ParseUint(meta[1], 8, 32)
		f := File{OldMode: uint32(oldMode), NewMode: uint32(newMode),
			OldID: meta[2][:7], NewID: meta[3][:7], Old: blob(meta[2]), New: blob(meta[3])}
		status := meta[4]
		switch status[0] {
		case 'R':
			f.OldPath, f.NewPath = fields[i+1], fields[i+2]
			f.Similarity, _ = strconv.Atoi(status[1:])
			i += 3
		case 'A':
			f.NewPath = fields[i+1]
			i += 2
		case 'D':
			f.OldPath = fields[i+1]
			i += 2
		default:
			f.OldPath, f.NewPath = fields[i+1], fields[i+1]
			i += 2
		}
		files = append(files, f)
	}
	return files
}

// dropFuncNames removes the function names git writes after hunk headers
// (Builder writes none; nothing that fingerprints a diff reads them).
func dropFuncNames(diff string) string {
	lines := strings.SplitAfter(diff, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "@@ -") {
			if j := strings.Index(l[4:], " @@"); j >= 0 {
				lines[i] = l[:4+j+3] + "\n"
			}
		}
	}
	return strings.Join(lines, "")
}

// sections splits a git diff into its files' texts.
func sections(diff string) []string {
	var out []string
	for _, part := range strings.SplitAfter(diff, "\n") {
		if strings.HasPrefix(part, "diff --git ") || len(out) == 0 {
			out = append(out, "")
		}
		out[len(out)-1] += part
	}
	return out
}

// history is a small RDMA-flavoured repository whose commits exercise
// every kind of file change git writes.
var history = []step{
	{
		"drivers/infiniband/hw/mlx5/qp.c": "#include <linux/kernel.h>\n\nstatic int mlx5_qp(struct ib_qp *qp)\n{\n\tint ret;\n\n\tif (!qp)\n\t\treturn -EINVAL;\n\tret = mlx5_cmd(qp);\n\treturn ret;\n}\n\nstatic int a(void) { return 1; }\nstatic int b(void) { return 2; }\nstatic int c(void) { return 3; }\nstatic int d(void) { return 4; }\nstatic int e(void) { return 5; }\nstatic int f(void) { return 6; }\nstatic int g(void) { return 7; }\n",
		"drivers/infiniband/hw/mlx5/cq.c": "int x;\nint y;\n",
		"scripts/setup.sh":                "#!/bin/sh\necho setup\n",
		"firmware/mlx5.bin":               "\x00\x01\x02fw-v1",
		"include/rdma/link.h":             "->../linux/target.h",
		"Documentation/with space.txt":    "one\ntwo\n",
		"Documentation/naïve.txt":         "café\n",
		"tools/crlf.txt":                  "a\r\nb\r\nc\r\n",
		"Documentation/list.md":           "intro\n- item one\n- \n- item two\nend\n",
		"drivers/infiniband/core/gone.c":  "static int gone;\n",
		"drivers/infiniband/core/old.c":   "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n",
		"drivers/infiniband/core/same.c":  "a\nb\nc\nd\ne\nf\n",
	},
	{
		"drivers/infiniband/hw/mlx5/qp.c": "#include <linux/kernel.h>\n#include <linux/slab.h>\n\nstatic int mlx5_qp(struct ib_qp *qp)\n{\n\tint ret;\n\n\tif (!qp)\n\t\treturn -EINVAL;\n\tret = mlx5_cmd(qp);\n\treturn ret;\n}\n\nstatic int a(void) { return 1; }\nstatic int b(void) { return 2; }\nstatic int c(void) { return 3; }\nstatic int d(void) { return 4; }\nstatic int e(void) { return 5; }\nstatic int f(void) { return 6; }\nstatic int g(void) { return 8; }\n",
		"drivers/infiniband/hw/mlx5/cq.c": "int x;\nint z;",
		"scripts/setup.sh+x":              "#!/bin/sh\necho setup\n",
		"firmware/mlx5.bin":               "\x00\x01\x02fw-v2",
		"Documentation/with space.txt":    "one\n2\n",
		"Documentation/naïve.txt":         "naïve café\n",
		"tools/crlf.txt":                  "a\r\nB\r\nc\r\n",
		"Documentation/list.md":           "intro\n- item two\nend\n",
		"drivers/infiniband/core/gone.c":  "\x00delete",
		"drivers/infiniband/core/old.c":   "\x00delete",
		"drivers/infiniband/core/new.c":   "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8 changed\n",
		"include/rdma/empty.h":            "",
	},
	{
		"include/rdma/link.h":                       "#pragma once\n",
		"drivers/infiniband/core/same.c":            "\x00delete",
		"drivers/infiniband/ulp/same.c":             "a\nb\nc\nd\ne\nf\n",
		"drivers/infiniband/ulp/ipoib/ipoib_main.c": "#ifdef HAVE_FOO\nint foo;\n#endif\n",
	},
	{
		// The diff ends in a removed line "- ", printed as "-- ", just
		// like the signature format-patch writes after it.
		"zz/last.md": "- \n",
	},
	{
		"zz/last.md": "\x00delete",
	},
}

// gitRepo builds the history in a temporary repository and returns its
// directory.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	for i, s := range history {
		writeTree(t, dir, s)
		gitRun(t, dir, "add", "-A")
		gitRun(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("RDMA/mlx5: step %d", i))
	}
	return dir
}

func TestPatchAgreesWithGitAndBuild(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := gitRepo(t)
	b := NewBuilder()
	for n := len(history) - 1; n >= 1; n-- {
		rev := fmt.Sprintf("HEAD~%d", n-1)
		t.Run(fmt.Sprintf("commit %d", len(history)-n), func(t *testing.T) {
			text := string(gitRun(t, dir, "diff", "-M", "--no-color", "--no-ext-diff", rev+"^", rev))
			ch := b.Build(rawFiles(t, dir, rev))
			if got, want := dropFuncNames(string(ch.Text)), dropFuncNames(text); got != want {
				t.Fatalf("Builder's text differs from git's:\n%s\ngit:\n%s", got, want)
			}
			want := append([]change.File(nil), ch.Files...)
			id, files, err := Patch([]byte(text))
			if err != nil {
				t.Fatalf("Patch: %v\n%s", err, text)
			}
			if g := gitPatchID(t, text); id != g || id != ch.PatchID {
				t.Errorf("patch-id %q, git %q, Build %q", id, g, ch.PatchID)
			}
			if !reflect.DeepEqual(files, want) {
				t.Errorf("files differ from Build's:\n got %+v\nwant %+v", files, want)
			}
			secs := sections(text)
			if len(secs) != len(files) {
				t.Fatalf("%d sections, %d files", len(secs), len(files))
			}
			for k, sec := range secs {
				if g := gitPatchID(t, sec); files[k].PatchID != g {
					t.Errorf("%s: patch-id %q, git %q on its section", files[k].Path, files[k].PatchID, g)
				}
			}

			// The same commit as an email: binary files come as "GIT
			// binary patch" with full ids (so their patch-id is another),
			// and the signature follows the last hunk.
			mail := string(gitRun(t, dir, "format-patch", "-1", "--stdout", rev))
			diff := mail[strings.Index(mail, "\ndiff --git ")+1:]
			if !strings.Contains(diff, "\n-- \n2.") {
				t.Fatalf("no signature in the format-patch output:\n%s", mail)
			}
			id, files, err = Patch([]byte(diff))
			if err != nil {
				t.Fatalf("Patch of the email's diff: %v\n%s", err, diff)
			}
			if g := gitPatchID(t, mail); id != g {
				t.Errorf("email patch-id %q, git %q", id, g)
			}
			for k := range files {
				if want[k].Binary {
					files[k].PatchID = want[k].PatchID
				}
			}
			if !reflect.DeepEqual(files, want) {
				t.Errorf("email files differ from Build's:\n got %+v\nwant %+v", files, want)
			}
		})
	}
}

// A quilt or OFED patch has no "diff --git" lines: git patch-id prints
// nothing for it, but the files and their signatures are still there.
func TestPatchWithoutGitHeaders(t *testing.T) {
	const ofed = `--- a/drivers/infiniband/core/addr.c
+++ b/drivers/infiniband/core/addr.c
@@ -48,6 +48,7 @@
 #include <rdma/ib.h>
 #include <rdma/rdma_netlink.h>
 #include <net/netlink.h>
+#include <linux/ratelimit.h>
 
 #include "core_priv.h"
 #include <rdma/ib_cache.h>
@@ -127,4 +128,8 @@ static void ib_nl_process_good_ip_rsep(c
 }
 
 int ib_nl_handle_ip_res_resp(struct sk_buff *skb,
+#ifdef HAVE_NETLINK_EXT_ACK
+			     struct nlmsghdr *nlh,
+#endif
+			     struct netlink_ext_ack *extack)
 {
`
	const quilt = `Index: linux-6.4/drivers/infiniband/hw/mlx4/main.c
===================================================================
--- linux-6.4.orig/drivers/infiniband/hw/mlx4/main.c	2023-06-26 00:00:00.000000000 +0200
+++ linux-6.4/drivers/infiniband/hw/mlx4/main.c	2023-07-01 10:00:00.000000000 +0200
@@ -1,3 +1,3 @@
 a
-b
+c
 d
Index: linux-6.4/drivers/infiniband/hw/mlx4/new.h
===================================================================
--- /dev/null	1970-01-01 00:00:00.000000000 +0000
+++ linux-6.4/drivers/infiniband/hw/mlx4/new.h	2023-07-01 10:00:00.000000000 +0200
@@ -0,0 +1 @@
+#define NEW 1
`
	const gnu = `diff -urN a/drivers/x.c b/drivers/x.c
--- a/drivers/x.c	2023-06-26 00:00:00.000000000 +0200
+++ b/drivers/x.c	1970-01-01 01:00:00.000000000 +0100
@@ -1 +0,0 @@
-gone
`
	tests := []struct {
		name  string
		diff  string
		files []change.File
	}{
		{"OFED backport", ofed, []change.File{{Path: "drivers/infiniband/core/addr.c", Status: change.Modified, Added: 5,
			Plus: hashes("#include <linux/ratelimit.h>", "struct nlmsghdr *nlh,", "struct netlink_ext_ack *extack)")}}},
		{"quilt with Index lines", quilt, []change.File{
			{Path: "drivers/infiniband/hw/mlx4/main.c", Status: change.Modified, Added: 1, Deleted: 1, Plus: hashes("c"), Minus: hashes("b")},
			{Path: "drivers/infiniband/hw/mlx4/new.h", Status: change.Added, Added: 1, Plus: hashes("#define NEW 1")},
		}},
		{"diff -urN deletion at the epoch", gnu, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, files, err := Patch([]byte(tt.diff))
			if err != nil {
				t.Fatal(err)
			}
			if id != Text([]byte(tt.diff)) {
				t.Errorf("patch-id %q, Text %q", id, Text([]byte(tt.diff)))
			}
			if tt.files == nil {
				// diff -urN: git patch-id starts at the "diff " line.
				if len(files) != 1 || files[0].Path != "drivers/x.c" || files[0].Status != change.Deleted || files[0].PatchID == "" || files[0].PatchID != id {
					t.Errorf("got %+v, patch-id %q", files, id)
				}
				return
			}
			if id != "" {
				t.Errorf("patch-id %q, want none", id)
			}
			if !reflect.DeepEqual(files, tt.files) {
				t.Errorf("got  %+v\nwant %+v", files, tt.files)
			}
		})
	}
}

func hashes(lines ...string) []uint64 {
	var out []uint64
	for _, l := range lines {
		h, ok := signatureHash([]byte(l))
		if !ok {
			panic(l)
		}
		out = append(out, h)
	}
	return out
}

func TestPatchNames(t *testing.T) {
	tests := []struct {
		diff          string
		path, oldPath string
		status        change.Status
	}{
		{"diff --git a/x y.c b/x y.c\nnew file mode 100644\nindex 0000000..e69de29\n", "x y.c", "", change.Added},
		{"diff --git \"a/na\\303\\257ve.c\" \"b/na\\303\\257ve.c\"\ndeleted file mode 100644\nindex e69de29..0000000\n", "naïve.c", "", change.Deleted},
		{"diff --git a/a.c \"b/tab\\there.c\"\nsimilarity index 100%\nrename from a.c\nrename to \"tab\\there.c\"\n", "tab\there.c", "a.c", change.Renamed},
		{"diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\n", "s.sh", "", change.Modified},
		{"diff --git a/x b/y\ncopy from x\ncopy to y\n", "y", "", change.Added},
		{"diff --git a/fw.bin b/fw.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nMcmZQb%FHtY00Y(mYybcN\n\nliteral 4\nLcmZQb%FF`*0%`#|\n\n", "fw.bin", "", change.Modified},
		{"--- a/x.c\n+++ b/x.c.new\n@@ -1 +1 @@\n-a\n+b\n", "x.c", "", change.Modified},
		{"--- x.c 2024-01-05 10:00:00.000000000 +0100\n+++ x.c 2024-01-05 11:00:00.000000000 +0100\n@@ -1 +1 @@\n-a\n+b\n", "x.c", "", change.Modified},
	}
	for _, tt := range tests {
		_, files, err := Patch([]byte(tt.diff))
		if err != nil {
			t.Errorf("%q: %v", tt.diff, err)
			continue
		}
		f := files[0]
		if f.Path != tt.path || f.OldPath != tt.oldPath || f.Status != tt.status {
			t.Errorf("%q: got %q %q %c, want %q %q %c", tt.diff, f.Path, f.OldPath, f.Status, tt.path, tt.oldPath, tt.status)
		}
	}
}

func TestPatchErrors(t *testing.T) {
	const head = "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
	tests := []struct {
		name, diff string
		line       int
		msg        string
	}{
		{"empty", "", 1, "no file diff"},
		{"text only", "Just a description.\n", 1, "no file diff"},
		{"hunk cut short", head + "@@ -1,3 +1,3 @@\n a\n-b\n+c\n", 8, "the diff ends inside the hunk of line 5: 1 old and 1 new lines missing"},
		{"hunk line expected", head + "@@ -1,3 +1,3 @@\n a\n-b\n+c\nd\n", 9, "expected a hunk line"},
		{"hunk too long", head + "@@ -1 +1 @@\n-b\n+c\n+d\n", 8, "line counts are too small"},
		{"more old lines than the header says", head + "@@ -1,1 +1,2 @@\n-b\n-c\n+d\n", 7, "does not match its header: more old lines than it says while 2 new lines it promises are missing"},
		{"bad hunk header", head + "@@ -1,x +1 @@\n-b\n+c\n", 5, "bad hunk header"},
		{"no +++", "diff --git a/x.c b/x.c\n--- a/x.c\nfoo\n", 3, `expected a "+++ " line`},
		{"no hunk", "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n", 4, "expected a hunk header"},
		{"hunk outside a file", "@@ -1 +1 @@\n-a\n+b\n", 1, "hunk header outside a file diff"},
		{"header without change", "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n", 1, `"diff --git" without a change`},
		{"nothing changed", head + "@@ -1 +1 @@\n a\n", 5, "the hunk changes nothing"},
		{"binary without data", "diff --git a/f b/f\nGIT binary patch\nfoo\n", 3, `expected "literal N"`},
		{"no name", "diff --git a/x b/y z\nold mode 100644\nnew mode 100755\n", 1, "cannot tell the file's name"},
		{"too many lines", strings.Repeat("\n", MaxPatchLines+1), MaxPatchLines + 1, "more than the 8388608 a patch may have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Patch([]byte(tt.diff))
			var de *DiffError
			if !errors.As(err, &de) {
				t.Fatalf("error %v, want a *DiffError", err)
			}
			if de.Line != tt.line || !strings.Contains(de.Msg, tt.msg) {
				t.Errorf("got %v, want line %d: ...%s...", err, tt.line, tt.msg)
			}
		})
	}
}

func FuzzPatch(f *testing.F) {
	f.Add([]byte(twoFiles))
	f.Add([]byte(twoFiles + "-- \n2.39.5\n\n"))
	f.Add([]byte("diff --git a/x b/x\nindex 1234567..89abcde 100644\nBinary files a/x and b/x differ\n" + twoFiles))
	f.Add([]byte("diff --git a/fw.bin b/fw.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nMcmZQb%FHtY00Y(mYybcN\n\nliteral 4\nLcmZQb%FF`*0%`#|\n\n"))
	f.Add([]byte("--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"))
	f.Add([]byte("diff --git \"a/na\\303\\257ve.c\" \"b/na\\303\\257ve.c\"\nsimilarity index 90%\nrename from a\nrename to b\n"))
	f.Add([]byte("Index: a/x\n====\n--- /dev/null\t1970-01-01 00:00:00 +0000\n+++ b/x\n@@ -0,0 +1 @@\n+x\n"))
	f.Fuzz(func(t *testing.T, diff []byte) {
		id, files, err := Patch(diff)
		if err != nil {
			var de *DiffError
			if !errors.As(err, &de) || de.Line < 1 || de.Line > bytes.Count(diff, []byte("\n"))+2 || de.Msg == "" {
				t.Fatalf("error %v: want a *DiffError with a line in the text", err)
			}
			return
		}
		if id != Text(diff) {
			t.Fatalf("patch-id %q, Text %q", id, Text(diff))
		}
		if len(files) == 0 {
			t.Fatal("no error and no files")
		}
		for _, f := range files {
			if f.Path == "" || (f.Status == change.Renamed) != (f.OldPath != "") {
				t.Fatalf("bad path or status: %+v", f)
			}
			switch f.Status {
			case change.Added, change.Deleted, change.Modified, change.Renamed:
			default:
				t.Fatalf("status %q", f.Status)
			}
			if len(f.Plus) > f.Added || len(f.Minus) > f.Deleted {
				t.Fatalf("more signature hashes than changed lines: %+v", f)
			}
			if f.Binary && (f.Added+f.Deleted != 0) {
				t.Fatalf("a binary file with changed lines: %+v", f)
			}
			if f.PatchID != "" && (len(f.PatchID) != 40 || strings.Trim(f.PatchID, "0123456789abcdef") != "") {
				t.Fatalf("patch-id %q", f.PatchID)
			}
		}
	})
}

// FuzzPatchMatchesBuild checks that reading back what Builder writes gives
// Builder's own fingerprint, for any contents and names.
func FuzzPatchMatchesBuild(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), "drivers/x.c", byte(0))
	f.Add([]byte("- \n-- x\n"), []byte("+\n"), "a b/c d.c", byte(3))
	f.Add([]byte("x\r\ny"), []byte("x\r\nz"), "naïve.c", byte(4))
	f.Add([]byte{0, 1}, []byte{0, 2}, "fw.bin", byte(1))
	f.Add([]byte(""), []byte(""), "tab\there", byte(2))
	f.Fuzz(func(t *testing.T, old, new []byte, name string, shape byte) {
		if !validName(name) {
			return
		}
		file := File{OldPath: name, NewPath: name, OldMode: 0o100644, NewMode: 0o100644,
			OldID: "1111111", NewID: "2222222", Old: old, New: new}
		switch shape % 5 {
		case 1: // added
			file.OldPath, file.OldMode, file.OldID, file.Old = "", 0, "0000000", nil
		case 2: // deleted
			file.NewPath, file.NewMode, file.NewID, file.New = "", 0, "0000000", nil
		case 3: // renamed
			file.NewPath = name + ".new"
			file.Similarity = 60
		case 4: // mode change
			file.NewMode = 0o100755
		}
		ch := NewBuilder().Build([]File{file})
		if len(ch.Text) == 0 {
			return // nothing git would show (Build still returns the file)
		}
		want := append([]change.File(nil), ch.Files...)
		id, files, err := Patch(ch.Text)
		if err != nil {
			t.Fatalf("Patch: %v\n%q", err, ch.Text)
		}
		if id != ch.PatchID || !reflect.DeepEqual(files, want) {
			t.Fatalf("got %q %+v\nwant %q %+v\n%q", id, files, ch.PatchID, want, ch.Text)
		}
	})
}

// validName reports whether name is a path git could store.
func validName(name string) bool {
	if name == "" || len(name) > 200 || strings.IndexByte(name, 0) >= 0 ||
		strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
		return false
	}
	for _, c := range strings.Split(name, "/") {
		if c == "" || c == "." || c == ".." {
			return false
		}
	}
	return true
}
