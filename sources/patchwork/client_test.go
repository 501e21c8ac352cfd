package patchwork

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name, base, project string
		wantErr             string
	}{
		{"kernel.org", "https://patchwork.kernel.org", "linux-rdma", ""},
		{"under a path", "http://localhost:8000/pw/", "linux-rdma", ""},
		{"no scheme", "patchwork.kernel.org", "linux-rdma", "is not http or https"},
		{"ftp", "ftp://patchwork.kernel.org", "linux-rdma", "is not http or https"},
		{"no host", "https://", "linux-rdma", "has no host"},
		{"query", "https://patchwork.kernel.org/?project=x", "linux-rdma", "has a query or fragment"},
		{"bad URL", "https://patch work.org:x", "linux-rdma", "base URL"},
		{"no project", "https://patchwork.kernel.org", " ", "empty project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.base, tt.project, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%q) error = %v, want one containing %q", tt.base, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "expected") {
					t.Errorf("error %q does not say what was expected", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP == nil || c.HTTP.Timeout != DefaultTimeout {
				t.Errorf("HTTP = %+v, want a client with timeout %v", c.HTTP, DefaultTimeout)
			}
			if c.UserAgent != DefaultUserAgent || c.BaseURL != tt.base || c.Project != tt.project {
				t.Errorf("client = %+v", c)
			}
		})
	}
	hc := &http.Client{}
	if c, _ := New("https://patchwork.kernel.org", "linux-rdma", hc); c.HTTP != hc {
		t.Error("New did not keep the given http.Client")
	}
}

func TestByMessageID(t *testing.T) {
	want := samplePatch(3, "changes-requested")
	want.archived = true
	other := samplePatch(4, "new")
	f := newFakeServer(t, other, want)
	f.patches[1].series = []map[string]any{seriesJSON(f.srv.URL, 845123, "RDMA/mlx5: Fixes", 2)}
	c := f.client(t)

	for _, in := range []string{
		"20240502101112.4003-3-leon@kernel.org",
		"<20240502101112.4003-3-leon@kernel.org>",
		"  <20240502101112.4003-3-leon@kernel.org>\n",
	} {
		got, err := c.ByMessageID(context.Background(), in)
		if err != nil {
			t.Fatalf("ByMessageID(%q): %v", in, err)
		}
		wantPatch := Patch{
			ID:        1003,
			URL:       f.srv.URL + "/api/1.2/patches/1003/",
			WebURL:    f.srv.URL + "/project/linux-rdma/patch/20240502101112.4003-3-leon@kernel.org/",
			MessageID: "20240502101112.4003-3-leon@kernel.org",
			Name:      "[rdma-next,v2,3/9] RDMA/mlx5: Fix thing 3",
			Date:      time.Date(2024, 5, 2, 10, 11, 12, 0, time.UTC),
			State:     StateChangesRequested,
			Hash:      fmt.Sprintf("%040x", 3),
			Submitter: "Leon Romanovsky <leon@kernel.org>",
			Series:    []SeriesRef{{ID: 845123, Name: "RDMA/mlx5: Fixes", Version: 2}},
			Archived:  true,
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], wantPatch) {
			t.Fatalf("ByMessageID(%q) =\n%+v\nwant\n%+v", in, got, wantPatch)
		}
	}

	reqs := f.seen()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	r := reqs[0]
	q := r.URL.Query()
	if r.URL.Path != "/api/1.2/patches/" || q.Get("project") != "linux-rdma" ||
		q.Get("msgid") != "20240502101112.4003-3-leon@kernel.org" || q.Get("per_page") != "100" {
		t.Errorf("request %s, want /api/1.2/patches/ with project, msgid without brackets, per_page=100", r.URL)
	}
	if r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("request headers %v", r.Header)
	}

	got, err := c.ByMessageID(context.Background(), "<nobody@example.org>")
	if err != nil || len(got) != 0 {
		t.Errorf("unknown msgid: %v, %v; want none and no error", got, err)
	}
}

func TestBadArguments(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t)
	ctx := context.Background()
	for _, msgid := range []string{"", "<>", "  ", "a b@c", "<a<b>"} {
		if _, err := c.ByMessageID(ctx, msgid); err == nil || !strings.Contains(err.Error(), "expected a Message-ID") {
			t.Errorf("ByMessageID(%q) error = %v", msgid, err)
		}
	}
	for _, hash := range []string{"", "abc", strings.Repeat("a", 39), strings.Repeat("g", 40), strings.Repeat("a", 41)} {
		if _, err := c.ByHash(ctx, hash); err == nil || !strings.Contains(err.Error(), "40 hex digits") {
			t.Errorf("ByHash(%q) error = %v", hash, err)
		}
	}
	if n := len(f.seen()); n != 0 {
		t.Errorf("%d requests for bad arguments, want none", n)
	}
	bad := &Client{BaseURL: "file:///tmp", Project: "linux-rdma"}
	if _, err := bad.ByHash(ctx, strings.Repeat("a", 40)); err == nil || !strings.Contains(err.Error(), "not http or https") {
		t.Errorf("client with a file URL: %v", err)
	}
}

func TestByHashPages(t *testing.T) {
	// Seven postings of the same diff and one other patch, three a page.
	var ps []fakePatch
	for i := range 8 {
		p := samplePatch(i, []string{"superseded", "superseded", "new", "rfc", "accepted", "deferred", "not-applicable", "under-review"}[i])
		if i != 5 {
			p.hash = "0123456789abcdef0123456789abcdef01234567"
		}
		ps = append(ps, p)
	}
	f := newFakeServer(t, ps...)
	f.maxPerPage = 3
	c := f.client(t)

	got, err := c.ByHash(context.Background(), "0123456789ABCDEF0123456789abcdef01234567")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if want := []int{1000, 1001, 1002, 1003, 1004, 1006, 1007}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	reqs := f.seen()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	if h := reqs[0].URL.Query().Get("hash"); h != "0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("hash sent as %q, want lower case", h)
	}
	for i, r := range reqs[1:] {
		if p := r.URL.Query().Get("page"); p != fmt.Sprint(i+2) {
			t.Errorf("request %d asked page %q", i+2, p)
		}
	}
}

func TestNextField(t *testing.T) {
	// A Django REST framework list shape: an object with next and results.
	f := newFakeServer(t)
	f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
		next := "null"
		if r.URL.Query().Get("page") == "" {
			next = fmt.Sprintf(`"/api/1.2/patches/?page=2&msgid=%s&project=linux-rdma"`, r.URL.Query().Get("msgid"))
		}
		fmt.Fprintf(w, `{"count": 1, "next": %s, "previous": null, "results": []}`, next)
		return true
	}
	got, err := f.client(t).ByMessageID(context.Background(), "x@y")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v", got, err)
	}
	if reqs := f.seen(); len(reqs) != 2 || reqs[1].URL.Query().Get("page") != "2" {
		t.Errorf("requests %v, want the next page read", reqs)
	}
}

func TestFallbackTo11(t *testing.T) {
	only := samplePatch(1, "accepted")
	t.Run("one patch in the project", func(t *testing.T) {
		f := newFakeServer(t, only)
		f.noV12 = true
		got, err := f.client(t).ByMessageID(context.Background(), only.msgid)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != only.id || got[0].URL != f.srv.URL+"/api/1.1/patches/1001/" {
			t.Errorf("got %+v", got)
		}
		reqs := f.seen()
		if len(reqs) != 2 || reqs[0].URL.Path != "/api/1.2/patches/" || reqs[1].URL.Path != "/api/1.1/patches/" {
			t.Errorf("requests %v, want 1.2 then 1.1", reqs)
		}
	})
	t.Run("1.1 drops the filter", func(t *testing.T) {
		f := newFakeServer(t, samplePatch(0, "new"), only)
		f.noV12 = true
		_, err := f.client(t).ByMessageID(context.Background(), only.msgid)
		if !errors.Is(err, ErrFilterIgnored) || !strings.Contains(err.Error(), "/api/1.1/patches/") ||
			!strings.Contains(err.Error(), "needs API 1.2") {
			t.Fatalf("error = %v, want ErrFilterIgnored naming the 1.1 URL", err)
		}
	})
	t.Run("no API at all", func(t *testing.T) {
		f := newFakeServer(t)
		f.override = func(w http.ResponseWriter, r *http.Request, n int) bool { notFound(w); return true }
		_, err := f.client(t).ByHash(context.Background(), strings.Repeat("a", 40))
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != 404 || !strings.Contains(err.Error(), "/api/1.1/") ||
			!strings.Contains(err.Error(), "/api/1.2/") || !strings.Contains(err.Error(), "REST API") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("404 on a later page is not a fallback", func(t *testing.T) {
		f := newFakeServer(t)
		f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
			if n == 1 {
				w.Header().Set("Link", fmt.Sprintf("<%s?page=2>; rel=\"next\"", r.URL.Path))
				fmt.Fprint(w, "[]")
				return true
			}
			return false // the API: page 2 of nothing is "Invalid page."
		}
		_, err := f.client(t).ByHash(context.Background(), strings.Repeat("a", 40))
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != 404 || he.Detail != "Invalid page." {
			t.Fatalf("error = %v", err)
		}
		if reqs := f.seen(); len(reqs) != 2 || strings.Contains(reqs[1].URL.Path, "1.1") {
			t.Errorf("requests %v, want no fallback", reqs)
		}
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(w http.ResponseWriter, r *http.Request)
		project string
		want    []string
		is      error
	}{
		{"500 with detail", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			fmt.Fprint(w, `{"detail": "A server error occurred."}`)
		}, "", []string{"500 Internal Server Error", "A server error occurred.", "/api/1.2/patches/?"}, nil},
		{"502 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body>Bad Gateway</body></html>")
		}, "", []string{"502 Bad Gateway"}, nil},
		{"unknown project", nil, "linux-rdmaa", []string{"400 Bad Request", "Select a valid choice. linux-rdmaa"}, nil},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>maintenance</html>")
		}, "", []string{"/api/1.2/patches/?", `body starts with "<html>maintenance</html>"`, "expected a JSON array of patches", `"text/html"`}, nil},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"id": 1, "msgid": "<a@b>"`)
		}, "", []string{"JSON cut short", "expected a JSON array of patches"}, nil},
		{"not a list", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"patches": "https://patchwork.kernel.org/api/1.2/patches/"}`)
		}, "", []string{`without "results"`}, nil},
		{"wrong type", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"id": "1003", "msgid": "<a@b>"}]`)
		}, "", []string{"patch 1 of the list", `field "id" is a JSON string`, "expected a number"}, nil},
		{"unknown state", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"id": 1003, "msgid": "<a@b>", "date": "2024-05-02T10:11:12", "state": "mainlined"}]`)
		}, "", []string{"id 1003", `state "mainlined" is not a Patchwork state`, "under-review"}, nil},
		{"no state", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"id": 1003, "msgid": "<a@b>", "date": "2024-05-02T10:11:12"}]`)
		}, "", []string{"id 1003", `no "state"`}, nil},
		{"bad date", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"id": 1003, "msgid": "<a@b>", "date": "2 May 2024", "state": "new"}]`)
		}, "", []string{"id 1003", `date "2 May 2024"`, "expected a date like"}, nil},
		{"too large, with length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(MaxResponseBytes+1))
			w.Write([]byte("["))
		}, "", []string{"Content-Length 8388609"}, ErrTooLarge},
		{"too large, chunked", func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for range MaxResponseBytes>>20 + 1 {
				w.Write(chunk)
				w.(http.Flusher).Flush()
			}
		}, "", []string{"body longer than"}, ErrTooLarge},
		{"next page elsewhere", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `<https://evil.example.org/api/1.2/patches/?page=2>; rel="next"`)
			fmt.Fprint(w, "[]")
		}, "", []string{"leaves 127.0.0.1", "evil.example.org"}, nil},
		{"next page loops", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, r.URL.String()))
			fmt.Fprint(w, "[]")
		}, "", []string{"already read", "loops"}, nil},
		{"endless pages", func(w http.ResponseWriter, r *http.Request) {
			n := 1
			fmt.Sscan(r.URL.Query().Get("page"), &n)
			w.Header().Set("Link", fmt.Sprintf(`<%s?page=%d>; rel="next"`, r.URL.Path, n+1))
			fmt.Fprint(w, "[]")
		}, "", []string{"after 10 pages"}, ErrTooManyPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			if tt.answer != nil {
				f.override = func(w http.ResponseWriter, r *http.Request, n int) bool { tt.answer(w, r); return true }
			}
			c := f.client(t)
			if tt.project != "" {
				c.Project = tt.project
			}
			got, err := c.ByMessageID(context.Background(), "a@b")
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			if got != nil {
				t.Errorf("patches %+v with the error", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), "patchwork: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
		})
	}
}

func TestHTTPErrorDetail(t *testing.T) {
	f := newFakeServer(t)
	f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"detail": "Request was throttled."}`)
		return true
	}
	_, err := f.client(t).ByMessageID(context.Background(), "a@b")
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not an *HTTPError", err)
	}
	if he.StatusCode != 503 || he.Status != "503 Service Unavailable" || he.Detail != "Request was throttled." ||
		!strings.HasPrefix(he.URL, f.srv.URL+"/api/1.2/patches/?") {
		t.Errorf("HTTPError %+v", he)
	}
}

func TestRetryAfter429(t *testing.T) {
	p := samplePatch(2, "under-review")
	tests := []struct {
		name       string
		retryAfter string
		times      int // 429 answers before the API answers
		wantReqs   int
		wantErr    string
	}{
		{"retry after 0 once", "0", 1, 2, ""},
		{"retry after a past date", "Wed, 21 Oct 2015 07:28:00 GMT", 1, 2, ""},
		{"twice is an error", "0", 2, 2, "429 Too Many Requests"},
		{"too long a wait", "3600", 1, 1, "asks for 1h0m0s"},
		{"no Retry-After", "", 1, 1, "429 Too Many Requests"},
		{"bad Retry-After", "soon", 1, 1, "429 Too Many Requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, p)
			f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > tt.times {
					return false
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"detail": "Request was throttled."}`)
				return true
			}
			got, err := f.client(t).ByMessageID(context.Background(), p.msgid)
			if n := len(f.seen()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
			if tt.wantErr != "" {
				var he *HTTPError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &he) || he.StatusCode != 429 {
					t.Fatalf("error = %v, want a 429 containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0].State != StateUnderReview {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 7 ", 7 * time.Second, true},
		{"120", 2 * time.Minute, true},
		{"Thu, 02 May 2024 10:00:30 GMT", 30 * time.Second, true},
		{"Thu, 02 May 2024 09:00:00 GMT", 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"99999999999", 0, false},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestContextAndTimeout(t *testing.T) {
	release := make(chan struct{})
	f := newFakeServer(t)
	f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	defer close(release)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.client(t).ByMessageID(ctx, "a@b"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx deadline: error = %v", err)
	}

	c := f.client(t)
	c.HTTP = &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := c.ByMessageID(context.Background(), "a@b"); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("client timeout: error = %v", err)
	}

	// A 429 wait ends with the context.
	f2 := newFakeServer(t)
	f2.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if _, err := f2.client(t).ByMessageID(ctx2, "a@b"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("429 wait: error = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("429 wait took %v after the context ended", d)
	}
}

func TestBaseURLPathAndScheme(t *testing.T) {
	p := samplePatch(5, "awaiting-upstream")
	f := newFakeServer(t)
	f.override = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if !strings.HasPrefix(r.URL.Path, "/pw/api/1.2/patches/") {
			notFound(w)
			return true
		}
		if n == 1 {
			// A server behind a TLS proxy may write links with the other
			// scheme; the scheme asked is kept (this server has no TLS).
			w.Header().Set("Link", fmt.Sprintf(`<https://%s%s?page=2>; rel="next"`, r.Host, r.URL.Path))
			fmt.Fprint(w, "[]")
			return true
		}
		json.NewEncoder(w).Encode([]any{f.apiPatch(r, "1.2", p)})
		return true
	}
	c, err := New(f.srv.URL+"/pw/", "linux-rdma", f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ByHash(context.Background(), fmt.Sprintf("%040x", 5))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].State != StateAwaitingUpstream || got[0].State.String() != "Awaiting Upstream" {
		t.Errorf("got %+v", got)
	}
	reqs := f.seen()
	if len(reqs) != 2 || reqs[0].URL.Path != "/pw/api/1.2/patches/" || reqs[1].URL.Query().Get("page") != "2" {
		t.Errorf("requests %v, want two under /pw/", reqs)
	}
}

func TestSameOrigin(t *testing.T) {
	origin, _ := url.Parse("https://patchwork.kernel.org/api/1.2/patches/?project=linux-rdma")
	page := origin.String()
	tests := []struct{ link, want, wantErr string }{
		{"https://patchwork.kernel.org/api/1.2/patches/?page=2", "https://patchwork.kernel.org/api/1.2/patches/?page=2", ""},
		{"http://patchwork.kernel.org/api/1.2/patches/?page=2", "https://patchwork.kernel.org/api/1.2/patches/?page=2", ""},
		{"http://patchwork.kernel.org:80/api/1.2/patches/?page=2", "https://patchwork.kernel.org/api/1.2/patches/?page=2", ""},
		{"https://PATCHWORK.kernel.org:443/x#frag", "https://patchwork.kernel.org/x", ""},
		{"/api/1.2/patches/?page=2", "https://patchwork.kernel.org/api/1.2/patches/?page=2", ""},
		{"?page=2", "https://patchwork.kernel.org/api/1.2/patches/?page=2", ""},
		{"https://patchwork.kernel.org:8443/x", "", "leaves patchwork.kernel.org"},
		{"https://lore.kernel.org/x", "", "leaves patchwork.kernel.org"},
		{"https://patchwork.kernel.org.evil.org/x", "", "leaves patchwork.kernel.org"},
		{"ftp://patchwork.kernel.org/x", "", "not http(s)"},
		{"javascript:alert(1)", "", "not http(s)"},
		{"http://[::1", "", "expected a URL"},
	}
	for _, tt := range tests {
		got, err := sameOrigin(origin, page, tt.link)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("sameOrigin(%q) = %q, %v; want an error containing %q", tt.link, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("sameOrigin(%q) = %q, %v; want %q", tt.link, got, err, tt.want)
		}
	}
}
