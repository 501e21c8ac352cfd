package project

import (
	"reflect"
	"strings"
	"testing"
)

func defaultMap(t testing.TB) *Components {
	t.Helper()
	cs, err := DefaultConfig().Components()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestClassifyDefault(t *testing.T) {
	cs := defaultMap(t)
	tests := []struct {
		layout  string
		paths   []string
		subject string
		want    []string
	}{
		// Most specific pattern wins: core keeps what cm, uverbs, mad, roce, addr do not name.
		{"linux", []string{"drivers/infiniband/core/verbs.c"}, "", []string{"core"}},
		{"linux", []string{"drivers/infiniband/core/cma.c"}, "", []string{"cm"}},
		{"linux", []string{"drivers/infiniband/core/cm.c", "drivers/infiniband/core/iwcm.c", "drivers/infiniband/core/ucma.c"}, "", []string{"cm"}},
		{"linux", []string{"drivers/infiniband/core/uverbs_cmd.c", "include/uapi/rdma/ib_user_verbs.h"}, "", []string{"uverbs"}},
		{"linux", []string{"drivers/infiniband/core/addr.c"}, "", []string{"addr"}},
		{"linux", []string{"drivers/infiniband/core/roce_gid_mgmt.c"}, "", []string{"roce"}},
		{"linux", []string{"drivers/infiniband/core/mad.c", "include/rdma/ib_mad.h"}, "", []string{"mad"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "", []string{"core"}},
		{"linux", []string{"include/rdma/rdma_cm.h"}, "", []string{"cm"}},
		{"linux", []string{"include/uapi/rdma/mlx5-abi.h"}, "", []string{"mlx5"}},
		{"linux", []string{"include/uapi/rdma/rdma_user_cm.h"}, "", []string{"cm"}},
		{"linux", []string{"include/uapi/rdma/ib_user_sa.h"}, "", []string{"mad"}},
		{"linux", []string{"include/uapi/rdma/new_thing.h"}, "", []string{"uapi"}},
		// Several paths, several components.
		{"linux", []string{"drivers/infiniband/hw/mlx5/main.c", "drivers/net/ethernet/mellanox/mlx5/core/en_main.c",
			"drivers/infiniband/hw/mlx4/qp.c", "include/linux/mlx5/device.h"}, "", []string{"mlx4", "mlx5"}},
		{"linux", []string{"drivers/infiniband/ulp/ipoib/ipoib_main.c"}, "IB/ipoib: fix", []string{"ipoib"}},
		{"linux", []string{"net/sunrpc/xprtrdma/verbs.c", "include/trace/events/rpcrdma.h"}, "", []string{"nfsordma"}},
		{"linux", []string{"drivers/infiniband/ulp/isert/ib_isert.c"}, "", []string{"iser"}},
		{"linux", []string{"drivers/infiniband/ulp/srpt/ib_srpt.c"}, "", []string{"srp"}},
		{"linux", []string{"drivers/vdpa/mlx5/net/mlx5_vnet.c"}, "", []string{"mlx5"}},
		{"linux", []string{"drivers/net/ethernet/microsoft/mana/gdma_main.c"}, "", []string{"mana"}},
		{"linux", []string{"net/rds/ib.c"}, "", []string{"rds"}},
		{"linux", []string{"drivers/infiniband/sw/rxe/rxe.c"}, "RDMA/rxe: fix", []string{"roce", "rxe"}},
		// In scope, claimed by no component: other.
		{"linux", []string{"drivers/infiniband/hw/Makefile"}, "", []string{"other"}},
		{"linux", []string{"drivers/infiniband/hw/mlx5/qp.c", "drivers/infiniband/hw/Kconfig"}, "", []string{"mlx5", "other"}},
		// Out of scope paths add nothing; a change wholly out of scope has no component.
		{"linux", []string{"drivers/infiniband/hw/mlx5/qp.c", "MAINTAINERS", "net/core/dev.c"}, "", []string{"mlx5"}},
		{"linux", []string{"net/core/dev.c"}, "net: RoCE is mentioned", nil},
		// Subjects: whole words, any case, prefixes with "*", several words in a row.
		{"linux", []string{"include/rdma/ib_verbs.h"}, "RDMA/core: Add RoCEv2 flow label", []string{"core", "roce"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "IB/core: support RRoCE", []string{"core", "roce"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "RDMA: fix process accounting", []string{"core"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "RDMA/mlx5: use ib_umem_find_best_pgsz", []string{"core", "mlx5"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "net/mlx5e: fix", []string{"core", "mlx5"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "IB/cm: fix", []string{"cm", "core"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "RDMA: 5 cm cable", []string{"core"}},
		// No paths (an empty or merge commit): subject, else other.
		{"linux", nil, "Merge branch 'for-next'", []string{"other"}},
		{"linux", nil, "Merge tag 'mlx5-next'", []string{"mlx5"}},
		{"linux", nil, "RDMA/siw: fix", []string{"siw"}},
		// Keywords of components that do not exist in the layout do not apply.
		{"rdma-core", []string{"providers/mlx5/verbs.c"}, "mlx5: fix ipoib offload", []string{"mlx5"}},
		// rdma-core: the whole tree is in scope; same names as the kernel.
		{"rdma-core", []string{"providers/mlx5/dr_rule.c"}, "", []string{"mlx5"}},
		{"rdma-core", []string{"librdmacm/cma.c", "libibverbs/verbs.c"}, "", []string{"cm", "uverbs"}},
		{"rdma-core", []string{"kernel-headers/rdma/mlx5-abi.h", "kernel-headers/rdma/ib_user_verbs.h"}, "", []string{"mlx5", "uverbs"}},
		{"rdma-core", []string{"srp_daemon/srp_daemon.c", "providers/hfi1verbs/hfiverbs.c"}, "", []string{"hfi1", "srp"}},
		{"rdma-core", []string{"README.md"}, "", []string{"other"}},
		{"rdma-core", []string{"providers/rxe/rxe.c"}, "providers/rxe: Fix RoCE", []string{"roce", "rxe"}},
		{"rdma-core", []string{"CMakeLists.txt", "debian/control"}, "", []string{"packaging"}},
		// winofed.
		{"winofed", []string{"core/ibat/kernel/ibat.cpp"}, "", []string{"addr"}},
		{"winofed", []string{"hw/mlx4/kernel/bus/drv/drv.c", "hw/mlx4/user/hca/cq.c"}, "", []string{"mlx4"}},
		{"winofed", []string{"ulp/ipoib_NDIS6_CM/kernel/ipoib_port.cpp", "ulp/nd/user/NdAdapter.cpp"}, "", []string{"ipoib", "nd"}},
		{"winofed", []string{"core/winverbs/kernel/wv_driver.c"}, "", []string{"uverbs"}},
		{"winofed", []string{"core/al/al_cm.c"}, "", []string{"core"}},
		{"winofed", []string{"README.txt"}, "[ibat] fix route lookup", []string{"addr", "other"}},
		// ofed: linux paths plus backports/.
		{"ofed", []string{"drivers/infiniband/hw/mlx5/main.c", "backports/0001-BACKPORT-mlx5.patch"}, "", []string{"backports", "mlx5"}},
		{"ofed", []string{"ofed_scripts/configure", "Makefile"}, "", []string{"ofed-scripts"}},
		{"ofed", []string{"net/core/dev.c"}, "", []string{"other"}},
		// custom: everything in scope, no patterns.
		{"custom", []string{"src/main.c"}, "", []string{"other"}},
		{"nonsense", []string{"src/main.c"}, "", []string{"other"}},
	}
	for _, tt := range tests {
		got := cs.Classify(tt.layout, tt.paths, tt.subject)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Classify(%s, %q, %q) = %q, want %q", tt.layout, tt.paths, tt.subject, got, tt.want)
		}
		names := cs.Names(tt.layout)
		for _, n := range got {
			if !contains(names, n) {
				t.Errorf("Classify(%s, ...) returned %q, which Names(%s) lacks", tt.layout, n, tt.layout)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func TestMergeOverride(t *testing.T) {
	c := parse(t, `
[[component]]
name = "mlx5"                      # override: linux paths replaced, subjects replaced
paths = { linux = ["drivers/infiniband/hw/mlx5/"] }
subjects = ["mellanox"]

[[component]]
name = "core"                      # override: subjects only; paths kept
subjects = []

[[component]]
name = "mlx5-steering"             # new
paths = { linux = ["drivers/net/ethernet/mellanox/mlx5/core/steering/**"], rdma-core = ["providers/mlx5/dr_*"] }

[[component]]
name = "roce"                      # remove the linux paths: found by subject only there
paths = { linux = [] }

[[component]]
name = "vendor-x"                  # subjects only: exists in every layout
subjects = ["vendor x"]

[[component]]
name = "tools"                     # new paths for the custom layout
paths = { custom = ["tools/"] }
`)
	cs, err := c.Components()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		layout  string
		paths   []string
		subject string
		want    []string
	}{
		// The mlx5 Ethernet driver is no longer in mlx5: it falls to other
		// (it is still in the linux scope through drivers/net/ethernet/mellanox/).
		{"linux", []string{"drivers/net/ethernet/mellanox/mlx5/core/en_main.c"}, "", []string{"other"}},
		{"linux", []string{"drivers/infiniband/hw/mlx5/main.c"}, "", []string{"mlx5"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "net/mlx5: Mellanox fix", []string{"core", "mlx5"}},
		{"linux", []string{"include/rdma/ib_verbs.h"}, "mlx5: fix", []string{"core"}},
		// rdma-core mlx5 was not overridden.
		{"rdma-core", []string{"providers/mlx5/qp.c"}, "", []string{"mlx5"}},
		{"rdma-core", []string{"providers/mlx5/dr_rule.c"}, "", []string{"mlx5-steering"}},
		{"linux", []string{"drivers/net/ethernet/mellanox/mlx5/core/steering/hws/x.c"}, "", []string{"mlx5-steering"}},
		// core's subjects are gone.
		{"linux", []string{"net/rds/ib.c"}, "RDMA/core: fix", []string{"rds"}},
		// roce: no linux paths any more, subjects kept.
		{"linux", []string{"drivers/infiniband/core/roce_gid_mgmt.c"}, "", []string{"core"}},
		{"linux", []string{"drivers/infiniband/core/verbs.c"}, "fix RoCE", []string{"core", "roce"}},
		{"winofed", []string{"README"}, "Vendor X: fix", []string{"other", "vendor-x"}},
		{"custom", []string{"tools/a.c", "b.c"}, "", []string{"other", "tools"}},
		// ofed follows the overridden linux paths.
		{"ofed", []string{"drivers/net/ethernet/mellanox/mlx5/core/en_main.c"}, "", []string{"other"}},
	}
	for _, tt := range tests {
		if got := cs.Classify(tt.layout, tt.paths, tt.subject); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Classify(%s, %q, %q) = %q, want %q", tt.layout, tt.paths, tt.subject, got, tt.want)
		}
	}
	if n := cs.Names("custom"); !reflect.DeepEqual(n, []string{"other", "tools", "vendor-x"}) {
		t.Errorf("Names(custom) = %q", n)
	}
	if def := defaultMap(t); def.Hash() == cs.Hash() {
		t.Error("an override did not change the hash")
	}
	// The default map is untouched by overrides.
	for _, s := range DefaultComponents() {
		if s.Name == "mlx5" && len(s.Paths[LayoutLinux]) < 3 {
			t.Errorf("default mlx5 was modified: %q", s.Paths[LayoutLinux])
		}
	}
	var specNames []string
	for _, s := range cs.Specs() {
		specNames = append(specNames, s.Name)
	}
	if !contains(specNames, "mlx5-steering") || !contains(specNames, "mlx5") {
		t.Errorf("Specs = %q", specNames)
	}
}

func TestHash(t *testing.T) {
	a, b := defaultMap(t), defaultMap(t)
	if a.Hash() != b.Hash() || len(a.Hash()) != 64 {
		t.Errorf("hash is not stable: %s %s", a.Hash(), b.Hash())
	}
	// Order of patterns and case of subjects do not matter; content does.
	x, err := NewComponents([]ComponentSpec{{Name: "x", Paths: map[string][]string{"linux": {"a/", "b/"}}, Subjects: []string{"Foo"}}})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := NewComponents([]ComponentSpec{{Name: "x", Paths: map[string][]string{"linux": {"b/", "a/"}}, Subjects: []string{"foo"}}})
	z, _ := NewComponents([]ComponentSpec{{Name: "x", Paths: map[string][]string{"linux": {"b/", "a/", "c/"}}, Subjects: []string{"foo"}}})
	if x.Hash() != y.Hash() || x.Hash() == z.Hash() {
		t.Errorf("hashes x=%s y=%s z=%s", x.Hash(), y.Hash(), z.Hash())
	}
}

func TestScopeAndPrefixes(t *testing.T) {
	cs := defaultMap(t)
	for _, tt := range []struct {
		layout, path string
		want         bool
	}{
		{"linux", "drivers/infiniband/hw/mlx5/main.c", true},
		{"linux", "drivers/infiniband/Kconfig", true},
		{"linux", "drivers/net/ethernet/mellanox/mlxsw/core.c", true},
		{"linux", "include/trace/events/ib_mad.h", true},
		{"linux", "include/trace/events/rpcrdma.h", true},
		{"linux", "include/trace/events/sched.h", false},
		{"linux", "drivers/nvme/host/rdma.c", true},
		{"linux", "drivers/nvme/host/tcp.c", false},
		{"linux", "drivers/infiniband", false},
		{"linux", "MAINTAINERS", false},
		{"linux", "drivers/net/ethernet/intel/ice/ice_main.c", false},
		{"rdma-core", "anything/at/all", true},
		{"winofed", "x", true},
		{"ofed", "compat/x.c", true},
		{"custom", "x", true},
	} {
		if got := cs.InScope(tt.layout, tt.path); got != tt.want {
			t.Errorf("InScope(%s, %s) = %v", tt.layout, tt.path, got)
		}
	}
	p := cs.Prefixes(LayoutLinux)
	for _, want := range []string{"drivers/infiniband/", "drivers/net/ethernet/mellanox/", "include/rdma/",
		"include/uapi/rdma/", "net/rds/", "net/sunrpc/xprtrdma/", "include/trace/events/", "drivers/nvme/host/"} {
		if !contains(p, want) {
			t.Errorf("Prefixes(linux) lacks %q: %q", want, p)
		}
	}
	for i, d := range p {
		if !strings.HasSuffix(d, "/") {
			t.Errorf("prefix %q is not a directory", d)
		}
		if i > 0 && (p[i-1] >= d || strings.HasPrefix(d, p[i-1])) {
			t.Errorf("prefixes not sorted and minimal: %q then %q", p[i-1], d)
		}
	}
	for _, l := range []string{"rdma-core", "winofed", "ofed", "custom", "nonsense"} {
		if got := cs.Prefixes(l); !reflect.DeepEqual(got, []string{""}) {
			t.Errorf("Prefixes(%s) = %q, want everything", l, got)
		}
	}
	// Every in-scope path lies under a prefix.
	for _, path := range []string{"drivers/infiniband/core/cma.c", "include/linux/sunrpc/svc_rdma.h", "fs/smb/client/smbdirect.c", "include/net/mana/gdma.h"} {
		if !cs.InScope(LayoutLinux, path) {
			t.Errorf("%s not in scope", path)
		}
		under := false
		for _, d := range p {
			under = under || strings.HasPrefix(path, d)
		}
		if !under {
			t.Errorf("%s is in scope but under no prefix", path)
		}
	}
	// A "**" pattern at the top means the whole tree must be walked.
	wide, err := NewComponents([]ComponentSpec{{Name: "kconfig", Paths: map[string][]string{"linux": {"**/Kconfig", "*.spec"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := wide.Prefixes(LayoutLinux); !reflect.DeepEqual(got, []string{""}) {
		t.Errorf("Prefixes with **/Kconfig = %q", got)
	}
	for pattern, want := range map[string][]string{
		"**.c":           {""},
		"*.spec":         nil,
		"CMakeLists.txt": nil,
		"a/b/**":         {"a/b/"},
		"a/*/c.h":        {"a/"},
		"a/b*/":          {"a/"},
		"a/b*.h":         {"a/"},
	} {
		p, err := compilePattern(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := minimalPrefixes([]string{prefixOf(p)}); !reflect.DeepEqual(got, want) {
			t.Errorf("prefixes of %q = %q, want %q", pattern, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	cs := defaultMap(t)
	for layout, want := range map[string][]string{
		"linux":     {"addr", "cm", "core", "ipoib", "mlx4", "mlx5", "other", "roce", "uverbs"},
		"rdma-core": {"cm", "mlx5", "pyverbs", "roce", "srp", "uverbs", "other"},
		"winofed":   {"addr", "ipoib", "mlx4", "nd", "uverbs", "other"},
		"ofed":      {"mlx5", "backports", "ofed-scripts"},
	} {
		names := cs.Names(layout)
		for _, w := range want {
			if !contains(names, w) {
				t.Errorf("Names(%s) lacks %q: %q", layout, w, names)
			}
		}
	}
	if contains(cs.Names("linux"), "nd") || contains(cs.Names("winofed"), "mlx5") {
		t.Error("Names lists components that do not exist in the layout")
	}
	if got := cs.Names("custom"); !reflect.DeepEqual(got, []string{"other"}) {
		t.Errorf("Names(custom) = %q", got)
	}
}

func TestNewComponentsErrors(t *testing.T) {
	for _, tt := range []struct {
		specs []ComponentSpec
		want  string
	}{
		{[]ComponentSpec{{Name: "other", Subjects: []string{"x"}}}, `component "other": the name is reserved for files no component claims`},
		{[]ComponentSpec{{Name: "a"}, {Name: "a"}}, `component "a" is defined twice`},
		{[]ComponentSpec{{Name: "a", Paths: map[string][]string{"linus": nil}}}, `component "a": paths key "linus" is not one of linux, rdma-core, winofed, ofed, custom`},
		{[]ComponentSpec{{Name: "a", Paths: map[string][]string{"linux": {"/x"}}}}, `component "a": linux pattern "/x" is absolute; expected a path relative to the top of the tree`},
		{[]ComponentSpec{{Name: "a", Subjects: []string{"*"}}}, `component "a": subject "*" has no letters or digits; expected a word like "mlx5"`},
	} {
		_, err := NewComponents(tt.specs)
		if err == nil || err.Error() != tt.want {
			t.Errorf("NewComponents(%+v) = %v, want %s", tt.specs, err, tt.want)
		}
	}
}

func TestDefaultComponentsValid(t *testing.T) {
	specs := DefaultComponents()
	for i, s := range specs {
		if i > 0 && specs[i-1].Name >= s.Name {
			t.Errorf("default map not sorted: %q, %q", specs[i-1].Name, s.Name)
		}
		if !validName(s.Name) {
			t.Errorf("bad default name %q", s.Name)
		}
		for l, ps := range s.Paths {
			for _, p := range ps {
				if err := checkPattern(p); err != nil {
					t.Errorf("%s %s %q: %v", s.Name, l, p, err)
				}
			}
		}
	}
	// Callers own their copy.
	specs[0].Name = "changed"
	if DefaultComponents()[0].Name == "changed" {
		t.Error("DefaultComponents shares state")
	}
}

var benchPaths = []string{
	"drivers/infiniband/hw/mlx5/main.c",
	"drivers/net/ethernet/mellanox/mlx5/core/en/tc/act/mirred.c",
	"include/rdma/ib_verbs.h",
	"drivers/infiniband/core/cma.c",
	"Documentation/ABI/testing/sysfs-class-infiniband",
	"net/core/dev.c",
	"include/uapi/rdma/mlx5_user_ioctl_cmds.h",
	"drivers/infiniband/core/uverbs_std_types_qp.c",
}

func BenchmarkClassify(b *testing.B) {
	cs := defaultMap(b)
	b.ReportAllocs()
	for b.Loop() {
		cs.Classify(LayoutLinux, benchPaths, "RDMA/mlx5: Fix RoCE LAG steering on bonded ports")
	}
}

func BenchmarkInScope(b *testing.B) {
	cs := defaultMap(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range benchPaths {
			cs.InScope(LayoutLinux, p)
		}
	}
}
