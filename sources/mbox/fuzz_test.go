package mbox

import (
	"bytes"
	"errors"
	"mime"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkMessages checks what must hold of any message ReadMbox returns.
func checkMessages(t *testing.T, msgs []Message) {
	t.Helper()
	prev := 0
	for i, m := range msgs {
		if m.Line <= prev {
			t.Fatalf("message %d at line %d after line %d", i, m.Line, prev)
		}
		prev = m.Line
		if strings.ContainsAny(m.MessageID, "<> \t\n") || strings.ContainsAny(m.InReplyTo, "<> \t\n") {
			t.Errorf("message %d: ids %q %q", i, m.MessageID, m.InReplyTo)
		}
		for _, s := range []string{m.Subject, m.Body, m.Notes, m.FromName, m.AuthorName} {
			if !utf8.ValidString(s) {
				t.Errorf("message %d: invalid UTF-8 %q", i, s)
			}
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("message %d: subject %q has a line break", i, m.Subject)
		}
		if !reflect.DeepEqual(m.Tags, ParseSubject(m.Subject)) {
			t.Errorf("message %d: tags %+v do not match subject %q", i, m.Tags, m.Subject)
		}
		if m.Body != trimBlankLines(m.Body) || m.Notes != trimBlankLines(m.Notes) {
			t.Errorf("message %d: body or notes not trimmed: %q %q", i, m.Body, m.Notes)
		}
		if m.Diff != nil {
			if m.Tags.Reply || m.Tags.Cover() {
				t.Errorf("message %d: a reply or cover letter with a diff", i)
			}
			if !bytes.HasSuffix(m.Diff, []byte("\n")) ||
				!(bytes.HasPrefix(m.Diff, []byte("diff ")) || bytes.HasPrefix(m.Diff, []byte("--- ")) || bytes.HasPrefix(m.Diff, []byte("Index: "))) {
				t.Errorf("message %d: diff %q", i, m.Diff)
			}
		} else if m.Notes != "" {
			t.Errorf("message %d: notes without a diff", i)
		}
	}
}

// checkSeriesInvariants checks what must hold of any result of Group.
func checkSeriesInvariants(t *testing.T, msgs []Message, series []Series) {
	t.Helper()
	seen := map[*Message]bool{}
	byID := map[string]*Series{}
	for i := range series {
		s := &series[i]
		if byID[s.ID] != nil {
			t.Errorf("series ID %q twice", s.ID)
		}
		byID[s.ID] = s
		if s.Cover == nil && len(s.Patches) == 0 {
			t.Errorf("series %q is empty", s.ID)
		}
		if s.Version < 1 {
			t.Errorf("series %q: version %d", s.ID, s.Version)
		}
		all := append([]*Message{s.Cover}, s.Patches...)
		for _, m := range all {
			if m == nil {
				continue
			}
			if seen[m] {
				t.Errorf("message %q in two series", m.MessageID)
			}
			seen[m] = true
			if m.Tags.Reply || m.Tags.Version != s.Version {
				t.Errorf("series %q: message %q (%+v)", s.ID, m.MessageID, m.Tags)
			}
		}
		have := map[int]bool{}
		for k, p := range s.Patches {
			if p.Diff == nil || p.Tags.Cover() {
				t.Errorf("series %q: patch %q is no patch", s.ID, p.MessageID)
			}
			if k > 0 && s.Patches[k-1].Tags.Index > p.Tags.Index {
				t.Errorf("series %q: patches out of order", s.ID)
			}
			have[p.Tags.Index] = true
		}
		if !sort.IntsAreSorted(s.Missing) {
			t.Errorf("series %q: missing %v unsorted", s.ID, s.Missing)
		}
		for _, k := range s.Missing {
			if have[k] || k < 1 {
				t.Errorf("series %q: %d both missing and present", s.ID, k)
			}
		}
	}
	for i := range series {
		s := &series[i]
		if s.Previous == "" {
			continue
		}
		p := byID[s.Previous]
		if p == nil || p.Version >= s.Version {
			t.Errorf("series %q (v%d): previous %q is no earlier version", s.ID, s.Version, s.Previous)
		}
	}
	for i := range msgs {
		if seen[&msgs[i]] && msgs[i].Tags.Reply {
			t.Errorf("reply %q in a series", msgs[i].MessageID)
		}
	}
}

func FuzzReadMbox(f *testing.F) {
	fixture, err := os.ReadFile("testdata/linux-rdma.mbox")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(fromLine + "Subject: [PATCH 1/2] x\nMessage-ID: <a@b>\n\nx\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"))
	f.Add([]byte(fromLine + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\nZGlmZg==\n--b--\n"))
	f.Add([]byte(fromLine + "Subject: =?iso-8859-1?q?caf=E9?=\nContent-Transfer-Encoding: quoted-printable\n\na=3Db=\n=ZZ\n"))
	f.Add([]byte("From \nMessAge-ID:<<>")) // found by fuzzing: a bracket left in the id
	f.Add([]byte("not an mbox\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := ReadMbox("f.mbox", bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.mbox" || e.Line < 1 || e.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("error %v does not name the file and a line", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") || !strings.HasPrefix(err.Error(), "f.mbox:") {
				t.Fatalf("error %q is not one line naming the file", err.Error())
			}
			return
		}
		checkMessages(t, msgs)
		checkSeriesInvariants(t, msgs, Group(msgs))
	})
}

// escapeMboxrd quotes the lines of body that a reader would take for a
// message separator, the mboxrd way.
func escapeMboxrd(body string) string {
	lines := strings.SplitAfter(body, "\n")
	for i, l := range lines {
		if fromQuoted([]byte(l)) || strings.HasPrefix(l, "From ") {
			lines[i] = ">" + l
		}
	}
	return strings.Join(lines, "")
}

func FuzzMboxRoundTrip(f *testing.F) {
	f.Add("[PATCH v2 1/3] RDMA/mlx5: Fix x", "Text.\n\nFrom the spec: y.\n>From z\n")
	f.Add("Ünïcödé subject that is long enough to be split into several encoded words by mime", "From x Thu Jan  1 00:00:00 1970\nbody")
	f.Add("", "\n\n")
	f.Fuzz(func(t *testing.T, subject, body string) {
		if !utf8.ValidString(subject) || !utf8.ValidString(body) || strings.Contains(subject, "=?") ||
			strings.ContainsRune(body, '\r') || strings.IndexFunc(subject, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
			return
		}
		var b strings.Builder
		for _, s := range []string{subject, "second"} {
			b.WriteString("From mboxrd@z Thu Jan  1 00:00:00 1970\n")
			b.WriteString("Subject: Re: " + mime.QEncoding.Encode("utf-8", s) + "\n")
			b.WriteString("Message-ID: <id@x>\n\n")
			b.WriteString(escapeMboxrd(body))
			if !strings.HasSuffix(body, "\n") {
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
		msgs, err := ReadMbox("rt.mbox", strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 {
			t.Fatalf("%d messages, want 2:\n%s", len(msgs), b.String())
		}
		if want := trimSpace("Re: " + subject); msgs[0].Subject != want || msgs[1].Subject != "Re: second" {
			t.Errorf("subjects %q %q, want %q", msgs[0].Subject, msgs[1].Subject, want)
		}
		want := trimBlankLines(body)
		for _, m := range msgs {
			if m.Body != want {
				t.Errorf("body:\n got %q\nwant %q", m.Body, want)
			}
		}
	})
}
