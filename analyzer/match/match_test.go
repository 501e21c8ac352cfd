package match

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/change"
)

// Hand-built fingerprints: ids are 40 hex digits made from a short name,
// lines are hashed like the fuzzy signature.

func hexID(name string) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(name)))
}

func lineHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func hashes(lines ...string) []uint64 {
	out := make([]uint64, len(lines))
	for i, l := range lines {
		out[i] = lineHash(l)
	}
	return out
}

// file builds a changed file; its patch-id is made from its path and lines,
// so two files with the same content have the same patch-id.
func file(path string, plus, minus []string) change.File {
	pid := hexID(path + "\x00" + strings.Join(plus, "\n") + "\x00" + strings.Join(minus, "\n"))
	return change.File{Path: path, Status: change.Modified, PatchID: pid, Added: len(plus), Deleted: len(minus),
		Plus: hashes(plus...), Minus: hashes(minus...)}
}

var t0 = time.Date(2023, 3, 1, 10, 0, 0, 0, time.UTC)

func commit(name, subject string, files ...change.File) *change.Fingerprint {
	f := &change.Fingerprint{ID: hexID(name), AuthorName: "Ada Author", AuthorEmail: "ada@example.com",
		AuthorTime: t0.Add(time.Duration(len(name)) * time.Hour), Subject: subject, Files: files}
	var ids []string
	for _, fl := range files {
		ids = append(ids, fl.PatchID)
	}
	if len(files) > 0 {
		f.PatchID = hexID(strings.Join(ids, ","))
	}
	return f
}

func withAuthor(f *change.Fingerprint, name, email string, at time.Time) *change.Fingerprint {
	f.AuthorName, f.AuthorEmail, f.AuthorTime = name, email, at
	return f
}

// An upstream set with a few distinct commits in a driver.
func upstreamSet() map[string]*change.Fingerprint {
	qp := "drivers/infiniband/hw/mlx5/qp.c"
	cq := "drivers/infiniband/hw/mlx5/cq.c"
	main := "drivers/net/ethernet/mellanox/mlx5/core/main.c"
	return map[string]*change.Fingerprint{
		"fix-qp": commit("fix-qp", "RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp()",
			file(qp, []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;"}, []string{"if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"})),
		"two-files": commit("two-files", "RDMA/mlx5: Use the CQ lock in mlx5_ib_poll_cq() and its caller",
			file(cq, []string{"spin_lock_irqsave(&cq->lock, flags);", "mlx5_ib_poll_sw_comp(cq, num, wc, &npolled);", "spin_unlock_irqrestore(&cq->lock, flags);"}, []string{"mlx5_ib_poll_sw_comp(cq, num, wc);"}),
			file(qp, []string{"mlx5_ib_qp_drain(qp, &npolled);", "qp->drained = npolled;", "complete(&qp->drain_done);"}, []string{"mlx5_ib_qp_drain(qp);"})),
		"fw": commit("fw", "net/mlx5: Wait for firmware init before reading capabilities",
			file(main, []string{"err = mlx5_wait_fw_init(dev, FW_INIT_TIMEOUT_MS);", "if (err)", "goto err_fw_init;", "mlx5_core_warn(dev, \"firmware not ready\\n\");"}, nil)),
		"fw-follow": commit("fw-follow", "net/mlx5: Use the long firmware timeout on ConnectX-7",
			file(main, []string{"err = mlx5_wait_fw_init(dev, mlx5_fw_timeout(dev));", "timeout = MLX5_FW_LONG_TIMEOUT_MS;"}, []string{"err = mlx5_wait_fw_init(dev, FW_INIT_TIMEOUT_MS);"})),
		"cq-resize": commit("cq-resize", "RDMA/mlx5: Reject a CQ resize below the outstanding entries",
			file(cq, []string{"if (entries < cq->outstanding)", "return -EBUSY;", "cq->resize_pending = true;", "mlx5_ib_cq_resize_done(cq);"}, []string{"cq->resize_pending = false;"})),
		"typo-a": commit("typo-a", "RDMA/mlx5: Fix typo",
			file(qp, []string{"/* the queue pair is in error */"}, []string{"/* the queue pair is in eror */"})),
		"typo-b": commit("typo-b", "RDMA/mlx5: Fix typo",
			file(cq, []string{"/* the completion queue overflowed */"}, []string{"/* the completion queue overfloed */"})),
	}
}

func newTestIndex(t *testing.T) (*Index, map[string]*change.Fingerprint) {
	t.Helper()
	up := upstreamSet()
	var list []*change.Fingerprint
	for _, name := range []string{"fix-qp", "two-files", "fw", "fw-follow", "cq-resize", "typo-a", "typo-b"} {
		list = append(list, up[name])
	}
	return NewIndex(list), up
}

func TestMatchMethods(t *testing.T) {
	ix, up := newTestIndex(t)
	id := func(name string) string { return up[name].ID }
	qp := "drivers/infiniband/hw/mlx5/qp.c"
	cq := "drivers/infiniband/hw/mlx5/cq.c"
	main := "drivers/net/ethernet/mellanox/mlx5/core/main.c"
	fixQP := up["fix-qp"]

	cherry := commit("d-cherry", fixQP.Subject, fixQP.Files...)
	cherry.PatchID = fixQP.PatchID
	cherry.Trailers.Upstream = []change.Ref{{ID: id("fix-qp")[:12], Style: change.CherryPicked}}

	twoRefs := commit("d-squash-refs", "RDMA/mlx5: Backport CQ fixes", up["cq-resize"].Files...)
	twoRefs.Trailers.Upstream = []change.Ref{{ID: id("cq-resize"), Style: change.RHELCommit}, {ID: id("two-files")[:10], Style: change.RHELCommit}}

	badRef := commit("d-bad-ref", "RDMA/mlx5: Something local", file(qp, []string{"local_only_line_1();", "local_only_line_2();"}, nil))
	badRef.Trailers.Upstream = []change.Ref{{ID: "deadbeefdeadbeef", Style: change.CherryPicked}}

	exact := commit("d-exact", fixQP.Subject, fixQP.Files...)
	exact.PatchID = fixQP.PatchID

	partial := commit("d-partial", "RDMA/mlx5: Drain the QP before destroying it", up["two-files"].Files[1])

	// Same changed lines, different context: the patch-ids differ.
	context := commit("d-context", "[infiniband] RDMA/mlx5: fix QP state check in mlx5_ib_modify_qp()",
		file(qp, []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;"}, []string{"if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"}))
	context.Files[0].PatchID = hexID("other context")
	context.PatchID = hexID("other context commit")

	// OFED: the removed lines are kept under #else, so they show as added.
	ifdef := commit("d-ifdef", "RDMA/mlx5: Fix QP state check in mlx5_ib_modify_qp()",
		file(qp, []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;", "if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"}, nil))

	// The inverse diff of fix-qp, with no revert message: not a match.
	inverse := commit("d-inverse", "RDMA/mlx5: Restore the old QP state check",
		file(qp, []string{"if (qp->state != IB_QPS_RESET)", "qp->flags = 0;"}, []string{"if (qp->state == IB_QPS_ERR)", "return -EINVAL;", "qp->flags |= MLX5_QP_ERR;"}))

	// Conflict resolved by hand: one line differs, subject reworded.
	conflict := commit("d-conflict", "RDMA/mlx5: Reject a CQ resize below the outstanding entries (backport)",
		file(cq, []string{"if (entries < cq->outstanding)", "return -EAGAIN;", "cq->resize_pending = true;", "mlx5_ib_cq_resize_done(cq);"}, []string{"cq->resize_pending = false;"}))

	// fw and its follow-up squashed: the intermediate line never shows.
	squash := commit("d-squash", "net/mlx5: Wait for firmware init before reading capabilities",
		file(main, []string{"err = mlx5_wait_fw_init(dev, mlx5_fw_timeout(dev));", "timeout = MLX5_FW_LONG_TIMEOUT_MS;", "if (err)", "goto err_fw_init;", "mlx5_core_warn(dev, \"firmware not ready\\n\");"}, nil))
	squash.Body = "This also carries the follow-up change \"net/mlx5: Use the long firmware timeout on ConnectX-7\".\n"

	// Split: the two files of one upstream commit in two downstream commits.
	split1 := commit("d-split-1", "RDMA/mlx5: Use the CQ lock in mlx5_ib_poll_cq() and its caller",
		file(cq, []string{"spin_lock_irqsave(&cq->lock, flags);", "mlx5_ib_poll_sw_comp(cq, num, wc, &npolled);", "spin_unlock_irqrestore(&cq->lock, flags);"}, []string{"mlx5_ib_poll_sw_comp(cq, num, wc);"}))
	split1.Files[0].PatchID = hexID("split one")
	split1.PatchID = hexID("split one commit")

	// Identity: author, author time and subject kept, diff reworked.
	identity := withAuthor(commit("d-identity", up["cq-resize"].Subject, file(cq, []string{"entirely_different_code();"}, nil)),
		up["cq-resize"].AuthorName, up["cq-resize"].AuthorEmail, up["cq-resize"].AuthorTime)

	// The same subject with an unrelated diff is not evidence.
	subjectOnly := commit("d-subject-only", up["cq-resize"].Subject, file(cq, []string{"entirely_different_code();"}, nil))

	// Two upstream commits share the subject "Fix typo": the diff decides.
	typo := commit("d-typo", "RDMA/mlx5: Fix typo", file(cq, []string{"/* the completion queue overflowed */"}, []string{"/* the completion queue overfloed */"}))
	typo.Files[0].PatchID = hexID("typo context")
	typo.PatchID = hexID("typo commit context")

	// A downstream revert of a downstream commit.
	revert := commit("d-revert", "Revert \""+fixQP.Subject+"\"", inverse.Files...)
	revert.Body = "This reverts commit " + exact.ID + ".\n"
	// A backported upstream revert names an upstream commit: it is matched.
	upRevert := commit("u-revert", "Revert \"RDMA/mlx5: Fix typo\"", file(qp, []string{"/* the queue pair is in eror */"}, []string{"/* the queue pair is in error */"}))
	upRevert.Body = "This reverts commit " + id("typo-a") + ".\n"

	only := commit("d-only", "RHEL-only: RDMA/mlx5: Disable a feature",
		file(qp, []string{"if (qp->state == IB_QPS_ERR)", "return 0;"}, nil))
	only.Trailers.UpstreamStatus = "RHEL-only"

	cases := []struct {
		name   string
		d      *change.Fingerprint
		want   []string
		method string
		why    string // a substring of Why
	}{
		{"trailer with an abbreviated id", cherry, []string{id("fix-qp")}, MethodTrailer, "cherry-picked " + id("fix-qp")[:12]},
		{"trailers of a squash keep every reference", twoRefs, []string{id("cq-resize"), id("two-files")}, MethodTrailer, "rhel-commit"},
		{"a reference that does not resolve is not trusted", badRef, []string{}, MethodNone, "no reference"},
		{"exact patch-id", exact, []string{id("fix-qp")}, MethodPatchID, "same patch-id"},
		{"per-file patch-id of a partial backport", partial, []string{id("two-files")}, MethodPatchID, "qp.c (1 of its 2 files)"},
		{"fuzzy: changed context, reworded subject", context, []string{id("fix-qp")}, MethodFuzzy, "100% of its changed lines present in " + qp},
		{"fuzzy: #ifdef HAVE_* backport", ifdef, []string{id("fix-qp")}, MethodFuzzy, "#ifdef"},
		{"fuzzy: an inverse diff is not a match", inverse, []string{}, MethodNone, ""},
		{"fuzzy: conflict resolved by hand", conflict, []string{id("cq-resize")}, MethodFuzzy, "80% of its changed lines"},
		{"squash of a commit and its follow-up", squash, []string{id("fw"), id("fw-follow")}, MethodSquash, ""},
		{"split: one file of an upstream commit", split1, []string{id("two-files")}, MethodFuzzy, ""},
		{"identity: author, time and subject", identity, []string{id("cq-resize")}, MethodIdentity, "author Ada Author"},
		{"a subject alone is not evidence", subjectOnly, []string{}, MethodNone, ""},
		{"several commits share the subject: the diff decides", typo, []string{id("typo-b")}, MethodFuzzy, "cq.c"},
		{"downstream revert", revert, []string{}, MethodRevert, "reverts " + exact.ID[:12]},
		{"a revert naming an upstream commit is matched by its diff, not as a downstream revert", upRevert, []string{}, MethodNone, "no reference"},
		{"declared downstream-only with a chance overlap", only, []string{}, MethodNone, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := ix.Match([]*change.Fingerprint{c.d}, nil)
			if len(got) != 1 {
				t.Fatalf("%d matches", len(got))
			}
			m := got[0]
			if m.Downstream != c.d.ID || !sameSet(m.Upstream, c.want) || m.Method != c.method || !strings.Contains(m.Why, c.why) {
				t.Errorf("got %+v\nwant upstream %v method %s why containing %q", m, c.want, c.method, c.why)
			}
			if m.Score < 0 || m.Score > 1 || m.Why == "" {
				t.Errorf("score %v why %q", m.Score, m.Why)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	ix, up := newTestIndex(t)
	bad := commit("d-bad", "RDMA/mlx5: Something", file("drivers/infiniband/hw/mlx5/qp.c", []string{"local_line();"}, nil))
	bad.Trailers.Upstream = []change.Ref{{ID: "deadbeefdeadbeef", Style: change.GitCommit}}
	// An abbreviation so short that several upstream ids share it.
	amb := commit("d-amb", "RDMA/mlx5: Other", file("drivers/infiniband/hw/mlx5/qp.c", []string{"other_line();"}, nil))
	counts := map[string]int{}
	for _, u := range up {
		counts[u.ID[:4]]++
	}
	prefix := ""
	for _, u := range up {
		if counts[u.ID[:4]] > 1 {
			prefix = u.ID[:4]
		}
	}
	if prefix != "" {
		amb.Trailers.Upstream = []change.Ref{{ID: prefix, Style: change.CherryPicked}}
	}
	_, probs := ix.Match([]*change.Fingerprint{bad, amb}, nil)
	if len(probs) == 0 || probs[0].Downstream != bad.ID || probs[0].Ref != "deadbeefdeadbeef" || !strings.Contains(probs[0].Why, "does not exist upstream") {
		t.Errorf("problems %+v", probs)
	}
	if prefix != "" && (len(probs) != 2 || !strings.Contains(probs[1].Why, "ambiguous")) {
		t.Errorf("ambiguous %s: problems %+v", prefix, probs)
	}
}

func TestOverridesWin(t *testing.T) {
	ix, up := newTestIndex(t)
	exact := commit("d-exact", up["fix-qp"].Subject, up["fix-qp"].Files...)
	exact.PatchID = up["fix-qp"].PatchID
	other := commit("d-other", "RDMA/mlx5: Local change", file("x.c", []string{"x();"}, nil))
	got, _ := ix.Match([]*change.Fingerprint{exact, other}, map[string][]string{
		exact.ID: {},
		other.ID: {up["fw"].ID},
	})
	if got[0].Method != MethodManual || len(got[0].Upstream) != 0 || got[1].Method != MethodManual || !reflect.DeepEqual(got[1].Upstream, []string{up["fw"].ID}) {
		t.Errorf("overrides: %+v", got)
	}
}

func TestJSONContract(t *testing.T) {
	ix, _ := newTestIndex(t)
	d := commit("d-none", "RDMA/mlx5: Local", file("x.c", []string{"x();"}, nil))
	got, _ := ix.Match([]*change.Fingerprint{d}, nil)
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"downstream":"` + d.ID + `","upstream":[],"method":"none","score":0,"why":`
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("json %s\nwant prefix %s", b, want)
	}
}
