package mbox

import (
	"bytes"
	"strings"

	"github.com/kdelta/kdelta/sources/patchdiff"
)

// splitText fills Body, Notes, Diff and the author from the decoded text
// of the message.
func (m *Message) splitText(text []byte) {
	start := diffStart(text)
	if start < 0 || m.Tags.Reply || m.Tags.Cover() {
		m.Body = trimBlankLines(validString(text))
		return
	}
	msgEnd, notesStart := start, start
	for pos := 0; pos < start; {
		line, next := cutLine(text, pos)
		if string(bytes.TrimRight(line, " \t")) == "---" {
			msgEnd, notesStart = pos, next
			break
		}
		pos = next
	}
	msg := m.inBodyHeaders(text[:msgEnd])
	m.Body = trimBlankLines(validString(msg))
	m.Notes = trimBlankLines(validString(text[notesStart:start]))
	m.Diff = diffText(text[start:])
}

// diffStart returns the offset of the first line of text that starts a
// unified diff, or -1: a "diff --git " line; a "diff -..." or "Index: "
// line with a "--- " line at most three lines below; a "--- " line
// followed by a "+++ " line.
func diffStart(text []byte) int {
	for pos := 0; pos < len(text); {
		line, next := cutLine(text, pos)
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			return pos
		case bytes.HasPrefix(line, []byte("diff -")) || bytes.HasPrefix(line, []byte("Index: ")):
			p := next
			for i := 0; i < 3 && p < len(text); i++ {
				l, n := cutLine(text, p)
				if bytes.HasPrefix(l, []byte("--- ")) {
					return pos
				}
				p = n
			}
		case bytes.HasPrefix(line, []byte("--- ")) && next < len(text):
			if l, _ := cutLine(text, next); bytes.HasPrefix(l, []byte("+++ ")) {
				return pos
			}
		}
		pos = next
	}
	return -1
}

// diffText returns the diff that starts text, cut before what follows its
// last hunk: a "-- " mail signature, or format-patch's "base-commit:"
// block. Hunks are those sources/patchdiff reads (their length comes from
// their header), so a removed line "- " is never taken for a signature;
// lines after a malformed hunk are read as outside one.
func diffText(text []byte) []byte {
	d, _ := patchdiff.Parse(text)
	inHunk := make([]bool, len(d.Lines))
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			for i := h.Line + 1; i < h.End; i++ {
				inHunk[i] = true
			}
		}
	}
	end := len(text)
	pos := 0
	for i, l := range d.Lines {
		line := bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
		if !inHunk[i] && (string(line) == "-- " || string(line) == "--" ||
			bytes.HasPrefix(line, []byte("base-commit: ")) ||
			bytes.HasPrefix(line, []byte("prerequisite-patch-id: "))) {
			end = pos
			break
		}
		pos += len(l)
	}
	d2 := bytes.TrimRight(text[:end], "\n")
	out := make([]byte, len(d2)+1)
	copy(out, d2)
	out[len(d2)] = '\n'
	return out
}

// inBodyHeaders removes the "From:", "Date:" and "Subject:" lines that
// `git am` reads at the start of a patch's body (when the author is not
// the sender), taking the author from "From:", and returns the rest.
func (m *Message) inBodyHeaders(msg []byte) []byte {
	pos := 0
	for pos < len(msg) { // leading blank lines
		line, next := cutLine(msg, pos)
		if len(bytes.TrimSpace(line)) != 0 {
			break
		}
		pos = next
	}
	found := false
	for pos < len(msg) {
		line, next := cutLine(msg, pos)
		name, value, ok := headerField(line)
		if !ok || (name != "from" && name != "date" && name != "subject") {
			if found && len(bytes.TrimSpace(line)) == 0 {
				return msg[next:]
			}
			break
		}
		if name == "from" {
			if n, e := parseAddress(value, ""); e != "" {
				m.AuthorName, m.AuthorEmail = n, e
			}
		}
		found = true
		pos = next
	}
	if found {
		return msg[pos:]
	}
	return msg
}

// trimBlankLines drops leading and trailing lines that are empty or white
// space only.
func trimBlankLines(s string) string {
	for {
		nl := strings.IndexByte(s, '\n')
		if nl < 0 || strings.TrimSpace(s[:nl]) != "" {
			break
		}
		s = s[nl+1:]
	}
	s = strings.TrimRight(s, "\n")
	for {
		nl := strings.LastIndexByte(s, '\n')
		if strings.TrimSpace(s[nl+1:]) != "" {
			break
		}
		if nl < 0 {
			return ""
		}
		s = strings.TrimRight(s[:nl], "\n")
	}
	return s
}
