// Package mbox reads mailing-list archives (mbox files, public-inbox git
// repositories, directories of single messages) and groups the patches
// posted there into series and versions, so that kdelta can tell that a
// carried patch was submitted upstream: when, under which message-id and
// in which version of which series.
//
// Reading is lenient where mail readers are: a message with broken headers
// or an unparseable date is kept with what could be read, odd charsets are
// decoded when known and invalid bytes replaced otherwise. A file that is
// not an archive at all, a message over MaxMessageSize or an archive of
// more than MaxMessages messages is refused with an *Error that names the
// file and line.
package mbox

import (
	"bytes"
	"time"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// Size bounds of what the readers accept.
const (
	// MaxMessageSize is the largest message accepted (lists such as vger's
	// refuse mail far below it, so a larger one is a broken archive).
	MaxMessageSize = 32 << 20
	// MaxMessages is the most messages one Read accepts: well above the
	// whole history of the busiest list an RDMA patch is posted to, and
	// about as many as fit in memory.
	MaxMessages = 2 << 20
	// maxMIMEDepth bounds the nesting of multipart bodies.
	maxMIMEDepth = 8
)

// Message is one email of an archive.
type Message struct {
	MessageID  string   // without angle brackets; "" when the header is missing
	InReplyTo  string   // the first message-id of In-Reply-To, without angle brackets
	References []string // in header order, without angle brackets
	Date       time.Time
	FromName   string // the sender (header From:)
	FromEmail  string
	// AuthorName and AuthorEmail are the patch author: an in-body "From:"
	// line at the start of the body (as `git am` reads it) when there is
	// one, the sender otherwise.
	AuthorName  string
	AuthorEmail string
	Subject     string // decoded (RFC 2047) and unfolded (each fold one space), trimmed
	Tags        Tags   // parsed from Subject
	// Body is the message text. For a patch it is the text before the
	// diff, without in-body headers and without what follows the first
	// "---" line (the would-be commit message body); for other messages
	// (cover letters, replies) it is the whole text. It is decoded from
	// quoted-printable or base64, converted to UTF-8 from its declared
	// charset (invalid bytes replaced), and gathered from the text/plain,
	// text/x-diff and text/x-patch parts of a multipart message. Leading
	// and trailing blank lines are dropped.
	Body string
	// Notes is the text of a patch between the "---" line and the diff:
	// version notes ("v2: ...", "Link to v1: ...") and the diffstat.
	Notes string
	// Diff is the unified diff, from its first line ("diff --git", or a
	// "diff -u"/"Index:" line or "---"/"+++" pair of a diff made without
	// git) to the end of the text, cut before a "-- " mail signature or
	// format-patch's "base-commit:" block found outside a hunk. Nil for cover
	// letters, replies and messages without one. Its bytes are decoded
	// like Body's but invalid UTF-8 is kept as it is.
	Diff []byte
	File string // archive the message came from (for public-inbox, the epoch repository)
	Line int    // 1-based line of the message's "From " line in an mbox; 0 for other archives
	// DiffLine is the 1-based line of Diff's first line in the mbox, so an
	// error in the diff names its own line; 0 when unknown (another
	// archive, or a body encoded so that the line is not found as is).
	DiffLine int
}

// Skip is what a damaged archive lacks: a message whose object a
// public-inbox clone is missing, the end of a compressed mbox that stops
// early. The readers go on with the rest and return what they skipped.
type Skip struct {
	File   string // the archive (for public-inbox, the epoch repository)
	Object string // what could not be read: "blob <id>", "commit <id>", "line <n>"
	Commit string // public-inbox: the commit that adds the message; "" otherwise
	Reason string // one line: what is missing and what was not read for it
}

// Error is a problem with an archive (File as named to the reader; Line
// 1-based in an mbox, 0 when there is none). Its text is a single line:
// "file:line: msg", or "file: msg" when there is no line.
type Error = fileerr.Error

// parseMessage parses one raw message (headers and body, line ends "\n"
// or "\r\n", no mbox "From " line). It never fails.
func parseMessage(raw []byte, file string, line int) Message {
	h, body := parseHeader(raw)
	m := Message{File: file, Line: line}
	ct := h.get("content-type")
	cs := charsetOf(ct)
	m.MessageID = firstMsgID(h.get("message-id"))
	m.InReplyTo = firstMsgID(h.get("in-reply-to"))
	m.References = msgIDs(h.get("references"))
	m.Date = parseDate(h.get("date"))
	m.FromName, m.FromEmail = parseAddress(h.get("from"), cs)
	m.Subject = trimSpace(decodeHeader(h.get("subject"), cs))
	m.Tags = ParseSubject(m.Subject)
	m.AuthorName, m.AuthorEmail = m.FromName, m.FromEmail

	m.splitText(decodeBody(h, body, 0))
	if line > 0 && len(m.Diff) > 0 {
		first := m.Diff
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		if at := bytes.Index(raw[len(raw)-len(body):], first); at >= 0 {
			// raw starts on the line after the "From " line.
			m.DiffLine = line + 1 + bytes.Count(raw[:len(raw)-len(body)+at], []byte("\n"))
		}
	}
	return m
}
