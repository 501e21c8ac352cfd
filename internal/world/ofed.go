package world

import (
	"math/rand"
	"path/filepath"
	"strings"
)

// The MLNX_OFED backports tree: mlnx-ofed/LINUX_BASE_BRANCH names the
// kernel tag it applies to, and mlnx-ofed/backports/ holds numbered
// patches named after the file they adapt
// (0001-BACKPORT-drivers-infiniband-core-addr.c.patch), each the
// `git format-patch` output of one vendor commit with the subject
// "BACKPORT: <path>": the vendor's #ifdef HAVE_* backports of upstream
// commits and some of its downstream-only patches. The patches apply to
// the base tag in order (a commit is exported only when every earlier
// vendor commit touching its files is).

type backport struct {
	e Entry
	p *patch
}

// selectBackports picks the vendor commits the backports tree carries.
func (x *extras) selectBackports(r *rand.Rand) error {
	ds := x.truth.Downstream(vendorName)
	dirty := map[string]bool{}
	var picked []backport
	for i, e := range ds.Commits {
		if len(picked) >= x.cfg.backports {
			break
		}
		paths := x.ofed.g.commits[i].paths
		ok := (e.Kind == KindIfdef || e.Kind == KindDownstreamOnly && chance(r, 0.6)) && e.RevertedBy == ""
		for _, f := range paths {
			ok = ok && !dirty[f]
		}
		var p *patch
		if ok {
			p = x.ofed.read(i)
			ok = p != nil && p.exportable()
		}
		if !ok {
			for _, f := range paths {
				dirty[f] = true
			}
			continue
		}
		picked = append(picked, backport{e: e, p: p})
	}
	out := &seriesOut{truth: SeriesInfo{Source: mlnxName, Format: "ofed", BaseTag: ds.BaseTag, Patches: []SeriesPatch{}}}
	for i, bp := range picked {
		name := "backports/" + patchFileName(i+1, "BACKPORT: "+bp.p.paths()[0])
		sp := SeriesPatch{Path: name, Kind: bp.e.Kind, Upstream: bp.e.Upstream, From: bp.e.ID, Status: "unknown"}
		if len(bp.e.Upstream) > 0 {
			sp.Release = x.release(bp.e.Upstream)
			sp.Status = "mainline"
		}
		out.truth.Patches = append(out.truth.Patches, sp)
	}
	x.ofedTree = out
	x.backports = picked
	return nil
}

// writeBackports writes the backports tree.
func (x *extras) writeBackports(*rand.Rand) error {
	root := filepath.Join(x.dir, mlnxDir)
	ds := x.truth.Downstream(vendorName)
	if err := writeFile(root, "LINUX_BASE_BRANCH", []byte(ds.BaseTag+"\n")); err != nil {
		return err
	}
	for i, bp := range x.backports {
		if err := writeFile(root, x.ofedTree.truth.Patches[i].Path, []byte(backportText(bp.p))); err != nil {
			return err
		}
	}
	x.files[mlnxName] = root
	return nil
}

// backportText is a vendor commit as an OFED backport patch: the commit's
// `git format-patch` output with the subject "BACKPORT: <path>" and only
// its Change-Id: and Signed-off-by: lines for a message.
func backportText(p *patch) string {
	var b strings.Builder
	b.WriteString(formatPatchHeader(p.id, p.author, p.when, "BACKPORT: "+p.paths()[0]))
	b.WriteString(trailerLines(p.body, "Change-Id:", "Signed-off-by:"))
	b.WriteString(patchTail(p))
	b.WriteString(patchSignature())
	return b.String()
}
