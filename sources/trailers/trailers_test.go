package trailers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kdelta/kdelta/change"
)

type parseCase struct {
	name    string
	msg     string
	subject string
	body    string
	want    change.Trailers
}

// check runs Parse on c.msg and compares every result.
func check(t *testing.T, c parseCase) {
	t.Helper()
	subject, body, got := Parse(c.msg)
	if subject != c.subject {
		t.Errorf("subject:\n got %q\nwant %q", subject, c.subject)
	}
	if body != c.body {
		t.Errorf("body:\n got %q\nwant %q", body, c.body)
	}
	if !reflect.DeepEqual(got, c.want) {
		t.Errorf("trailers:\n got %s\nwant %s", dump(got), dump(c.want))
	}
}

func dump(t change.Trailers) string {
	return fmt.Sprintf("%+v", t)
}

const stableBody = `commit 5e1ba2b6f52ec2dcb2e1e8b90bc4b1a3d3bf5d3a upstream.

This patch addresses a race that can occur during THP splitting (and
possibly other cases) while invalidating an ODP MR: the MTT entries may
be updated after the invalidation finished, leading to a CQE with error.

Fixes: 81713d3788d2 ("IB/mlx5: Add implicit MR support")
Signed-off-by: Yishai Hadas <yishaih@nvidia.com>
Reviewed-by: Michael Guralnik <michaelgur@nvidia.com>
Link: https://lore.kernel.org/r/2a3c5b4e1f8d6a7b9c0d1e2f3a4b5c6d7e8f9a0b.1695203958.git.leonro@nvidia.com
Signed-off-by: Leon Romanovsky <leon@kernel.org>
Signed-off-by: Greg Kroah-Hartman <gregkh@linuxfoundation.org>`

const autoselBody = `[ Upstream commit 0d2c9ec2bb1d38c19a8a4e29cd6fbc0c2c20e0bf ]

When a device is unregistered while a netlink dump of its resources is
in progress, the restrack entries may be freed under our feet.

Take a reference on the device for the duration of the dump.

Signed-off-by: Leon Romanovsky <leon@kernel.org>
Signed-off-by: Sasha Levin <sashal@kernel.org>`

const rhelBody = `JIRA: https://issues.redhat.com/browse/RHEL-12345
Upstream Status: v6.6-rc1
CVE: CVE-2023-45862
Conflicts: context difference in mr.c due to missing
commit 1a2b3c4d5e6f ("RDMA/mlx5: Remove not-used cache disable flag")

commit 2a1c3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d
Author: Moshe Shemesh <moshe@nvidia.com>
Date:   Mon Sep 18 16:02:12 2023 +0300

    RDMA/mlx5: Fix mkey cache WQ flush

    The cited patch tries to ensure no pending works on the mkey cache
    workqueue by disabling adding new works and call flush_workqueue().
    But this workqueue also has delayed works which might still be
    pending the delay time to be queued.

    Fixes: 6b7533869523 ("RDMA/mlx5: Rework mkey cache")
    Signed-off-by: Moshe Shemesh <moshe@nvidia.com>
    Link: https://lore.kernel.org/r/fe1ebd1b7a5d1ea0b1c4d5a9f2e3b4c5d6e7f8a9.1695283384.git.leon@kernel.org
    Signed-off-by: Leon Romanovsky <leon@kernel.org>

Signed-off-by: Kamal Heib <kheib@redhat.com>`

const susePatch = `From: Patrisious Haddad <phaddad@nvidia.com>
Date: Tue, 4 Jul 2023 10:11:52 +0300
Subject: RDMA/mlx5: Return the firmware result upon destroying QP/RQ
Patch-mainline: v6.5-rc1
Git-commit: 22664c06e997087fe37f9ba208008c948571214a
References: jsc#PED-3311 bsc#1213012 CVE-2023-2176

Previously when destroying a QP/RQ, the result of the firmware
destruction function was ignored and upper layers weren't informed
about the failure.

Fixes: e2013b212f9f ("net/mlx5_core: Add RQ and SQ event handling")
Signed-off-by: Patrisious Haddad <phaddad@nvidia.com>
Reviewed-by: Leon Romanovsky <leonro@nvidia.com>
Link: https://lore.kernel.org/r/6c43ef4a4df6ab63e8a0cd7d3f1b3a6c0a2d5e7b.1688454572.git.leon@kernel.org
Signed-off-by: Leon Romanovsky <leon@kernel.org>
Acked-by: Thomas Bogendoerfer <tbogendoerfer@suse.de>
---
 drivers/infiniband/hw/mlx5/qpc.c | 10 ++++++++--
 1 file changed, 8 insertions(+), 2 deletions(-)

--- a/drivers/infiniband/hw/mlx5/qpc.c
+++ b/drivers/infiniband/hw/mlx5/qpc.c
@@ -178,6 +178,12 @@ static int mlx5_core_drain_dct(struct mlx5_ib_dev *dev,
+/* Fixes: 0123456789ab ("not a trailer") CVE-2099-99999 */
`

const susePartial = `From: Thomas Bogendoerfer <tbogendoerfer@suse.de>
Subject: [PATCH v2 3/7] RDMA/irdma: Add missing read barriers
 on the CQE polling path
Date: Wed, 11 Jan 2023 09:00:00 +0100
Patch-mainline: Submitted, 2023-01-05 linux-rdma
Git-commit: 4984eb51453ff7eddee9e5ce816145be39c0ec5c (partial)
Alt-commit: 9fd53c9c4a2f0b1e8d7c6b5a4f3e2d1c0b9a8f7e
References: bsc#1207654

Only the CQ part of the upstream fix applies to this code base.

Signed-off-by: Thomas Bogendoerfer <tbogendoerfer@suse.de>`

const ubuntuSauce = `UBUNTU: SAUCE: RDMA/irdma: Work around stale doorbell on older firmware

BugLink: https://bugs.launchpad.net/bugs/2031234

Older E810 firmware can leave a stale doorbell value after a function
level reset. Until the firmware fix is released, re-arm the doorbell
after reset.

Signed-off-by: Jörg Müller-Lüdenscheidt <joerg.mueller@canonical.com>
Acked-by: Zoë Ñúñez <zoe.nunez@canonical.com>
Signed-off-by: Zoë Ñúñez <zoe.nunez@canonical.com>`

const ubuntuBackport = `RDMA/core: Refactor rdma_bind_addr

BugLink: https://bugs.launchpad.net/bugs/2054321

[ Upstream commit 8d037973d48c026224ab285e6a06985ccac6f7bf ]

Refactor rdma_bind_addr function so that it doesn't require that the
cma destination address be changed before calling it.

Signed-off-by: Shiraz Saleem <shiraz.saleem@intel.com>
Signed-off-by: Sasha Levin <sashal@kernel.org>
(backported from commit 8d037973d48c026224ab285e6a06985ccac6f7bf linux-5.15.y)
[ context adjustment in cma.c ]
Signed-off-by: Jane Packager <jane.packager@canonical.com>`

const chromeosBackport = `BACKPORT: FROMGIT: RDMA/rxe: Fix incomplete state save in rxe_requester

If a send packet is dropped by the IP layer in rxe_requester()
the call to rxe_xmit_packet() can fail with err == -EAGAIN.
To recover, the state of the wqe is restored to the state before
the packet was sent so it can be resent.

Fixes: 3050b9985024 ("IB/rxe: Fix race condition between requester and completer")
Signed-off-by: Bob Pearson <rpearsonhpe@gmail.com>
Link: https://lore.kernel.org/r/20230721200748.4604-1-rpearsonhpe@gmail.com
Signed-off-by: Jason Gunthorpe <jgg@nvidia.com>
(cherry picked from commit 5d122db2ff80cd2aed4dcd630befb56b51ddf947
 git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git for-next)

Conflicts:
	drivers/infiniband/sw/rxe/rxe_req.c
		(rxe_get_av() takes no ah argument in 5.15)

BUG=b:291234567
TEST=rdma_rxe loopback test passes on DUT
Signed-off-by: Dev Chromium <dev@chromium.org>
Change-Id: I0123456789abcdef0123456789abcdef01234567
Reviewed-on: https://chromium-review.googlesource.com/c/chromiumos/third_party/kernel/+/4712345
Reviewed-by: Reviewer Chromium <reviewer@chromium.org>`

const ofedPatch = `From: Valentine Fatiev <valentinef@nvidia.com>
Subject: [PATCH] BACKPORT: drivers/infiniband/ulp/ipoib/ipoib_main.c

Change-Id: Ia4e7f7c6ba5e6c94797a77cb8d8228b195f8b5b3
---
 drivers/infiniband/ulp/ipoib/ipoib_main.c | 12 ++++++++++++
 1 file changed, 12 insertions(+)

diff --git a/drivers/infiniband/ulp/ipoib/ipoib_main.c b/drivers/infiniband/ulp/ipoib/ipoib_main.c
index xxxxxxx..xxxxxxx 100644
--- a/drivers/infiniband/ulp/ipoib/ipoib_main.c
+++ b/drivers/infiniband/ulp/ipoib/ipoib_main.c
@@ -65,6 +65,9 @@
+#ifdef HAVE_NDO_GET_STATS64
`

const twoFixes = `RDMA/core: Fix use-after-free in ib_umad_close (cve-2024-26719)

ib_umad_close() may free the file structure while a MAD receive
handler still references it. Take the file lock before dropping the
last agent. Reported as CVE-2024-26719, see also CVE-2023-52581.

Fixes: 1234567890ab ("IB/umad: Fix kernel crash while unloading ib_umad")
Fixes: commit ABCDEF012345 ("RDMA/core: Use "ib_dev" (not "device") in
the umad release path")
Cc: <stable@vger.kernel.org> # v5.10+
Reported-by: syzbot+0123456789abcdef0123@syzkaller.appspotmail.com
Closes: https://syzkaller.appspot.com/bug?extid=0123456789abcdef0123
Signed-off-by: Leon Romanovsky <leon@kernel.org>`

func TestParseStyles(t *testing.T) {
	cases := []parseCase{
		{
			name:    "stable backport",
			msg:     "RDMA/mlx5: Fix a race for an ODP MR which leads to CQE with error\n\n" + stableBody + "\n",
			subject: "RDMA/mlx5: Fix a race for an ODP MR which leads to CQE with error",
			body:    stableBody,
			want: change.Trailers{
				Fixes:    []change.Fix{{ID: "81713d3788d2", Subject: "IB/mlx5: Add implicit MR support"}},
				Upstream: []change.Ref{{ID: "5e1ba2b6f52ec2dcb2e1e8b90bc4b1a3d3bf5d3a", Style: change.CommitUpstream}},
				Links:    []string{"https://lore.kernel.org/r/2a3c5b4e1f8d6a7b9c0d1e2f3a4b5c6d7e8f9a0b.1695203958.git.leonro@nvidia.com"},
				SignedOffBy: []string{
					"Yishai Hadas <yishaih@nvidia.com>",
					"Leon Romanovsky <leon@kernel.org>",
					"Greg Kroah-Hartman <gregkh@linuxfoundation.org>",
				},
			},
		},
		{
			name:    "stable autosel",
			msg:     "RDMA/nldev: Fix racy use of the device during resource dump\n\n" + autoselBody + "\n",
			subject: "RDMA/nldev: Fix racy use of the device during resource dump",
			body:    autoselBody,
			want: change.Trailers{
				Upstream:    []change.Ref{{ID: "0d2c9ec2bb1d38c19a8a4e29cd6fbc0c2c20e0bf", Style: change.UpstreamCommit}},
				SignedOffBy: []string{"Leon Romanovsky <leon@kernel.org>", "Sasha Levin <sashal@kernel.org>"},
			},
		},
		{
			name:    "RHEL backport",
			msg:     "RDMA/mlx5: Fix mkey cache WQ flush\n\n" + rhelBody + "\n",
			subject: "RDMA/mlx5: Fix mkey cache WQ flush",
			body:    rhelBody,
			want: change.Trailers{
				Fixes:          []change.Fix{{ID: "6b7533869523", Subject: "RDMA/mlx5: Rework mkey cache"}},
				Upstream:       []change.Ref{{ID: "2a1c3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d", Style: change.RHELCommit}},
				UpstreamStatus: "v6.6-rc1",
				Links:          []string{"https://lore.kernel.org/r/fe1ebd1b7a5d1ea0b1c4d5a9f2e3b4c5d6e7f8a9.1695283384.git.leon@kernel.org"},
				SignedOffBy: []string{
					"Moshe Shemesh <moshe@nvidia.com>",
					"Leon Romanovsky <leon@kernel.org>",
					"Kamal Heib <kheib@redhat.com>",
				},
				CVEs: []string{"CVE-2023-45862"},
			},
		},
		{
			name: "RHEL 8 first line commit, Upstream-Status, Upstream-commit",
			msg: "IB/ipoib: Fix mcast list locking\n\n" +
				"commit 4f973e211b3b1c6d36f7c6a19239d258856749f9\n" +
				"Author: Jason Gunthorpe <jgg@nvidia.com>\n" +
				"Date:   Wed Apr 20 13:59:19 2022 -0300\n\n" +
				"    Upstream-Status: RHEL-only\n" +
				"    Upstream-commit: 4F973E211B3B\n",
			subject: "IB/ipoib: Fix mcast list locking",
			body: "commit 4f973e211b3b1c6d36f7c6a19239d258856749f9\n" +
				"Author: Jason Gunthorpe <jgg@nvidia.com>\n" +
				"Date:   Wed Apr 20 13:59:19 2022 -0300\n\n" +
				"    Upstream-Status: RHEL-only\n" +
				"    Upstream-commit: 4F973E211B3B",
			want: change.Trailers{
				Upstream:       []change.Ref{{ID: "4f973e211b3b1c6d36f7c6a19239d258856749f9", Style: change.RHELCommit}},
				UpstreamStatus: "RHEL-only",
			},
		},
		{
			name:    "SUSE patch file",
			msg:     susePatch,
			subject: "RDMA/mlx5: Return the firmware result upon destroying QP/RQ",
			body: `Previously when destroying a QP/RQ, the result of the firmware
destruction function was ignored and upper layers weren't informed
about the failure.

Fixes: e2013b212f9f ("net/mlx5_core: Add RQ and SQ event handling")
Signed-off-by: Patrisious Haddad <phaddad@nvidia.com>
Reviewed-by: Leon Romanovsky <leonro@nvidia.com>
Link: https://lore.kernel.org/r/6c43ef4a4df6ab63e8a0cd7d3f1b3a6c0a2d5e7b.1688454572.git.leon@kernel.org
Signed-off-by: Leon Romanovsky <leon@kernel.org>
Acked-by: Thomas Bogendoerfer <tbogendoerfer@suse.de>`,
			want: change.Trailers{
				Fixes:         []change.Fix{{ID: "e2013b212f9f", Subject: "net/mlx5_core: Add RQ and SQ event handling"}},
				Upstream:      []change.Ref{{ID: "22664c06e997087fe37f9ba208008c948571214a", Style: change.GitCommit}},
				PatchMainline: "v6.5-rc1",
				Links:         []string{"https://lore.kernel.org/r/6c43ef4a4df6ab63e8a0cd7d3f1b3a6c0a2d5e7b.1688454572.git.leon@kernel.org"},
				SignedOffBy:   []string{"Patrisious Haddad <phaddad@nvidia.com>", "Leon Romanovsky <leon@kernel.org>"},
				CVEs:          []string{"CVE-2023-2176"},
			},
		},
		{
			name:    "SUSE partial, submitted, folded subject",
			msg:     susePartial,
			subject: "RDMA/irdma: Add missing read barriers on the CQE polling path",
			body: "Only the CQ part of the upstream fix applies to this code base.\n\n" +
				"Signed-off-by: Thomas Bogendoerfer <tbogendoerfer@suse.de>",
			want: change.Trailers{
				Upstream: []change.Ref{
					{ID: "4984eb51453ff7eddee9e5ce816145be39c0ec5c", Style: change.GitCommit, Partial: true},
					{ID: "9fd53c9c4a2f0b1e8d7c6b5a4f3e2d1c0b9a8f7e", Style: change.AltCommit},
				},
				PatchMainline: "Submitted, 2023-01-05 linux-rdma",
				SignedOffBy:   []string{"Thomas Bogendoerfer <tbogendoerfer@suse.de>"},
			},
		},
		{
			name: "SUSE never, queued",
			msg: "From: Kernel Packager <kpackager@suse.com>\nSubject: kABI: protect struct ib_device\n" +
				"Patch-mainline: Never, kABI workaround\nReferences: bsc#1200000\n\n" +
				"Hide the new member from the kABI checker.\n\n" +
				"Patch-mainline: Queued in subsystem maintainer repository\n" +
				"Signed-off-by: Kernel Packager <kpackager@suse.com>\n",
			subject: "kABI: protect struct ib_device",
			body: "Hide the new member from the kABI checker.\n\n" +
				"Patch-mainline: Queued in subsystem maintainer repository\n" +
				"Signed-off-by: Kernel Packager <kpackager@suse.com>",
			want: change.Trailers{
				PatchMainline: "Never, kABI workaround",
				SignedOffBy:   []string{"Kernel Packager <kpackager@suse.com>"},
			},
		},
		{
			name:    "Ubuntu SAUCE",
			msg:     ubuntuSauce,
			subject: "UBUNTU: SAUCE: RDMA/irdma: Work around stale doorbell on older firmware",
			body:    ubuntuSauce[strings.Index(ubuntuSauce, "BugLink"):],
			want: change.Trailers{
				Prefix: "UBUNTU: SAUCE",
				SignedOffBy: []string{
					"Jörg Müller-Lüdenscheidt <joerg.mueller@canonical.com>",
					"Zoë Ñúñez <zoe.nunez@canonical.com>",
				},
			},
		},
		{
			name:    "Ubuntu backported from a stable commit",
			msg:     ubuntuBackport,
			subject: "RDMA/core: Refactor rdma_bind_addr",
			body:    ubuntuBackport[strings.Index(ubuntuBackport, "BugLink"):],
			want: change.Trailers{
				// One commit named twice: counted once, partial.
				Upstream: []change.Ref{{ID: "8d037973d48c026224ab285e6a06985ccac6f7bf", Style: change.UpstreamCommit, Partial: true}},
				SignedOffBy: []string{
					"Shiraz Saleem <shiraz.saleem@intel.com>",
					"Sasha Levin <sashal@kernel.org>",
					"Jane Packager <jane.packager@canonical.com>",
				},
			},
		},
		{
			name:    "ChromeOS BACKPORT with conflicts",
			msg:     chromeosBackport,
			subject: "BACKPORT: FROMGIT: RDMA/rxe: Fix incomplete state save in rxe_requester",
			body:    chromeosBackport[strings.Index(chromeosBackport, "If a send"):],
			want: change.Trailers{
				Fixes:    []change.Fix{{ID: "3050b9985024", Subject: "IB/rxe: Fix race condition between requester and completer"}},
				Upstream: []change.Ref{{ID: "5d122db2ff80cd2aed4dcd630befb56b51ddf947", Style: change.UpstreamPrefix}},
				Links:    []string{"https://lore.kernel.org/r/20230721200748.4604-1-rpearsonhpe@gmail.com"},
				SignedOffBy: []string{
					"Bob Pearson <rpearsonhpe@gmail.com>",
					"Jason Gunthorpe <jgg@nvidia.com>",
					"Dev Chromium <dev@chromium.org>",
				},
				Prefix: "BACKPORT",
			},
		},
		{
			name: "ChromeOS UPSTREAM, chained cherry-pick",
			msg: "UPSTREAM: RDMA/cma: Fix rdma_resolve_route() memory leak\n\n" +
				"Fix a memory leak when \"mda_resolve_route() is called more than once on\nthe same \"rdma_cm_id\".\n\n" +
				"Signed-off-by: Gerd Rausch <gerd.rausch@oracle.com>\n" +
				"(cherry picked from commit 74f160ead74bfe5f2b38afb4fcf86189f9ff40c9)\n" +
				"Signed-off-by: Dev Chromium <dev@chromium.org>\n" +
				"(cherry picked from commit 0f0e9a4b5c6d7e8f90a1b2c3d4e5f60718293a4b)\n",
			subject: "UPSTREAM: RDMA/cma: Fix rdma_resolve_route() memory leak",
			body: "Fix a memory leak when \"mda_resolve_route() is called more than once on\nthe same \"rdma_cm_id\".\n\n" +
				"Signed-off-by: Gerd Rausch <gerd.rausch@oracle.com>\n" +
				"(cherry picked from commit 74f160ead74bfe5f2b38afb4fcf86189f9ff40c9)\n" +
				"Signed-off-by: Dev Chromium <dev@chromium.org>\n" +
				"(cherry picked from commit 0f0e9a4b5c6d7e8f90a1b2c3d4e5f60718293a4b)",
			want: change.Trailers{
				Upstream: []change.Ref{
					{ID: "74f160ead74bfe5f2b38afb4fcf86189f9ff40c9", Style: change.UpstreamPrefix},
					{ID: "0f0e9a4b5c6d7e8f90a1b2c3d4e5f60718293a4b", Style: change.CherryPicked},
				},
				SignedOffBy: []string{"Gerd Rausch <gerd.rausch@oracle.com>", "Dev Chromium <dev@chromium.org>"},
				Prefix:      "UPSTREAM",
			},
		},
		{
			name: "ChromeOS FROMLIST",
			msg: "FROMLIST: RDMA/siw: Fix user page pinning accounting\n\n" +
				"Signed-off-by: Bernard Metzler <bmt@zurich.ibm.com>\n" +
				"(am from https://patchwork.kernel.org/patch/13123456/)\n",
			subject: "FROMLIST: RDMA/siw: Fix user page pinning accounting",
			body: "Signed-off-by: Bernard Metzler <bmt@zurich.ibm.com>\n" +
				"(am from https://patchwork.kernel.org/patch/13123456/)",
			want: change.Trailers{
				SignedOffBy: []string{"Bernard Metzler <bmt@zurich.ibm.com>"},
				Prefix:      "FROMLIST",
			},
		},
		{
			name:    "MLNX_OFED backport patch",
			msg:     ofedPatch,
			subject: "BACKPORT: drivers/infiniband/ulp/ipoib/ipoib_main.c",
			body:    "Change-Id: Ia4e7f7c6ba5e6c94797a77cb8d8228b195f8b5b3",
			want:    change.Trailers{Prefix: "BACKPORT"},
		},
		{
			name:    "two Fixes and a CVE in the subject",
			msg:     twoFixes,
			subject: "RDMA/core: Fix use-after-free in ib_umad_close (cve-2024-26719)",
			body:    twoFixes[strings.Index(twoFixes, "ib_umad_close()"):],
			want: change.Trailers{
				Fixes: []change.Fix{
					{ID: "1234567890ab", Subject: "IB/umad: Fix kernel crash while unloading ib_umad"},
					{ID: "abcdef012345", Subject: `RDMA/core: Use "ib_dev" (not "device") in the umad release path`},
				},
				CcStable:    true,
				SignedOffBy: []string{"Leon Romanovsky <leon@kernel.org>"},
				CVEs:        []string{"CVE-2024-26719", "CVE-2023-52581"},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c) })
	}
}

// trailersOnly parses a message made of a fixed subject and the given body
// lines and returns its trailers.
func trailersOnly(lines ...string) change.Trailers {
	_, _, t := Parse("RDMA/core: Subject\n\n" + strings.Join(lines, "\n") + "\n")
	return t
}

func TestFixesForms(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		want  []change.Fix
	}{
		{"plain", []string{`Fixes: 81713d3788d2 ("IB/mlx5: Add implicit MR support")`},
			[]change.Fix{{ID: "81713d3788d2", Subject: "IB/mlx5: Add implicit MR support"}}},
		{"full id, upper case", []string{`Fixes: 81713D3788D2B3C4D5E6F708192A3B4C5D6E7F80 ("IB/mlx5: Add implicit MR support")`},
			[]change.Fix{{ID: "81713d3788d2b3c4d5e6f708192a3b4c5d6e7f80", Subject: "IB/mlx5: Add implicit MR support"}}},
		{"nested quotes and parentheses", []string{`Fixes: 9d3a9a7c3b4e ("Revert "RDMA/core: Fix (another) fix"")`},
			[]change.Fix{{ID: "9d3a9a7c3b4e", Subject: `Revert "RDMA/core: Fix (another) fix"`}}},
		{"id in quoted subject is not a ref", []string{`Fixes: 9d3a9a7c3b4e ("Revert commit 0123456789abcdef upstream.")`},
			[]change.Fix{{ID: "9d3a9a7c3b4e", Subject: "Revert commit 0123456789abcdef upstream."}}},
		{"commit word", []string{`Fixes: commit abcdef123456 ("IB/core: Foo")`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"missing quotes", []string{`Fixes: abcdef123456 (IB/core: Foo)`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"missing parentheses", []string{`Fixes: abcdef123456 "IB/core: Foo"`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"single quotes", []string{`Fixes: abcdef123456 ('IB/core: Foo')`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"unquoted subject", []string{`Fixes: abcdef123456 IB/core: Foo`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"colon after id", []string{`Fixes: abcdef123456: ("IB/core: Foo")`},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"no space, tab indent, stable note", []string{"\tFixes:abcdef123456 (\"IB/core: Foo\") # v5.4+"},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		{"id only", []string{"Fixes: abcdef1"}, []change.Fix{{ID: "abcdef1"}}},
		{"subject wrapped over two lines", []string{
			`Fixes: abcdef123456 ("RDMA/mlx5: Fix a very long subject that the`,
			`        author wrapped")`,
			`Signed-off-by: A <a@b.c>`},
			[]change.Fix{{ID: "abcdef123456", Subject: "RDMA/mlx5: Fix a very long subject that the author wrapped"}}},
		{"subject wrapped over three lines", []string{
			`Fixes: abcdef123456 ("RDMA/mlx5: one`,
			`two`,
			`three")`},
			[]change.Fix{{ID: "abcdef123456", Subject: "RDMA/mlx5: one two three"}}},
		{"unclosed subject, next line a trailer", []string{
			`Fixes: abcdef123456 ("RDMA/mlx5: cut`,
			`Signed-off-by: A <a@b.c>`},
			[]change.Fix{{ID: "abcdef123456", Subject: "RDMA/mlx5: cut"}}},
		{"subject on the next line", []string{
			`Fixes: abcdef123456`,
			`  ("RDMA/mlx5: Foo")`},
			[]change.Fix{{ID: "abcdef123456", Subject: "RDMA/mlx5: Foo"}}},
		{"several, duplicate dropped", []string{
			`Fixes: 1111111aaaaa ("A")`,
			`Fixes: 2222222bbbbb ("B")`,
			`Fixes: 1111111aaaaa ("A")`},
			[]change.Fix{{ID: "1111111aaaaa", Subject: "A"}, {ID: "2222222bbbbb", Subject: "B"}}},
		{"CRLF", []string{"Fixes: abcdef123456 (\"IB/core: Foo\")\r"},
			[]change.Fix{{ID: "abcdef123456", Subject: "IB/core: Foo"}}},
		// Negatives.
		{"no id", []string{"Fixes: the build on 32-bit"}, nil},
		{"too short", []string{`Fixes: 12abc ("IB/core: Foo")`}, nil},
		{"too long", []string{`Fixes: ` + strings.Repeat("a", 41) + ` ("IB/core: Foo")`}, nil},
		{"not hex", []string{`Fixes: 12345zz6789 ("IB/core: Foo")`}, nil},
		{"hex word prefix", []string{`Fixes: deadbeef-related crash`}, nil},
		{"url", []string{`Fixes: https://bugzilla.kernel.org/show_bug.cgi?id=216000`}, nil},
		{"quoted reply", []string{
			`On Mon, Jan 2, 2023 Leon Romanovsky wrote:`,
			`> Fixes: abcdef123456 ("IB/core: Foo")`,
			`>> (cherry picked from commit abcdef1234567890abcdef1234567890abcdef12)`,
			`> Cc: stable@vger.kernel.org`}, nil},
		{"prose", []string{`This fixes: abcdef123456 was wrong.`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := trailersOnly(c.lines...)
			if !reflect.DeepEqual(got.Fixes, c.want) {
				t.Errorf("Fixes:\n got %+v\nwant %+v", got.Fixes, c.want)
			}
			if got.CcStable || got.Upstream != nil {
				t.Errorf("unexpected trailers %s", dump(got))
			}
		})
	}
}

func TestRefForms(t *testing.T) {
	const id = "74f160ead74bfe5f2b38afb4fcf86189f9ff40c9"
	cases := []struct {
		name  string
		lines []string
		want  []change.Ref
	}{
		{"cherry picked", []string{"(cherry picked from commit " + id + ")"},
			[]change.Ref{{ID: id, Style: change.CherryPicked}}},
		{"cherry picked, indented, upper case", []string{"    (cherry picked from commit " + strings.ToUpper(id) + ")"},
			[]change.Ref{{ID: id, Style: change.CherryPicked}}},
		{"cherry picked, abbreviated, no parenthesis", []string{"cherry picked from commit 74f160ead74b"},
			[]change.Ref{{ID: "74f160ead74b", Style: change.CherryPicked}}},
		{"cherry picked with a tree", []string{"(cherry picked from commit " + id + " linux-next)"},
			[]change.Ref{{ID: id, Style: change.CherryPicked}}},
		{"backported from", []string{"(backported from commit " + id + ")"},
			[]change.Ref{{ID: id, Style: change.BackportedFrom, Partial: true}}},
		{"backported from, with notes", []string{"(backported from commit " + id + " [context adjusted in cma.c])"},
			[]change.Ref{{ID: id, Style: change.BackportedFrom, Partial: true}}},
		{"commit upstream", []string{"commit " + id + " upstream."},
			[]change.Ref{{ID: id, Style: change.CommitUpstream}}},
		{"commit upstream, no dot, CRLF", []string{"commit " + id + " upstream\r"},
			[]change.Ref{{ID: id, Style: change.CommitUpstream}}},
		{"upstream commit", []string{"[ Upstream commit " + id + " ]"},
			[]change.Ref{{ID: id, Style: change.UpstreamCommit}}},
		{"upstream commit, tight", []string{"[Upstream commit " + id + "]"},
			[]change.Ref{{ID: id, Style: change.UpstreamCommit}}},
		{"RHEL commit first", []string{"commit " + id, "Author: A <a@b.c>"},
			[]change.Ref{{ID: id, Style: change.RHELCommit}}},
		{"RHEL commit after headers", []string{"Bugzilla: https://bugzilla.redhat.com/1234567", "", "commit " + id, ""},
			[]change.Ref{{ID: id, Style: change.RHELCommit}}},
		{"RHEL squash of two", []string{
			"commit " + id, "Author: A <a@b.c>", "", "    foo", "",
			"commit 0f0e9a4b5c6d7e8f90a1b2c3d4e5f60718293a4b", "Author: B <b@b.c>"},
			[]change.Ref{{ID: id, Style: change.RHELCommit}, {ID: "0f0e9a4b5c6d7e8f90a1b2c3d4e5f60718293a4b", Style: change.RHELCommit}}},
		{"Upstream-commit", []string{"Upstream-commit: " + id},
			[]change.Ref{{ID: id, Style: change.RHELCommit}}},
		{"Git-commit", []string{"Git-commit: " + id},
			[]change.Ref{{ID: id, Style: change.GitCommit}}},
		{"Git-commit partial", []string{"Git-commit: " + id + " (partial)"},
			[]change.Ref{{ID: id, Style: change.GitCommit, Partial: true}}},
		{"Alt-commit", []string{"Alt-commit: " + id},
			[]change.Ref{{ID: id, Style: change.AltCommit}}},
		{"abbreviation then full id: one ref, longer id", []string{
			"[ Upstream commit 74f160ead74b ]", "(cherry picked from commit " + id + ")"},
			[]change.Ref{{ID: id, Style: change.UpstreamCommit}}},
		// References in prose, anywhere in the body (issue 13).
		{"partially cherry-picked", []string{"Partially cherry-picked from commit " + id + "."},
			[]change.Ref{{ID: id, Style: Prose, Partial: true}}},
		{"partial backport in parentheses", []string{"(partial backport of 74f160ead74b)"},
			[]change.Ref{{ID: "74f160ead74b", Style: Prose, Partial: true}}},
		{"extract of upstream commit", []string{"This is an extract of upstream commit " + id + ", only the mr.c part."},
			[]change.Ref{{ID: id, Style: Prose, Partial: true}}},
		{"backport of, mid-sentence", []string{"The fix is a backport of " + id + " (\"RDMA/cma: Foo\")."},
			[]change.Ref{{ID: id, Style: Prose}}},
		{"based on upstream commit", []string{"Based on upstream commit 74f160ead74bfe5f, adjusted for the old API."},
			[]change.Ref{{ID: "74f160ead74bfe5f", Style: Prose}}},
		{"Upstream: id", []string{"Upstream: " + id},
			[]change.Ref{{ID: id, Style: Prose}}},
		{"prose after a convention keeps the convention's style", []string{
			"(cherry picked from commit " + id + ")", "This is a backport of " + id + "."},
			[]change.Ref{{ID: id, Style: change.CherryPicked}}},
		// Negatives.
		{"based on a commit it depends on", []string{"This is based on commit " + id + ", which added the helper."}, nil},
		{"backport of a word", []string{"A backport of decaffed code is pointless."}, nil},
		{"backport of nothing", []string{"This is a backport of the fix for the leak."}, nil},
		{"Upstream: words", []string{"Upstream: submitted, see the list"}, nil},
		{"commit message prose", []string{"commit message was too long, so shorten it."}, nil},
		{"commit faded prose", []string{"commit faced the same issue."}, nil},
		{"RHEL-like line after prose", []string{"This change is needed by the later", "commit " + id}, nil},
		{"commit id in prose", []string{"commit 74f160ead74b (\"RDMA/cma: Foo\") introduced a leak."}, nil},
		{"reverts", []string{"This reverts commit " + id + "."}, nil},
		{"change id", []string{"Change-Id: I" + id}, nil},
		{"cherry picked from a URL", []string{"(cherry picked from https://lore.kernel.org/r/20230101.1-foo@bar)"}, nil},
		{"cherry picked, short id", []string{"(cherry picked from commit 74f16)"}, nil},
		{"git-commit not hex", []string{"Git-commit: pending"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := trailersOnly(c.lines...)
			if !reflect.DeepEqual(got.Upstream, c.want) {
				t.Errorf("Upstream:\n got %+v\nwant %+v", got.Upstream, c.want)
			}
		})
	}
}

func TestCcStable(t *testing.T) {
	cases := []struct {
		line string
		want bool
	}{
		{"Cc: stable@vger.kernel.org", true},
		{"Cc: <stable@vger.kernel.org> # v5.10+", true},
		{"CC: stable@kernel.org", true},
		{"cc: Stable@Vger.Kernel.Org", true},
		{"Cc: stable <stable@vger.kernel.org>", true},
		{"Cc: \"stable@vger.kernel.org\"", true},
		{"Cc: linux-rdma@vger.kernel.org, stable@vger.kernel.org", true},
		{"  Cc: stable@vger.kernel.org # 5.15.x: 1234567890ab: IB/core: Foo", true},
		{"Cc: stable@vger.kernel.org.", true},
		{"Cc: linux-stable@vger.kernel.org", false},
		{"Cc: notstable@vger.kernel.org", false},
		{"Cc: stable@vger.kernel.org.example.com", false},
		{"Cc: stable", false},
		{"To: stable@vger.kernel.org", false},
		{"Please apply to stable@vger.kernel.org", false},
		{"> Cc: stable@vger.kernel.org", false},
	}
	for _, c := range cases {
		if got := trailersOnly(c.line).CcStable; got != c.want {
			t.Errorf("%q: CcStable = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestCVEs(t *testing.T) {
	cases := []struct {
		name string
		msg  string
		want []string
	}{
		{"subject and body, dedup, order", "net/mlx5: Fix CVE-2024-1000 and cve-2023-99999\n\nSee CVE-2023-99999, CVE-2022-1234567.\n",
			[]string{"CVE-2024-1000", "CVE-2023-99999", "CVE-2022-1234567"}},
		{"CVE trailer", "x\n\nCVE: CVE-2023-4567\n", []string{"CVE-2023-4567"}},
		{"CVE trailer without prefix", "x\n\nCVE: 2023-4567\n", []string{"CVE-2023-4567"}},
		{"References", "x\n\nReferences: CVE-2023-2176,bsc#1210629 jsc#PED-1\n", []string{"CVE-2023-2176"}},
		{"in parentheses and brackets", "x\n\n(CVE-2021-1234) [cve-2021-5678]\n", []string{"CVE-2021-1234", "CVE-2021-5678"}},
		{"quoted lines count", "x\n\n> CVE-2021-1234\n", []string{"CVE-2021-1234"}},
		{"not CVEs", "x\n\nCVE-23-1234 CVE-2023-123 CVE-2023-12345678 XCVE-2023-1234 CVE-2023-1234a CVE-20a3-1234\n", nil},
		{"at the very end", "x\n\nCVE-2023-1234", []string{"CVE-2023-1234"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, got := Parse(c.msg)
			if !reflect.DeepEqual(got.CVEs, c.want) {
				t.Errorf("CVEs = %q, want %q", got.CVEs, c.want)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	cases := map[string]string{
		"UPSTREAM: RDMA/core: Foo":            "UPSTREAM",
		"BACKPORT: RDMA/core: Foo":            "BACKPORT",
		"FROMGIT: RDMA/core: Foo":             "FROMGIT",
		"FROMLIST: RDMA/core: Foo":            "FROMLIST",
		"BACKPORT: FROMLIST: RDMA/core: Foo":  "BACKPORT",
		"UBUNTU: SAUCE: RDMA/core: Foo":       "UBUNTU: SAUCE",
		"UBUNTU:SAUCE: (noup) RDMA: Foo":      "UBUNTU: SAUCE",
		"  UPSTREAM : RDMA/core: Foo":         "UPSTREAM",
		"UBUNTU: [Config] enable RDMA_RXE":    "",
		"Revert \"UPSTREAM: RDMA/core: Foo\"": "",
		"Upstream: RDMA/core: Foo":            "",
		"UPSTREAMING: RDMA/core: Foo":         "",
		"RDMA/core: UPSTREAM: Foo":            "",
		"CHROMIUM: RDMA/core: Foo":            "",
	}
	for subj, want := range cases {
		s, _, got := Parse(subj + "\n\nbody\n")
		if got.Prefix != want {
			t.Errorf("%q: Prefix = %q, want %q", subj, got.Prefix, want)
		}
		if s != subj {
			t.Errorf("%q: subject changed to %q", subj, s)
		}
	}
}

func TestOtherTrailers(t *testing.T) {
	got := trailersOnly(
		"Link: https://lore.kernel.org/r/1.git.leon@kernel.org",
		"link: <https://lore.kernel.org/r/2.git.leon@kernel.org> # v2",
		"Link: https://lore.kernel.org/r/1.git.leon@kernel.org",
		"Link:",
		"Signed-off-by: First Person <first@example.org>",
		"Signed-Off-By:   Second Person <second@example.org>  ",
		"Signed-off-by:",
		"Upstream Status: git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git for-next",
		"Upstream-Status: ignored, not the first",
		"Patch-mainline: v6.2-rc1",
		"Patch-mainline: ignored, not the first",
	)
	want := change.Trailers{
		Links:          []string{"https://lore.kernel.org/r/1.git.leon@kernel.org", "https://lore.kernel.org/r/2.git.leon@kernel.org"},
		SignedOffBy:    []string{"First Person <first@example.org>", "Second Person <second@example.org>"},
		UpstreamStatus: "git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git for-next",
		PatchMainline:  "v6.2-rc1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", dump(got), dump(want))
	}
}

func TestSubjectBody(t *testing.T) {
	long := strings.Repeat("x", 200000)
	cases := []parseCase{
		{name: "empty", msg: ""},
		{name: "blank", msg: " \n\t\r\n\n"},
		{name: "subject only", msg: "RDMA/core: Foo", subject: "RDMA/core: Foo"},
		{name: "subject only with newline", msg: "RDMA/core: Foo\n", subject: "RDMA/core: Foo"},
		{name: "leading blank lines, trailing spaces", msg: "\n\n  \nRDMA/core: Foo  \t\n\n\nbody  \n\n \n", subject: "RDMA/core: Foo", body: "body"},
		{name: "multi-line first paragraph", msg: "RDMA/core: Foo\nbar  \n  baz\n\nbody", subject: "RDMA/core: Foo bar   baz", body: "body"},
		{name: "CRLF", msg: "RDMA/core: Foo\r\nbar\r\n\r\nline one\r\n\r\nline two\r\nSigned-off-by: A <a@b.c>\r\n",
			subject: "RDMA/core: Foo bar", body: "line one\n\nline two\nSigned-off-by: A <a@b.c>",
			want: change.Trailers{SignedOffBy: []string{"A <a@b.c>"}}},
		{name: "indented body kept", msg: "s\n\n    indented\n\tand tabbed\n", subject: "s", body: "    indented\n\tand tabbed"},
		{name: "very long line", msg: "s " + long + "\n\n" + long + " CVE-2020-1234\n", subject: "s " + long, body: long + " CVE-2020-1234",
			want: change.Trailers{CVEs: []string{"CVE-2020-1234"}}},
		{name: "git format-patch", msg: "From 74f160ead74bfe5f2b38afb4fcf86189f9ff40c9 Mon Sep 17 00:00:00 2001\n" +
			"From: A U Thor <author@example.org>\nDate: Mon, 2 Jan 2023 10:00:00 +0200\n" +
			"Subject: [PATCH rdma-next v3 02/12] RDMA/mlx5: Foo\n\nBody.\n\nSigned-off-by: A U Thor <author@example.org>\n" +
			"---\n drivers/infiniband/hw/mlx5/main.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n" +
			"diff --git a/drivers/infiniband/hw/mlx5/main.c b/drivers/infiniband/hw/mlx5/main.c\n-Signed-off-by: X <x@y>\n",
			subject: "RDMA/mlx5: Foo", body: "Body.\n\nSigned-off-by: A U Thor <author@example.org>",
			want: change.Trailers{SignedOffBy: []string{"A U Thor <author@example.org>"}}},
		{name: "diff without separator", msg: "s\n\nbody\ndiff --git a/x b/x\n+Signed-off-by: X <x@y>\n", subject: "s", body: "body"},
		{name: "--- in prose stays", msg: "s\n\nabove\n---\nbelow\n", subject: "s", body: "above\n---\nbelow"},
		{name: "header-like commit subject is not a header block", msg: "Subject: foo\nbar\n\nbody", subject: "Subject: foo bar", body: "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c) })
	}
}

func TestNoAllocForCleanBody(t *testing.T) {
	msg := "RDMA/core: Foo\n\nBody line.\n"
	allocs := testing.AllocsPerRun(100, func() { Parse(msg) })
	if allocs != 0 {
		t.Errorf("Parse of a plain message allocates %v times", allocs)
	}
}

// validID reports whether id is 7-40 lower-case hex digits.
func validID(id string) bool {
	if len(id) < 7 || len(id) > 40 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{stableBody, autoselBody, rhelBody, susePatch, susePartial, ubuntuSauce,
		ubuntuBackport, chromeosBackport, ofedPatch, twoFixes, "", "s", "s\r\n\r\nFixes: abcdef1 (\"x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		subject, body, tr := Parse(msg)
		if strings.Contains(subject, "\n") {
			t.Errorf("subject has a newline: %q", subject)
		}
		if strings.HasPrefix(body, "\n") || strings.HasSuffix(body, "\n") {
			t.Errorf("body not trimmed: %q", body)
		}
		for _, f := range tr.Fixes {
			if !validID(f.ID) {
				t.Errorf("bad Fixes id %q", f.ID)
			}
		}
		for _, r := range tr.Upstream {
			if !validID(r.ID) {
				t.Errorf("bad ref id %q", r.ID)
			}
		}
		for _, c := range tr.CVEs {
			if !strings.HasPrefix(c, "CVE-") {
				t.Errorf("bad CVE %q", c)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	msgs := []string{
		"RDMA/mlx5: Fix a race for an ODP MR which leads to CQE with error\n\n" + stableBody + "\n",
		"RDMA/mlx5: Fix mkey cache WQ flush\n\n" + rhelBody + "\n",
		twoFixes,
	}
	var n int
	for _, m := range msgs {
		n += len(m)
	}
	b.SetBytes(int64(n / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(msgs[i%len(msgs)])
	}
}
