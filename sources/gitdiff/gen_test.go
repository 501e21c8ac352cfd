package gitdiff

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Deterministic generators of realistic C-like source files and of edits
// to them, shared by the differential tests, the fuzz seed corpus and the
// benchmark.

var cIdents = []string{"dev", "priv", "ret", "len", "buf", "skb", "page", "ctx", "node", "entry", "flags", "idx", "count", "lock", "data"}
var cTypes = []string{"int", "unsigned long", "struct device *", "u32", "size_t", "bool", "struct list_head *", "void *"}

// genStatement returns one plausible C statement (without indentation).
func genStatement(r *rand.Rand) string {
	id := cIdents[r.IntN(len(cIdents))]
	id2 := cIdents[r.IntN(len(cIdents))]
	switch r.IntN(12) {
	case 0:
		return fmt.Sprintf("%s = %s_%s(%s);", id, id2, cIdents[r.IntN(len(cIdents))], id)
	case 1:
		return "return 0;"
	case 2:
		return fmt.Sprintf("%s->%s = %d;", id, id2, r.IntN(100))
	case 3:
		return "ret = -EINVAL;"
	case 4:
		return fmt.Sprintf("kfree(%s);", id)
	case 5:
		return fmt.Sprintf("spin_lock(&%s->lock);", id)
	case 6:
		return fmt.Sprintf("spin_unlock(&%s->lock);", id)
	case 7:
		return "break;"
	case 8:
		return fmt.Sprintf("%s++;", id)
	case 9:
		return fmt.Sprintf("pr_debug(\"%s: %%d\\n\", %s);", id, id2)
	case 10:
		return "goto out;"
	default:
		return fmt.Sprintf("%s += %s * %d;", id, id2, r.IntN(10))
	}
}

// genBody appends the statements of a block at the given tab depth.
func genBody(r *rand.Rand, lines []string, depth int, n int) []string {
	ind := strings.Repeat("\t", depth)
	for i := 0; i < n; i++ {
		switch k := r.IntN(10); {
		case k == 0 && depth < 3:
			lines = append(lines, fmt.Sprintf("%sif (%s) {", ind, cIdents[r.IntN(len(cIdents))]))
			lines = genBody(r, lines, depth+1, 1+r.IntN(3))
			lines = append(lines, ind+"}")
		case k == 1 && depth < 3:
			lines = append(lines, fmt.Sprintf("%sfor (i = 0; i < %s; i++)", ind, cIdents[r.IntN(len(cIdents))]))
			lines = append(lines, ind+"\t"+genStatement(r))
		case k == 2:
			lines = append(lines, "")
		default:
			lines = append(lines, ind+genStatement(r))
		}
	}
	return lines
}

// genFunction returns the lines of one C function, with a leading
// comment sometimes.
func genFunction(r *rand.Rand, n int) []string {
	var lines []string
	name := fmt.Sprintf("%s_%s_%d", cIdents[r.IntN(len(cIdents))], cIdents[r.IntN(len(cIdents))], n)
	if r.IntN(3) == 0 {
		lines = append(lines, "/*", fmt.Sprintf(" * %s - handle %s", name, cIdents[r.IntN(len(cIdents))]), " */")
	}
	lines = append(lines, fmt.Sprintf("static %s %s(%s%s)", cTypes[r.IntN(len(cTypes))], name,
		cTypes[r.IntN(len(cTypes))], cIdents[r.IntN(len(cIdents))]))
	lines = append(lines, "{")
	lines = append(lines, fmt.Sprintf("\tint ret = %d;", r.IntN(3)))
	lines = append(lines, "")
	lines = genBody(r, lines, 1, 2+r.IntN(10))
	lines = append(lines, "", "\treturn ret;", "}")
	return lines
}

// genCFile returns about nlines lines of C-like source.
func genCFile(r *rand.Rand, nlines int) []string {
	lines := []string{"// SPDX-License-Identifier: GPL-2.0", ""}
	for i := 0; i < 3+r.IntN(4); i++ {
		lines = append(lines, fmt.Sprintf("#include <linux/%s.h>", cIdents[r.IntN(len(cIdents))]))
	}
	lines = append(lines, "")
	for n := 0; len(lines) < nlines; n++ {
		if r.IntN(6) == 0 {
			lines = append(lines, fmt.Sprintf("struct %s_%d {", cIdents[r.IntN(len(cIdents))], n))
			for j := 0; j < 2+r.IntN(4); j++ {
				lines = append(lines, fmt.Sprintf("\t%s %s;", cTypes[r.IntN(len(cTypes))], cIdents[r.IntN(len(cIdents))]))
			}
			lines = append(lines, "};", "")
			continue
		}
		lines = append(lines, genFunction(r, n)...)
		lines = append(lines, "")
	}
	return lines
}

// mutate applies a few random realistic edits to lines and returns the
// new slice (lines itself is not modified).
func mutate(r *rand.Rand, lines []string, edits int) []string {
	out := append([]string(nil), lines...)
	for e := 0; e < edits; e++ {
		if len(out) == 0 {
			out = append(out, genStatement(r))
			continue
		}
		p := r.IntN(len(out) + 1)
		switch r.IntN(11) {
		case 0: // change one line
			if p < len(out) {
				out[p] = "\t" + genStatement(r)
			}
		case 1: // insert a few statements
			ins := genBody(r, nil, 1+r.IntN(2), 1+r.IntN(4))
			out = insertLines(out, p, ins)
		case 2: // delete a range
			n := 1 + r.IntN(6)
			if p+n > len(out) {
				n = len(out) - p
			}
			out = append(out[:p], out[p+n:]...)
		case 3: // insert a whole new function with blank separation
			f := append(genFunction(r, 1000+e), "")
			out = insertLines(out, p, f)
		case 4: // move a block
			n := 1 + r.IntN(8)
			if p+n <= len(out) {
				blk := append([]string(nil), out[p:p+n]...)
				out = append(out[:p], out[p+n:]...)
				q := r.IntN(len(out) + 1)
				out = insertLines(out, q, blk)
			}
		case 5: // duplicate a block somewhere else
			n := 1 + r.IntN(10)
			if p+n <= len(out) {
				blk := append([]string(nil), out[p:p+n]...)
				q := r.IntN(len(out) + 1)
				out = insertLines(out, q, blk)
			}
		case 6: // insert blank lines / closing braces (slider material)
			ins := [][]string{{""}, {"}", ""}, {"", "\treturn ret;"}, {"\t}", ""}}[r.IntN(4)]
			out = insertLines(out, p, ins)
		case 7: // re-indent a range
			n := 1 + r.IntN(5)
			for i := p; i < p+n && i < len(out); i++ {
				if out[i] != "" {
					out[i] = "\t" + out[i]
				}
			}
		case 8: // change a line's trailing whitespace
			if p < len(out) {
				out[p] += " "
			}
		case 9: // rename an identifier on several lines
			from, to := cIdents[r.IntN(len(cIdents))], cIdents[r.IntN(len(cIdents))]
			for i := p; i < p+20 && i < len(out); i++ {
				out[i] = strings.ReplaceAll(out[i], from+";", to+";")
			}
		default: // delete a function-sized chunk
			n := 5 + r.IntN(20)
			if p+n > len(out) {
				n = len(out) - p
			}
			out = append(out[:p], out[p+n:]...)
		}
	}
	return out
}

func insertLines(lines []string, p int, ins []string) []string {
	out := make([]string, 0, len(lines)+len(ins))
	out = append(out, lines[:p]...)
	out = append(out, ins...)
	return append(out, lines[p:]...)
}

// joinLines joins lines with '\n', with or without a final newline, and
// optionally with CRLF line ends.
func joinLines(lines []string, finalNewline, crlf bool) []byte {
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	s := strings.Join(lines, nl)
	if finalNewline && len(lines) > 0 {
		s += nl
	}
	return []byte(s)
}
