package patchfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/fingerprint"
	"github.com/kdelta/kdelta/sources/trailers"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseStyles(t *testing.T) {
	tests := []struct {
		file     string
		data     []byte // nil: read testdata/file
		want     Patch  // Message, Diff and File are checked apart
		message  string
		diffHead string // the diff's first line
		trailers change.Trailers
	}{
		{
			file: "email.patch",
			want: Patch{AuthorName: "Patrisious Haddad", AuthorEmail: "phaddad@nvidia.com",
				Date:     time.Date(2023, 7, 4, 10, 11, 52, 0, time.FixedZone("", 3*3600)),
				Subject:  "RDMA/mlx5: Return the firmware result upon destroying QP/RQ",
				DiffLine: 22},
			message: "RDMA/mlx5: Return the firmware result upon destroying QP/RQ\n\n" +
				"Previously when destroying a QP/RQ, the result of the firmware\ndestruction function was ignored and upper layers weren't informed\nabout the failure.\n\n" +
				"Fixes: e2013b212f9f (\"net/mlx5_core: Add RQ and SQ event handling\")\nSigned-off-by: Patrisious Haddad <phaddad@nvidia.com>\n" +
				"Link: https://lore.kernel.org/r/6c43ef4a4df6ab63e8a0cd7d3f1b3a6c0a2d5e7b.1688454572.git.leon@kernel.org\nSigned-off-by: Leon Romanovsky <leon@kernel.org>\n",
			diffHead: "diff --git a/drivers/infiniband/hw/mlx5/qpc.c b/drivers/infiniband/hw/mlx5/qpc.c",
			trailers: change.Trailers{
				Fixes:       []change.Fix{{ID: "e2013b212f9f", Subject: "net/mlx5_core: Add RQ and SQ event handling"}},
				Links:       []string{"https://lore.kernel.org/r/6c43ef4a4df6ab63e8a0cd7d3f1b3a6c0a2d5e7b.1688454572.git.leon@kernel.org"},
				SignedOffBy: []string{"Patrisious Haddad <phaddad@nvidia.com>", "Leon Romanovsky <leon@kernel.org>"},
			},
		},
		{
			file: "suse.patch",
			want: Patch{AuthorName: "Thomas Bogendoerfer", AuthorEmail: "tbogendoerfer@suse.de",
				Date:          time.Date(2023, 1, 11, 9, 0, 0, 0, time.FixedZone("", 3600)),
				Subject:       "RDMA/irdma: Add missing read barriers on the CQE polling path",
				PatchMainline: "v6.2-rc4",
				GitCommits: []GitCommit{{ID: "4984eb51453ff7eddee9e5ce816145be39c0ec5c", Partial: true},
					{ID: "9fd53c9c4a2f0b1e8d7c6b5a4f3e2d1c0b9a8f7e"}},
				AltCommits: []string{"0123456789abcdef0123456789abcdef01234567"},
				References: []string{"bsc#1207654", "jsc#PED-3311", "CVE-2023-2176"},
				NoFix:      []string{"deadbeefcafe"},
				DiffLine:   23},
			message: "RDMA/irdma: Add missing read barriers on the CQE polling path\n\n" +
				"Patch-mainline: v6.2-rc4\nGit-commit: 4984eb51453ff7eddee9e5ce816145be39c0ec5c (partial)\n" +
				"Git-commit: 9FD53C9C4A2F0B1E8D7C6B5A4F3E2D1C0B9A8F7E\nAlt-commit: 0123456789abcdef0123456789abcdef01234567\n" +
				"References: bsc#1207654 jsc#PED-3311 CVE-2023-2176\nNo-Fix: deadbeefcafe\n\n" +
				"Only the CQ part of the upstream fix applies to this code base.\n\n" +
				"Fixes: 551c46edc769 (\"RDMA/irdma: Add user/kernel shared libraries\")\n" +
				"Signed-off-by: Mustafa Ismail <mustafa.ismail@intel.com>\nSigned-off-by: Leon Romanovsky <leon@kernel.org>\n" +
				"Acked-by: Thomas Bogendoerfer <tbogendoerfer@suse.de>\n",
			diffHead: "--- a/drivers/infiniband/hw/irdma/uk.c",
			trailers: change.Trailers{
				Fixes: []change.Fix{{ID: "551c46edc769", Subject: "RDMA/irdma: Add user/kernel shared libraries"}},
				Upstream: []change.Ref{
					{ID: "4984eb51453ff7eddee9e5ce816145be39c0ec5c", Style: change.GitCommit, Partial: true},
					{ID: "9fd53c9c4a2f0b1e8d7c6b5a4f3e2d1c0b9a8f7e", Style: change.GitCommit},
					{ID: "0123456789abcdef0123456789abcdef01234567", Style: change.AltCommit},
				},
				PatchMainline: "v6.2-rc4",
				SignedOffBy:   []string{"Mustafa Ismail <mustafa.ismail@intel.com>", "Leon Romanovsky <leon@kernel.org>"},
				CVEs:          []string{"CVE-2023-2176"},
			},
		},
		{
			file: "quilt.patch",
			want: Patch{Subject: "IB/ipoib: do not warn on a missing multicast group", DiffLine: 8},
			message: "IB/ipoib: do not warn on a missing multicast group\n\n" +
				"The warning fires on every join retry and floods the log of\nlarge fabrics.\n\n" +
				"Signed-off-by: Kernel Packager <kpackager@example.com>\n",
			diffHead: "Index: linux-6.4/drivers/infiniband/ulp/ipoib/ipoib_multicast.c",
			trailers: change.Trailers{SignedOffBy: []string{"Kernel Packager <kpackager@example.com>"}},
		},
		{
			file: "0001-BACKPORT-drivers-infiniband-core-addr.c.patch",
			want: Patch{AuthorName: "Alaa Hleihel", AuthorEmail: "alaa@mellanox.com",
				Subject: "BACKPORT: drivers/infiniband/core/addr.c", DiffLine: 9},
			message:  "BACKPORT: drivers/infiniband/core/addr.c\n\nChange-Id: I0135a65ed2fac2ca25b0ee95300ad907b5a55684\n",
			diffHead: "--- a/drivers/infiniband/core/addr.c",
			trailers: change.Trailers{Prefix: "BACKPORT"},
		},
		{
			file:     "patches/fix-mlx4.patch",
			data:     []byte("--- a/drivers/net/ethernet/mellanox/mlx4/main.c\n+++ b/drivers/net/ethernet/mellanox/mlx4/main.c\n@@ -1 +1 @@\n-a\n+b\n"),
			want:     Patch{Subject: "fix-mlx4.patch", DiffLine: 1},
			message:  "fix-mlx4.patch\n",
			diffHead: "--- a/drivers/net/ethernet/mellanox/mlx4/main.c",
		},
		{
			file: "in-body-from.patch",
			data: []byte("From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n" +
				"From: Sender <sender@example.com>\nDate: Fri, 5 Jan 2024 10:00:00 +0000\nSubject: [PATCH 6.1 012/345] RDMA/cma: fix\n\n" +
				"From: Real Author <author@example.com>\n\nBody.\n\ncommit 0123456789abcdef0123456789abcdef01234567 upstream.\n\n" +
				"---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"),
			want: Patch{AuthorName: "Real Author", AuthorEmail: "author@example.com",
				Date: time.Date(2024, 1, 5, 10, 0, 0, 0, time.FixedZone("", 0)), Subject: "RDMA/cma: fix", DiffLine: 13},
			message:  "RDMA/cma: fix\n\nBody.\n\ncommit 0123456789abcdef0123456789abcdef01234567 upstream.\n",
			diffHead: "diff --git a/x b/x",
			trailers: change.Trailers{Upstream: []change.Ref{{ID: "0123456789abcdef0123456789abcdef01234567", Style: change.CommitUpstream}}},
		},
		{
			file:     "from-now-on.patch",
			data:     []byte("From now on the SM LID is checked\nbefore the port is used.\n\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"),
			want:     Patch{Subject: "From now on the SM LID is checked before the port is used.", DiffLine: 4},
			message:  "From now on the SM LID is checked before the port is used.\n",
			diffHead: "--- a/x",
		},
		{
			file: "crlf-latin1.patch",
			data: []byte("From: J\xf6rg R\xf6del <joro@example.com>\r\nSubject: =?ISO-8859-1?Q?iommu:_f=FCr?=\r\nDate: 2024-01-05\r\n" +
				"Patch-mainline: Never, SLES-specific\r\n\r\nCaf\xe9 text.\r\n---\r\n--- a/x\r\n+++ b/x\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n"),
			want: Patch{AuthorName: "J\uFFFDrg R\uFFFDdel", AuthorEmail: "joro@example.com", Date: time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC),
				Subject: "iommu: für", PatchMainline: "Never, SLES-specific", DiffLine: 8},
			message:  "iommu: für\n\nPatch-mainline: Never, SLES-specific\n\nCaf\uFFFD text.\n",
			diffHead: "--- a/x\r",
			trailers: change.Trailers{PatchMainline: "Never, SLES-specific"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := tt.data
			if data == nil {
				data = readFixture(t, tt.file)
			}
			p, err := Parse(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Message != tt.message {
				t.Errorf("message:\n%s\nwant:\n%s", p.Message, tt.message)
			}
			if first, _, _ := strings.Cut(string(p.Diff), "\n"); first != tt.diffHead {
				t.Errorf("diff starts with %q, want %q", first, tt.diffHead)
			}
			if lines := strings.Split(string(data), "\n"); lines[p.DiffLine-1] != tt.diffHead {
				t.Errorf("line %d is %q, want the diff's first line", p.DiffLine, lines[p.DiffLine-1])
			}
			if bytes.Contains(p.Diff, []byte("\n-- \n")) {
				t.Errorf("the signature is still in the diff")
			}
			if _, files, err := fingerprint.Patch(p.Diff); err != nil || len(files) == 0 {
				t.Errorf("fingerprint.Patch of the diff: %v", err)
			}
			got := *p
			got.Message, got.Diff = "", nil
			want := tt.want
			want.File = tt.file
			if !got.Date.Equal(want.Date) {
				t.Errorf("date %v, want %v", got.Date, want.Date)
			}
			got.Date, want.Date = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			subj, _, tr := trailers.Parse(p.Message)
			if subj != p.Subject {
				t.Errorf("trailers.Parse subject %q, want %q", subj, p.Subject)
			}
			if !reflect.DeepEqual(tr, tt.trailers) {
				t.Errorf("trailers %+v\nwant     %+v", tr, tt.trailers)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"no diff", []byte("From: A <a@b>\nSubject: x\n\nJust text.\n---\n x | 1 +\n"), "no-diff.patch: no diff"},
		{"empty", nil, "empty.patch: no diff"},
		{"gzip", []byte("\x1f\x8b\x08\x00rest"), "gzip.patch: gzip-compressed data"},
		{"bad git-commit", []byte("From: A <a@b>\nSubject: x\nPatch-mainline: v6.1\nGit-commit: 6.1-rc1\n\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"),
			`bad-git-commit.patch:4: Git-commit: expected a commit id (7 to 40 hex digits), got "6.1-rc1"`},
		{"base64", []byte("From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: x\nContent-Transfer-Encoding: base64\n\nZGlmZg==\n"),
			"base64.patch:4: the body is base64-encoded"},
		{"multipart", []byte("From: A <a@b>\nSubject: x\nContent-Type: multipart/mixed; boundary=x\n\n--x\n"), "multipart.patch:3: a multipart/mixed mail"},
		{"two patches", []byte("From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nSubject: a\n\n---\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n\n" +
			"From 1123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nSubject: b\n"), "two-patches.patch:13: a second patch starts here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.ReplaceAll(tt.name, " ", "-") + ".patch"
			_, err := Parse(name, tt.data)
			var pe *Error
			if !errors.As(err, &pe) || pe.File != name {
				t.Fatalf("error %v, want a *Error for %s", err, name)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want %q...", err, tt.want)
			}
		})
	}
	if _, err := Parse("long.patch", bytes.Repeat([]byte("\n"), maxLines+1)); err == nil || !strings.HasPrefix(err.Error(), "long.patch: 8388609 lines") {
		t.Errorf("too many lines: %v", err)
	}
	big := make([]byte, MaxSize+1)
	if _, err := Parse("huge.patch", big); err == nil || !strings.Contains(err.Error(), "huge.patch: 67108865 bytes, more than the 64 MiB") {
		t.Errorf("huge patch: %v", err)
	}
}

func TestSignature(t *testing.T) {
	// A diff whose last line is a removed "- " keeps it; the signature
	// after it goes.
	const diff = "diff --git a/l.md b/l.md\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/l.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-- \n"
	for _, tt := range []struct{ data, want string }{
		{"Subject: x\nFrom: a <a@b>\n\n---\n" + diff + "-- \n2.39.5\n\n", diff},
		{"Subject: x\nFrom: a <a@b>\n\n---\n" + diff, diff},
	} {
		p, err := Parse("sig.patch", []byte(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		if string(p.Diff) != tt.want {
			t.Errorf("diff %q, want %q", p.Diff, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"email.patch", "suse.patch", "quilt.patch", "0001-BACKPORT-drivers-infiniband-core-addr.c.patch"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("From: =?UTF-8?B?w7w=?= <x@y>\nSubject: [RFC PATCH]\n\n\n-- \n--- a\n+++ b\n"))
	f.Add([]byte("Git-commit: abc\n\nx\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.patch", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "f.patch" || pe.Line < 0 || pe.Line > bytes.Count(data, []byte("\n"))+1 || pe.Msg == "" {
				t.Fatalf("error %v: want a *Error naming the file and a line in it", err)
			}
			return
		}
		if len(p.Diff) == 0 || p.DiffLine < 1 {
			t.Fatalf("no diff, and no error")
		}
		// The diff is the file's text from the start of line DiffLine.
		off := 0
		for k := 1; k < p.DiffLine; k++ {
			off += bytes.IndexByte(data[off:], '\n') + 1
		}
		if !bytes.HasPrefix(data[off:], p.Diff) {
			t.Fatalf("the diff is not the text of line %d on", p.DiffLine)
		}
		for _, s := range []string{p.Message, p.Subject, p.AuthorName, p.AuthorEmail, p.PatchMainline} {
			if !utf8.ValidString(s) {
				t.Fatalf("not UTF-8: %q", s)
			}
		}
		if p.Subject == "" || strings.Contains(p.Subject, "\n") || !strings.HasPrefix(p.Message, p.Subject+"\n") {
			t.Fatalf("subject %q, message %q", p.Subject, p.Message)
		}
		for _, c := range p.GitCommits {
			if !isHexID(c.ID) || strings.ToLower(c.ID) != c.ID {
				t.Fatalf("commit id %q", c.ID)
			}
		}
	})
}
