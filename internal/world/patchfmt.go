package world

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/change"
	"github.com/kdelta/kdelta/sources/fingerprint"
)

// Patch text as git writes it: the diffstat and summary `git format-patch`
// puts after "---", the file names it gives patches, and the dates of mail
// headers. The diff itself is fingerprint.Builder's, which is `git show`'s.

// statWidth is the width of `git format-patch`'s diffstat (git's
// MAIL_DEFAULT_WRAP).
const statWidth = 72

// gitVersion is the version a patch's signature line names.
const gitVersion = "2.43.0"

// diffstat writes the diffstat, the totals line and the summary of created
// and deleted files that `git format-patch` prints after "---", as git's
// show_stats and show_summary do for a stat width of 72. files are the
// fingerprinted files of the diff and src the files it was built from, in
// the same order; renames, mode changes and binary files are not handled
// (no exported commit has them).
func diffstat(files []change.File, src []fingerprint.File) string {
	maxLen, maxChange := 0, 0
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = quotePath(f.Path)
		maxLen = max(maxLen, len(names[i]))
		maxChange = max(maxChange, f.Added+f.Deleted)
	}
	numberWidth := len(strconv.Itoa(maxChange))
	width := max(statWidth, 16+6+numberWidth)
	graphWidth, nameWidth := maxChange, maxLen
	if nameWidth+numberWidth+6+graphWidth > width {
		if graphWidth > width*3/8-numberWidth-6 {
			graphWidth = max(6, width*3/8-numberWidth-6)
		}
		if nameWidth > width-numberWidth-6-graphWidth {
			nameWidth = width - numberWidth - 6 - graphWidth
		} else {
			graphWidth = width - numberWidth - 6 - nameWidth
		}
	}
	scale := func(it int) int {
		if it == 0 {
			return 0
		}
		return 1 + it*(graphWidth-1)/maxChange
	}
	var b strings.Builder
	adds, dels := 0, 0
	for i, f := range files {
		name, prefix := names[i], ""
		room := nameWidth
		if nameWidth < len(name) {
			prefix = "..."
			room = max(0, room-3)
			name = name[len(name)-room:]
			if j := strings.IndexByte(name, '/'); j >= 0 {
				name = name[j:]
			}
		}
		add, del := f.Added, f.Deleted
		adds += add
		dels += del
		if graphWidth <= maxChange {
			total := scale(add + del)
			if total < 2 && add > 0 && del > 0 {
				total = 2
			}
			if add < del {
				add = scale(add)
				del = total - add
			} else {
				del = scale(del)
				add = total - del
			}
		}
		sep := ""
		if f.Added+f.Deleted > 0 {
			sep = " "
		}
		fmt.Fprintf(&b, " %s%s%*s | %*d%s%s%s\n", prefix, name, max(0, room-len(name)), "",
			numberWidth, f.Added+f.Deleted, sep, strings.Repeat("+", add), strings.Repeat("-", del))
	}
	if len(files) == 1 {
		b.WriteString(" 1 file changed")
	} else {
		fmt.Fprintf(&b, " %d files changed", len(files))
	}
	if adds > 0 || dels == 0 {
		fmt.Fprintf(&b, ", %d insertion%s(+)", adds, plural(adds))
	}
	if dels > 0 || adds == 0 {
		fmt.Fprintf(&b, ", %d deletion%s(-)", dels, plural(dels))
	}
	b.WriteString("\n")
	for i, f := range src {
		switch {
		case f.OldPath == "":
			fmt.Fprintf(&b, " create mode %06o %s\n", f.NewMode, quotePath(files[i].Path))
		case f.NewPath == "":
			fmt.Fprintf(&b, " delete mode %06o %s\n", f.OldMode, quotePath(files[i].Path))
		}
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// quotePath quotes a path as git's quote_c_style does with core.quotePath
// on: in double quotes with C escapes when it has a control character, a
// double quote, a backslash or a byte of 0x7f and above.
func quotePath(p string) string {
	quote := false
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			quote = true
			break
		}
	}
	if !quote {
		return p
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// patchNameMax is git's format.filenameMaxLength default: a patch file
// name, with its number and suffix, is at most this long.
const patchNameMax = 64

// sanitizedSubject is a subject as `git format-patch` turns it into a file
// name (its %f): runs of characters other than letters, digits, '.' and
// '_' become one '-', runs of '.' one '.', none at the start, and no '.' or
// '-' at the end.
func sanitizedSubject(subject string) string {
	var b []byte
	space := 2 // nothing written yet: no leading '-'
	for i := 0; i < len(subject); i++ {
		c := subject[i]
		if isTitleChar(c) {
			if space == 1 {
				b = append(b, '-')
			}
			space = 0
			b = append(b, c)
			if c == '.' {
				for i+1 < len(subject) && subject[i+1] == '.' {
					i++
				}
			}
			continue
		}
		space |= 1
	}
	for len(b) > 0 && (b[len(b)-1] == '.' || b[len(b)-1] == '-') {
		b = b[:len(b)-1]
	}
	return string(b)
}

func isTitleChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
}

// patchFileName is the name `git format-patch` gives patch nr (0 for an
// unnumbered name, as SUSE keeps them) of a commit with subject: at most
// patchNameMax characters with the ".patch" suffix.
func patchFileName(nr int, subject string) string {
	name := sanitizedSubject(subject)
	if nr > 0 {
		name = fmt.Sprintf("%04d-%s", nr, name)
	}
	if limit := patchNameMax - len(".patch") - 1; len(name) > limit {
		name = name[:limit]
	}
	return name + ".patch"
}

// rfc2822 formats a date as git writes it in a patch's Date: header.
func rfc2822(t int64, tz int) string {
	return time.Unix(t, 0).In(time.FixedZone("", tz*60)).Format("Mon, 2 Jan 2006 15:04:05 -0700")
}

// mailDate formats a date as git send-email writes it: the day of the
// month padded to two columns.
func mailDate(t int64, tz int) string {
	return time.Unix(t, 0).In(time.FixedZone("", tz*60)).Format("Mon, _2 Jan 2006 15:04:05 -0700")
}

// mboxDate formats a date as an mbox "From " line does (asctime, UTC).
func mboxDate(t int64) string {
	return time.Unix(t, 0).UTC().Format("Mon Jan _2 15:04:05 2006")
}

// formatPatchHeader is the start of `git format-patch` output for commit
// id: the "From <id>" line and the mail headers.
func formatPatchHeader(id string, author person, when int64, subject string) string {
	return fmt.Sprintf("From %s Mon Sep 17 00:00:00 2001\nFrom: %s <%s>\nDate: %s\nSubject: [PATCH] %s\n\n",
		id, mailName("From: ", author.name), author.email, rfc2822(when, author.tz), subject)
}

// patchTail is what follows a patch's message: "---", the diffstat, and
// the diff.
func patchTail(p *patch) string {
	return "---\n" + p.stat + "\n" + string(p.text)
}

// patchSignature is how `git format-patch` ends a patch file: the
// signature separator, git's version and a blank line.
func patchSignature() string { return mailSignature() + "\n" }

// mailSignature is how git send-email ends a message.
func mailSignature() string { return "-- \n" + gitVersion + "\n" }

// addedLines returns, per file of a diff text, the new-file line numbers
// (0-based) of its added lines.
func addedLines(text []byte) [][]int {
	var out [][]int
	cur, n := -1, 0
	inHunk := false
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			i = len(text) - 1
		}
		line := text[:i+1]
		text = text[i+1:]
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			out = append(out, nil)
			cur++
			inHunk = false
		case bytes.HasPrefix(line, []byte("@@ -")):
			inHunk = true
			// @@ -a,b +c,d @@
			plus := bytes.IndexByte(line, '+')
			rest := line[plus+1:]
			end := bytes.IndexAny(rest, ", ")
			n, _ = strconv.Atoi(string(rest[:end]))
			n--
			if n < 0 {
				n = 0
			}
		case !inHunk || cur < 0:
		case line[0] == '+':
			out[cur] = append(out[cur], n)
			n++
		case line[0] == ' ':
			n++
		}
	}
	return out
}

// funcNameMax is the size of git's buffer for a hunk header's function
// name (xdiff's struct func_line).
const funcNameMax = 80

// withFuncNames adds to every hunk header of a diff the function name git
// prints there, which fingerprint.Builder leaves out: with no diff driver
// (no .gitattributes), the last line of the old file before the hunk that
// starts with a letter, '_' or '$', cut to 80 bytes and stripped of
// trailing white space, searched back only as far as the previous hunk of
// the file, whose name is kept when none is found (xdl_emit_diff and
// def_ff). files are the diff's files, one section each, in order.
func withFuncNames(text []byte, files []fingerprint.File) []byte {
	out := make([]byte, 0, len(text)+len(text)/8)
	file := -1
	var old []byte
	var starts []int // offsets of old's lines
	var fn []byte
	prev := -1
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			i = len(text) - 1
		}
		line := text[:i+1]
		text = text[i+1:]
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			file++
			old, starts, fn, prev = nil, starts[:0], nil, -1
			if file < len(files) {
				old = files[file].Old
				for at := 0; at < len(old); {
					starts = append(starts, at)
					i := bytes.IndexByte(old[at:], '\n')
					if i < 0 {
						break
					}
					at += i + 1
				}
			}
		case bytes.HasPrefix(line, []byte("@@ -")) && bytes.HasSuffix(line, []byte(" @@\n")):
			s1 := hunkStart(line)
			for l := s1 - 1; l > prev && l >= 0 && l < len(starts); l-- {
				end := len(old)
				if l+1 < len(starts) {
					end = starts[l+1]
				}
				if rec := old[starts[l]:end]; len(rec) > 0 && (isAlpha(rec[0]) || rec[0] == '_' || rec[0] == '$') {
					rec = rec[:min(len(rec), funcNameMax)]
					fn = bytes.TrimRight(rec, " \t\n\v\f\r")
					break
				}
			}
			prev = s1 - 1
			if len(fn) > 0 {
				out = append(out, line[:len(line)-1]...)
				out = append(out, ' ')
				out = append(out, fn...)
				out = append(out, '\n')
				continue
			}
		}
		out = append(out, line...)
	}
	return out
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// hunkStart is the 0-based old-file line where a hunk's context starts,
// from its header "@@ -a,b +c,d @@" (a is one less when b is 0).
func hunkStart(header []byte) int {
	rest := header[len("@@ -"):]
	end := bytes.IndexAny(rest, ", ")
	a, _ := strconv.Atoi(string(rest[:end]))
	count := 1
	if rest[end] == ',' {
		tail := rest[end+1:]
		count, _ = strconv.Atoi(string(tail[:bytes.IndexByte(tail, ' ')]))
	}
	if count == 0 {
		return a
	}
	return a - 1
}

// mailName is a name as git puts it in a From: header: RFC 2047
// Q-encoded (spaces as "=20", every byte outside letters, digits and
// "!*+-/" escaped, a line broken before it passes 76 characters) when it
// is not ASCII, as is otherwise. prefix is what precedes it on the line.
func mailName(prefix, name string) string {
	ascii := !strings.Contains(name, "=?")
	for i := 0; i < len(name); i++ {
		ascii = ascii && name[i] < 0x80
	}
	if ascii {
		return name
	}
	const maxLen = 76
	var b strings.Builder
	b.WriteString("=?UTF-8?q?")
	lineLen := len(prefix) + len("=?UTF-8?q?")
	for len(name) > 0 {
		_, n := utf8.DecodeRuneInString(name)
		c := name[:n]
		name = name[n:]
		special := n > 1 || !(isAlpha(c[0]) || c[0] >= '0' && c[0] <= '9' || strings.ContainsRune("!*+-/", rune(c[0])))
		enc := c
		if special {
			enc = ""
			for i := 0; i < len(c); i++ {
				enc += fmt.Sprintf("=%02X", c[i])
			}
		}
		if lineLen+len(enc)+2 > maxLen {
			b.WriteString("?=\n =?UTF-8?q?")
			lineLen = len(" =?UTF-8?q?")
		}
		b.WriteString(enc)
		lineLen += len(enc)
	}
	b.WriteString("?=")
	return b.String()
}
