package gitdiff

import (
	"bytes"
	"sync"
)

// Tunables of xdiff/xdiffi.c and the output settings of `git diff`.
const (
	maxCostMin     = 256 // XDL_MAX_COST_MIN
	heurMinCost    = 256 // XDL_HEUR_MIN_COST
	snakeCnt       = 20  // XDL_SNAKE_CNT
	kHeur          = 4   // XDL_K_HEUR
	lineMax        = int(^uint(0) >> 1)
	contextLines   = 3 // -U3
	interHunkLines = 0 // diff.interHunkContext
)

// workspace holds every buffer one diff needs, so that repeated calls
// through the pool allocate (almost) nothing.
type workspace struct {
	cf     classifier
	f1, f2 xdfile
	dis    []byte
	kvd    []int
	script []change

	mxcost int // xdalgoenv_t.mxcost
}

var workspacePool = sync.Pool{New: func() any { return new(workspace) }}

// change mirrors xdchange_t.
type change struct {
	i1, i2, chg1, chg2 int
}

// diff runs xdl_do_diff, xdl_change_compact on both sides and
// xdl_build_script, leaving the edit script in w.script.
func (w *workspace) diff(a, b []byte) {
	nl := bytes.Count(a, []byte{'\n'}) + bytes.Count(b, []byte{'\n'}) + 2
	w.cf.reset(nl)
	w.f1.prepareCtx(a, &w.cf, 0)
	w.f2.prepareCtx(b, &w.cf, 1)
	f1, f2 := &w.f1, &w.f2

	// xdl_optimize_ctxs
	trimEnds(f1, f2)
	n := f1.nrec + f2.nrec + 2
	if cap(w.dis) >= n {
		w.dis = w.dis[:n]
		clear(w.dis)
	} else {
		w.dis = make([]byte, n)
	}
	dis1 := w.dis[:f1.nrec+1]
	dis2 := w.dis[f1.nrec+1:]
	markDiscards(f1, dis1, w.cf.cnt[1])
	markDiscards(f2, dis2, w.cf.cnt[0])
	keepRecords(f1, dis1)
	keepRecords(f2, dis2)

	// xdl_do_diff: allocate the K vectors.
	n1, n2 := len(f1.rha), len(f2.rha)
	ndiags := n1 + n2 + 3
	if cap(w.kvd) >= 2*ndiags+2 {
		w.kvd = w.kvd[:2*ndiags+2]
	} else {
		w.kvd = make([]int, 2*ndiags+2)
	}
	w.mxcost = bogosqrt(ndiags)
	if w.mxcost < maxCostMin {
		w.mxcost = maxCostMin
	}
	w.recsCmp(0, n1, 0, n2, false)

	changeCompact(f1, f2)
	changeCompact(f2, f1)
	w.buildScript()
}

// split mirrors xdl_split: find the middle snake of the box
// (off1, off2, lim1, lim2), giving up with a good-enough split point when
// the cost heuristics say so.
func (w *workspace) split(off1, lim1, off2, lim2 int, needMin bool) (s1, s2 int, minLo, minHi bool) {
	ha1, ha2 := w.f1.rha, w.f2.rha
	// Diagonals run from -(len(ha2)+1) to len(ha1)+1.
	ndiags := len(ha1) + len(ha2) + 3
	kvdf := w.kvd[:ndiags]
	kvdb := w.kvd[ndiags : 2*ndiags]
	zo := len(ha2) + 1 // index of diagonal 0 in kvdf and kvdb

	dmin, dmax := off1-lim2, lim1-off2
	fmid, bmid := off1-off2, lim1-lim2
	odd := (fmid-bmid)&1 != 0
	fmin, fmax := fmid, fmid
	bmin, bmax := bmid, bmid

	kvdf[zo+fmid] = off1
	kvdb[zo+bmid] = lim1

	for ec := 1; ; ec++ {
		gotSnake := false

		// Extend the forward diagonal domain by one.
		if fmin > dmin {
			fmin--
			kvdf[zo+fmin-1] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			kvdf[zo+fmax+1] = -1
		} else {
			fmax--
		}
		for d := fmax; d >= fmin; d -= 2 {
			var i1 int
			if kvdf[zo+d-1] >= kvdf[zo+d+1] {
				i1 = kvdf[zo+d-1] + 1
			} else {
				i1 = kvdf[zo+d+1]
			}
			prev1 := i1
			i2 := i1 - d
			for i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2] {
				i1++
				i2++
			}
			if i1-prev1 > snakeCnt {
				gotSnake = true
			}
			kvdf[zo+d] = i1
			if odd && bmin <= d && d <= bmax && kvdb[zo+d] <= i1 {
				return i1, i2, true, true
			}
		}

		// Extend the backward diagonal domain by one.
		if bmin > dmin {
			bmin--
			kvdb[zo+bmin-1] = lineMax
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			kvdb[zo+bmax+1] = lineMax
		} else {
			bmax--
		}
		for d := bmax; d >= bmin; d -= 2 {
			var i1 int
			if kvdb[zo+d-1] < kvdb[zo+d+1] {
				i1 = kvdb[zo+d-1]
			} else {
				i1 = kvdb[zo+d+1] - 1
			}
			prev1 := i1
			i2 := i1 - d
			for i1 > off1 && i2 > off2 && ha1[i1-1] == ha2[i2-1] {
				i1--
				i2--
			}
			if prev1-i1 > snakeCnt {
				gotSnake = true
			}
			kvdb[zo+d] = i1
			if !odd && fmin <= d && d <= fmax && i1 <= kvdf[zo+d] {
				return i1, i2, true, true
			}
		}

		if needMin {
			continue
		}

		// Heuristic: with a good snake and a high cost, look for a
		// diagonal that made enough progress and split there.
		if gotSnake && ec > heurMinCost {
			best := 0
			for d := fmax; d >= fmin; d -= 2 {
				dd := d - fmid
				if dd < 0 {
					dd = -dd
				}
				i1 := kvdf[zo+d]
				i2 := i1 - d
				v := (i1 - off1) + (i2 - off2) - dd
				if v > kHeur*ec && v > best &&
					off1+snakeCnt <= i1 && i1 < lim1 &&
					off2+snakeCnt <= i2 && i2 < lim2 {
					for k := 1; ha1[i1-k] == ha2[i2-k]; k++ {
						if k == snakeCnt {
							best = v
							s1, s2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return s1, s2, true, false
			}

			best = 0
			for d := bmax; d >= bmin; d -= 2 {
				dd := d - bmid
				if dd < 0 {
					dd = -dd
				}
				i1 := kvdb[zo+d]
				i2 := i1 - d
				v := (lim1 - i1) + (lim2 - i2) - dd
				if v > kHeur*ec && v > best &&
					off1 < i1 && i1 <= lim1-snakeCnt &&
					off2 < i2 && i2 <= lim2-snakeCnt {
					for k := 0; ha1[i1+k] == ha2[i2+k]; k++ {
						if k == snakeCnt-1 {
							best = v
							s1, s2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return s1, s2, false, true
			}
		}

		// Enough is enough: take the furthest reaching path.
		if ec >= w.mxcost {
			fbest, fbest1 := -1, -1
			for d := fmax; d >= fmin; d -= 2 {
				i1 := min(kvdf[zo+d], lim1)
				i2 := i1 - d
				if lim2 < i2 {
					i1 = lim2 + d
					i2 = lim2
				}
				if fbest < i1+i2 {
					fbest = i1 + i2
					fbest1 = i1
				}
			}
			bbest, bbest1 := lineMax, lineMax
			for d := bmax; d >= bmin; d -= 2 {
				i1 := max(off1, kvdb[zo+d])
				i2 := i1 - d
				if i2 < off2 {
					i1 = off2 + d
					i2 = off2
				}
				if i1+i2 < bbest {
					bbest = i1 + i2
					bbest1 = i1
				}
			}
			if (lim1+lim2)-bbest < fbest-(off1+off2) {
				return fbest1, fbest - fbest1, true, false
			}
			return bbest1, bbest - bbest1, false, true
		}
	}
}

// recsCmp mirrors xdl_recs_cmp (divide and conquer over the reduced
// records).
func (w *workspace) recsCmp(off1, lim1, off2, lim2 int, needMin bool) {
	ha1, ha2 := w.f1.rha, w.f2.rha
	for {
		for off1 < lim1 && off2 < lim2 && ha1[off1] == ha2[off2] {
			off1++
			off2++
		}
		for off1 < lim1 && off2 < lim2 && ha1[lim1-1] == ha2[lim2-1] {
			lim1--
			lim2--
		}
		if off1 == lim1 {
			f2 := &w.f2
			for ; off2 < lim2; off2++ {
				f2.rchg[f2.rindex[off2]+1] = true
			}
			return
		}
		if off2 == lim2 {
			f1 := &w.f1
			for ; off1 < lim1; off1++ {
				f1.rchg[f1.rindex[off1]+1] = true
			}
			return
		}
		i1, i2, minLo, minHi := w.split(off1, lim1, off2, lim2, needMin)
		w.recsCmp(off1, i1, off2, i2, minLo)
		off1, off2, needMin = i1, i2, minHi
	}
}

// buildScript mirrors xdl_build_script, producing the changes in file
// order.
func (w *workspace) buildScript() {
	c1, c2 := w.f1.rchg[1:], w.f2.rchg[1:] // c[i] is record i; c[nrec] is false
	n1, n2 := w.f1.nrec, w.f2.nrec
	s := w.script[:0]
	i1, i2 := 0, 0
	for i1 < n1 || i2 < n2 {
		if c1[i1] || c2[i2] {
			s1, s2 := i1, i2
			for c1[i1] {
				i1++
			}
			for c2[i2] {
				i2++
			}
			s = append(s, change{s1, s2, i1 - s1, i2 - s2})
			continue
		}
		i1++
		i2++
	}
	w.script = s
}
