package status

import (
	"strings"

	"github.com/kdelta/kdelta/change"
)

// FromHeaders reads what a change's own message says of its status: SUSE
// Patch-mainline:, RHEL Upstream Status:, and the subject prefixes of
// Ubuntu (UBUNTU: SAUCE:) and ChromeOS (UPSTREAM:, BACKPORT:, FROMGIT:,
// FROMLIST:). A Git-commit: reference without Patch-mainline: also claims
// mainline. The strongest claim comes first.
func FromHeaders(fp *change.Fingerprint) []Evidence {
	if fp == nil {
		return nil
	}
	t := fp.Trailers
	var out []Evidence
	if v := strings.TrimSpace(t.PatchMainline); v != "" {
		out = append(out, Evidence{From: FromHeader, Says: patchMainline(v), What: "Patch-mainline: " + v})
	} else {
		for _, r := range t.Upstream {
			if r.Style == change.GitCommit {
				out = append(out, Evidence{From: FromHeader, Says: Mainline, What: "Git-commit: " + r.ID})
				break
			}
		}
	}
	if v := strings.TrimSpace(t.UpstreamStatus); v != "" {
		out = append(out, Evidence{From: FromHeader, Says: upstreamStatus(v), What: "Upstream Status: " + v})
	}
	switch t.Prefix {
	case "UBUNTU: SAUCE":
		out = append(out, Evidence{From: FromHeader, Says: Never, What: "UBUNTU: SAUCE, Ubuntu-only"})
	case "FROMLIST":
		out = append(out, Evidence{From: FromHeader, Says: Submitted, What: "FROMLIST: prefix"})
	case "FROMGIT":
		out = append(out, Evidence{From: FromHeader, Says: Queued, What: "FROMGIT: prefix"})
	case "UPSTREAM", "BACKPORT":
		// OFED names its compat patches "BACKPORT: <path>": those say
		// nothing of upstream.
		if !(t.Prefix == "BACKPORT" && fp.SubjectNamesFile()) {
			out = append(out, Evidence{From: FromHeader, Says: Mainline, What: t.Prefix + ": prefix"})
		}
	}
	// Strongest claim first, stable otherwise.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank[out[j].Says] > rank[out[j-1].Says]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// patchMainline maps a SUSE Patch-mainline: value to a status. SUSE's
// values: a release tag ("v6.2-rc1"), "Queued[ in subsystem maintainer
// repository]", "Submitted, <date> <list>", "Never, <reason>",
// "No, <reason>" (not for upstream, as Never) or "Not yet, <reason>".
func patchMainline(v string) string {
	l := strings.ToLower(v)
	switch {
	case strings.HasPrefix(l, "never"):
		return Never
	case strings.HasPrefix(l, "queued"):
		return Queued
	case strings.HasPrefix(l, "submitted"):
		return Submitted
	case strings.HasPrefix(l, "not yet"):
		return Unknown
	case l == "no" || strings.HasPrefix(l, "no,") || strings.HasPrefix(l, "no "):
		return Never
	case looksLikeRelease(l), strings.HasPrefix(l, "yes"):
		return Mainline
	}
	return Unknown
}

// upstreamStatus maps a RHEL "Upstream Status:" value to a status: "RHEL
// only" and its spellings, a release tag or a mainline tree, a -next or
// maintainer tree, a posting.
func upstreamStatus(v string) string {
	l := strings.ToLower(v)
	switch {
	case strings.Contains(l, "rhel-only"), strings.Contains(l, "rhel only"), strings.Contains(l, "rhel-specific"),
		strings.Contains(l, "not upstream"), strings.HasPrefix(l, "n/a"):
		return Never
	case strings.Contains(l, "next"), strings.Contains(l, "queue"):
		return Queued
	case strings.Contains(l, "posted"), strings.Contains(l, "submitted"), strings.Contains(l, "lore.kernel.org"),
		strings.Contains(l, "patchwork"):
		return Submitted
	case looksLikeRelease(l), strings.Contains(l, "torvalds/linux"), strings.Contains(l, "linux.git"),
		strings.HasPrefix(l, "upstream"), strings.HasPrefix(l, "merged"):
		return Mainline
	}
	return Unknown
}

// looksLikeRelease says whether s starts with a kernel release tag: v6.2,
// v6.2-rc1, 6.2, linux-6.2.
func looksLikeRelease(s string) bool {
	s = strings.TrimPrefix(s, "linux-")
	s = strings.TrimPrefix(s, "v")
	dot := strings.IndexByte(s, '.')
	if dot <= 0 {
		return false
	}
	for i := 0; i < dot; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return dot+1 < len(s) && s[dot+1] >= '0' && s[dot+1] <= '9'
}
