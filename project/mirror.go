package project

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path"
	"strings"
)

// MirrorKey returns the directory name a git repository is mirrored under:
// a readable prefix taken from the end of the URL plus a short hash of the
// normalized URL, e.g. "torvalds-linux-1f0c5d2a9b7e". URLs that name the same
// repository get the same key, so sources that differ only in refs share one
// mirror. Normalization drops a trailing "/" and ".git", user names, query
// and fragment; lowercases the host; treats https, http, git, ssh and
// scp-like ("git@host:path") forms of one host and path as the same; and
// treats "file:///p" as the local path "/p". Relative local paths should be
// resolved first (Config.SourceURL does).
func MirrorKey(rawURL string) string {
	n := normalizeURL(rawURL)
	sum := sha256.Sum256([]byte(n))
	return readablePrefix(n) + "-" + hex.EncodeToString(sum[:6])
}

// normalizeURL returns "host/path" for a remote repository and
// "file:/path" for a local one.
func normalizeURL(u string) string {
	u = strings.TrimSpace(u)
	if hasFileScheme(u) {
		if pu, err := url.Parse(u); err == nil {
			p := pu.Path
			if h := strings.ToLower(pu.Host); h != "" && h != "localhost" {
				p = "//" + pu.Host + p
			}
			return "file:" + trimRepo(p)
		}
		return "file:" + trimRepo(u[len("file://"):])
	}
	if i := strings.Index(u, "://"); i > 0 && isScheme(u[:i]) {
		if pu, err := url.Parse(u); err == nil && pu.Host != "" {
			return strings.ToLower(pu.Host) + "/" + strings.TrimPrefix(trimRepo(pu.Path), "/")
		}
		return trimRepo(u[i+3:])
	}
	if host, p, ok := scpLike(u); ok {
		return strings.ToLower(host) + "/" + strings.TrimPrefix(trimRepo(p), "/")
	}
	return "file:" + trimRepo(u)
}

// trimRepo cleans a repository path and drops a trailing "/" and ".git".
func trimRepo(p string) string {
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, `\`, "/")
	p = path.Clean(p)
	p = strings.TrimSuffix(p, ".git")
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "/"
	}
	return p
}

func hasFileScheme(u string) bool {
	return len(u) >= 7 && strings.EqualFold(u[:7], "file://")
}

// isRemote reports whether u names a repository on another machine.
func isRemote(u string) bool {
	u = strings.TrimSpace(u)
	if hasFileScheme(u) {
		return false
	}
	if i := strings.Index(u, "://"); i > 0 && isScheme(u[:i]) {
		return true
	}
	_, _, ok := scpLike(u)
	return ok
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || i > 0 && (c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// scpLike splits git's scp-like syntax "[user@]host:path". As git does, a
// colon after a slash, or a one-letter "host" (a Windows drive), means a
// local path.
func scpLike(u string) (host, p string, ok bool) {
	colon := strings.IndexByte(u, ':')
	if colon <= 0 {
		return "", "", false
	}
	if slash := strings.IndexByte(u, '/'); slash >= 0 && slash < colon {
		return "", "", false
	}
	host = u[:colon]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if len(host) <= 1 {
		return "", "", false
	}
	return host, u[colon+1:], true
}

// readablePrefix is the last two path elements of a normalized URL, made
// safe for a directory name.
func readablePrefix(n string) string {
	n = strings.TrimPrefix(n, "file:")
	parts := strings.FieldsFunc(n, func(r rune) bool { return r == '/' })
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	var b strings.Builder
	for _, r := range strings.Join(parts, "-") {
		switch {
		case r < 0x80 && (isAlnum(byte(r)) || r == '.' || r == '_' || r == '-'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".-_")
	if len(s) > 40 {
		s = strings.TrimRight(s[len(s)-40:], ".")
		s = strings.TrimLeft(s, ".-_")
	}
	if s == "" {
		s = "repo"
	}
	return s
}
