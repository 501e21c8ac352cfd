package world

// This file holds the fixed vocabulary of the synthetic world: the areas of
// the RDMA stack with their paths, subject prefixes and identifiers, and the
// fictional people who write, review and backport the commits. All names of
// people and companies' engineers are invented.

// area is one slice of the tree that commits are written against.
type area struct {
	name     string   // short name, e.g. "mlx5_ib"
	dir      string   // directory of its files, with a trailing slash
	files    []string // initial files, relative to dir
	headers  []string // shared headers (full paths) that its commits may also touch
	prefixes []string // subject prefixes
	ident    string   // identifier prefix of its code
	dev      string   // type of its device structure
	log      string   // its logging helper
	nouns    []string // objects its code manipulates
	weight   int      // how often upstream commits land here
	rdma     bool     // part of the RDMA stack (downstreams backport only these)
	text     bool     // plain text files (documentation, MAINTAINERS)
	domain   string   // mail domain of its usual authors
}

var areas = []area{
	{
		name: "core", dir: "drivers/infiniband/core/",
		files: []string{"cma.c", "verbs.c", "uverbs_cmd.c", "uverbs_main.c", "addr.c", "roce_gid_mgmt.c",
			"cache.c", "device.c", "nldev.c", "sa_query.c", "umem.c", "umem_odp.c", "rw.c", "ucma.c",
			"mad.c", "cq.c", "restrack.c", "counters.c", "iwcm.c", "netlink.c", "core_priv.h", "cma_priv.h"},
		headers: []string{"include/rdma/ib_verbs.h", "include/rdma/rdma_cm.h", "include/rdma/ib_umem.h",
			"include/rdma/uverbs_ioctl.h", "include/rdma/ib_mad.h", "include/rdma/ib_cache.h",
			"include/rdma/restrack.h", "include/uapi/rdma/ib_user_verbs.h", "include/uapi/rdma/rdma_netlink.h",
			"include/uapi/rdma/ib_user_ioctl_verbs.h"},
		prefixes: []string{"RDMA/core", "IB/core", "RDMA/cma", "RDMA/uverbs", "RDMA/nldev", "IB/sa", "RDMA/umem", "RDMA/restrack", "IB/mad"},
		ident:    "ib", dev: "struct ib_device", log: "dev_warn",
		nouns:  []string{"qp", "cq", "gid", "port", "cm_id", "umem", "mad", "sa", "pd", "device", "counter", "ah", "attr"},
		weight: 14, rdma: true, domain: "kernel.org",
	},
	{
		name: "mlx5_ib", dir: "drivers/infiniband/hw/mlx5/",
		files: []string{"main.c", "qp.c", "cq.c", "mr.c", "devx.c", "odp.c", "srq.c", "umr.c", "mlx5_ib.h",
			"counters.c", "ib_rep.c", "restrack.c", "wr.c", "fs.c", "dm.c", "gsi.c", "mad.c", "cong.c"},
		headers:  []string{"include/linux/mlx5/driver.h", "include/linux/mlx5/mlx5_ifc.h", "include/linux/mlx5/qp.h", "include/uapi/rdma/mlx5-abi.h", "include/uapi/rdma/mlx5_user_ioctl_cmds.h"},
		prefixes: []string{"RDMA/mlx5", "RDMA/mlx5", "IB/mlx5"},
		ident:    "mlx5_ib", dev: "struct mlx5_ib_dev", log: "mlx5_ib_warn",
		nouns:  []string{"qp", "cq", "mr", "srq", "umr", "port", "devx", "counter", "odp", "dm", "flow", "wq", "rwq", "mkey"},
		weight: 18, rdma: true, domain: "nvidia.com",
	},
	{
		name: "mlx5_core", dir: "drivers/net/ethernet/mellanox/mlx5/core/",
		files: []string{"main.c", "en_main.c", "eswitch.c", "eswitch_offloads.c", "en_rx.c", "en_tx.c", "en_tc.c",
			"fs_core.c", "cmd.c", "health.c", "en_ethtool.c", "en_rep.c", "fw.c", "port.c", "vport.c",
			"lag/lag.c", "en/params.c", "en/tc_ct.c", "lib/clock.c", "mlx5_core.h", "en.h"},
		headers:  []string{"include/linux/mlx5/driver.h", "include/linux/mlx5/mlx5_ifc.h", "include/linux/mlx5/device.h", "include/linux/mlx5/fs.h", "include/linux/mlx5/eswitch.h", "include/linux/mlx5/vport.h"},
		prefixes: []string{"net/mlx5", "net/mlx5e", "net/mlx5: E-Switch,", "net/mlx5e: TC,", "net/mlx5: Lag,"},
		ident:    "mlx5", dev: "struct mlx5_core_dev", log: "mlx5_core_warn",
		nouns:  []string{"eq", "cmd", "vport", "esw", "fte", "rq", "sq", "txq", "channel", "lag", "fw", "health", "port", "ct"},
		weight: 16, rdma: true, domain: "nvidia.com",
	},
	{
		name: "mlx4_ib", dir: "drivers/infiniband/hw/mlx4/",
		files:    []string{"main.c", "qp.c", "cq.c", "mad.c", "mr.c", "mlx4_ib.h", "alias_GUID.c", "cm.c"},
		headers:  []string{"include/linux/mlx4/device.h"},
		prefixes: []string{"IB/mlx4", "RDMA/mlx4"},
		ident:    "mlx4_ib", dev: "struct mlx4_ib_dev", log: "mlx4_ib_warn",
		nouns:  []string{"qp", "cq", "mad", "mr", "guid", "port", "sqp", "tunnel"},
		weight: 3, rdma: true, domain: "nvidia.com",
	},
	{
		name: "mlx4_core", dir: "drivers/net/ethernet/mellanox/mlx4/",
		files:    []string{"main.c", "en_netdev.c", "cmd.c", "eq.c", "fw.c", "en_rx.c", "en_tx.c", "mlx4.h", "resource_tracker.c"},
		headers:  []string{"include/linux/mlx4/device.h"},
		prefixes: []string{"net/mlx4", "net/mlx4_en", "net/mlx4_core"},
		ident:    "mlx4", dev: "struct mlx4_dev", log: "mlx4_warn",
		nouns:  []string{"eq", "cmd", "port", "ring", "vf", "slave", "fw", "priv"},
		weight: 3, rdma: true, domain: "nvidia.com",
	},
	{
		name: "ipoib", dir: "drivers/infiniband/ulp/ipoib/",
		files:    []string{"ipoib_main.c", "ipoib_ib.c", "ipoib_cm.c", "ipoib_multicast.c", "ipoib_verbs.c", "ipoib_netlink.c", "ipoib_ethtool.c", "ipoib.h"},
		prefixes: []string{"IB/ipoib", "RDMA/ipoib"},
		ident:    "ipoib", dev: "struct ipoib_dev_priv", log: "ipoib_warn",
		nouns:  []string{"neigh", "mcast", "path", "tx", "rx", "cm", "ah", "qp", "pkey"},
		weight: 5, rdma: true, domain: "oracle.com",
	},
	{
		name: "srp", dir: "drivers/infiniband/ulp/",
		files:    []string{"srp/ib_srp.c", "srp/ib_srp.h", "srpt/ib_srpt.c", "srpt/ib_srpt.h"},
		prefixes: []string{"IB/srp", "RDMA/srp", "IB/srpt", "RDMA/srpt"},
		ident:    "srp", dev: "struct srp_target_port", log: "shost_printk",
		nouns:  []string{"rdma_ch", "target", "rport", "req", "iu", "fr_pool", "ioctx"},
		weight: 3, rdma: true, domain: "acm.org",
	},
	{
		name: "iser", dir: "drivers/infiniband/ulp/",
		files:    []string{"iser/iscsi_iser.c", "iser/iser_verbs.c", "iser/iser_initiator.c", "iser/iser_memory.c", "iser/iscsi_iser.h", "isert/ib_isert.c", "isert/ib_isert.h"},
		prefixes: []string{"IB/iser", "IB/isert", "RDMA/iser"},
		ident:    "iser", dev: "struct iser_device", log: "iser_err",
		nouns:  []string{"conn", "task", "desc", "reg", "login", "cmd"},
		weight: 2, rdma: true, domain: "example.net",
	},
	{
		name: "rxe", dir: "drivers/infiniband/sw/rxe/",
		files:    []string{"rxe.c", "rxe_qp.c", "rxe_comp.c", "rxe_resp.c", "rxe_req.c", "rxe_net.c", "rxe_mr.c", "rxe_verbs.c", "rxe_loc.h", "rxe_param.h", "rxe_pool.c", "rxe_cq.c"},
		headers:  []string{"include/uapi/rdma/rdma_user_rxe.h"},
		prefixes: []string{"RDMA/rxe", "RDMA/rxe", "RDMA/rxe"},
		ident:    "rxe", dev: "struct rxe_dev", log: "rxe_dbg",
		nouns:  []string{"qp", "cq", "mr", "mw", "pkt", "skb", "pool", "task", "resp", "req"},
		weight: 6, rdma: true, domain: "gmail.com",
	},
	{
		name: "siw", dir: "drivers/infiniband/sw/siw/",
		files:    []string{"siw_main.c", "siw_qp.c", "siw_verbs.c", "siw_cm.c", "siw_qp_tx.c", "siw_qp_rx.c", "siw.h"},
		prefixes: []string{"RDMA/siw"},
		ident:    "siw", dev: "struct siw_device", log: "siw_dbg",
		nouns:  []string{"qp", "cep", "wqe", "sge", "mem", "cq", "iwarp_tx"},
		weight: 2, rdma: true, domain: "zurich.ibm.com",
	},
	{
		name: "hfi1", dir: "drivers/infiniband/hw/hfi1/",
		files:    []string{"chip.c", "init.c", "sdma.c", "user_sdma.c", "driver.c", "hfi.h", "file_ops.c"},
		headers:  []string{"include/rdma/rdma_vt.h"},
		prefixes: []string{"IB/hfi1", "RDMA/hfi1"},
		ident:    "hfi1", dev: "struct hfi1_devdata", log: "dd_dev_err",
		nouns:  []string{"sdma", "ctxt", "pio", "rcv", "pport", "vl", "txreq"},
		weight: 2, rdma: true, domain: "cornelisnetworks.com",
	},
	{
		name: "irdma", dir: "drivers/infiniband/hw/irdma/",
		files:    []string{"ctrl.c", "verbs.c", "hw.c", "utils.c", "cm.c", "main.c", "type.h"},
		prefixes: []string{"RDMA/irdma"},
		ident:    "irdma", dev: "struct irdma_device", log: "ibdev_dbg",
		nouns:  []string{"qp", "cq", "cqp", "ceq", "aeq", "pble", "mr", "ah"},
		weight: 3, rdma: true, domain: "intel.com",
	},
	{
		name: "bnxt_re", dir: "drivers/infiniband/hw/bnxt_re/",
		files:    []string{"main.c", "ib_verbs.c", "qplib_fp.c", "qplib_rcfw.c", "bnxt_re.h"},
		prefixes: []string{"RDMA/bnxt_re"},
		ident:    "bnxt_re", dev: "struct bnxt_re_dev", log: "ibdev_err",
		nouns:  []string{"qp", "cq", "srq", "rcfw", "nq", "mr", "fence"},
		weight: 2, rdma: true, domain: "broadcom.com",
	},
	{
		name: "efa", dir: "drivers/infiniband/hw/efa/",
		files:    []string{"efa_main.c", "efa_verbs.c", "efa_com.c", "efa_com_cmd.c", "efa.h"},
		prefixes: []string{"RDMA/efa"},
		ident:    "efa", dev: "struct efa_dev", log: "ibdev_err",
		nouns:  []string{"qp", "cq", "mr", "aq", "eq", "ah", "stats"},
		weight: 2, rdma: true, domain: "amazon.com",
	},
	{
		name: "rds", dir: "net/rds/",
		files:    []string{"ib.c", "ib_cm.c", "ib_send.c", "ib_recv.c", "rdma.c", "ib_rdma.c", "rds.h", "ib.h"},
		prefixes: []string{"rds", "net/rds"},
		ident:    "rds_ib", dev: "struct rds_ib_device", log: "rdsdebug",
		nouns:  []string{"conn", "mr", "frag", "ring", "cm_id", "send", "recv"},
		weight: 2, rdma: true, domain: "oracle.com",
	},
	{
		name: "xprtrdma", dir: "net/sunrpc/xprtrdma/",
		files:    []string{"verbs.c", "transport.c", "rpc_rdma.c", "frwr_ops.c", "svc_rdma_transport.c", "svc_rdma_rw.c", "xprt_rdma.h"},
		prefixes: []string{"xprtrdma", "svcrdma"},
		ident:    "rpcrdma", dev: "struct rpcrdma_xprt", log: "trace_xprtrdma_err",
		nouns:  []string{"rep", "req", "mr", "ep", "sendctx", "chunk", "rw_ctxt"},
		weight: 3, rdma: true, domain: "oracle.com",
	},
	{
		name: "ext4", dir: "fs/ext4/",
		files:    []string{"inode.c", "super.c", "extents.c"},
		prefixes: []string{"ext4"},
		ident:    "ext4", dev: "struct super_block", log: "ext4_warning",
		nouns:  []string{"inode", "extent", "block", "journal", "bitmap"},
		weight: 3, domain: "mit.edu",
	},
	{
		name: "mm", dir: "mm/",
		files:    []string{"page_alloc.c", "slub.c"},
		prefixes: []string{"mm/page_alloc", "mm/slub", "mm"},
		ident:    "mm", dev: "struct zone", log: "pr_warn",
		nouns:  []string{"page", "zone", "slab", "pcp", "order", "folio"},
		weight: 2, domain: "kernel.org",
	},
	{
		name: "docs", dir: "Documentation/",
		files: []string{"infiniband/ipoib.rst", "infiniband/userspace-verbs.rst", "infiniband/core_locking.rst",
			"infiniband/sysfs.rst", "infiniband/naïve.rst", "networking/device_drivers/ethernet/mellanox/mlx5.rst"},
		prefixes: []string{"Documentation: infiniband", "docs: mlx5", "Documentation: RDMA"},
		ident:    "doc", nouns: []string{"verbs", "ipoib", "sysfs", "locking"},
		weight: 1, text: true, domain: "lwn.net",
	},
}

// areaByName finds an area; it panics on a name not in the table, which is a
// programming error.
func areaByName(name string) *area {
	for i := range areas {
		if areas[i].name == name {
			return &areas[i]
		}
	}
	panic("world: unknown area " + name)
}

// areaOfPath returns the area whose directory holds path, or nil.
func areaOfPath(path string) *area {
	var best *area
	for i := range areas {
		a := &areas[i]
		if len(path) > len(a.dir) && path[:len(a.dir)] == a.dir {
			if best == nil || len(a.dir) > len(best.dir) {
				best = a
			}
		}
	}
	// srp and iser share a directory: pick by subdirectory.
	if best != nil && best.dir == "drivers/infiniband/ulp/" {
		rest := path[len(best.dir):]
		switch {
		case hasPrefix(rest, "iser/") || hasPrefix(rest, "isert/"):
			return areaByName("iser")
		case hasPrefix(rest, "srp/") || hasPrefix(rest, "srpt/"):
			return areaByName("srp")
		case hasPrefix(rest, "ipoib/"):
			return areaByName("ipoib")
		}
	}
	return best
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// Files outside the areas that exist from the first commit.
const (
	pathMaintainers = "MAINTAINERS"
	pathMakefile    = "Makefile"
	pathScript      = "tools/testing/selftests/rdma/rdma_netns.sh"
	pathImage       = "Documentation/infiniband/images/rdma_stack.png"
	pathFirmware    = "firmware/mellanox/mlx5_cx7_ofed.bin"
)

// person is an author, committer or tagger.
type person struct {
	name, email string
	tz          int // minutes east of UTC
}

func mk(name, email string, tz int) person { return person{name, email, tz} }

// Upstream developers. Every name is invented.
var developers = []person{
	mk("Maren Holtz", "mholtz@nvidia.com", 120), mk("Avi Kessler", "akessler@nvidia.com", 120),
	mk("Noa Ben-Ami", "nbenami@nvidia.com", 120), mk("Yuval Dror", "ydror@nvidia.com", 180),
	mk("Tal Shalev", "tshalev@nvidia.com", 120), mk("Ori Maymon", "omaymon@nvidia.com", 120),
	mk("Shira Golan", "sgolan@nvidia.com", 180), mk("Eitan Barak", "ebarak@nvidia.com", 120),
	mk("Dana Koren", "dkoren@nvidia.com", 120), mk("Rafi Mizrahi", "rmizrahi@nvidia.com", 180),
	mk("Colin Ashford", "cashford@oracle.com", -300), mk("Priya Raman", "praman@oracle.com", 330),
	mk("Wen Jiali", "wenjiali@huawei.com", 480), mk("Zhou Xiaoming", "zhouxm@huawei.com", 480),
	mk("Li Haoran", "lihaoran@fujitsu.com", 540), mk("Kenji Morita", "kmorita@fujitsu.com", 540),
	mk("Brian Castell", "bcastell@intel.com", -360), mk("Mira Okafor", "mokafor@intel.com", -480),
	mk("Sanjay Iyer", "siyer@broadcom.com", 330), mk("Greta Lindqvist", "glindqvist@amazon.com", 120),
	mk("Oded Segal", "osegal@amazon.com", 120), mk("Helen Marsh", "hmarsh@redhat.com", -240),
	mk("Tomas Vrba", "tvrba@redhat.com", 60), mk("Petra Nováková", "pnovakova@suse.cz", 60),
	mk("Zoë Ødegård", "zoe.odegard@example.no", 60), mk("José Ibáñez Muñoz", "jibanez@example.es", 60),
	mk("Bernd Ströhle", "bstroehle@zurich.ibm.com", 60), mk("Randall Pike", "rpike@cornelisnetworks.com", -300),
	mk("Ilse Brandt", "ibrandt@linux.ibm.com", 60), mk("Chen Yutong", "chenyt@linux.alibaba.com", 480),
	mk("Arjun Menon", "amenon@gmail.com", 330), mk("Sofia Marquez", "smarquez@gmail.com", -180),
	mk("Dmitri Sorokin", "dsorokin@gmail.com", 180), mk("Hiro Tanabe", "htanabe@fujitsu.com", 540),
	mk("Lukas Feld", "lfeld@suse.de", 60), mk("Ada Quist", "aquist@kernel.org", 0),
}

// Maintainers who apply patches and send pull requests.
var (
	rdmaMaintainers = []person{mk("Jonas Gruner", "jgruner@nvidia.com", -240), mk("Leonid Rozen", "lrozen@example.org", 120)}
	netMaintainers  = []person{mk("Saul Mahler", "smahler@nvidia.com", -480), mk("Jakob Kessel", "jkessel@example.org", -480)}
	otherMaints     = []person{mk("Theo Tsang", "ttsang@example.org", -300), mk("Andrea Morton", "amorton@example.org", -420)}
	releaser        = mk("Lionel Torvik", "torvik@example.org", -420)
	reviewers       = []person{mk("Mark Bloomfield", "mbloom@nvidia.com", 120), mk("Bart Vosse", "bvosse@acm.org", -420),
		mk("Sagi Grossman", "sgrossman@example.net", 120), mk("Chuck Leverett", "cleverett@oracle.com", -300),
		mk("Zhu Lanying", "zhulanying@linux.dev", 480), mk("Kalle Heikkinen", "kheikkinen@redhat.com", 120)}
)

// Downstream people.
var (
	rhelEngineers = []person{mk("Kamila Hebert", "khebert@redhat.com", 120), mk("Doug Lederer", "dlederer@redhat.com", -300),
		mk("Petra Orlova", "porlova@example.com", 60), mk("Ivo Vesely", "ivesely@example.com", 60),
		mk("Jenna Walsh", "jwalsh@redhat.com", -300), mk("Mohit Sahay", "msahay@redhat.com", 330)}
	rhelMaintainer  = mk("Jarmila Stolz", "jstolz@redhat.com", 60)
	suseEngineers   = []person{mk("Tomas Hejl", "thejl@suse.com", 60), mk("Nikola Brandt", "nbrandt@suse.de", 60)}
	ubuntuEngineers = []person{mk("Hugo Farrell", "hugo.farrell@canonical.com", 0), mk("Mira Castell", "mira.castell@canonical.com", -180)}
	stableMaints    = []person{mk("Greger Holm", "gregh@example.org", 60), mk("Sasha Lemaire", "slemaire@example.org", -300)}
	vendorEngineers = []person{mk("Vlad Dumitrescu", "vdumitrescu@nvidia.com", 120), mk("Alaa Haddad", "ahaddad@nvidia.com", 120),
		mk("Roni Dahan", "rdahan@example.com", 120), mk("Feras Nasser", "fnasser@nvidia.com", 120),
		mk("Tzafrir Cohen", "tcohen@nvidia.com", 120), mk("Majd Azzam", "mazzam@nvidia.com", 120)}
)

// Words for generated code and prose.
var (
	verbs = []string{"create", "destroy", "modify", "query", "alloc", "free", "init", "cleanup", "enable", "disable",
		"setup", "teardown", "update", "reset", "attach", "detach", "register", "unregister", "flush", "handle",
		"process", "prepare", "commit", "validate", "set", "get", "start", "stop", "arm", "poll"}
	fields = []string{"state", "flags", "port_num", "pkey_index", "qkey", "mtu", "gid_index", "sq_psn", "rq_psn",
		"max_send_wr", "max_recv_wr", "lkey", "rkey", "iova", "length", "access_flags", "page_shift", "ncqe",
		"cqn", "eqn", "vector", "refcount", "num_entries", "timeout", "retry_cnt", "rnr_retry", "sl", "vport",
		"index", "mode", "caps", "qpn", "ts_format", "hw_state", "buf_size", "log_stride", "max_inline",
		"dest_qp_num", "path_mtu", "priority", "counter_id", "irq_num", "wq_sig", "pd_handle"}
	flagsWords = []string{"GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "IB_ACCESS_LOCAL_WRITE", "IB_ACCESS_REMOTE_READ",
		"IB_QP_STATE", "IB_QP_PORT", "IB_QPS_RTS", "IB_QPS_ERR", "MLX5_CMD_OP_MODIFY_QP", "IB_SEND_SIGNALED"}
	errCodes = []string{"-EINVAL", "-ENOMEM", "-EOPNOTSUPP", "-EBUSY", "-EAGAIN", "-ENODEV", "-EFAULT", "-ETIMEDOUT", "-EIO", "-ENOENT", "-EPERM", "-ERANGE"}
	labels   = []string{"err_free", "err_unlock", "out", "err_destroy", "err_cmd", "err_put", "out_unlock", "err_dealloc"}
	types    = []string{"u8", "u16", "u32", "u64", "int", "bool", "unsigned int", "size_t", "__be32", "__be64"}
	includes = []string{"<linux/module.h>", "<linux/slab.h>", "<linux/kernel.h>", "<linux/errno.h>", "<linux/spinlock.h>",
		"<linux/mutex.h>", "<linux/list.h>", "<linux/netdevice.h>", "<linux/delay.h>", "<linux/xarray.h>",
		"<linux/refcount.h>", "<linux/workqueue.h>", "<linux/dma-mapping.h>", "<rdma/ib_verbs.h>", "<rdma/ib_cache.h>",
		"<rdma/ib_umem.h>", "<rdma/rdma_cm.h>", "<net/addrconf.h>", "<linux/etherdevice.h>", "<linux/bitmap.h>"}
	adjectives = []string{"stale", "invalid", "unexpected", "uninitialized", "duplicate", "pending", "cached",
		"reserved", "shared", "deferred", "partial", "zero-length", "asynchronous", "concurrent"}
	prose = []string{"the device is removed", "the port goes down", "the QP is moved to the error state",
		"firmware reports a syndrome", "the namespace is destroyed", "the user issues a query concurrently",
		"the link flaps", "a reset is in progress", "the CQ overflows", "the netdev is unregistered",
		"memory allocation fails", "LAG is enabled", "the PF is unbound while VFs are active",
		"the command interface times out", "RoCE is disabled via devlink"}
)
