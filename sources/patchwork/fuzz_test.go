package patchwork

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// kernelOrgPage is one patch list page shaped like patchwork.kernel.org's
// answer to /api/1.2/patches/?project=linux-rdma&msgid=...
const kernelOrgPage = `[{"id":13650871,"url":"https://patchwork.kernel.org/api/1.2/patches/13650871/",
"web_url":"https://patchwork.kernel.org/project/linux-rdma/patch/20240502101112.4003-3-leon@kernel.org/",
"project":{"id":13,"url":"https://patchwork.kernel.org/api/1.2/projects/13/","name":"Linux RDMA and InfiniBand development",
"link_name":"linux-rdma","list_id":"linux-rdma.vger.kernel.org","list_email":"linux-rdma@vger.kernel.org","web_url":"",
"scm_url":"","webscm_url":"","list_archive_url":"https://lore.kernel.org/linux-rdma/",
"list_archive_url_format":"https://lore.kernel.org/r/{}","commit_url_format":""},
"msgid":"<20240502101112.4003-3-leon@kernel.org>","list_archive_url":"https://lore.kernel.org/r/20240502101112.4003-3-leon@kernel.org",
"date":"2024-05-02T10:11:12","name":"[rdma-next,v2,3/9] RDMA/mlx5: Fix thing","commit_ref":null,"pull_url":null,
"state":"accepted","archived":false,"hash":"e7943508f2c284ca258f47bf2bf12552e889520b",
"submitter":{"id":180611,"url":"https://patchwork.kernel.org/api/1.2/people/180611/","name":"Leon Romanovsky","email":"leon@kernel.org"},
"delegate":{"id":2,"url":"https://patchwork.kernel.org/api/1.2/users/2/","username":"jgg","first_name":"Jason","last_name":"Gunthorpe","email":"jgg@nvidia.com"},
"mbox":"https://patchwork.kernel.org/project/linux-rdma/patch/20240502101112.4003-3-leon@kernel.org/mbox/",
"series":[{"id":845123,"url":"https://patchwork.kernel.org/api/1.2/series/845123/","web_url":"https://patchwork.kernel.org/project/linux-rdma/list/?series=845123",
"date":"2024-05-02T10:11:09","name":"RDMA/mlx5: Fixes","version":2,"mbox":"https://patchwork.kernel.org/series/845123/mbox/"}],
"comments":"https://patchwork.kernel.org/api/patches/13650871/comments/","check":"pending",
"checks":"https://patchwork.kernel.org/api/patches/13650871/checks/","tags":{},"related":[]}]`

// FuzzDecodePatchList checks that a patch list page decodes into patches
// that are whole (an id, a Message-ID without brackets, a known state, a
// UTC date, series with ids) or into an error that says what was expected,
// never both and never a panic.
func FuzzDecodePatchList(f *testing.F) {
	f.Add([]byte(kernelOrgPage))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"count":1,"next":"https://pw/api/1.2/patches/?page=2","previous":null,"results":[{"id":1,"msgid":"a@b","date":"2024-05-02T10:11:12.5+01:00","state":"rfc"}]}`))
	f.Add([]byte(`[{"id":1,"msgid":"<a@b>","date":"2024-05-02T10:11:12","state":"mainlined"}]`))
	f.Add([]byte(`[{"id":1,"msgid":"<>","date":"x","state":null,"series":[{"id":null}]}]`))
	f.Add([]byte(`{"detail":"Not found."}`))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`[{"id":"1"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		patches, next, err := decodePatchList(data)
		if err != nil {
			if patches != nil || next != "" {
				t.Fatalf("error %v with patches %v, next %q", err, patches, next)
			}
			if !strings.Contains(err.Error(), "expected") {
				t.Fatalf("error %q does not say what was expected", err)
			}
			return
		}
		if patches == nil {
			t.Fatal("no error and a nil list")
		}
		for _, p := range patches {
			if _, err := ParseState(string(p.State)); err != nil {
				t.Fatalf("patch %d decoded with %v", p.ID, err)
			}
			if p.ID <= 0 {
				t.Fatalf("patch id %d", p.ID)
			}
			if p.MessageID == "" || trimMessageID(p.MessageID) != p.MessageID {
				t.Fatalf("patch %d message-id %q is not trimmed", p.ID, p.MessageID)
			}
			if p.Date.IsZero() || p.Date.Location() != time.UTC {
				t.Fatalf("patch %d date %v is not a UTC time", p.ID, p.Date)
			}
			for _, s := range p.Series {
				if s.ID <= 0 {
					t.Fatalf("patch %d series id %d", p.ID, s.ID)
				}
			}
		}
	})
}

// FuzzNextLink checks that a Link header never panics the parser and that
// the next link it finds is one the header wrote between angle brackets.
func FuzzNextLink(f *testing.F) {
	f.Add(`<https://patchwork.kernel.org/api/1.2/patches/?page=3>; rel="next", <https://patchwork.kernel.org/api/1.2/patches/?page=1>; rel="prev"`)
	f.Add(`<a>; title="x, <b>; rel=next"; rel=prev, <c>; rel="last next"`)
	f.Add(`<a>; rel="\"next\\"`)
	f.Add(`<`)
	f.Fuzz(func(t *testing.T, header string) {
		got := nextLink([]string{header})
		if got != "" && !strings.Contains(header, "<"+got+">") {
			t.Fatalf("nextLink(%q) = %q, not a bracketed target of the header", header, got)
		}
		if strings.Contains(got, ">") {
			t.Fatalf("nextLink(%q) = %q holds a '>'", header, got)
		}
	})
}

// FuzzHash checks the properties of Patchwork's diff hash that hold for
// any input: 40 lower-case hex digits, blind to CRs and to white space at
// the ends, and blind to a line that is not part of a diff (an index line).
func FuzzHash(f *testing.F) {
	f.Add([]byte(rdmaDiff))
	f.Add([]byte("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n"))
	f.Add([]byte(" a\r\n-b\n\u00a0"))
	f.Add([]byte("@@ -1,\u0663 +\U0001D7CE @@\n"))
	f.Add([]byte("\xff\xfe--- a\x80/b\n"))
	f.Fuzz(func(t *testing.T, diff []byte) {
		h := Hash(diff)
		if len(h) != 40 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Fatalf("Hash = %q, want 40 lower-case hex digits", h)
		}
		noCR := bytes.ReplaceAll(diff, []byte("\r"), nil)
		if Hash(noCR) != h {
			t.Fatalf("Hash changes when CRs are removed")
		}
		if Hash(append(bytes.Clone(diff), "\n \t\u3000\n"...)) != h {
			t.Fatalf("Hash changes with white space at the end")
		}
		trimmed := bytes.TrimFunc(noCR, isPySpace)
		if i := bytes.IndexByte(trimmed, '\n'); i >= 0 {
			with := append(append(bytes.Clone(trimmed[:i+1]), "index 0123456..89abcde 100644\n"...), trimmed[i+1:]...)
			if Hash(with) != h {
				t.Fatalf("Hash changes with an index line inserted")
			}
		}
	})
}
