package gitdiff

import (
	"bytes"
	"hash/maphash"
)

// Tunables of xdiff/xprepare.c.
const (
	kpdisRun      = 4    // XDL_KPDIS_RUN
	maxEqLimit    = 1024 // XDL_MAX_EQLIMIT
	simscanWindow = 100  // XDL_SIMSCAN_WINDOW
)

// lineSeed seeds the line hash. Only equality of lines matters for the
// result, so any hash function gives identical diffs.
var lineSeed = maphash.MakeSeed()

// xdfile mirrors xdfile_t: the records (lines) of one side of the diff.
type xdfile struct {
	data []byte
	off  []int   // record i is data[off[i]:off[i+1]]
	ha   []int32 // equivalence class of each record
	// rchg[i+1] tells whether record i is changed; rchg[0] and
	// rchg[nrec+1] are always-false sentinels.
	rchg   []bool
	rindex []int32 // records kept for the Myers pass (xdl_cleanup_records)
	rha    []int32 // their classes
	nrec   int
	dstart int
	dend   int
}

func (f *xdfile) rec(i int) []byte { return f.data[f.off[i]:f.off[i+1]] }

// classifier mirrors xdlclassifier_t: it assigns every distinct line an
// integer class and counts the occurrences of each class on both sides.
type classifier struct {
	slots []int32 // open addressing table of class index + 1
	mask  uint64
	hash  []uint64
	line  [][]byte
	cnt   [2][]int32 // occurrences in file 1 and file 2 (len1/len2)
}

func (c *classifier) reset(nlines int) {
	size := 64
	for size < 2*nlines+2 {
		size <<= 1
	}
	if cap(c.slots) >= size {
		c.slots = c.slots[:size]
		clear(c.slots)
	} else {
		c.slots = make([]int32, size)
	}
	c.mask = uint64(size - 1)
	c.hash = c.hash[:0]
	clear(c.line)
	c.line = c.line[:0]
	c.cnt[0] = c.cnt[0][:0]
	c.cnt[1] = c.cnt[1][:0]
}

// classify mirrors xdl_classify_record.
func (c *classifier) classify(line []byte, pass int) int32 {
	h := maphash.Bytes(lineSeed, line)
	i := h & c.mask
	for {
		s := c.slots[i]
		if s == 0 {
			break
		}
		id := s - 1
		if c.hash[id] == h && bytes.Equal(c.line[id], line) {
			c.cnt[pass][id]++
			return id
		}
		i = (i + 1) & c.mask
	}
	id := int32(len(c.hash))
	c.slots[i] = id + 1
	c.hash = append(c.hash, h)
	c.line = append(c.line, line)
	c.cnt[0] = append(c.cnt[0], 0)
	c.cnt[1] = append(c.cnt[1], 0)
	c.cnt[pass][id]++
	return id
}

// prepareCtx mirrors xdl_prepare_ctx: split data into records (each
// including its terminating '\n', the last one possibly without) and
// classify them.
func (f *xdfile) prepareCtx(data []byte, cf *classifier, pass int) {
	f.data = data
	f.off = f.off[:0]
	f.ha = f.ha[:0]
	pos := 0
	for pos < len(data) {
		f.off = append(f.off, pos)
		end := len(data)
		if j := bytes.IndexByte(data[pos:], '\n'); j >= 0 {
			end = pos + j + 1
		}
		f.ha = append(f.ha, cf.classify(data[pos:end], pass))
		pos = end
	}
	f.off = append(f.off, pos)
	f.nrec = len(f.ha)
	n := f.nrec + 2
	if cap(f.rchg) >= n {
		f.rchg = f.rchg[:n]
		clear(f.rchg)
	} else {
		f.rchg = make([]bool, n)
	}
	f.rindex = f.rindex[:0]
	f.rha = f.rha[:0]
	f.dstart = 0
	f.dend = f.nrec - 1
}

// bogosqrt mirrors xdl_bogosqrt.
func bogosqrt(n int) int {
	i := 1
	for ; n > 0; n >>= 2 {
		i <<= 1
	}
	return i
}

// trimEnds mirrors xdl_trim_ends.
func trimEnds(f1, f2 *xdfile) {
	lim := min(f1.nrec, f2.nrec)
	i := 0
	for i < lim && f1.ha[i] == f2.ha[i] {
		i++
	}
	f1.dstart, f2.dstart = i, i
	lim -= i
	j := 0
	for j < lim && f1.ha[f1.nrec-1-j] == f2.ha[f2.nrec-1-j] {
		j++
	}
	f1.dend = f1.nrec - j - 1
	f2.dend = f2.nrec - j - 1
}

// cleanMmatch mirrors xdl_clean_mmatch: whether the multi-match line i
// sits inside a run dominated by lines without any match.
func cleanMmatch(dis []byte, i, s, e int) bool {
	if i-s > simscanWindow {
		s = i - simscanWindow
	}
	if e-i > simscanWindow {
		e = i + simscanWindow
	}
	rdis0, rpdis0 := 0, 1
	for r := 1; i-r >= s; r++ {
		if dis[i-r] == 0 {
			rdis0++
		} else if dis[i-r] == 2 {
			rpdis0++
		} else {
			break
		}
	}
	if rdis0 == 0 {
		return false
	}
	rdis1, rpdis1 := 0, 1
	for r := 1; i+r <= e; r++ {
		if dis[i+r] == 0 {
			rdis1++
		} else if dis[i+r] == 2 {
			rpdis1++
		} else {
			break
		}
	}
	if rdis1 == 0 {
		return false
	}
	rdis1 += rdis0
	rpdis1 += rpdis0
	return rpdis1*kpdisRun < rpdis1+rdis1
}

// classify the records of f in [dstart, dend] as having no match (0),
// some matches (1) or many matches (2) on the other side.
func markDiscards(f *xdfile, dis []byte, other []int32) {
	mlim := bogosqrt(f.nrec)
	if mlim > maxEqLimit {
		mlim = maxEqLimit
	}
	for i := f.dstart; i <= f.dend; i++ {
		nm := int(other[f.ha[i]])
		switch {
		case nm == 0:
			dis[i] = 0
		case nm >= mlim:
			dis[i] = 2
		default:
			dis[i] = 1
		}
	}
}

// keepRecords builds the reduced record list of f and marks discarded
// records as changed (second half of xdl_cleanup_records).
func keepRecords(f *xdfile, dis []byte) {
	for i := f.dstart; i <= f.dend; i++ {
		if dis[i] == 1 || (dis[i] == 2 && !cleanMmatch(dis, i, f.dstart, f.dend)) {
			f.rindex = append(f.rindex, int32(i))
			f.rha = append(f.rha, f.ha[i])
		} else {
			f.rchg[i+1] = true
		}
	}
}
