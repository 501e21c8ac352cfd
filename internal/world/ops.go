package world

import (
	"fmt"
	"regexp"
	"strings"
)

// Edit operations: the kinds of change kernel developers make to a file,
// each producing hunks against the file's current lines and the words a
// commit message uses to describe it.

// edit is one proposed change to one file.
type edit struct {
	hunks   []hunk
	fn      string // function or symbol it is about
	what    string // subject without the prefix
	why     string // body paragraph
	fix     bool
	oops    bool // the body may carry a crash trace
	generic bool // a subject that repeats across the tree
}

type fspan struct {
	name            string
	sig, open, last int // signature line, "{" line, "}" line
}

// funcName is the identifier before the first "(" of a signature.
func funcName(sig string) string {
	i := strings.IndexByte(sig, '(')
	j := i
	for j > 0 {
		c := sig[j-1]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			break
		}
		j--
	}
	return sig[j:max(i, j)]
}

func funcSpans(lines []string) []fspan {
	var out []fspan
	for i := 1; i < len(lines); i++ {
		if lines[i] != "{" || !strings.Contains(lines[i-1], "(") {
			continue
		}
		name := funcName(lines[i-1])
		if name == "" {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if lines[j] == "}" {
				out = append(out, fspan{name: name, sig: i - 1, open: i, last: j})
				i = j
				break
			}
		}
	}
	return out
}

func spanOf(spans []fspan, i int) *fspan {
	for k := range spans {
		if spans[k].sig <= i && i <= spans[k].last {
			return &spans[k]
		}
	}
	return nil
}

// paramNoun is the name of the last pointer parameter of a signature.
func paramNoun(sig string) string {
	i := strings.LastIndex(sig, "*")
	j := strings.LastIndex(sig, ")")
	if i < 0 || j < i {
		return "dev"
	}
	return sig[i+1 : j]
}

func isStmt(l string) bool {
	return strings.HasPrefix(l, "\t") && strings.HasSuffix(l, ";") && !strings.HasPrefix(l, "\treturn") && !strings.Contains(l, "lock(") &&
		!strings.HasPrefix(l, "\tstruct ") && !strings.HasPrefix(l, "\tint ") && !strings.HasPrefix(l, "\tunsigned ")
}

// editFile proposes an edit of lines. want is "fix", "feature", "cleanup"
// or "" (any); near, when not empty, lists lines the edit should touch (a
// fix of the commit that added them).
func (c code) editFile(path string, lines []string, want string, near []string) (edit, bool) {
	if c.a.text || !strings.HasSuffix(path, ".c") && !strings.HasSuffix(path, ".h") {
		return c.editText(lines)
	}
	if len(near) > 0 {
		if e, ok := c.fixNear(lines, near); ok {
			return e, true
		}
	}
	header := strings.HasSuffix(path, ".h")
	for try := 0; try < 12; try++ {
		var e edit
		var ok bool
		kind := want
		if kind == "" {
			kind = pick(c.r, []string{"fix", "fix", "feature", "cleanup"})
		}
		switch {
		case header && kind != "fix" && chance(c.r, 0.6):
			e, ok = c.editHeader(lines)
		case kind == "fix":
			switch c.r.Intn(5) {
			case 0:
				e, ok = c.nullCheck(lines)
			case 1:
				e, ok = c.errCheck(lines)
			case 2:
				e, ok = c.lockFix(lines)
			default:
				e, ok = c.modifyLine(lines, -1)
			}
			e.fix = true
		case kind == "feature":
			if len(lines) > 650 && chance(c.r, 0.7) {
				e, ok = c.removeFunc(lines)
			} else {
				e, ok = c.addFunc(lines)
			}
		default:
			switch {
			case len(lines) > 550 && chance(c.r, 0.6):
				e, ok = c.removeFunc(lines)
			case chance(c.r, 0.3):
				e, ok = c.commentEdit(lines)
			default:
				e, ok = c.refactor(lines)
			}
		}
		if ok {
			return e, true
		}
	}
	return edit{}, false
}

func (c code) checked(lines []string, e edit) (edit, bool) {
	for _, h := range e.hunks {
		if !uniqueHunk(lines, h) {
			return edit{}, false
		}
	}
	return e, len(e.hunks) > 0
}

func (c code) randomSpan(lines []string) (fspan, bool) {
	spans := funcSpans(lines)
	if len(spans) == 0 {
		return fspan{}, false
	}
	return pick(c.r, spans), true
}

func (c code) nullCheck(lines []string) (edit, bool) {
	f, ok := c.randomSpan(lines)
	if !ok {
		return edit{}, false
	}
	at := -1
	for i := f.open + 1; i < f.last; i++ {
		if lines[i] == "" {
			at = i + 1
			break
		}
	}
	if at < 0 {
		return edit{}, false
	}
	noun := paramNoun(lines[f.sig])
	field := c.field()
	ret := "\t\treturn;"
	if strings.Contains(lines[f.sig], "int ") {
		ret = "\t\treturn " + pick(c.r, []string{"-EINVAL", "-ENODEV", "-EINVAL"}) + ";"
	}
	add := []string{fmt.Sprintf("\tif (!%s->%s)", noun, field), ret, ""}
	e := edit{hunks: []hunk{mkHunk(lines, at, 0, add)}, fn: f.name, oops: true,
		what: pick(c.r, []string{"Fix NULL pointer dereference in %s()", "Add missing NULL check in %s()", "Fix crash in %s() when " + noun + " has no " + field}),
		why:  fmt.Sprintf("When %s, %s->%s can be NULL and %%s() dereferences it unconditionally, which crashes the kernel.\nCheck for it before use.", pick(c.r, prose), noun, field)}
	return c.checked(lines, e)
}

var reVoidCall = regexp.MustCompile(`^\t([a-z0-9_]+)\((.*)\);$`)

func (c code) errCheck(lines []string) (edit, bool) {
	f, ok := c.randomSpan(lines)
	if !ok || !strings.Contains(lines[f.sig], "int ") {
		return edit{}, false
	}
	for i := f.open + 1; i < f.last; i++ {
		m := reVoidCall.FindStringSubmatch(lines[i])
		if m == nil || strings.Contains(m[1], "lock") || strings.HasPrefix(m[1], "list_") || strings.HasPrefix(m[1], "refcount") {
			continue
		}
		add := []string{"\terr = " + lines[i][1:], "\tif (err)", "\t\treturn err;"}
		e := edit{hunks: []hunk{mkHunk(lines, i, 1, add)}, fn: f.name,
			what: pick(c.r, []string{"Fix error handling in %s()", "Don't ignore " + m[1] + "() failure", "Propagate errors from " + m[1] + "()"}),
			why:  fmt.Sprintf("%s() can fail when %s, but %%s() ignores its return value and goes on with a half-initialized object.\nReturn the error to the caller.", m[1], pick(c.r, prose))}
		return c.checked(lines, e)
	}
	return edit{}, false
}

var reAssign = regexp.MustCompile(`^\t([a-z_]+)->([a-z_]+) = (.+);$`)

func (c code) lockFix(lines []string) (edit, bool) {
	f, ok := c.randomSpan(lines)
	if !ok {
		return edit{}, false
	}
	for i := f.open + 1; i < f.last; i++ {
		m := reAssign.FindStringSubmatch(lines[i])
		if m == nil || strings.Contains(lines[i-1], "lock") {
			continue
		}
		add := []string{fmt.Sprintf("\tspin_lock(&%s->%s_lock);", m[1], m[2]), lines[i], fmt.Sprintf("\tspin_unlock(&%s->%s_lock);", m[1], m[2])}
		e := edit{hunks: []hunk{mkHunk(lines, i, 1, add)}, fn: f.name,
			what: pick(c.r, []string{"Fix race in %s()", "Protect " + m[1] + " " + m[2] + " update with a lock", "Fix data race on " + m[1] + "->" + m[2]}),
			why:  fmt.Sprintf("%%s() updates %s->%s without holding a lock, so it races with the event handler when %s,\nand the handler can see a torn value. Take the %s lock around the update.", m[1], m[2], pick(c.r, prose), m[2])}
		return c.checked(lines, e)
	}
	return edit{}, false
}

// mutate rewrites one line of code the way a small fix does.
func (c code) mutate(line string) (string, string, bool) {
	type rule func() (string, string, bool)
	rules := []rule{
		func() (string, string, bool) {
			if !strings.Contains(line, "GFP_KERNEL") {
				return "", "", false
			}
			return strings.Replace(line, "GFP_KERNEL", "GFP_ATOMIC", 1), "Use GFP_ATOMIC in %s()", true
		},
		func() (string, string, bool) {
			for _, e := range errCodes {
				if strings.Contains(line, e+";") || strings.Contains(line, e+")") {
					n := pick(c.r, errCodes)
					if n == e {
						return "", "", false
					}
					return strings.Replace(line, e, n, 1), "Return " + n + " instead of " + e + " in %s()", true
				}
			}
			return "", "", false
		},
		func() (string, string, bool) {
			if strings.HasPrefix(line, "\tif (err)") {
				return strings.Replace(line, "if (err)", "if (err && err != -EAGAIN)", 1), "Don't fail on -EAGAIN in %s()", true
			}
			if strings.HasPrefix(line, "\tif (!") && strings.HasSuffix(line, ")") {
				x := line[len("\tif (!") : len(line)-1]
				return "\tif (IS_ERR_OR_NULL(" + x + "))", "Handle error pointers in %s()", true
			}
			return "", "", false
		},
		func() (string, string, bool) {
			m := reAssign.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[3], "min_t") || strings.HasPrefix(m[3], "READ_ONCE") {
				return "", "", false
			}
			if chance(c.r, 0.5) {
				return fmt.Sprintf("\t%s->%s = min_t(u32, %s, %s);", m[1], m[2], m[3], strings.ToUpper(c.a.ident+"_max_"+m[2])), "Clamp " + m[2] + " to the device limit", true
			}
			return fmt.Sprintf("\t%s->%s = READ_ONCE(%s);", m[1], m[2], m[3]), "Annotate racy read in %s()", true
		},
		func() (string, string, bool) {
			for _, p := range [][2]string{{"kzalloc(", "kvzalloc("}, {"kfree(", "kvfree("}, {"kcalloc(", "kvcalloc("}} {
				if strings.Contains(line, p[0]) && !strings.Contains(line, p[1]) {
					return strings.Replace(line, p[0], p[1], 1), "Use " + strings.TrimSuffix(p[1], "(") + "() in %s()", true
				}
			}
			return "", "", false
		},
		func() (string, string, bool) {
			if c.a.log != "" && strings.Contains(line, c.a.log+"(") {
				return strings.Replace(line, c.a.log+"(", c.a.ident+"_dbg(", 1), "Reduce log level of %s() failure message", true
			}
			return "", "", false
		},
		func() (string, string, bool) {
			if !strings.HasPrefix(line, "\t") || !strings.HasSuffix(line, ");") || !strings.Contains(line, "(") || strings.Contains(line, "lock(") {
				return "", "", false
			}
			arg := pick(c.r, []string{"true", "false", "0", pick(c.r, flagsWords)})
			return strings.TrimSuffix(line, ");") + ", " + arg + ");", "Pass " + arg + " in %s()", true
		},
		func() (string, string, bool) {
			for _, f := range fields {
				if strings.Contains(line, "->"+f) {
					g := c.field()
					if g == f || strings.Contains(line, "->"+g) {
						return "", "", false
					}
					return strings.Replace(line, "->"+f, "->"+g, 1), "Use " + g + " instead of " + f + " in %s()", true
				}
			}
			return "", "", false
		},
	}
	for _, i := range c.r.Perm(len(rules)) {
		if n, what, ok := rules[i](); ok && n != line {
			return n, what, true
		}
	}
	return "", "", false
}

// modifyLine changes one statement line (at, or a random one when at < 0).
func (c code) modifyLine(lines []string, at int) (edit, bool) {
	spans := funcSpans(lines)
	if at < 0 {
		if len(spans) == 0 {
			return edit{}, false
		}
		f := pick(c.r, spans)
		var cand []int
		for i := f.open + 1; i < f.last; i++ {
			if strings.HasPrefix(lines[i], "\t") && !strings.HasPrefix(lines[i], "\tstruct ") && lines[i] != "\t}" && !strings.Contains(lines[i], "lock(") {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return edit{}, false
		}
		at = pick(c.r, cand)
	}
	n, what, ok := c.mutate(lines[at])
	if !ok {
		return edit{}, false
	}
	fn := "this"
	if s := spanOf(spans, at); s != nil {
		fn = s.name
	}
	e := edit{hunks: []hunk{mkHunk(lines, at, 1, []string{n})}, fn: fn, what: what,
		why: fmt.Sprintf("The current code in %%s() misbehaves when %s, as seen in testing with %s.\nFix it.", pick(c.r, prose), pick(c.r, []string{"ConnectX-6 Dx", "ConnectX-7", "BlueField-2", "rdma-core's tests", "syzkaller", "KASAN enabled", "perftest"}))}
	return c.checked(lines, e)
}

// fixNear edits one of the lines a fixed commit added, so that the fix
// touches the code it fixes.
func (c code) fixNear(lines []string, near []string) (edit, bool) {
	set := make(map[string]bool, len(near))
	for _, l := range near {
		if isStmt(l) || strings.HasPrefix(l, "\tif (") {
			set[l] = true
		}
	}
	var cand []int
	for i, l := range lines {
		if set[l] {
			cand = append(cand, i)
		}
	}
	for try := 0; try < 4 && len(cand) > 0; try++ {
		if e, ok := c.modifyLine(lines, pick(c.r, cand)); ok {
			e.fix = true
			return e, true
		}
	}
	return edit{}, false
}

func (c code) addFunc(lines []string) (edit, bool) {
	spans := funcSpans(lines)
	if len(spans) == 0 {
		return edit{}, false
	}
	k := c.r.Intn(len(spans))
	name := c.funcName(lines)
	fn := c.function(name)
	at := spans[k].sig
	e := edit{fn: name, hunks: []hunk{mkHunk(lines, at, 0, append(fn, ""))}}
	// Call it from another function, far enough to be its own hunk.
	if len(spans) > 1 && chance(c.r, 0.6) {
		j := spans[c.r.Intn(len(spans))]
		for i := j.open + 1; i < j.last; i++ {
			if lines[i] == "" && (i+1 < at-ctxLines*2-1 || i > at+ctxLines*2+1) {
				call := fmt.Sprintf("\t%s(dev, %s);", name, paramNoun(lines[j.sig]))
				e.hunks = append(e.hunks, mkHunk(lines, i+1, 0, []string{call}))
				if e.hunks[1].At < e.hunks[0].At {
					e.hunks[0], e.hunks[1] = e.hunks[1], e.hunks[0]
				}
				break
			}
		}
	}
	parts := strings.Split(strings.TrimPrefix(name, c.a.ident+"_"), "_")
	e.what = pick(c.r, []string{"Add %s() helper", "Introduce %s()", "Add support for " + strings.Join(parts, " ")})
	e.why = fmt.Sprintf("Add %%s() so that the %s can be %s from the %s path.\nThis is needed by the upcoming %s support and has no functional change on its own.",
		parts[0], past(parts[min(1, len(parts)-1)]), pick(c.r, verbs), pick(c.r, []string{"multi-port", "switchdev", "SF", "DEVX", "ODP", "LAG", "MACsec", "IPsec offload", "data direct"}))
	return c.checked(lines, e)
}

func (c code) removeFunc(lines []string) (edit, bool) {
	spans := funcSpans(lines)
	if len(spans) < 3 {
		return edit{}, false
	}
	f := spans[c.r.Intn(len(spans))]
	n := f.last + 1 - f.sig
	if f.last+1 < len(lines) && lines[f.last+1] == "" {
		n++
	}
	e := edit{fn: f.name, hunks: []hunk{mkHunk(lines, f.sig, n, nil)},
		what: pick(c.r, []string{"Remove unused %s()", "Drop %s()", "Remove dead code in %s()"}),
		why:  "%s() has no callers left since the " + pick(c.r, verbs) + " path was reworked.\nRemove it."}
	return c.checked(lines, e)
}

func (c code) refactor(lines []string) (edit, bool) {
	f, ok := c.randomSpan(lines)
	if !ok {
		return edit{}, false
	}
	var runs []int
	for i := f.open + 1; i+1 < f.last; i++ {
		if isStmt(lines[i]) && isStmt(lines[i+1]) {
			runs = append(runs, i)
		}
	}
	if len(runs) == 0 {
		return edit{}, false
	}
	at := pick(c.r, runs)
	n := 2
	for n < 4 && at+n < f.last && isStmt(lines[at+n]) {
		n++
	}
	add, _ := c.block(f.name, paramNoun(lines[f.sig]), false, "")
	e := edit{fn: f.name, hunks: []hunk{mkHunk(lines, at, n, add)},
		what: pick(c.r, []string{"Simplify %s()", "Refactor %s()", "Clean up %s()", "Use common helper in %s()"}),
		why:  "Simplify %s() by using the common helper instead of open coding it.\n\nNo functional change intended."}
	return c.checked(lines, e)
}

func (c code) commentEdit(lines []string) (edit, bool) {
	var cand []int
	for i, l := range lines {
		if strings.HasPrefix(l, "\t/* ") && strings.HasSuffix(l, " */") {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return edit{}, false
	}
	at := pick(c.r, cand)
	ws := strings.Fields(lines[at][len("\t/* ") : len(lines[at])-3])
	k := c.r.Intn(len(ws))
	w := ws[k]
	if len(w) > 3 {
		ws[k] = w[:len(w)-2] + w[len(w)-1:] + w[len(w)-2:len(w)-1] // fix a "typo": swap the last two letters
	} else {
		ws[k] = w + "s"
	}
	nl := "\t/* " + strings.Join(ws, " ") + " */"
	e := edit{fn: "comment", generic: true, hunks: []hunk{mkHunk(lines, at, 1, []string{nl})},
		what: pick(c.r, []string{"Fix typo in comment", "Fix spelling mistake", "Fix typo in comment"}),
		why:  "Fix a typo in a comment."}
	return c.checked(lines, e)
}

func (c code) editHeader(lines []string) (edit, bool) {
	switch c.r.Intn(3) {
	case 0: // add a struct field
		var cand []int
		for i, l := range lines {
			if l == "};" {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return edit{}, false
		}
		at := pick(c.r, cand)
		f := c.field() + "_" + c.verb()
		e := edit{fn: f, hunks: []hunk{mkHunk(lines, at, 0, []string{fmt.Sprintf("\t%s %s;", pick(c.r, types), f)})},
			what: "Add " + f + " field", why: "Add the " + f + " field, to be used by the driver when the device supports it."}
		return c.checked(lines, e)
	case 1: // add a prototype or a define
		for i := len(lines) - 1; i > 0; i-- {
			if strings.HasPrefix(lines[i], "#define ") && strings.Contains(lines[i], "\t") {
				sym := strings.ToUpper(c.a.ident + "_" + c.noun() + "_" + c.field() + "_" + c.verb() + "_cap")
				e := edit{fn: sym, hunks: []hunk{mkHunk(lines, i+1, 0, []string{fmt.Sprintf("#define %s\tBIT(%d)", sym, c.r.Intn(32))})},
					what: "Add " + sym + " definition", why: "Define " + sym + " for the new capability bit reported by firmware."}
				return c.checked(lines, e)
			}
		}
		return edit{}, false
	default:
		return c.modifyLine(lines, -1)
	}
}

func (c code) editText(lines []string) (edit, bool) {
	var cand []int
	for i, l := range lines {
		if len(l) > 20 && !strings.HasPrefix(l, "=") && !strings.HasPrefix(l, "-") {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return edit{}, false
	}
	for try := 0; try < 5; try++ {
		at := pick(c.r, cand)
		var e edit
		if chance(c.r, 0.5) {
			ws := strings.Fields(lines[at])
			ws[c.r.Intn(len(ws))] = pick(c.r, words)
			e = edit{fn: "docs", generic: true, hunks: []hunk{mkHunk(lines, at, 1, []string{strings.Join(ws, " ")})},
				what: "Fix typos", why: "Fix a few typos and wording issues."}
		} else {
			if at+1 >= len(lines) || lines[at+1] != "" {
				continue
			}
			p := append([]string{""}, c.paragraph()...)
			e = edit{fn: "docs", hunks: []hunk{mkHunk(lines, at+1, 0, p)},
				what: "Document " + c.noun() + " " + c.field(), why: "Describe the " + c.field() + " attribute and its default value."}
		}
		if r, ok := c.checked(lines, e); ok {
			return r, true
		}
	}
	return edit{}, false
}

// past is a verb's past participle, good enough for generated prose.
func past(v string) string {
	switch {
	case strings.HasSuffix(v, "e"):
		return v + "d"
	case v == "get" || v == "set" || v == "put":
		return v
	case v == "stop":
		return "stopped"
	}
	return v + "ed"
}
