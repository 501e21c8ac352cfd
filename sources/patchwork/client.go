// Package patchwork is a read-only client of the Patchwork REST API
// (patchwork.kernel.org and other Patchwork servers): it finds the patches
// of one project by Message-ID or by Patchwork's diff hash, and tells their
// review state, so that a carried patch that was posted to a list gets the
// state its posting has.
//
// It speaks API 1.2 (/api/1.2/patches/?project=...&msgid=...), which is the
// first version that filters patches by msgid and hash; a server that
// answers 404 for 1.2 is asked at /api/1.1/ instead, and since 1.1 drops
// those filters the answer is checked and an unfiltered list is refused
// (ErrFilterIgnored) rather than taken for a match. Lists are followed page
// by page (the Link header's rel="next", or a "next" field), at most
// MaxPages pages of at most MaxResponseBytes each. A 429 answer is retried
// once when its Retry-After asks for MaxRetryAfter or less.
//
// Hash computes Patchwork's hash of a diff, so a carried patch can be looked
// up by its diff when its Message-ID is unknown.
//
// The package imports nothing outside the standard library and keeps no
// state between calls; a Client may be used by several goroutines at once.
package patchwork

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults of a Client.
const (
	// DefaultTimeout bounds every request of a Client made by New with a nil
	// *http.Client.
	DefaultTimeout = 30 * time.Second
	// MaxResponseBytes bounds the body of one response; a larger one is an
	// error (ErrTooLarge). A page of PerPage patches is about 200 KiB.
	MaxResponseBytes = 8 << 20
	// MaxPages bounds the pages one lookup follows (ErrTooManyPages). A
	// Message-ID names one patch of a project and a hash a few, so a lookup
	// that needs more pages is not what it seems.
	MaxPages = 10
	// PerPage is the page size asked for (Patchwork's default is 30, its
	// documented maximum 100).
	PerPage = 100
	// MaxRetryAfter is the longest Retry-After a 429 answer may ask for to
	// be retried; the request is retried once at most.
	MaxRetryAfter = 30 * time.Second
	// DefaultUserAgent is the User-Agent New sets.
	DefaultUserAgent = "kdelta-patchwork/1 (read-only Patchwork REST client)"
)

// API versions, newest first: the one asked and the one a server that does
// not know it (404) is asked instead.
const (
	apiVersion         = "1.2"
	apiFallbackVersion = "1.1"
)

// Client reads the patches of one project of a Patchwork server.
type Client struct {
	BaseURL   string       // the server's URL, like "https://patchwork.kernel.org"
	Project   string       // the project's link name (or id), like "linux-rdma"
	HTTP      *http.Client // nil: a client with DefaultTimeout
	UserAgent string       // "": DefaultUserAgent
}

// New returns a Client for project on the Patchwork server at baseURL, which
// must be an http or https URL with a host (and may have a path, for a
// server that is not at the root). A nil hc gets an http.Client with
// DefaultTimeout.
func New(baseURL, project string, hc *http.Client) (*Client, error) {
	if _, err := parseBase(baseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(project) == "" {
		return nil, errors.New(`patchwork: empty project; expected a Patchwork project like "linux-rdma"`)
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{BaseURL: baseURL, Project: project, HTTP: hc, UserAgent: DefaultUserAgent}, nil
}

// parseBase checks a server URL and returns it parsed.
func parseBase(baseURL string) (*url.URL, error) {
	u, err := url.Parse(baseURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("patchwork: base URL %q: %v; expected an http(s) URL like https://patchwork.kernel.org", baseURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("patchwork: base URL %q is not http or https; expected an http(s) URL like https://patchwork.kernel.org", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("patchwork: base URL %q has no host; expected an http(s) URL like https://patchwork.kernel.org", baseURL)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("patchwork: base URL %q has a query or fragment; expected the server's URL alone, like https://patchwork.kernel.org", baseURL)
	}
	return u, nil
}

// ByMessageID returns the patches of the project whose Message-ID is msgid,
// given with or without its angle brackets; none is not an error. Patchwork
// keeps a Message-ID once per project, so there is one patch at most unless
// the server says otherwise.
func (c *Client) ByMessageID(ctx context.Context, msgid string) ([]Patch, error) {
	id := trimMessageID(msgid)
	if id == "" {
		return nil, fmt.Errorf("patchwork: message-id %q; expected a Message-ID like <20240502101112.1234-1-x@y.org> or 20240502101112.1234-1-x@y.org", msgid)
	}
	return c.list(ctx, "msgid", id, func(p Patch) bool { return p.MessageID == id })
}

// ByHash returns the patches of the project whose diff has Patchwork's hash
// hash (40 hex digits, as Hash returns); none is not an error. The same diff
// posted again (a resend, the next version of a series, a backport) has the
// same hash, so there may be several, in the order the server lists them.
func (c *Client) ByHash(ctx context.Context, hash string) ([]Patch, error) {
	h := strings.ToLower(strings.TrimSpace(hash))
	if len(h) != 40 || strings.Trim(h, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("patchwork: hash %q; expected the 40 hex digits of a Patchwork patch hash", hash)
	}
	return c.list(ctx, "hash", h, func(p Patch) bool { return strings.EqualFold(p.Hash, h) })
}

// list runs a patch list query with one filter, at API 1.2 and, when the
// server answers its first page with 404, at 1.1. match tells whether a
// listed patch is one the filter lets through.
func (c *Client) list(ctx context.Context, filter, value string, match func(Patch) bool) ([]Patch, error) {
	base, err := parseBase(c.BaseURL)
	if err != nil {
		return nil, err
	}
	if c.Project == "" {
		return nil, errors.New(`patchwork: empty project; expected a Patchwork project like "linux-rdma"`)
	}
	query := url.Values{
		"project":  {c.Project},
		filter:     {value},
		"per_page": {strconv.Itoa(PerPage)},
	}.Encode()

	first := endpoint(base, apiVersion, query)
	patches, err := c.walk(ctx, first, filter, match)
	var he *HTTPError
	if err == nil || !errors.As(err, &he) || he.StatusCode != http.StatusNotFound || he.URL != first {
		return patches, err
	}
	older := endpoint(base, apiFallbackVersion, query)
	patches, err = c.walk(ctx, older, filter, match)
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound && he.URL == older {
		return nil, fmt.Errorf("patchwork: %w; %s answered 404 too: is %s a Patchwork server with its REST API on?", he, first, c.BaseURL)
	}
	return patches, err
}

// endpoint returns the patch list URL of an API version.
func endpoint(base *url.URL, version, query string) string {
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + "/api/" + version + "/patches/"
	u.RawPath = ""
	u.RawQuery = query
	return u.String()
}

// walk fetches the list at first and its next pages.
func (c *Client) walk(ctx context.Context, first, filter string, match func(Patch) bool) ([]Patch, error) {
	origin, err := url.Parse(first)
	if err != nil {
		return nil, fmt.Errorf("patchwork: %s: %v", first, err)
	}
	var all []Patch
	seen := map[string]bool{}
	for page, at := 1, first; at != ""; page++ {
		if page > MaxPages {
			return nil, fmt.Errorf("patchwork: %s: %w: still a next page (%s) after %d pages of %d", first, ErrTooManyPages, at, MaxPages, PerPage)
		}
		seen[at] = true
		body, header, err := c.get(ctx, at)
		if err != nil {
			return nil, fmt.Errorf("patchwork: %w", err)
		}
		patches, next, err := decodePatchList(body)
		if err != nil {
			return nil, fmt.Errorf("patchwork: GET %s: %w (Content-Type %q)", at, err, header.Get("Content-Type"))
		}
		for _, p := range patches {
			if !match(p) {
				return nil, fmt.Errorf("patchwork: GET %s: %w: patch %d (msgid <%s>, hash %q) does not have the %s asked for; filtering by %s needs API %s (Patchwork 2.2 or later)",
					at, ErrFilterIgnored, p.ID, p.MessageID, p.Hash, filter, filter, apiVersion)
			}
		}
		all = append(all, patches...)

		if link := nextLink(header.Values("Link")); link != "" {
			next = link
		}
		if next == "" {
			break
		}
		nextURL, err := sameOrigin(origin, at, next)
		if err != nil {
			return nil, fmt.Errorf("patchwork: GET %s: %w", at, err)
		}
		if seen[nextURL] {
			return nil, fmt.Errorf("patchwork: GET %s: next page %s was already read; the server's pagination loops", at, nextURL)
		}
		at = nextURL
	}
	return all, nil
}

// sameOrigin resolves a next-page link against the page it came from and
// checks that it stays on the server asked. The scheme and port are kept as
// asked: a server behind a TLS proxy may write http:// links (with or
// without :80) for https pages.
func sameOrigin(origin *url.URL, page, link string) (string, error) {
	base, err := url.Parse(page)
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("next page link %q: %v; expected a URL", link, err)
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("next page link %q is not http(s); expected a page of %s", link, origin.Host)
	}
	samePort := u.Port() == origin.Port() ||
		(origin.Port() == "" && (u.Scheme == "http" && u.Port() == "80" || u.Scheme == "https" && u.Port() == "443"))
	if !strings.EqualFold(u.Hostname(), origin.Hostname()) || !samePort {
		return "", fmt.Errorf("next page link %q leaves %s; expected a page of the same server", link, origin.Host)
	}
	u.Scheme = origin.Scheme
	u.Host = origin.Host
	u.User = origin.User
	u.Fragment = ""
	return u.String(), nil
}
