package patchwork

import (
	"strings"
	"testing"
)

// rdmaDiff is the diff part of a patch as git format-patch writes it.
const rdmaDiff = `diff --git a/drivers/infiniband/hw/mlx5/qp.c b/drivers/infiniband/hw/mlx5/qp.c
index 3b1e5b2c3d4e..8f9a0b1c2d3e 100644
--- a/drivers/infiniband/hw/mlx5/qp.c
+++ b/drivers/infiniband/hw/mlx5/qp.c
@@ -4213,7 +4213,8 @@ static int mlx5_ib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr,
 	if (attr_mask & IB_QP_PKEY_INDEX) {
 		port = attr_mask & IB_QP_PORT ? attr->port_num : qp->port;
-		if (attr->pkey_index >= dev->mdev->port_caps[port - 1].pkey_table_len) {
+		if (!port ||
+		    attr->pkey_index >= dev->mdev->port_caps[port - 1].pkey_table_len) {
 			mlx5_ib_dbg(dev, "invalid pkey index %d\n",
 				    attr->pkey_index);
 			goto out;
@@ -4300,6 +4301,7 @@ out:
 	mutex_unlock(&qp->mutex);
 
 	return err;
+
 }
diff --git a/drivers/infiniband/hw/mlx5/mlx5_ib.h b/drivers/infiniband/hw/mlx5/mlx5_ib.h
index 1111111..2222222 100644
--- a/drivers/infiniband/hw/mlx5/mlx5_ib.h
+++ b/drivers/infiniband/hw/mlx5/mlx5_ib.h
@@ -1 +1 @@
-#define MLX5_IB_X 1
+#define MLX5_IB_X 2
`

// The expected values come from patchwork's own hash_diff
// (patchwork/hasher.py, getpatchwork/patchwork), run under CPython 3.11 on
// these exact inputs: patchwork's tests carry no hash value to compare with.
func TestHash(t *testing.T) {
	tests := []struct {
		name, diff, want string
	}{
		{"empty", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"only white space", " \r\n\t\n\u00a0\x1c", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"rdma diff", rdmaDiff, "e7943508f2c284ca258f47bf2bf12552e889520b"},
		{"dev null and counts left out", "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1 @@\n+int x;\n", "c432f04c575dd05d0583435739644eeff7d458fa"},
		{"unicode digits and zeros", "@@ -1,\u0663\u0664 +1,007 @@ f\n-a\n+b\n", "99bdb90cbb80d7e7b87a51f12508a9a0736c73d3"},
		{"strip eats the first context space", " first context\n-x\n+y\n second\n", "919a1c8686a3a223cdeb6443c73ecb659089f4d3"},
		{"file name without slash", "--- foo\n+++ bar\n", "b5dba9b5a4f781590fe1057b063c764422bbac96"},
		{"not a hunk header", "@@ -1, +2 @@\n@@ -1 +2,3@@\n-a\n", "bd5f19dddee19ab8f21e59da8c4102d690908493"},
		{"two spaces after ---", "---  x\n+++\tb/y\n", "174f5ae959bf1ce643a1f178f714911fa9c6bb55"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Hash([]byte(tt.diff)); got != tt.want {
				t.Errorf("Hash = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestHashNormalizes checks what Patchwork's hash leaves out: the same
// change, rebased, taken with another -p1 prefix, mailed with CRLF, with
// other blob ids and with a commit message above it, has the same hash;
// the "---" line, diffstat and "-- " signature of a mail are not left out.
func TestHashNormalizes(t *testing.T) {
	want := Hash([]byte(rdmaDiff))
	same := []struct{ name, diff string }{
		{"other line numbers and function context", strings.NewReplacer(
			"@@ -4213,7 +4213,8 @@ static int mlx5_ib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr,",
			"@@ -3900,7 +3911,8 @@",
			"@@ -4300,6 +4301,7 @@ out:", "@@ -10,6 +11,7 @@").Replace(rdmaDiff)},
		{"other -p1 prefixes", strings.NewReplacer(
			"--- a/drivers", "--- linux-5.14.orig/drivers",
			"+++ b/drivers", "+++ linux-5.14/drivers").Replace(rdmaDiff)},
		{"CRLF", strings.ReplaceAll(rdmaDiff, "\n", "\r\n")},
		{"other index lines, no diff --git", strings.NewReplacer(
			"index 3b1e5b2c3d4e..8f9a0b1c2d3e 100644", "index 0000000000..1111111111 100644",
			"diff --git a/drivers/infiniband/hw/mlx5/mlx5_ib.h b/drivers/infiniband/hw/mlx5/mlx5_ib.h\n", "").Replace(rdmaDiff)},
		{"commit message above", "RDMA/mlx5: Check the port of a pkey index\n\nSigned-off-by: A <a@b.c>\n" + rdmaDiff},
		{"trailing blank lines", rdmaDiff + "\n\n\n"},
	}
	for _, tt := range same {
		if got := Hash([]byte(tt.diff)); got != want {
			t.Errorf("%s: Hash = %s, want %s (the plain diff's)", tt.name, got, want)
		}
	}

	differ := []struct{ name, diff string }{
		{"a changed line", strings.Replace(rdmaDiff, "MLX5_IB_X 2", "MLX5_IB_X 3", 1)},
		{"a changed context line", strings.Replace(rdmaDiff, "goto out;", "goto err;", 1)},
		{"a changed hunk count", strings.Replace(rdmaDiff, "@@ -1 +1 @@", "@@ -1 +1,2 @@", 1)},
		{"another file", strings.ReplaceAll(rdmaDiff, "mlx5_ib.h", "mlx4_ib.h")},
		{"format-patch signature kept", rdmaDiff + "-- \n2.43.0\n"},
		{"format-patch --- line and diffstat kept", "Subject\n---\n drivers/infiniband/hw/mlx5/qp.c | 3 ++-\n" + rdmaDiff},
	}
	for _, tt := range differ {
		if got := Hash([]byte(tt.diff)); got == want {
			t.Errorf("%s: Hash = %s, the same as the plain diff's", tt.name, got)
		}
	}
}
