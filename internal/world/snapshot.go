package world

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kdelta/kdelta/project"
	"github.com/ulikunitz/xz"
)

// The WinOFED release drops: winofed-3.0.tar.gz and winofed-3.1.tar.xz,
// each one top-level directory (WinOF-3.0/, WinOF-3.1/) in the winofed
// layout: the access layer, bus, complib and address translation under
// core/, the ConnectX bus driver under hw/mlx4/, IPoIB, SRP, OpenSM and
// the user libraries under ulp/, headers under inc/, tools, docs and the
// installer. 3.1 adds, removes and changes files in several components;
// the truth lists per component what changed, as the default component
// map classifies the paths.

// winFile is one file of a WinOFED tree.
type winFile struct {
	path  string
	area  *area
	lines []string
	crlf  bool
}

// winArea makes the code-generation area of a WinOFED component.
func winArea(ident, dev, log string, nouns ...string) *area {
	return &area{name: ident, ident: ident, dev: dev, log: log, nouns: nouns, rdma: true, domain: "openfabrics.org"}
}

var (
	winAL      = winArea("al", "ib_al_handle_t", "AL_PRINT", "ca", "pd", "qp", "cq", "mad_svc", "pnp", "av")
	winBus     = winArea("bus", "bus_filter_t", "BUS_PRINT", "port", "pkey", "iou", "pdo", "fdo")
	winCL      = winArea("cl", "cl_obj_t", "CL_TRACE", "timer", "event", "thread", "pool", "map")
	winIBAT    = winArea("ibat", "ibat_device_t", "IBAT_PRINT", "route", "ip", "mac", "port", "neigh")
	winMlx4    = winArea("mlx4", "struct mlx4_dev", "MLX4_PRINT", "eq", "cmd", "port", "qp", "cq", "mr", "fw")
	winIPoIB   = winArea("ipoib", "ipoib_adapter_t", "IPOIB_PRINT", "port", "endpt", "recv", "send", "cm", "mcast")
	winSRP     = winArea("srp", "srp_hba_t", "SRP_PRINT", "session", "conn", "desc", "lun", "hca")
	winOSM     = winArea("osm", "osm_subn_t", "OSM_LOG", "sm", "port", "node", "lid", "sa", "mcm")
	winVerbs   = winArea("wv", "wv_provider_t", "WV_PRINT", "device", "cq", "qp", "srq", "ep", "pd")
	winMad     = winArea("wm", "wm_provider_t", "WM_PRINT", "reg", "mad", "port", "send")
	winND      = winArea("nd", "nd_adapter_t", "ND_PRINT", "adapter", "cq", "ep", "mw", "listen")
	winTools   = winArea("vstat", "ib_ca_attr_t", "printf", "ca", "port", "attr", "gid")
	winDiag    = winArea("ibstat", "umad_ca_t", "fprintf", "ca", "port", "lid")
	winDocArea = winArea("doc", "void", "printf", "verbs", "ipoib", "install")
)

// winofed30 is the file list of the 3.0 drop.
func winofed30() []struct {
	path string
	a    *area
} {
	type f = struct {
		path string
		a    *area
	}
	return []f{
		{"core/al/al.c", winAL}, {"core/al/al_ca.c", winAL}, {"core/al/al_cq.c", winAL}, {"core/al/al_qp.c", winAL},
		{"core/al/al_mad.c", winAL}, {"core/al/al_pnp.c", winAL}, {"core/al/al_debug.h", winAL}, {"core/al/SOURCES", winAL},
		{"core/bus/kernel/bus_driver.c", winBus}, {"core/bus/kernel/bus_pnp.c", winBus}, {"core/bus/kernel/bus_port_mgr.c", winBus},
		{"core/complib/cl_memory.c", winCL}, {"core/complib/cl_timer.c", winCL}, {"core/complib/cl_thread.c", winCL},
		{"core/ibat/kernel/ibat.c", winIBAT}, {"core/ibat/kernel/ibat_route.c", winIBAT}, {"core/ibat/kernel/SOURCES", winIBAT},
		{"core/iou/kernel/iou_driver.c", winBus}, {"core/iou/kernel/iou_pnp.c", winBus},
		{"core/winmad/kernel/wm_driver.c", winMad}, {"core/winmad/kernel/wm_provider.c", winMad},
		{"core/winverbs/kernel/wv_driver.c", winVerbs}, {"core/winverbs/kernel/wv_cq.c", winVerbs}, {"core/winverbs/kernel/wv_qp.c", winVerbs},
		{"hw/mlx4/kernel/bus/core/cache.c", winMlx4}, {"hw/mlx4/kernel/bus/core/device.c", winMlx4},
		{"hw/mlx4/kernel/bus/ib/main.c", winMlx4}, {"hw/mlx4/kernel/bus/ib/qp.c", winMlx4}, {"hw/mlx4/kernel/bus/ib/cq.c", winMlx4},
		{"hw/mlx4/kernel/bus/net/main.c", winMlx4}, {"hw/mlx4/kernel/bus/net/eq.c", winMlx4}, {"hw/mlx4/kernel/bus/net/fw.c", winMlx4},
		{"hw/mlx4/kernel/bus/drv/drv.c", winMlx4}, {"hw/mlx4/kernel/bus/drv/mlx4_bus.inx", winMlx4},
		{"hw/mlx4/kernel/hca/hca_data.c", winMlx4}, {"hw/mlx4/kernel/hca/hca_verbs.c", winMlx4},
		{"hw/mthca/kernel/mthca_main.c", winMlx4}, {"hw/mthca/kernel/mthca_qp.c", winMlx4},
		{"inc/iba/ib_types.h", winAL}, {"inc/iba/ib_al.h", winAL}, {"inc/iba/ibat.h", winIBAT}, {"inc/user/iba/ibat.h", winIBAT},
		{"inc/complib/cl_types.h", winCL},
		{"ulp/ipoib/kernel/ipoib_adapter.c", winIPoIB}, {"ulp/ipoib/kernel/ipoib_driver.c", winIPoIB},
		{"ulp/ipoib/kernel/ipoib_endpoint.c", winIPoIB}, {"ulp/ipoib/kernel/ipoib_port.c", winIPoIB},
		{"ulp/ipoib/kernel/ipoib_port.h", winIPoIB}, {"ulp/ipoib/kernel/netipoib.inx", winIPoIB},
		{"ulp/srp/kernel/srp_driver.c", winSRP}, {"ulp/srp/kernel/srp_session.c", winSRP}, {"ulp/srp/kernel/srp_connection.c", winSRP},
		{"ulp/opensm/user/opensm/osm_sm.c", winOSM}, {"ulp/opensm/user/opensm/osm_subnet.c", winOSM},
		{"ulp/nd/user/nd_adapter.c", winND}, {"ulp/nd/user/nd_endpoint.c", winND},
		{"ulp/libibverbs/src/verbs.c", winVerbs}, {"ulp/librdmacm/src/cma.c", winVerbs},
		{"ulp/wsd/user/ibspdll.c", winND},
		{"tools/vstat/user/vstat_main.c", winTools}, {"tools/part_man/user/part_man.c", winTools},
		{"tools/infiniband-diags/src/ibstat.c", winDiag},
		{"docs/README.txt", winDocArea}, {"docs/Release_Notes.txt", winDocArea},
		{"etc/makebin.bat", winDocArea}, {"WinOF/WIX/README.txt", winDocArea},
	}
}

// winContent generates a file of a WinOFED tree.
func winContent(r *rand.Rand, path string, a *area) ([]string, bool) {
	c := code{r: r, a: a}
	base := path[strings.LastIndex(path, "/")+1:]
	switch {
	case strings.HasSuffix(path, ".c"):
		return c.cFile(40 + r.Intn(60)), false
	case strings.HasSuffix(path, ".h"):
		return c.hFile(path, 40+r.Intn(50)), false
	case base == "SOURCES":
		dir := path[:len(path)-len(base)-1]
		name := dir[strings.LastIndex(dir, "/")+1:]
		return []string{"TARGETNAME = " + a.ident + "_" + name, "TARGETPATH = ..\\..\\..\\bin\\kernel\\obj$(BUILD_ALT_DIR)",
			"TARGETTYPE = DRIVER", "", "SOURCES = \\", "\t" + a.ident + ".rc \\", "\t" + a.ident + "_" + name + ".c", "",
			"INCLUDES = ..\\..\\..\\inc;..\\..\\..\\inc\\kernel;", "", "C_DEFINES = $(C_DEFINES) -DDRIVER -DDEPRECATE_DDK_FUNCTIONS",
			"", "MSC_WARNING_LEVEL = /W4"}, true
	case strings.HasSuffix(path, ".inx"):
		return []string{"; Copyright (c) OpenFabrics Alliance. All rights reserved.", "", "[Version]", "Signature = \"$WINDOWS NT$\"",
			"Class = " + map[bool]string{true: "Net", false: "System"}[strings.Contains(path, "ipoib")],
			"Provider = %OFA%", "DriverVer = 01/01/2012,3.0.0.0", "", "[Manufacturer]", "%OFA% = OFA,nt$ARCH$", "",
			"[Strings]", "OFA = \"OpenFabrics Alliance\""}, true
	case strings.HasSuffix(path, ".bat"):
		return []string{"@echo off", "rem Build the binary release tree.", "setlocal", "set DST=%1", "if \"%DST%\" == \"\" goto usage",
			"xcopy /s /y bin\\kernel %DST%\\kernel", "xcopy /s /y bin\\user %DST%\\user", "goto end", ":usage",
			"echo usage: makebin <destination>", ":end", "endlocal"}, true
	}
	return c.textDoc(strings.TrimSuffix(base, ".txt"), 40+r.Intn(60)), true
}

// buildWinOFED writes the two release drops and their truth.
func (x *extras) buildWinOFED(r *rand.Rand) error {
	old := map[string]*winFile{}
	var paths []string
	for _, f := range winofed30() {
		lines, crlf := winContent(r, f.path, f.a)
		old[f.path] = &winFile{path: f.path, area: f.a, lines: lines, crlf: crlf}
		paths = append(paths, f.path)
	}
	cur := map[string]*winFile{}
	for p, f := range old {
		cur[p] = f
	}
	// 3.1: new files in IPoIB, the access layer, address translation, the
	// mlx4 bus driver and the tools; mthca and WSD dropped; changes all
	// over.
	for _, f := range []struct {
		path string
		a    *area
	}{
		{"ulp/ipoib/kernel/ipoib_cm.c", winIPoIB}, {"core/al/al_srq.c", winAL}, {"core/ibat/kernel/ibat_ipv6.c", winIBAT},
		{"hw/mlx4/kernel/bus/ib/mad.c", winMlx4}, {"tools/perftest/user/send_bw.c", winTools}, {"docs/Upgrade.txt", winDocArea},
	} {
		lines, crlf := winContent(r, f.path, f.a)
		cur[f.path] = &winFile{path: f.path, area: f.a, lines: lines, crlf: crlf}
	}
	for _, p := range []string{"hw/mthca/kernel/mthca_main.c", "hw/mthca/kernel/mthca_qp.c", "ulp/wsd/user/ibspdll.c", "core/al/al_pnp.c"} {
		delete(cur, p)
	}
	sort.Strings(paths)
	changed := 0
	for _, i := range r.Perm(len(paths)) {
		f := cur[paths[i]]
		if f == nil || changed >= len(paths)/3 {
			continue
		}
		lines := f.lines
		for k := 0; k < 1+r.Intn(3); k++ {
			e, ok := (code{r: r, a: f.area}).editFile(f.path, lines, "", nil)
			if !ok {
				continue
			}
			res, _, _, ok := applyHunks(lines, e.hunks, true)
			if ok {
				lines = res
			}
		}
		if !sameLines(lines, f.lines) {
			cur[f.path] = &winFile{path: f.path, area: f.area, lines: lines, crlf: f.crlf}
			changed++
		}
	}
	// The version string every drop carries.
	for _, drop := range []struct {
		files map[string]*winFile
		ver   string
	}{{old, "3.0"}, {cur, "3.1"}} {
		drop.files["WinOF/version.txt"] = &winFile{path: "WinOF/version.txt", lines: []string{"WinOF " + drop.ver}, crlf: true}
	}

	when30 := time.Date(2012, 2, 14, 12, 0, 0, 0, time.UTC)
	when31 := time.Date(2012, 11, 5, 12, 0, 0, 0, time.UTC)
	if err := writeTarball(filepath.Join(x.dir, win30File), "WinOF-3.0/", old, when30, false); err != nil {
		return err
	}
	if err := writeTarball(filepath.Join(x.dir, win31File), "WinOF-3.1/", cur, when31, true); err != nil {
		return err
	}
	x.files[win30Name] = filepath.Join(x.dir, win30File)
	x.files[win31Name] = filepath.Join(x.dir, win31File)

	comps, err := project.NewComponents(project.DefaultComponents())
	if err != nil {
		return err
	}
	d := SnapshotDiff{From: win30Name, To: win31Name, Layout: project.LayoutWinOFED, Added: []string{}, Removed: []string{},
		Changed: []string{}, Components: map[string]*PathDelta{}}
	comp := func(p string) []*PathDelta {
		var out []*PathDelta
		for _, c := range comps.Classify(project.LayoutWinOFED, []string{p}, "") {
			if d.Components[c] == nil {
				d.Components[c] = &PathDelta{Added: []string{}, Removed: []string{}, Changed: []string{}}
			}
			out = append(out, d.Components[c])
		}
		return out
	}
	for _, p := range sortedKeys(old, cur) {
		o, n := old[p], cur[p]
		switch {
		case o == nil:
			d.Added = append(d.Added, p)
			for _, c := range comp(p) {
				c.Added = append(c.Added, p)
			}
		case n == nil:
			d.Removed = append(d.Removed, p)
			for _, c := range comp(p) {
				c.Removed = append(c.Removed, p)
			}
		case !bytes.Equal(o.bytes(), n.bytes()):
			d.Changed = append(d.Changed, p)
			for _, c := range comp(p) {
				c.Changed = append(c.Changed, p)
			}
		}
	}
	x.truth.Snapshots = append(x.truth.Snapshots, d)
	return nil
}

func sortedKeys(maps ...map[string]*winFile) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (f *winFile) bytes() []byte {
	nl := "\n"
	if f.crlf {
		nl = "\r\n"
	}
	var b bytes.Buffer
	for _, l := range f.lines {
		b.WriteString(l)
		b.WriteString(nl)
	}
	return b.Bytes()
}

// writeTarball writes files under top as a tar archive, gzip- or
// xz-compressed, with directories, fixed owners and one date, so that the
// same files give the same bytes.
func writeTarball(path, top string, files map[string]*winFile, when time.Time, useXZ bool) error {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	dirs := map[string]bool{}
	hdr := func(name string, mode int64, size int64, typ byte) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Size: size, Typeflag: typ, ModTime: when, Uname: "winof", Gname: "winof",
			Uid: 1000, Gid: 1000, Format: tar.FormatUSTAR}
	}
	for _, p := range sortedKeys(files) {
		full := top + p
		for i := strings.IndexByte(full, '/'); i >= 0; i = nextSlash(full, i) {
			if d := full[:i+1]; !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(hdr(d, 0o755, 0, tar.TypeDir)); err != nil {
					return err
				}
			}
		}
		data := files[p].bytes()
		if err := tw.WriteHeader(hdr(full, 0o644, int64(len(data)), tar.TypeReg)); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	var out bytes.Buffer
	var zw io.WriteCloser
	var err error
	if useXZ {
		zw, err = xz.WriterConfig{DictCap: 1 << 20}.NewWriter(&out)
	} else {
		zw, err = gzip.NewWriterLevel(&out, gzip.BestSpeed)
	}
	if err != nil {
		return err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFile(filepath.Dir(path), filepath.Base(path), out.Bytes())
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
