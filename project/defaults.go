package project

import "sort"

// The default component map. It is built by a function, so every caller gets
// its own copy and nothing here can be changed at run time.
//
// Names are shared across layouts: a driver is "mlx5" in the kernel
// (drivers/infiniband/hw/mlx5/), in rdma-core (providers/mlx5/) and wherever
// else it lives, so one component compares like with like across trees.
//
// The component of the kernel's address resolution (drivers/infiniband/core/
// addr.c, the ib_addr module) and of WinOFED's core/ibat ("IB address
// translation") is named "addr", after upstream, which every other tree is
// measured against; the keyword "ibat" still finds WinOFED commits by
// subject.
//
// The user-verbs interface is "uverbs" on both of its sides: the kernel's
// drivers/infiniband/core/uverbs* and rdma-core's libibverbs/ (and WinOFED's
// winverbs). Likewise "cm" is the kernel's CM/RDMA-CM and librdmacm, "mad" the
// kernel's MAD layer and umad with libibumad/libibmad, "srp" the initiator,
// the target and srp_daemon.

// uapi lists the kernel's include/uapi/rdma/ headers that belong to one
// component; rdma-core carries copies of them under kernel-headers/rdma/.
func uapi(files ...string) (linux, rdmaCore []string) {
	for _, f := range files {
		linux = append(linux, "include/uapi/rdma/"+f)
		rdmaCore = append(rdmaCore, "kernel-headers/rdma/"+f)
	}
	return linux, rdmaCore
}

// comp builds a spec from its linux patterns, its kernel uapi headers and the
// patterns of the other layouts.
func comp(name string, linux []string, uapiFiles []string, other map[string][]string, subjects ...string) ComponentSpec {
	paths := map[string][]string{}
	ul, ur := uapi(uapiFiles...)
	if l := append(append([]string(nil), linux...), ul...); len(l) > 0 {
		paths[LayoutLinux] = l
	}
	if len(ur) > 0 {
		paths[LayoutRDMACore] = append(paths[LayoutRDMACore], ur...)
	}
	for layout, ps := range other {
		paths[layout] = append(paths[layout], ps...)
		if paths[layout] == nil {
			paths[layout] = []string{} // listed without patterns: found by subject there
		}
	}
	return ComponentSpec{Name: name, Paths: paths, Subjects: subjects}
}

type lp = map[string][]string

func list(p ...string) []string { return p }

// DefaultComponents returns the component map that ships with kdelta, sorted
// by name. The caller owns the result.
func DefaultComponents() []ComponentSpec {
	const core = "drivers/infiniband/core/"
	hw := func(d string) string { return "drivers/infiniband/hw/" + d + "/" }
	prov := func(d string) string { return "providers/" + d + "/" }
	specs := []ComponentSpec{
		comp("addr",
			list(core+"addr.c", "include/rdma/ib_addr.h"), nil,
			lp{LayoutWinOFED: list("core/ibat/", "inc/iba/ibat.h", "inc/user/iba/ibat.h")},
			"ibat", "ib/addr", "rdma/addr"),
		comp("bnxt_re", list(hw("bnxt_re")), list("bnxt_re-abi.h"),
			lp{LayoutRDMACore: list(prov("bnxt_re"))}, "bnxt_re"),
		comp("cm",
			list(core+"cm*", core+"iwcm*", core+"ucma.c",
				"include/rdma/ib_cm.h", "include/rdma/iw_cm.h", "include/rdma/rdma_cm*.h",
				"include/trace/events/ib_cm.h"),
			list("rdma_user_cm.h", "ib_user_cm.h"),
			lp{LayoutRDMACore: list("librdmacm/"), LayoutWinOFED: list("ulp/librdmacm/")},
			"ib/cm", "rdma/cm", "cma", "ucma", "iwcm", "librdmacm", "rdmacm"),
		comp("core",
			list(core, "include/rdma/", "drivers/infiniband/Kconfig", "drivers/infiniband/Makefile",
				"include/trace/events/rdma.h", "include/trace/events/rdma_core.h"),
			list("rdma_netlink.h"),
			lp{LayoutWinOFED: list("core/al/", "core/bus/", "core/complib/", "core/iou/", "inc/")},
			"ib/core", "rdma/core"),
		comp("cxgb4", list(hw("cxgb4")), list("cxgb4-abi.h"),
			lp{LayoutRDMACore: list(prov("cxgb4"))}, "cxgb4", "iw_cxgb4"),
		comp("diags", nil, nil,
			lp{LayoutRDMACore: list("infiniband-diags/", "libibnetdisc/"),
				LayoutWinOFED: list("tools/infiniband-diags/", "ulp/libibnetdisc/")},
			"infiniband-diags", "ibdiags"),
		comp("docs", list("Documentation/infiniband/"), nil,
			lp{LayoutRDMACore: list("Documentation/"), LayoutWinOFED: list("docs/")}),
		comp("efa", list(hw("efa")), list("efa-abi.h"),
			lp{LayoutRDMACore: list(prov("efa"))}, "efa"),
		comp("erdma", list(hw("erdma")), list("erdma-abi.h"),
			lp{LayoutRDMACore: list(prov("erdma"))}, "erdma"),
		comp("hfi1", list(hw("hfi1")), list("hfi/"),
			lp{LayoutRDMACore: list(prov("hfi1verbs"))}, "hfi1"),
		comp("hns", list(hw("hns")), list("hns-abi.h"),
			lp{LayoutRDMACore: list(prov("hns"))}, "hns"),
		comp("i40iw", list(hw("i40iw")), list("i40iw-abi.h"),
			lp{LayoutRDMACore: list(prov("i40iw"))}, "i40iw"),
		comp("ibacm", nil, nil, lp{LayoutRDMACore: list("ibacm/")}, "ibacm"),
		comp("ipoib", list("drivers/infiniband/ulp/ipoib/", "Documentation/infiniband/ipoib.rst",
			"Documentation/infiniband/ipoib.txt"), nil,
			lp{LayoutWinOFED: list("ulp/ipoib/", "ulp/ipoib_NDIS6_CM/")}, "ipoib"),
		comp("irdma", list(hw("irdma")), list("irdma-abi.h"),
			lp{LayoutRDMACore: list(prov("irdma"))}, "irdma"),
		comp("iser", list("drivers/infiniband/ulp/iser/", "drivers/infiniband/ulp/isert/"), nil, nil,
			"iser", "isert", "ib_iser", "ib_isert"),
		comp("iwpm", list(core+"iwpm_*", "include/rdma/iw_portmap.h"), nil,
			lp{LayoutRDMACore: list("iwpmd/")}, "iwpm", "iwpmd"),
		comp("mad",
			list(core+"mad*", core+"agent.c", core+"agent.h", core+"smi.c", core+"smi.h",
				core+"opa_smi.h", core+"sa_query.c", core+"sa.h", core+"multicast.c", core+"user_mad.c",
				"include/rdma/ib_mad.h", "include/rdma/ib_smi.h", "include/rdma/ib_sa.h",
				"include/rdma/opa_smi.h", "include/rdma/ib_pma.h",
				"include/trace/events/ib_mad.h", "include/trace/events/ib_umad.h"),
			list("ib_user_mad.h", "ib_user_sa.h"),
			lp{LayoutRDMACore: list("libibumad/", "libibmad/"),
				LayoutWinOFED: list("core/winmad/", "ulp/libibumad/", "ulp/libibmad/")},
			"ib/mad", "umad", "libibumad", "libibmad"),
		comp("mana", list(hw("mana"), "drivers/net/ethernet/microsoft/mana/", "include/net/mana/"),
			list("mana-abi.h"),
			lp{LayoutRDMACore: list(prov("mana"))}, "mana", "mana_ib"),
		comp("mlx4",
			list(hw("mlx4"), "drivers/net/ethernet/mellanox/mlx4/", "include/linux/mlx4/"),
			list("mlx4-abi.h"),
			lp{LayoutRDMACore: list(prov("mlx4")), LayoutWinOFED: list("hw/mlx4/")},
			"mlx4"),
		comp("mlx5",
			list(hw("mlx5"), "drivers/net/ethernet/mellanox/mlx5/", "include/linux/mlx5/",
				"drivers/vdpa/mlx5/", "drivers/vfio/pci/mlx5/",
				"Documentation/networking/device_drivers/ethernet/mellanox/mlx5/",
				"Documentation/networking/device_drivers/ethernet/mellanox/mlx5.rst"),
			list("mlx5-abi.h", "mlx5_user_ioctl_cmds.h", "mlx5_user_ioctl_verbs.h"),
			lp{LayoutRDMACore: list(prov("mlx5"))},
			"mlx5", "mlx5e"),
		comp("mlxbf_gige", list("drivers/net/ethernet/mellanox/mlxbf_gige/"), nil, nil, "mlxbf_gige"),
		comp("mlxfw", list("drivers/net/ethernet/mellanox/mlxfw/"), nil, nil, "mlxfw"),
		comp("mlxsw", list("drivers/net/ethernet/mellanox/mlxsw/"), nil, nil, "mlxsw"),
		comp("mthca", list(hw("mthca")), list("mthca-abi.h"),
			lp{LayoutRDMACore: list(prov("mthca")), LayoutWinOFED: list("hw/mthca/")}, "mthca"),
		comp("nd", nil, nil,
			lp{LayoutWinOFED: list("ulp/nd/", "ulp/netdirect/", "ulp/netdirect2/")},
			"networkdirect", "nd", "nd2"),
		comp("nfsordma",
			list("net/sunrpc/xprtrdma/", "include/linux/sunrpc/rpc_rdma*.h",
				"include/linux/sunrpc/svc_rdma*.h", "include/trace/events/rpcrdma.h"),
			nil, nil, "xprtrdma", "svcrdma", "rpcrdma", "nfs/rdma"),
		comp("nvme-rdma", list("drivers/nvme/host/rdma.c", "drivers/nvme/target/rdma.c"), nil, nil,
			"nvme-rdma", "nvmet-rdma"),
		comp("ocrdma", list(hw("ocrdma")), list("ocrdma-abi.h"),
			lp{LayoutRDMACore: list(prov("ocrdma"))}, "ocrdma"),
		comp("opa_vnic", list("drivers/infiniband/ulp/opa_vnic/", "include/rdma/opa_vnic.h"), nil, nil,
			"opa_vnic"),
		comp("opensm", nil, nil, lp{LayoutWinOFED: list("ulp/opensm/")}, "opensm"),
		comp("packaging", nil, nil,
			lp{LayoutRDMACore: list("debian/", "redhat/", "suse/", "buildlib/", "kernel-boot/",
				"CMakeLists.txt", "*.spec"),
				LayoutWinOFED: list("WinOF/", "etc/")}),
		comp("pyverbs", nil, nil, lp{LayoutRDMACore: list("pyverbs/")}, "pyverbs"),
		comp("qedr", list(hw("qedr"), "include/linux/qed/qed_rdma_if.h"), list("qedr-abi.h"),
			lp{LayoutRDMACore: list(prov("qedr"))}, "qedr"),
		comp("qib", list(hw("qib")), nil,
			lp{LayoutRDMACore: list(prov("ipathverbs"))}, "qib", "ipath", "ipathverbs"),
		comp("rdmavt", list("drivers/infiniband/sw/rdmavt/", "include/rdma/rdma_vt.h", "include/rdma/rdmavt_*.h"),
			nil, nil, "rdmavt"),
		comp("rds", list("net/rds/", "include/uapi/linux/rds.h"), nil, nil, "rds"),
		comp("roce",
			list(core+"roce_gid_mgmt.c", core+"lag.c", "include/rdma/lag.h"), nil,
			// RoCE work in rdma-core is spread over providers and
			// libraries: there the component is found by subject only.
			lp{LayoutRDMACore: nil},
			"roce*", "rroce*", "rxe"),
		comp("rtrs", list("drivers/infiniband/ulp/rtrs/"), nil, nil, "rtrs"),
		comp("rxe", list("drivers/infiniband/sw/rxe/"), list("rdma_user_rxe.h"),
			lp{LayoutRDMACore: list(prov("rxe"))}, "rxe", "rdma_rxe"),
		comp("siw", list("drivers/infiniband/sw/siw/"), list("siw-abi.h"),
			lp{LayoutRDMACore: list(prov("siw"))}, "siw"),
		comp("smbdirect",
			list("fs/smb/client/smbdirect.*", "fs/smb/server/transport_rdma.*", "fs/smb/common/smbdirect/",
				"fs/cifs/smbdirect.*", "fs/ksmbd/transport_rdma.*"),
			nil, nil, "smbdirect", "smb direct"),
		comp("smc", list("net/smc/", "include/net/smc.h", "include/uapi/linux/smc.h"), nil, nil, "smc"),
		comp("srp",
			list("drivers/infiniband/ulp/srp/", "drivers/infiniband/ulp/srpt/",
				"drivers/scsi/scsi_transport_srp.c", "include/scsi/scsi_transport_srp.h", "include/scsi/srp.h"),
			nil,
			lp{LayoutRDMACore: list("srp_daemon/"), LayoutWinOFED: list("ulp/srp/")},
			"srp", "srpt", "ib_srp", "ib_srpt", "srp_daemon"),
		comp("tests", nil, nil, lp{LayoutRDMACore: list("tests/"), LayoutWinOFED: list("tests/")}),
		comp("tools", nil, nil, lp{LayoutWinOFED: list("tools/")}),
		comp("uapi", list("include/uapi/rdma/"), nil, lp{LayoutRDMACore: list("kernel-headers/")}),
		comp("usnic", list(hw("usnic")), nil, nil, "usnic"),
		comp("util", nil, nil, lp{LayoutRDMACore: list("util/", "ccan/")}),
		comp("uverbs",
			list(core+"uverbs*", core+"rdma_core.c", core+"rdma_core.h", core+"ib_core_uverbs.c",
				"include/rdma/uverbs_*.h"),
			list("ib_user_verbs.h", "ib_user_ioctl_cmds.h", "ib_user_ioctl_verbs.h",
				"rdma_user_ioctl.h", "rdma_user_ioctl_cmds.h"),
			lp{LayoutRDMACore: list("libibverbs/"),
				LayoutWinOFED: list("core/winverbs/", "ulp/libibverbs/")},
			"uverbs", "ib/uverbs", "libibverbs", "winverbs"),
		comp("vmw_pvrdma", list(hw("vmw_pvrdma")), list("vmw_pvrdma-abi.h"),
			lp{LayoutRDMACore: list(prov("vmw_pvrdma"))}, "vmw_pvrdma", "pvrdma"),
		comp("dapl", nil, nil, lp{LayoutWinOFED: list("ulp/dapl/", "ulp/dapl2/")}, "dapl"),
		comp("wsd", nil, nil, lp{LayoutWinOFED: list("ulp/wsd/")}, "wsd"),
		comp("vnic", nil, nil, lp{LayoutWinOFED: list("ulp/qlgcvnic/", "ulp/inic/")}, "qlgcvnic"),
		comp("backports", nil, nil, lp{LayoutOFED: list("backports/", "compat/", "include/linux/compat-*.h")},
			"backport", "backports"),
		comp("ofed-scripts", nil, nil, lp{LayoutOFED: list("ofed_scripts/", "devtools/", "*.spec", "configure",
			"makefile", "Makefile")}),
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	return specs
}

// defaultScope returns, per layout, the root directories of the RDMA stack;
// every component pattern is in scope too. A layout missing here (rdma-core,
// winofed, ofed, custom) has the whole tree in scope: those trees are the stack.
func defaultScope() map[string][]string {
	return map[string][]string{
		LayoutLinux: {
			"drivers/infiniband/",
			"drivers/net/ethernet/mellanox/",
			"include/rdma/",
			"include/uapi/rdma/",
			"include/linux/mlx4/",
			"include/linux/mlx5/",
			"include/trace/events/ib_*",
			"include/trace/events/rdma*",
			"net/rds/",
			"net/sunrpc/xprtrdma/",
			"net/smc/",
			"Documentation/infiniband/",
		},
	}
}
