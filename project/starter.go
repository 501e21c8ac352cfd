package project

// Starter is the project file `kdelta init` writes: every field explained,
// every source a commented example (a first sync fetches nothing unasked).
// It parses cleanly, and so does it with its examples uncommented.
const Starter = `# kdelta project file.
#
# kdelta tracks the patch delta between the upstream RDMA stack and the
# distro and vendor trees that ship it. This file names those trees
# ("sources") and, optionally, adjusts the map of components (mlx5, ipoib,
# core, ...) that changes are classified into. Relative paths below resolve
# against the directory of this file.

[store]
# SQLite database that holds fingerprints, matches and snapshots.
path = "kdelta.db"
# A team shares one store in PostgreSQL instead: url names its database
# (TLS settings such as sslmode=verify-full ride on the URL; the password is
# never printed). $KDELTA_STORE_URL, when set, wins over both.
# url = "postgres://kdelta@db.example.org/kdelta?sslmode=verify-full"
# Directory where git sources are mirrored. Sources whose URLs name the same
# repository (ignoring a trailing "/" or ".git", and file:// against a plain
# path) share one mirror.
mirrors = "kdelta-mirrors"

# What every 'kdelta report' adds. In-box vs vendor, per driver:
#   compare   pairs of downstreams of one upstream, "A:B", whose comparison
#             (what each has of upstream that the other lacks, what each
#             carries alone, the tests that differ) is a section of the report
[report]
# compare = ["rhel9:sles15"]

# Each [[source]] is one named tree.
#
#   name      unique name: letters, digits, '.', '_', '-' (required)
#   kind      what the tree is (required):
#               upstream  the tree others are measured against
#               distro    an in-box distribution kernel or package (RHEL, SLES, Ubuntu)
#               vendor    a vendor fork (MLNX_OFED, community OFED, WinOFED)
#               stable    a stable or long-term branch
#               queue     a maintainer's for-next tree ("queued" evidence)
#               list      a mailing-list archive or Patchwork ("submitted" evidence)
#   format    what the source is made of (default "git"):
#               git        a git repository, read by refs
#               series     a quilt tree (series file) or a SUSE kernel-source
#                          tree (series.conf + patches.*/)
#               ofed       an OFED/MLNX_OFED tree: backports/NNNN-BACKPORT-*.patch,
#                          its base named by LINUX_BASE_BRANCH
#               snapshot   a release drop without history: a directory or a
#                          .tar, .tar.gz, .tgz, .tar.xz, .txz archive
#               mbox       (kind list) an mbox file, a public-inbox repository
#                          or a directory of messages
#               patchwork  (kind list) a Patchwork server, read only
#   url       git: remote URL, file:// URL, or local path to a repository;
#             series, ofed, snapshot, mbox: a local path; patchwork: the
#             server's URL (required)
#   refs      git only: branches or tags to read, e.g. ["master"] (required)
#   layout    how the tree lays out paths: linux, rdma-core, winofed, ofed
#             (a kernel tree with OFED's backports/), or custom (anything
#             else: the whole tree counts) (default "linux")
#   upstream  for non-upstream sources: the name of the upstream source this
#             one is measured against (optional: without it a source can be
#             browsed on its own)
#   base      the upstream tag or commit this tree starts from, e.g. "v5.14"
#             (optional; default: the merge-base with the upstream ref, or
#             an OFED tree's LINUX_BASE_BRANCH). A snapshot's upstream may be
#             another snapshot (release to release).
#   mirror    how to mirror it: auto (the git command when it is on PATH,
#             else go-git), go-git, or git (default "auto")
#   project   patchwork only: the project, e.g. "linux-rdma"

# Every source below is commented out, so that a first 'kdelta sync'
# reaches for nothing you did not ask for: uncomment the ones you want and
# point url at your trees. A url that is a local path (a clone you keep) is
# read from disk; an https:// url is fetched.

# [[source]]
# name = "linux"
# kind = "upstream"
# url = "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git"
# refs = ["master"]
# layout = "linux"

# [[source]]
# name = "rdma-next"
# kind = "queue"
# url = "https://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git"
# refs = ["for-next"]
# upstream = "linux"

# [[source]]
# name = "rhel9"
# kind = "distro"
# url = "/srv/mirrors/rhel9-kernel.git"
# refs = ["main"]
# upstream = "linux"
# base = "v5.14"

# [[source]]
# name = "sles15"
# kind = "distro"
# format = "series"
# url = "/srv/kernel-source"
# upstream = "linux"
# base = "v5.14"

# [[source]]
# name = "linux-rdma"
# kind = "list"
# format = "patchwork"
# url = "https://patchwork.kernel.org"
# project = "linux-rdma"

# [[source]]
# name = "rdma-core"
# kind = "upstream"
# url = "https://github.com/linux-rdma/rdma-core.git"
# refs = ["master"]
# layout = "rdma-core"

# Components. kdelta ships a map of the RDMA stack (core, cm, uverbs, mad,
# mlx4, mlx5, roce, ipoib, addr, rxe, siw, srp, iser, nfsordma, rds, ...)
# for the linux, rdma-core, winofed and ofed layouts. A [[component]] with a
# new name adds a component; one with an existing name replaces the paths of
# each layout it lists and, if it lists subjects, the subjects.
#
#   name      component name (required); "other" is reserved for files in
#             the stack that no component claims
#   paths     per layout, patterns relative to the top of the tree:
#               "dir/"       everything under dir
#               "a/b*.c"     a glob ("*", "?", "[...]" stay within a
#                            directory; "**" also crosses directories)
#               "a/b.c"      that file
#             When several components claim a file, the most specific
#             pattern (longest literal text) wins.
#   subjects  keywords matched against commit subjects, as whole words,
#             ignoring case; "roce*" also matches "RoCEv2"; "ib/cm" matches
#             the words "ib" and "cm" in a row
#
# [[component]]
# name = "mlx5-steering"
# paths = { linux = ["drivers/net/ethernet/mellanox/mlx5/core/steering/"], rdma-core = ["providers/mlx5/dr_*"] }
# subjects = ["steering", "hws"]

# Test rules map interop test results (kdelta results import) to components
# by the test's dot-separated path. kdelta ships rules for the OFA interop
# categories (fabric_init, link_init, ipoib, rdma_utils, nfsordma, openmpi,
# rsockets, sm_failover, srp, udapl, iser, rds) and for transport and driver
# names anywhere in a path (*roce*, *iwarp*, *mlx5*, *mlx4*, *rxe*, ...). A
# test covers the components of every rule it matches. A [[test_rule]] whose
# match equals a default's replaces it (an empty components list turns it
# off); any other adds a rule.
#
#   match       a glob on the test path, ignoring case ("*" matches any
#               run of characters, dots included)
#   components  the components such tests cover
#
# [[test_rule]]
# match = "perftest.*"
# components = ["uverbs", "mlx5"]
`
