// Package project reads a kdelta project file (kdelta.toml) and builds the
// component map that classifies changed files into named slices of the RDMA
// stack.
//
// A project file names the store, the sources (upstream, distro, vendor,
// stable and queue trees) and, optionally, components that extend or override
// the default map that ships with kdelta. [ParseConfig] and [Load] read one;
// every problem is reported as a one-line [*Error] that names the file, the
// line when it can be known, the field, the bad value and what was expected.
//
// # Components
//
// A component is a set of path patterns per layout plus optional subject
// keywords. Patterns:
//
//   - "drivers/infiniband/hw/mlx5/" (ends in "/"): every path under that
//     directory;
//   - "include/rdma/rdma_cm*.h": a glob with [path.Match] syntax, where "*",
//     "?" and "[...]" stay inside one directory and "**" also crosses
//     directories ("a/**/b" matches "a/b" and "a/x/y/b");
//   - "drivers/infiniband/core/addr.c": that file.
//
// When several components claim one file, the most specific pattern wins:
// the one with the longest literal text before its first wildcard (a file
// path is all literal). This is how "core" keeps drivers/infiniband/core/
// minus the files that "cm", "uverbs", "mad", "roce" and "addr" name.
// Components whose patterns are equally specific share the file.
//
// Subject keywords match whole words of the commit subject, case-insensitively,
// where a word is a run of letters and digits ("RDMA/mlx5_ib: fix" has the words
// rdma, mlx5, ib, fix). A keyword of several words ("ib/cm") matches those
// words in a row; a trailing "*" matches a word prefix ("roce*" matches RoCE
// and RoCEv2).
//
// Each layout has a scope, the part of a tree that is the RDMA stack: for
// linux a list of root directories plus every component pattern; for
// rdma-core, winofed, ofed and custom the whole tree. A file in scope that no
// component claims belongs to [Other].
//
// A component exists in the layouts its paths name; naming a layout with an
// empty list makes it findable there by subject only (roce in rdma-core). A
// component with no paths at all exists in every layout. Subject keywords
// apply only to components that exist in the commit's layout, so Classify
// never returns a name that Names(layout) lacks.
//
// The ofed layout is the linux layout plus the patterns a component lists
// under "ofed" (OFED trees are kernel trees with backports/ and friends).
package project
