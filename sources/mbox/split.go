package mbox

import (
	"bytes"
	"strings"
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
// block. Lines inside a hunk are counted by the hunk header, so a removed
// line "- " is never taken for a signature.
func diffText(text []byte) []byte {
	end := len(text)
	old, new := 0, 0
	for pos := 0; pos < len(text); {
		line, next := cutLine(text, pos)
		if old > 0 || new > 0 {
			switch {
			case len(line) == 0 || line[0] == ' ':
				old--
				new--
				pos = next
				continue
			case line[0] == '-':
				old--
				pos = next
				continue
			case line[0] == '+':
				new--
				pos = next
				continue
			case line[0] == '\\':
				pos = next
				continue
			}
			old, new = 0, 0 // a short hunk: read the line as outside one
		}
		if string(line) == "-- " || string(line) == "--" ||
			bytes.HasPrefix(line, []byte("base-commit: ")) ||
			bytes.HasPrefix(line, []byte("prerequisite-patch-id: ")) {
			end = pos
			break
		}
		if o, n, ok := hunkHeader(line); ok {
			old, new = o, n
		}
		pos = next
	}
	d := bytes.TrimRight(text[:end], "\n")
	out := make([]byte, len(d)+1)
	copy(out, d)
	out[len(d)] = '\n'
	return out
}

// hunkHeader reads the line counts of "@@ -a[,b] +c[,d] @@".
func hunkHeader(line []byte) (old, new int, ok bool) {
	s := string(line)
	if !strings.HasPrefix(s, "@@ -") {
		return 0, 0, false
	}
	s = s[len("@@ -"):]
	old, s, ok = rangeCount(s)
	if !ok || !strings.HasPrefix(s, " +") {
		return 0, 0, false
	}
	new, s, ok = rangeCount(s[2:])
	if !ok || !strings.HasPrefix(s, " @@") {
		return 0, 0, false
	}
	return old, new, true
}

// rangeCount reads "a[,b]" and returns b (1 when absent) and the rest.
func rangeCount(s string) (int, string, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	s = s[i:]
	if !strings.HasPrefix(s, ",") {
		return 1, s, true
	}
	s = s[1:]
	i = 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 9 {
		return 0, s, false
	}
	n, _ := smallNumber(s[:i], 999999999)
	return n, s[i:], true
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
