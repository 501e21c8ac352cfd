package patchwork

import (
	"strings"
)

// nextLink returns the target of the rel="next" link of Link header values
// (RFC 8288: `<URL>; rel="next", <URL>; rel="prev"`), "" when there is none.
// A rel may list several relations ("next last"); parameters other than rel
// are skipped. A malformed entry ends the parse.
func nextLink(values []string) string {
	for _, v := range values {
		if target := nextIn(v); target != "" {
			return target
		}
	}
	return ""
}

// nextIn scans one Link header value for the rel="next" target.
func nextIn(v string) string {
	for {
		v = strings.TrimLeft(v, " \t,")
		if v == "" || v[0] != '<' {
			return ""
		}
		end := strings.IndexByte(v, '>')
		if end < 0 {
			return ""
		}
		target := v[1:end]
		v = v[end+1:]
		isNext := false
		// Parameters: ; name[=value], up to the comma that ends the entry.
		for {
			v = strings.TrimLeft(v, " \t")
			if v == "" || v[0] != ';' {
				break
			}
			v = strings.TrimLeft(v[1:], " \t")
			name := v
			if i := strings.IndexAny(v, "=;,"); i >= 0 {
				name = v[:i]
			}
			v = v[len(name):]
			name = strings.ToLower(strings.TrimSpace(name))
			var value string
			if strings.HasPrefix(v, "=") {
				v = strings.TrimLeft(v[1:], " \t")
				value, v = paramValue(v)
			}
			if name == "rel" {
				for _, rel := range strings.Fields(value) {
					if strings.EqualFold(rel, "next") {
						isNext = true
					}
				}
			}
		}
		if isNext {
			return target
		}
		if v != "" && v[0] != ',' {
			return ""
		}
	}
}

// paramValue splits a quoted string or a token off the start of v.
func paramValue(v string) (value, rest string) {
	if strings.HasPrefix(v, `"`) {
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			switch v[i] {
			case '\\':
				if i+1 < len(v) {
					i++
					b.WriteByte(v[i])
				}
			case '"':
				return b.String(), v[i+1:]
			default:
				b.WriteByte(v[i])
			}
		}
		return b.String(), ""
	}
	end := strings.IndexAny(v, ";, \t")
	if end < 0 {
		return v, ""
	}
	return v[:end], v[end:]
}
