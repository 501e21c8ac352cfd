package mbox

import (
	"bytes"
	"encoding/base64"
	"mime"
	"strings"
)

// contentType returns the media type (lower case) and parameters of a
// Content-Type value. A value mime cannot parse still gives its type and
// its charset, boundary and name parameters, read by hand.
func contentType(v string) (string, map[string]string) {
	v = trimSpace(v)
	if v == "" {
		return "", nil
	}
	if t, params, err := mime.ParseMediaType(v); err == nil {
		return t, params
	}
	t, rest, _ := strings.Cut(v, ";")
	params := map[string]string{}
	for _, p := range strings.Split(rest, ";") {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(trimSpace(k))
		val = strings.Trim(trimSpace(val), "\"'")
		if _, seen := params[k]; !seen && k != "" {
			params[k] = val
		}
	}
	return strings.ToLower(trimSpace(t)), params
}

// charsetOf returns the charset parameter of a Content-Type value.
func charsetOf(ct string) string {
	_, params := contentType(ct)
	return params["charset"]
}

// decodeBody returns the text of a message or MIME part with header h:
// decoded from its transfer encoding, converted to UTF-8 from its charset
// (invalid bytes kept), CRLF turned into LF. A multipart body gives its
// text parts in order (for multipart/alternative, the plain text one), each
// ending in a newline. It returns nil for a part that holds no text.
func decodeBody(h header, body []byte, depth int) []byte {
	t, params := contentType(h.get("content-type"))
	if strings.HasPrefix(t, "multipart/") && params["boundary"] != "" && depth < maxMIMEDepth {
		if parts := splitMultipart(body, params["boundary"]); parts != nil {
			return decodeMultipart(t, parts, depth)
		}
		// No delimiter at all: read the body as the text it then is.
	} else if !textPart(t, params, h, depth) {
		return nil
	}
	var out []byte
	switch strings.ToLower(trimSpace(h.get("content-transfer-encoding"))) {
	case "quoted-printable":
		out = decodeQP(body)
	case "base64":
		out = decodeBase64(body)
	default:
		out = body
	}
	return toUTF8(params["charset"], dropCR(out))
}

// decodeMultipart decodes the parts of a multipart body of type t.
func decodeMultipart(t string, parts [][]byte, depth int) []byte {
	var out []byte
	for _, p := range parts {
		ph, pb := parseHeader(p)
		text := decodeBody(ph, pb, depth+1)
		if text == nil {
			continue
		}
		if t == "multipart/alternative" {
			pt, _ := contentType(ph.get("content-type"))
			if pt != "" && pt != "text/plain" && !strings.HasPrefix(pt, "multipart/") {
				continue
			}
			return text
		}
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		out = append(out, text...)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// textPart reports whether a part of media type t holds text for the
// message: plain text and patch attachments. A missing type is text/plain.
func textPart(t string, params map[string]string, h header, depth int) bool {
	switch t {
	case "", "text/plain", "text/x-diff", "text/x-patch", "text/diff", "text/patch":
		return true
	case "application/octet-stream", "application/x-patch", "application/x-diff", "application/patch":
		name := params["name"]
		if _, dp, err := mime.ParseMediaType(h.get("content-disposition")); err == nil && dp["filename"] != "" {
			name = dp["filename"]
		}
		name = strings.ToLower(name)
		return strings.HasSuffix(name, ".patch") || strings.HasSuffix(name, ".diff")
	}
	// A single-part message of another text type is still read as text;
	// a non-text type or a part of another text type is not.
	return depth == 0 && strings.HasPrefix(t, "text/") && t != "text/html"
}

// splitMultipart returns the parts between the boundary delimiter lines of
// body, or nil when there is no delimiter. The preamble and epilogue are
// dropped; a missing closing delimiter ends the last part at the end.
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	for pos := 0; pos < len(body); {
		line, next := cutLine(body, pos)
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t")
			closing := bytes.Equal(rest, []byte("--"))
			if closing || len(rest) == 0 {
				if start >= 0 {
					parts = append(parts, body[start:pos])
				}
				if closing {
					return nonNil(parts)
				}
				start = next
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts
}

func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}

// decodeQP decodes quoted-printable leniently: "=XX" is a byte, "=" at the
// end of a line (white space after it allowed) joins the lines, any other
// "=" is kept as it is.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for pos := 0; pos < len(b); {
		line, next := cutLine(b, pos)
		hasNL := next > pos && b[next-1] == '\n'
		soft := false
		if t := bytes.TrimRight(line, " \t"); len(t) > 0 && t[len(t)-1] == '=' {
			line, soft = t[:len(t)-1], true
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) {
				if hi, ok := unhex(line[i+1]); ok {
					if lo, ok := unhex(line[i+2]); ok {
						out = append(out, hi<<4|lo)
						i += 2
						continue
					}
				}
			}
			out = append(out, c)
		}
		if hasNL && !soft {
			out = append(out, '\n')
		}
		pos = next
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeBase64 decodes base64 leniently: characters outside the alphabet
// are skipped, padding is optional, and what decodes before an error is
// kept.
func decodeBase64(b []byte) []byte {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// dropCR turns CRLF line ends into LF.
func dropCR(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}
