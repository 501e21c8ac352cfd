package mbox

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdelta/kdelta/sources/fingerprint"
)

// readFixture reads testdata/linux-rdma.mbox: a v1 series (cover letter
// and three patches), a reply quoting a diff with mboxrd-escaped "From "
// lines, its v2, a quoted-printable ISO-8859-1 patch, and a two-patch
// series without a cover letter sent unthreaded (v1) and threaded (v2).
func readFixture(t *testing.T) []Message {
	t.Helper()
	f, err := os.Open("testdata/linux-rdma.mbox")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs, err := ReadMbox("linux-rdma.mbox", f)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func patchID(diff []byte) string {
	p := fingerprint.NewPatchID()
	for _, l := range bytes.SplitAfter(diff, []byte("\n")) {
		p.Line(bytes.TrimSuffix(l, []byte("\n")))
	}
	return p.Sum()
}

const coreDiff = `diff --git a/include/rdma/ib_verbs.h b/include/rdma/ib_verbs.h
index 1a2b3c4d5e6f..2b3c4d5e6f70 100644
--- a/include/rdma/ib_verbs.h
+++ b/include/rdma/ib_verbs.h
@@ -420,6 +420,7 @@ struct ib_device_attr {
 	u32			max_pi_fast_reg_page_list_len;
 	u32			max_sgl_rd;
 	u32			max_dm;
+	u32			max_dmah;
 	u64			timestamp_mask;
 	u64			hca_core_clock;
 	u64			device_cap_flags;
`

func TestReadMboxFixture(t *testing.T) {
	msgs := readFixture(t)
	type want struct {
		id, subject      string
		line             int
		from, author     string
		reply, cover     bool
		hasDiff          bool
		version, idx, of int
	}
	wants := []want{
		{"cover.1717398000.git.leon@kernel.org", "[PATCH rdma-next 0/3] RDMA/mlx5: Add DMA handle support", 1, "leon@kernel.org", "leon@kernel.org", false, true, false, 1, 0, 3},
		{"20240603070001.1-yishaih@nvidia.com", "[PATCH rdma-next 1/3] RDMA/core: Add DMA handle object", 35, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 1, 1, 3},
		{"20240603070002.2-yishaih@nvidia.com", "[PATCH rdma-next 2/3] RDMA/mlx5: Query DMA handle capabilities", 76, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 1, 2, 3},
		{"20240603070003.3-yishaih@nvidia.com", "[PATCH rdma-next 3/3] RDMA/mlx5: Expose DMA handle flags to user space", 118, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 1, 3, 3},
		{"20240604120000.GA1234@nvidia.com", "Re: [PATCH rdma-next 2/3] RDMA/mlx5: Query DMA handle capabilities", 158, "jgg@nvidia.com", "jgg@nvidia.com", true, false, false, 1, 2, 3},
		{"cover.1718000000.git.leon@kernel.org", "[PATCH rdma-next v2 0/3] RDMA/mlx5: Add DMA handle support", 194, "leon@kernel.org", "leon@kernel.org", false, true, false, 2, 0, 3},
		{"20240610070001.1-yishaih@nvidia.com", "[PATCH rdma-next v2 1/3] RDMA/core: Add DMA handle object", 224, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 2, 1, 3},
		{"20240610070002.2-yishaih@nvidia.com", "[PATCH rdma-next v2 2/3] RDMA/mlx5: Query DMA handle capabilities", 265, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 2, 2, 3},
		{"20240610070003.3-yishaih@nvidia.com", "[PATCH rdma-next v2 3/3] RDMA/mlx5: Expose DMA handle flags to user space", 306, "leon@kernel.org", "yishaih@nvidia.com", false, false, true, 2, 3, 3},
		{"20240612031516.8844-1-yanjun.zhu@linux.dev", "[PATCH for-rc] RDMA/rxe: Fix the qp flush warnings in req", 346, "yanjun.zhu@linux.dev", "yanjun.zhu@linux.dev", false, false, true, 1, 0, 0},
		{"20240501080000.100-1-phaddad@nvidia.com", "[PATCH 1/2] IB/ipoib: Use __func__ in debug prints", 388, "phaddad@nvidia.com", "phaddad@nvidia.com", false, false, true, 1, 1, 2},
		{"20240501080000.100-2-phaddad@nvidia.com", "[PATCH 2/2] IB/ipoib: Wake the queue once per completion batch", 421, "phaddad@nvidia.com", "phaddad@nvidia.com", false, false, true, 1, 2, 2},
		{"20240508080000.200-1-phaddad@nvidia.com", "[PATCH v2 1/2] IB/ipoib: Use __func__ in debug prints", 453, "phaddad@nvidia.com", "phaddad@nvidia.com", false, false, true, 2, 1, 2},
		{"20240508080000.200-2-phaddad@nvidia.com", "[PATCH v2 2/2] IB/ipoib: Wake the queue once per completion batch", 486, "phaddad@nvidia.com", "phaddad@nvidia.com", false, false, true, 2, 2, 2},
	}
	if len(msgs) != len(wants) {
		t.Fatalf("read %d messages, want %d", len(msgs), len(wants))
	}
	for i, w := range wants {
		m := msgs[i]
		got := want{m.MessageID, m.Subject, m.Line, m.FromEmail, m.AuthorEmail, m.Tags.Reply, m.Tags.Cover(),
			m.Diff != nil, m.Tags.Version, m.Tags.Index, m.Tags.Total}
		if got != w {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, got, w)
		}
		if m.File != "linux-rdma.mbox" {
			t.Errorf("message %d: File %q", i, m.File)
		}
		if m.Diff != nil && patchID(m.Diff) == "" {
			t.Errorf("message %d: diff has no patch-id:\n%s", i, m.Diff)
		}
	}

	cover := msgs[0]
	if !strings.HasPrefix(cover.Body, "From Yishai,\n\nThis series adds") {
		// "From Yishai," follows a blank line but carries no date: not a
		// message separator.
		t.Errorf("cover body starts %q", cover.Body[:min(40, len(cover.Body))])
	}
	if !strings.HasSuffix(cover.Body, "-- \n2.45.1") {
		t.Errorf("cover body ends %q", cover.Body[max(0, len(cover.Body)-40):])
	}

	p1 := msgs[1]
	if want := "Add the max_dmah device attribute so that drivers can report how many\nDMA handles they support.\n\nSigned-off-by: Yishai Hadas <yishaih@nvidia.com>\nSigned-off-by: Leon Romanovsky <leonro@nvidia.com>"; p1.Body != want {
		t.Errorf("patch 1 body:\n got %q\nwant %q", p1.Body, want)
	}
	if want := " include/rdma/ib_verbs.h | 1 +\n 1 file changed, 1 insertion(+)"; p1.Notes != want {
		t.Errorf("patch 1 notes:\n got %q\nwant %q", p1.Notes, want)
	}
	if string(p1.Diff) != coreDiff {
		t.Errorf("patch 1 diff:\n got %q\nwant %q", p1.Diff, coreDiff)
	}
	if p1.AuthorName != "Yishai Hadas" || p1.FromName != "Leon Romanovsky" {
		t.Errorf("patch 1 author %q sender %q", p1.AuthorName, p1.FromName)
	}
	if want := time.Date(2024, 6, 3, 7, 0, 1, 0, time.UTC); !p1.Date.Equal(want) {
		t.Errorf("patch 1 date %v, want %v", p1.Date, want)
	}
	if p1.InReplyTo != "cover.1717398000.git.leon@kernel.org" || !reflect.DeepEqual(p1.References, []string{"cover.1717398000.git.leon@kernel.org"}) {
		t.Errorf("patch 1 threading %q %q", p1.InReplyTo, p1.References)
	}
	if patchID(msgs[1].Diff) != patchID(msgs[6].Diff) || patchID(msgs[2].Diff) == patchID(msgs[7].Diff) {
		t.Error("v1 and v2 patch-ids: 1/3 should agree, 2/3 should not")
	}

	reply := msgs[4]
	if reply.Diff != nil || reply.Notes != "" {
		t.Errorf("reply has a diff %q or notes %q", reply.Diff, reply.Notes)
	}
	for _, s := range []string{"> diff --git a/drivers/infiniband/hw/mlx5/main.c", "\n>From the PRM, section 8.4:\n", "\nFrom here on the limit", "\nJason"} {
		if !strings.Contains(reply.Body, s) {
			t.Errorf("reply body lacks %q:\n%s", s, reply.Body)
		}
	}
	if !reflect.DeepEqual(reply.References, []string{"cover.1717398000.git.leon@kernel.org", "20240603070002.2-yishaih@nvidia.com"}) {
		t.Errorf("reply references %q", reply.References)
	}

	qp := msgs[9]
	for _, s := range []string{"in the error state and the\nrequests are flushed", "Reported-by: José María <jose@example.es>"} {
		if !strings.Contains(qp.Body, s) {
			t.Errorf("quoted-printable body lacks %q:\n%s", s, qp.Body)
		}
	}
	for _, s := range []string{"diff --git a/drivers/infiniband/sw/rxe/rxe_req.c b/drivers/infiniband/sw/rxe/rxe_req.c\n", "\tif (unlikely(qp_state(qp) == IB_QPS_ERR)) {\n"} {
		if !bytes.Contains(qp.Diff, []byte(s)) {
			t.Errorf("quoted-printable diff lacks %q:\n%s", s, qp.Diff)
		}
	}
	if !bytes.HasSuffix(qp.Diff, []byte("\t\t\tgoto exit;\n")) {
		t.Errorf("quoted-printable diff not cut at the signature:\n%s", qp.Diff)
	}
}

func TestReadMboxErrors(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"text", "Hello world\n", 1, `not an mbox: expected a "From " line, found "Hello world"`},
		{"mail", "\n\nSubject: hi\n\nbody\n", 3, `not an mbox: expected a "From " line, found "Subject: hi"`},
		{"huge", "From x Thu Jan  1 00:00:00 1970\nSubject: a\n\nb\n\nFrom y Thu Jan  1 00:00:00 1970\nSubject: big\n\n" +
			strings.Repeat("0123456789abcdef\n", MaxMessageSize/17+1), 6, "message larger than 33554432 bytes"},
	}
	for _, c := range cases {
		_, err := ReadMbox(c.name+".mbox", strings.NewReader(c.in))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v is not an *Error", c.name, err)
			continue
		}
		if e.File != c.name+".mbox" || e.Line != c.line || e.Msg != c.msg {
			t.Errorf("%s: got %q:%d %q, want line %d %q", c.name, e.File, e.Line, e.Msg, c.line, c.msg)
		}
		if want := c.name + ".mbox:" + strconv.Itoa(c.line) + ": " + c.msg; e.Error() != want {
			t.Errorf("%s: Error() = %q, want %q", c.name, e.Error(), want)
		}
	}
	// A gzip stream cut short keeps the messages before the cut; the one
	// it cuts, perhaps partial, is a skip.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(fromLine + "Subject: a\n\nb\n\n" + fromLine + "Subject: c\n\nd\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "cut.mbox.gz")
	writeFile(t, path, gz.String()[:gz.Len()-4])
	msgs, skips, err := Read(path)
	if err != nil || len(msgs) != 1 || msgs[0].Subject != "a" || len(skips) != 1 || skips[0].File != path ||
		!strings.Contains(skips[0].Reason, "the gzip stream ends early") || !strings.Contains(skips[0].Reason, "the message at line 6 and any after it not read") {
		t.Errorf("truncated gzip: %+v, %+v, %v", msgs, skips, err)
	}
	msgs, err = ReadMbox("empty", strings.NewReader("\n \n"))
	if err != nil || len(msgs) != 0 {
		t.Errorf("blank file: %v %v", msgs, err)
	}
}

// one reads an mbox of exactly one message.
func one(t *testing.T, mbox string) Message {
	t.Helper()
	msgs, err := ReadMbox("t.mbox", strings.NewReader(mbox))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	return msgs[0]
}

const fromLine = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"

func TestReadMboxLenient(t *testing.T) {
	t.Run("byte order mark", func(t *testing.T) {
		if m := one(t, "\uFEFF"+fromLine+"Subject: x\n\nx\n"); m.Subject != "x" {
			t.Errorf("%+v", m)
		}
	})
	t.Run("no headers", func(t *testing.T) {
		m := one(t, fromLine+"hello\nworld\n")
		if m.Body != "hello\nworld" || m.Subject != "" || m.MessageID != "" || !m.Date.IsZero() {
			t.Errorf("%+v", m)
		}
	})
	t.Run("line without colon ends the headers", func(t *testing.T) {
		m := one(t, fromLine+"Subject: [PATCH] a\nthis is no header\nMessage-ID: <x@y>\n\nbody\n")
		if m.Subject != "[PATCH] a" || m.MessageID != "" || !strings.HasPrefix(m.Body, "this is no header\nMessage-ID: <x@y>") {
			t.Errorf("%+v", m)
		}
	})
	t.Run("dates", func(t *testing.T) {
		for in, want := range map[string]time.Time{
			"yesterday":                             {},
			"Tue, 4 Jun 2024 09:00:00 -0300 (BRT)":  time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC),
			"Tue,  4 Jun 2024 09:00:00 -0300":       time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC),
			"4 Jun 2024 09:00 -0300":                time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC),
			"Tue Jun 4 09:00:00 2024 -0300":         time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC),
			"Tue, 4 Jun 2024 09:00:00 -0300 (PDT!)": time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC),
		} {
			m := one(t, fromLine+"Date: "+in+"\n\nx\n")
			if !m.Date.Equal(want) {
				t.Errorf("Date %q: got %v, want %v", in, m.Date, want)
			}
		}
	})
	t.Run("CRLF", func(t *testing.T) {
		in := strings.ReplaceAll(fromLine+"Subject: [PATCH] a\nMessage-ID: <a@b>\n\nText.\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "\n", "\r\n")
		m := one(t, in)
		if m.Subject != "[PATCH] a" || m.MessageID != "a@b" || m.Body != "Text." || string(m.Diff) != "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" {
			t.Errorf("%+v", m)
		}
	})
	t.Run("charsets", func(t *testing.T) {
		m := one(t, fromLine+"Subject: [PATCH] caf\xe9\nFrom: Jos\xe9 <j@x>\nContent-Type: text/plain; charset=ISO-8859-1\n\nna\xefve\n")
		if m.Subject != "[PATCH] café" || m.FromName != "José" || m.Body != "naïve" {
			t.Errorf("latin-1: %q %q %q", m.Subject, m.FromName, m.Body)
		}
		m = one(t, fromLine+"Subject: =?windows-1252?q?=93quoted=94?=\nContent-Type: text/plain; charset=\"windows-1252\"\nContent-Transfer-Encoding: quoted-printable\n\n=80 5 =96 ok\n")
		if m.Subject != "\u201cquoted\u201d" || m.Body != "€ 5 – ok" {
			t.Errorf("windows-1252: %q %q", m.Subject, m.Body)
		}
		m = one(t, fromLine+"Subject: =?x-unknown?b?8NLJ18XU?= x\nFrom: =?x-mac-klingon?q?=A4=A4?= <a@b>\n\n\xff\xfe bad\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-\xff\n+b\n")
		if m.Subject != "\uFFFD x" || m.FromEmail != "a@b" || m.Body != "\uFFFD bad" || !bytes.Contains(m.Diff, []byte("-\xff\n")) {
			t.Errorf("unknown charset: %q %q %q %q", m.Subject, m.FromEmail, m.Body, m.Diff)
		}
		// The legacy charsets a kernel list sees, in headers (RFC 2047,
		// or raw 8-bit in the message's charset) and bodies.
		for _, c := range []struct{ charset, subject, from, body, wantSubject, wantFrom, wantBody string }{
			{"koi8-r", "=?koi8-r?b?8NLJ18XU?= x", "=?KOI8-R?Q?=F7=C1=D3=D1?= <v@x>", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет x", "Вася", "Привет"},
			{"iso-8859-2", "=?iso-8859-2?q?=B3=F3d=BC?=", "\"Pawe\xb3 K\" <p@x>", "\xa3\xf3d\xbc", "łódź", "Paweł K", "Łódź"},
			{"windows-1251", "=?windows-1251?b?z/Do4uXy?=", "=?cp1251?q?=C8=E2=E0=ED?= <i@x>", "\xcf\xf0\xe8", "Привет", "Иван", "При"},
			{"gb2312", "=?gb2312?b?1tDOxA==?=", "=?GB2312?B?wO7LxA==?= <l@x>", "\xd6\xd0\xce\xc4", "中文", "李四", "中文"},
			{"gbk", "=?gbk?q?=81=40?=", "=?gb18030?b?1cXI/Q==?= <z@x>", "\x81\x40", "丂", "张三", "丂"},
			{"big5", "=?big5?q?=A4=A4?=", "x <b@x>", "\xa4\xa4", "中", "x", "中"},
			{"iso-2022-jp", "=?ISO-2022-JP?B?GyRCJDMkcxsoQg==?=", "=?iso-2022-jp?b?GyRCJDMkcxsoQg==?= <j@x>", "\x1b$B$3$s\x1b(B", "こん", "こん", "こん"},
		} {
			m := one(t, fromLine+"Subject: "+c.subject+"\nFrom: "+c.from+"\nContent-Type: text/plain; charset=\""+c.charset+"\"\nContent-Transfer-Encoding: 8bit\n\n"+c.body+"\n")
			if m.Subject != c.wantSubject || m.FromName != c.wantFrom || m.Body != c.wantBody {
				t.Errorf("%s: %q %q %q, want %q %q %q", c.charset, m.Subject, m.FromName, m.Body, c.wantSubject, c.wantFrom, c.wantBody)
			}
		}
	})
	t.Run("content types", func(t *testing.T) {
		// A duplicate parameter makes mime refuse the value; the first
		// charset is still read.
		m := one(t, fromLine+"Content-Type: text/plain; charset=iso-8859-15; charset=utf-8\n\n\xa4 \xbd\n")
		if m.Body != "€ œ" {
			t.Errorf("latin-9: %q", m.Body)
		}
		for ct, want := range map[string]string{
			"text/html": "", "application/pdf": "", "text/x-log": "log", "TEXT/PLAIN; format=flowed": "log",
		} {
			if m := one(t, fromLine+"Content-Type: "+ct+"\n\nlog\n"); m.Body != want {
				t.Errorf("%s: %q", ct, m.Body)
			}
		}
		m = one(t, fromLine+`Subject: [PATCH] x
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

inline text
--b
Content-Type: image/png; name="fix.patch"

png
--b
Content-Type: application/octet-stream; name="shot.png"

octets
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="fix.diff"

diff --git a/x b/x
--- a/x
+++ b/x
@@ -1 +1 @@
-a
+b
--b--
`)
		if m.Body != "inline text" || string(m.Diff) != "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" {
			t.Errorf("attachments: %q %q", m.Body, m.Diff)
		}
	})
	t.Run("base64", func(t *testing.T) {
		m := one(t, fromLine+"Subject: x\nContent-Transfer-Encoding: base64\n\nSGVsbG8s\nIHdvcmxk\nIQ\n")
		if m.Body != "Hello, world!" {
			t.Errorf("%q", m.Body)
		}
	})
	t.Run("multipart with patch attachment", func(t *testing.T) {
		m := one(t, fromLine+`Subject: [PATCH] RDMA/siw: fix
Message-ID: <mp@x>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==b=="

This is a multi-part message in MIME format.
--==b==
Content-Type: text/plain; charset=utf-8

The fix, attached.

Signed-off-by: A <a@x>
--==b==
Content-Type: text/x-patch; name="0001-fix.patch"
Content-Disposition: attachment; filename="0001-fix.patch"
Content-Transfer-Encoding: base64

ZGlmZiAtLWdpdCBhL3ggYi94Ci0tLSBhL3gKKysrIGIveApAQCAtMSArMSBAQAotYQorYgo=
--==b==
Content-Type: text/html

<p>html</p>
--==b==--
epilogue
`)
		if m.Body != "The fix, attached.\n\nSigned-off-by: A <a@x>" || string(m.Diff) != "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" {
			t.Errorf("body %q diff %q", m.Body, m.Diff)
		}
	})
	t.Run("alternative and signed", func(t *testing.T) {
		m := one(t, fromLine+`Subject: Re: x
Content-Type: multipart/signed; boundary=outer; protocol="application/pgp-signature"

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/html

<b>no</b>
--inner
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: quoted-printable

plain =3D yes
--inner--
--outer
Content-Type: application/pgp-signature

-----BEGIN PGP SIGNATURE-----
--outer--
`)
		if m.Body != "plain = yes" {
			t.Errorf("%q", m.Body)
		}
	})
	t.Run("broken multipart", func(t *testing.T) {
		m := one(t, fromLine+"Subject: x\nContent-Type: multipart/mixed; boundary=nope\n\njust text\n")
		if m.Body != "just text" {
			t.Errorf("%q", m.Body)
		}
		m = one(t, fromLine+"Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nunclosed\n")
		if m.Body != "unclosed" {
			t.Errorf("%q", m.Body)
		}
	})
	t.Run("threading headers", func(t *testing.T) {
		m := one(t, fromLine+"Message-ID: bare@id\nIn-Reply-To: <p@x> (Leon's message of Mon, 3 Jun)\nReferences: <a@x>\n <b@x>\t<c\n @x>\n\nx\n")
		if m.MessageID != "bare@id" || m.InReplyTo != "p@x" || !reflect.DeepEqual(m.References, []string{"a@x", "b@x", "c@x"}) {
			t.Errorf("%q %q %q", m.MessageID, m.InReplyTo, m.References)
		}
	})
	t.Run("addresses", func(t *testing.T) {
		for in, want := range map[string][2]string{
			`"Gunthorpe, Jason" <jgg@nvidia.com>`:   {"Gunthorpe, Jason", "jgg@nvidia.com"},
			`Jason Gunthorpe, Ltd <jgg@nvidia.com>`: {"Jason Gunthorpe, Ltd", "jgg@nvidia.com"},
			`jgg@nvidia.com (Jason Gunthorpe)`:      {"Jason Gunthorpe", "jgg@nvidia.com"},
			`=?UTF-8?q?Ha=C3=A5kon?= <h@x.no>`:      {"Haåkon", "h@x.no"},
			`<jgg@nvidia.com`:                       {"", "jgg@nvidia.com"},
		} {
			m := one(t, fromLine+"From: "+in+"\n\nx\n")
			if m.FromName != want[0] || m.FromEmail != want[1] {
				t.Errorf("From %q: got %q %q, want %q", in, m.FromName, m.FromEmail, want)
			}
		}
	})
	t.Run("in-body headers", func(t *testing.T) {
		m := one(t, fromLine+"From: Leon <leon@kernel.org>\nSubject: [PATCH] x\n\n\nFrom: Mark Zhang <markzhang@nvidia.com>\nDate: Mon, 3 Jun 2024 10:00:00 +0300\n\nBody.\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
		if m.AuthorName != "Mark Zhang" || m.AuthorEmail != "markzhang@nvidia.com" || m.FromEmail != "leon@kernel.org" || m.Body != "Body." {
			t.Errorf("%q %q %q %q", m.AuthorName, m.AuthorEmail, m.FromEmail, m.Body)
		}
	})
	t.Run("diff end", func(t *testing.T) {
		// A removed line "- " reads as "-- " and must not end the diff; an
		// empty line inside a hunk is a context line whose space a mailer
		// stripped; base-commit and the signature are not part of it.
		diff := "diff --git a/doc.md b/doc.md\nindex 1111111..2222222 100644\n--- a/doc.md\n+++ b/doc.md\n@@ -1,4 +1,3 @@\n # Title\n-- \n\n last\n"
		m := one(t, fromLine+"Subject: [PATCH] doc\n\nText.\n---\n doc.md | 1 -\n\n"+diff+"\nbase-commit: 0123456789abcdef0123456789abcdef01234567\n-- \n2.45.1\n\n")
		if string(m.Diff) != diff {
			t.Errorf("diff:\n got %q\nwant %q", m.Diff, diff)
		}
		if m.Notes != " doc.md | 1 -" {
			t.Errorf("notes %q", m.Notes)
		}
	})
	t.Run("plain diff without git", func(t *testing.T) {
		m := one(t, fromLine+"Subject: [PATCH] old style\n\nText.\n\nIndex: linux/drivers/x.c\n===================================================================\n--- linux.orig/drivers/x.c\n+++ linux/drivers/x.c\n@@ -1 +1 @@\n-a\n+b\n")
		if m.Body != "Text." || !bytes.HasPrefix(m.Diff, []byte("Index: linux/drivers/x.c\n")) {
			t.Errorf("%q %q", m.Body, m.Diff)
		}
	})
	t.Run("cover letter with interdiff", func(t *testing.T) {
		m := one(t, fromLine+"Subject: [PATCH v2 0/2] x\n\nCover.\n\nInterdiff against v1:\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
		if m.Diff != nil || !strings.Contains(m.Body, "Interdiff against v1:\ndiff --git") {
			t.Errorf("%q %q", m.Body, m.Diff)
		}
	})
	t.Run("format-patch concatenation", func(t *testing.T) {
		one := fromLine + "From: A <a@x>\nSubject: [PATCH 1/2] a\n\nFrom 10:00 the code runs.\n\nFrom the spec: no.\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.45.1\n\n"
		msgs, err := ReadMbox("fp.mbox", strings.NewReader(one+strings.Replace(one, "1/2", "2/2", 1)))
		if err != nil || len(msgs) != 2 {
			t.Fatalf("%d messages, %v", len(msgs), err)
		}
		if msgs[0].Body != "From 10:00 the code runs.\n\nFrom the spec: no." || msgs[1].Line != 18 {
			t.Errorf("%q line %d", msgs[0].Body, msgs[1].Line)
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func subjects(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Subject)
	}
	return out
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	mail := func(subject string) string {
		return "From: A <a@x>\nSubject: " + subject + "\nMessage-ID: <" + strings.ReplaceAll(subject, " ", "") + "@x>\n\nbody\n"
	}
	writeFile(t, filepath.Join(dir, "list.mbox"), "From x Thu Jan  1 00:00:00 1970\n"+mail("one")+"\nFrom x Thu Jan  1 00:00:00 1970\n"+mail("two"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("From x Thu Jan  1 00:00:00 1970\n" + mail("zipped")))
	zw.Close()
	writeFile(t, filepath.Join(dir, "z", "list.mbox.gz"), gz.String())
	writeFile(t, filepath.Join(dir, "emls", "b.eml"), mail("b"))
	writeFile(t, filepath.Join(dir, "emls", "a.eml"), mail("a"))
	writeFile(t, filepath.Join(dir, "emls", "0001-c.patch"), fromLine+mail("[PATCH] c"))
	writeFile(t, filepath.Join(dir, "emls", "empty.eml"), "")
	writeFile(t, filepath.Join(dir, "emls", "notes.txt"), "not mail")
	writeFile(t, filepath.Join(dir, "md", "cur", "1700000000.1.host:2,S"), mail("seen"))
	writeFile(t, filepath.Join(dir, "md", "new", "1700000001.2.host"), mail("new"))
	writeFile(t, filepath.Join(dir, "md", "tmp", "1700000002.3.host"), mail("tmp"))
	writeFile(t, filepath.Join(dir, "bad.mbox"), "Subject: no From line\n\nx\n")

	cases := []struct {
		path string
		want []string
	}{
		{"list.mbox", []string{"one", "two"}},
		{"z/list.mbox.gz", []string{"zipped"}},
		{"z", []string{"zipped"}},
		{"emls", []string{"[PATCH] c", "a", "b"}},
		{"emls/a.eml", []string{"a"}},
		{"md", []string{"seen", "new"}},
	}
	for _, c := range cases {
		msgs, skips, err := Read(filepath.Join(dir, c.path))
		if err != nil || skips != nil {
			t.Errorf("%s: %v %+v", c.path, err, skips)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if got := subjects(msgs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
	msgs, _, _ := Read(filepath.Join(dir, "list.mbox"))
	if msgs[1].Line != 8 || msgs[1].File != filepath.Join(dir, "list.mbox") {
		t.Errorf("second message at %s:%d", msgs[1].File, msgs[1].Line)
	}
	for _, bad := range []string{"bad.mbox", "missing.mbox"} {
		_, _, err := Read(filepath.Join(dir, bad))
		var e *Error
		if !errors.As(err, &e) || e.File != filepath.Join(dir, bad) {
			t.Errorf("%s: error %v", bad, err)
		}
	}
}
