package patchwork

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakePatch is what the fake server knows of one patch.
type fakePatch struct {
	id       int
	msgid    string // with angle brackets, as Patchwork stores it
	name     string
	date     string
	state    string
	hash     any // string or nil
	archived bool
	person   [2]any // name (string or nil), email
	series   []map[string]any
}

// fakeServer speaks the patch list of the Patchwork REST API for one
// project, the way patchwork/api/patch.py and api/filters.py do: the
// project filter by link name, msgid (without brackets) and hash
// (case-insensitive) filters from 1.2 on and dropped silently by 1.1, pages
// of per_page (capped at maxPerPage) with a LinkHeaderPagination Link header.
type fakeServer struct {
	t          *testing.T
	srv        *httptest.Server
	project    string
	patches    []fakePatch
	noV12      bool // a Patchwork 2.1: /api/1.2/ is 404
	maxPerPage int  // 0: 100
	// override, when set, answers a request instead of the API; it returns
	// false to let the API answer.
	override func(w http.ResponseWriter, r *http.Request, n int) bool

	mu       sync.Mutex
	requests []*http.Request
}

func newFakeServer(t *testing.T, patches ...fakePatch) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, project: "linux-rdma", patches: patches}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client of the fake server.
func (f *fakeServer) client(t *testing.T) *Client {
	t.Helper()
	c, err := New(f.srv.URL, "linux-rdma", f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// seen returns the requests so far.
func (f *fakeServer) seen() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	n := len(f.requests)
	f.mu.Unlock()
	if f.override != nil && f.override(w, r, n) {
		return
	}

	var version string
	switch r.URL.Path {
	case "/api/1.2/patches/":
		version = "1.2"
		if f.noV12 {
			notFound(w)
			return
		}
	case "/api/1.1/patches/":
		version = "1.1"
	default:
		notFound(w)
		return
	}
	q := r.URL.Query()
	if p := q.Get("project"); p != "" && !strings.EqualFold(p, f.project) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"project":["Select a valid choice. %s is not one of the available choices."]}`, p)
		return
	}
	var match []fakePatch
	for _, p := range f.patches {
		if version == "1.2" {
			if m := q.Get("msgid"); m != "" && p.msgid != "<"+m+">" {
				continue
			}
			if h := q.Get("hash"); h != "" {
				if s, ok := p.hash.(string); !ok || !strings.EqualFold(s, h) {
					continue
				}
			}
		}
		match = append(match, p)
	}

	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = v
	}
	limit := f.maxPerPage
	if limit == 0 {
		limit = 100
	}
	perPage = min(perPage, limit)
	page := 1
	if v := q.Get("page"); v != "" {
		var err error
		if page, err = strconv.Atoi(v); err != nil || page < 1 || (page-1)*perPage >= max(len(match), 1) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"detail":"Invalid page."}`)
			return
		}
	}
	lo, hi := (page-1)*perPage, min(page*perPage, len(match))
	link := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		qq := r.URL.Query()
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		return u.String()
	}
	var links []string
	if hi < len(match) {
		links = append(links, fmt.Sprintf("<%s>; rel=\"next\"", link(page+1)))
	}
	if page > 1 {
		links = append(links, fmt.Sprintf("<%s>; rel=\"prev\"", link(page-1)))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	list := make([]map[string]any, 0, hi-lo)
	for _, p := range match[lo:hi] {
		list = append(list, f.apiPatch(r, version, p))
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(list); err != nil {
		f.t.Error(err)
	}
}

// apiPatch renders a patch as the PatchList serializer does.
func (f *fakeServer) apiPatch(r *http.Request, version string, p fakePatch) map[string]any {
	base := "http://" + r.Host
	bare := strings.Trim(p.msgid, "<>")
	series := p.series
	if series == nil {
		series = []map[string]any{}
	}
	return map[string]any{
		"id":      p.id,
		"url":     fmt.Sprintf("%s/api/%s/patches/%d/", base, version, p.id),
		"web_url": fmt.Sprintf("%s/project/%s/patch/%s/", base, f.project, bare),
		"project": map[string]any{
			"id": 17, "url": base + "/api/" + version + "/projects/17/", "name": "Linux RDMA Mailing List",
			"link_name": f.project, "list_id": "linux-rdma.vger.kernel.org", "list_email": "linux-rdma@vger.kernel.org",
			"web_url": "", "scm_url": "", "webscm_url": "", "list_archive_url": "https://lore.kernel.org/linux-rdma/",
			"list_archive_url_format": "https://lore.kernel.org/r/{}", "commit_url_format": "",
		},
		"msgid":            p.msgid,
		"list_archive_url": "https://lore.kernel.org/r/" + bare,
		"date":             p.date,
		"name":             p.name,
		"commit_ref":       nil,
		"pull_url":         nil,
		"state":            p.state,
		"archived":         p.archived,
		"hash":             p.hash,
		"submitter": map[string]any{
			"id": 4242, "url": fmt.Sprintf("%s/api/%s/people/4242/", base, version), "name": p.person[0], "email": p.person[1],
		},
		"delegate": nil,
		"mbox":     fmt.Sprintf("%s/project/%s/patch/%s/mbox/", base, f.project, bare),
		"series":   series,
		"comments": fmt.Sprintf("%s/api/patches/%d/comments/", base, p.id),
		"check":    "pending",
		"checks":   fmt.Sprintf("%s/api/patches/%d/checks/", base, p.id),
		"tags":     map[string]any{},
		"related":  []any{},
	}
}

// notFound answers like Django for a URL it has no route for.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>")
}

// seriesJSON renders an embedded series as SeriesEmbedded.
func seriesJSON(base string, id int, name any, version int) map[string]any {
	return map[string]any{
		"id": id, "url": fmt.Sprintf("%s/api/1.2/series/%d/", base, id),
		"web_url": fmt.Sprintf("%s/project/linux-rdma/list/?series=%d", base, id),
		"date":    "2024-05-02T10:11:09", "name": name, "version": version,
		"mbox": fmt.Sprintf("%s/series/%d/mbox/", base, id),
	}
}

// samplePatch is a patch of the fake project, its hash derived from n.
func samplePatch(n int, state string) fakePatch {
	return fakePatch{
		id:     1000 + n,
		msgid:  fmt.Sprintf("<20240502101112.%d-%d-leon@kernel.org>", 4000+n, n),
		name:   fmt.Sprintf("[rdma-next,v2,%d/9] RDMA/mlx5: Fix thing %d", n, n),
		date:   "2024-05-02T10:11:12",
		state:  state,
		hash:   fmt.Sprintf("%040x", n),
		person: [2]any{"Leon Romanovsky", "leon@kernel.org"},
	}
}
