package world

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdelta/kdelta/sources/fingerprint"
)

func TestMailName(t *testing.T) {
	// As git format-patch writes them.
	for _, c := range []struct{ name, want string }{
		{"Jonas Gruner", "Jonas Gruner"},
		{"Zoë Ødegård", "=?UTF-8?q?Zo=C3=AB=20=C3=98deg=C3=A5rd?="},
		{"José Ibáñez Muñoz", "=?UTF-8?q?Jos=C3=A9=20Ib=C3=A1=C3=B1ez=20Mu=C3=B1oz?="},
		{"Ünïcödé Very-Long Name With Many Ûñíçødé Characters In It Ok",
			"=?UTF-8?q?=C3=9Cn=C3=AFc=C3=B6d=C3=A9=20Very-Long=20Name=20With=20Ma?=\n" +
				" =?UTF-8?q?ny=20=C3=9B=C3=B1=C3=AD=C3=A7=C3=B8d=C3=A9=20Characters=20In=20?=\n" +
				" =?UTF-8?q?It=20Ok?="},
	} {
		if got := mailName("From: ", c.name); got != c.want {
			t.Errorf("mailName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPatchFileName(t *testing.T) {
	// As git format-patch names them.
	for _, c := range []struct {
		nr            int
		subject, want string
	}{
		{0, "RDMA/mlx5: Fix foo", "RDMA-mlx5-Fix-foo.patch"},
		{1, "BACKPORT: drivers/infiniband/core/addr.c", "0001-BACKPORT-drivers-infiniband-core-addr.c.patch"},
		{252, "BACKPORT: drivers/net/ethernet/mellanox/mlx5/core/en_tc.c", "0252-BACKPORT-drivers-net-ethernet-mellanox-mlx5-core-en_.patch"},
		{1, "x86/speculation: Add basic IBRS support infrastructure", "0001-x86-speculation-Add-basic-IBRS-support-infrastructur.patch"},
		{0, "net/mlx5e: TC, Don't fail on -EAGAIN in mlx5_txq_init_iova()", "net-mlx5e-TC-Don-t-fail-on-EAGAIN-in-mlx5_txq_init_iova.patch"},
		{0, "...Leading dots... and trailing.", ".Leading-dots.-and-trailing.patch"},
		{3, "  [PATCH]  --  ", "0003-PATCH.patch"},
	} {
		if got := patchFileName(c.nr, c.subject); got != c.want {
			t.Errorf("patchFileName(%d, %q) = %q, want %q", c.nr, c.subject, got, c.want)
		}
	}
}

// FuzzSanitizedSubject checks the file names of patches: only the
// characters git keeps, no run of '-' or '.', nothing trimmed left to
// trim, the same name when sanitized again, and at most 63 characters
// with the suffix.
func FuzzSanitizedSubject(f *testing.F) {
	for _, s := range []string{"RDMA/mlx5: Fix foo", "BACKPORT: drivers/infiniband/core/addr.c", "", "...", "a..b--c", "Zoë: ünï -- x.", "[PATCH v2 1/3] net/mlx5e: TC, Fix"} {
		f.Add(s, 1)
	}
	valid := regexp.MustCompile(`^[A-Za-z0-9._-]*$`)
	f.Fuzz(func(t *testing.T, subject string, nr int) {
		s := sanitizedSubject(subject)
		if !valid.MatchString(s) || strings.Contains(s, "--") || strings.Contains(s, "..") ||
			strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.HasSuffix(s, ".") {
			t.Fatalf("sanitizedSubject(%q) = %q", subject, s)
		}
		if again := sanitizedSubject(s); again != s {
			t.Fatalf("sanitizedSubject(%q) = %q, then %q", subject, s, again)
		}
		nr = nr & 0x1fff
		name := patchFileName(nr, subject)
		if len(name) > patchNameMax-1 || !strings.HasSuffix(name, ".patch") {
			t.Fatalf("patchFileName(%d, %q) = %q", nr, subject, name)
		}
	})
}

// FuzzMboxrdEscape checks the mboxrd quoting: no escaped line starts
// with "From ", and removing one '>' from every line that starts with
// '>'s and "From " gives the body back.
func FuzzMboxrdEscape(f *testing.F) {
	for _, s := range []string{"From me\n", "text\nFrom x\n>From y\n>>From z\nFrom", "no from here\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		esc := mboxrdEscape(body)
		var back strings.Builder
		for _, l := range strings.SplitAfter(esc, "\n") {
			if strings.HasPrefix(l, "From ") {
				t.Fatalf("escaped body has a From line: %q", esc)
			}
			if strings.HasPrefix(l, ">") && strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
				l = l[1:]
			}
			back.WriteString(l)
		}
		if back.String() != body {
			t.Fatalf("unescaping %q gives %q, not %q", esc, back.String(), body)
		}
	})
}

// FuzzMailName checks the RFC 2047 encoding of names: it decodes back to
// the name, and no line of the header passes 76 characters.
func FuzzMailName(f *testing.F) {
	for _, s := range []string{"Jonas Gruner", "Zoë Ødegård", "José Ibáñez Muñoz", "=?x?=", strings.Repeat("é", 60)} {
		f.Add(s)
	}
	dec := new(mime.WordDecoder)
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n") {
			return
		}
		enc := mailName("From: ", name)
		for i, l := range strings.Split("From: "+enc, "\n") {
			if len(l) > 76 && enc != name {
				t.Fatalf("line %d of %q is %d long", i, enc, len(l))
			}
		}
		got, err := dec.DecodeHeader(strings.ReplaceAll(enc, "\n ", " "))
		if err != nil || got != name {
			t.Fatalf("mailName(%q) = %q, decodes to %q (%v)", name, enc, got, err)
		}
	})
}

// FuzzWithFuncNames checks the hunk headers' function names: without
// them the diff is fingerprint.Builder's, and each is at most 80 bytes
// and the start of a line of the old file.
func FuzzWithFuncNames(f *testing.F) {
	f.Add([]byte("int f(void)\n{\n\treturn 0;\n}\n\nint g(void)\n{\n\treturn 1;\n}\n"), []byte("int f(void)\n{\n\treturn 2;\n}\n\nint g(void)\n{\n\treturn 3;\n}\n"))
	f.Add([]byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"), []byte("a\nB\nc\nd\ne\nf\ng\nh\ni\nJ\nk\n"))
	f.Add([]byte(""), []byte("new\n"))
	f.Add([]byte("$x\n_y\n z\n"), []byte(""))
	b := fingerprint.NewBuilder()
	hdr := regexp.MustCompile(`^(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)(?: (.*))?$`)
	f.Fuzz(func(t *testing.T, old, cur []byte) {
		if bytes.IndexByte(old, 0) >= 0 || bytes.IndexByte(cur, 0) >= 0 {
			return
		}
		files := []fingerprint.File{{OldPath: "f.c", NewPath: "f.c", OldMode: modeFile, NewMode: modeFile, OldID: "1234567", NewID: "89abcde", Old: old, New: cur}}
		text := b.Build(files).Text
		plain := string(text)
		named := string(withFuncNames(text, files))
		pl, nl := strings.Split(plain, "\n"), strings.Split(named, "\n")
		if len(pl) != len(nl) {
			t.Fatalf("line count changed:\n%s\n----\n%s", plain, named)
		}
		for i := range pl {
			if pl[i] == nl[i] {
				continue
			}
			m := hdr.FindStringSubmatch(nl[i])
			if m == nil || m[1] != pl[i] || len(m[2]) > funcNameMax || m[2] == "" {
				t.Fatalf("line %d: %q became %q", i, pl[i], nl[i])
			}
			found := false
			for _, l := range strings.Split(string(old), "\n") {
				found = found || strings.HasPrefix(l, m[2])
			}
			if !found {
				t.Fatalf("function name %q is no line of the old file", m[2])
			}
		}
	})
}
