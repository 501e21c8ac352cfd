package results

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// jsuite is a <testsuites> or <testsuite> element.
type jsuite struct {
	parent *jsuite
	line   int
	name   string            // the innermost non-empty suite name, this one's or an ancestor's
	start  time.Time         // its timestamp, else its parent's
	props  map[string]string // its own <properties>
	all    map[string]string // its ancestors' properties and its own, once merged
	merged bool              // whether all is set
	ord    int               // the how-manieth suite start tag of the file it is, from 0
}

// jcase is a <testcase> being read. A suite's <properties> may follow its
// cases: its properties are merged in at its end tag in the second pass
// over the file, which has every suite's from the first (readJUnit).
type jcase struct {
	suite      *jsuite
	line       int
	c          Case
	own        map[string]string // the testcase's own <properties>
	outcome    string            // from <failure>, <error>, <skipped>; "" for none
	outMsg     string
	statusAttr string // the testcase's status attribute, when it is a kcidb status
}

type frameKind int

const (
	frameSuite frameKind = iota
	frameCase
	frameProps
	frameProp
	frameOutcome
)

// frame is one open element the parser cares about.
type frame struct {
	kind  frameKind
	suite *jsuite            // frameSuite
	jc    *jcase             // frameCase, frameOutcome
	props *map[string]string // frameProps, frameProp: where the properties go
	name  string             // frameProp: the property name
	value string             // frameProp: the value attribute; frameOutcome: the message attribute
	hasV  bool               // whether there is such an attribute (frameOutcome: a non-blank one)
	text  textBuf            // frameProp, frameOutcome: the text, used when there is no attribute
	outSt string             // frameOutcome: its status
}

// textBuf collects an element's text, without leading white space, up to a
// limit: a message needs only its first line.
type textBuf struct {
	b     []byte
	limit int
}

func (t *textBuf) add(data []byte) {
	if len(t.b) == 0 {
		data = bytes.TrimLeft(data, " \t\r\n")
	}
	if room := t.limit - len(t.b); room > 0 {
		if len(data) > room {
			data = data[:room]
		}
		t.b = append(t.b, data...)
	}
}

// Text limits: a message keeps one line of at most maxMessage bytes; a
// property's text is kept whole up to 64 KiB.
const (
	messageTextLimit  = 4 * maxMessage
	propertyTextLimit = 64 << 10
)

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// outcomeRank orders outcome elements as kcidb orders statuses.
func outcomeRank(status string) int {
	switch status {
	case StatusFail:
		return 3
	case StatusError:
		return 2
	case StatusSkip:
		return 1
	}
	return 0
}

// charsetReader lets a file declare encoding="ISO-8859-1" or "US-ASCII"
// besides UTF-8, which encoding/xml reads itself.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii", "utf8":
		return input, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(input), nil
	}
	return nil, errors.New("encoding " + strconv.Quote(charset) + " is not supported (want UTF-8, US-ASCII or ISO-8859-1)")
}

// junitProps are the own properties of a JUnit file's suites, by the
// order their start tags come in: what the first pass over a file finds,
// for the second.
type junitProps map[int]map[string]string

// parseJUnit reads a JUnit file whole: both passes of readJUnit over it.
func parseJUnit(data []byte) ([]Case, *fileerr.Error) {
	props := junitProps{}
	if err := readJUnit(bytes.NewReader(data), props, false, func(Case) *fileerr.Error { return nil }); err != nil {
		return nil, err
	}
	var out []Case
	err := readJUnit(bytes.NewReader(data), props, true, func(c Case) *fileerr.Error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Case{}
	}
	return out, nil
}

// readJUnit reads a JUnit document in one of two passes. The first checks
// it whole, keeping no case (emit sees each without its properties), and
// records the suites' own properties in props; the second takes them from
// there, so that each case, with the properties of its suites (which may
// come after it in the file), is emitted whole at its end tag. What a pass
// holds is the open elements, not the cases read.
func readJUnit(r io.Reader, props junitProps, second bool, emit func(Case) *fileerr.Error) *fileerr.Error {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = charsetReader

	var (
		stack    []frame
		m        merger
		suites   int // suite start tags so far
		rootSeen bool
		rootDone bool
	)
	top := func() *frame {
		if len(stack) == 0 {
			return nil
		}
		return &stack[len(stack)-1]
	}
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return xmlError(d, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			kw := string(t)
			if i := strings.IndexAny(kw, " \t\r\n["); i >= 0 {
				kw = kw[:i]
			}
			return errAt(lineWhere(line), "<!"+kw+"> declaration refused: a JUnit file needs no DOCTYPE or entities")
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return errAt(lineWhere(line), "text outside the root element; want only <testsuites> or <testsuite>")
				}
				continue
			}
			if f := top(); f.kind == frameOutcome || f.kind == frameProp && !f.hasV {
				f.text.add(t)
			}
		case xml.StartElement:
			el := t.Name.Local
			parent := top()
			if parent == nil {
				if rootDone {
					return errAt(lineWhere(line), "second root element <"+el+">; want a single <testsuites> or <testsuite>")
				}
				if el != "testsuites" && el != "testsuite" {
					return errAt(lineWhere(line), "root element is <"+el+">; want <testsuites> or <testsuite>")
				}
				rootSeen = true
			}
			switch {
			case (el == "testsuites" || el == "testsuite") && (parent == nil || parent.kind == frameSuite):
				s := &jsuite{line: line}
				if parent != nil {
					s.parent = parent.suite
					s.name = parent.suite.name
					s.start = parent.suite.start
				}
				if n, _ := attr(t, "name"); strings.TrimSpace(n) != "" {
					s.name = strings.TrimSpace(n)
				}
				if ts, ok := attr(t, "timestamp"); ok && strings.TrimSpace(ts) != "" {
					tm, ok := parseTime(ts)
					if !ok {
						return errAt(lineWhere(line), "<"+el+"> timestamp "+strconv.Quote(ts)+" is not a date and time; "+timeWant)
					}
					s.start = tm
				}
				s.ord = suites
				suites++
				if second {
					s.props = props[s.ord] // whole, as the first pass read them
				}
				stack = append(stack, frame{kind: frameSuite, suite: s})
			case el == "testcase" && parent.kind == frameSuite:
				jc, err := startCase(t, parent.suite, line)
				if err != nil {
					return err
				}
				stack = append(stack, frame{kind: frameCase, jc: jc})
			case el == "properties" && parent.kind == frameSuite && second:
				// The second pass has them from the first.
				if err := d.Skip(); err != nil {
					return xmlError(d, err)
				}
			case el == "properties" && parent.kind == frameSuite:
				stack = append(stack, frame{kind: frameProps, props: &parent.suite.props})
			case el == "properties" && parent.kind == frameCase:
				stack = append(stack, frame{kind: frameProps, props: &parent.jc.own})
			case el == "property" && parent.kind == frameProps:
				name, _ := attr(t, "name")
				if strings.TrimSpace(name) == "" {
					return errAt(lineWhere(line), "<property> has no name attribute; want <property name=\"...\" value=\"...\"/>")
				}
				v, hasV := attr(t, "value")
				stack = append(stack, frame{kind: frameProp, props: parent.props, name: name, value: v, hasV: hasV,
					text: textBuf{limit: propertyTextLimit}})
			case (el == "failure" || el == "error" || el == "skipped") && parent.kind == frameCase:
				st := StatusSkip
				switch el {
				case "failure":
					st = StatusFail
				case "error":
					st = StatusError
				}
				f := frame{kind: frameOutcome, jc: parent.jc, outSt: st, text: textBuf{limit: messageTextLimit}}
				if m, ok := attr(t, "message"); ok && strings.TrimSpace(m) != "" {
					f.value, f.hasV = m, true
				}
				stack = append(stack, f)
			default:
				// Anything else (system-out, flakyFailure, vendor
				// elements) carries nothing we keep.
				if err := d.Skip(); err != nil {
					return xmlError(d, err)
				}
			}
		case xml.EndElement:
			f := top()
			if f == nil {
				// encoding/xml reports unbalanced end tags itself.
				continue
			}
			switch f.kind {
			case frameSuite:
				if !second && len(f.suite.props) > 0 {
					props[f.suite.ord] = f.suite.props
				}
			case frameCase:
				jc := endCase(f.jc)
				c := jc.c
				if second {
					var err *fileerr.Error
					if c, err = finishCase(&m, jc); err != nil {
						return err
					}
				}
				if err := emit(c); err != nil {
					return err
				}
			case frameProp:
				v := f.value
				if !f.hasV {
					v = strings.TrimSpace(string(f.text.b))
				}
				if *f.props == nil {
					*f.props = map[string]string{}
				}
				(*f.props)[f.name] = v
			case frameOutcome:
				msg := f.value
				if !f.hasV {
					msg = string(f.text.b)
				}
				if outcomeRank(f.outSt) > outcomeRank(f.jc.outcome) {
					f.jc.outcome = f.outSt
					f.jc.outMsg = firstLine(msg)
				}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				rootDone = true
			}
		}
	}
	if !rootSeen {
		return errAt("", "no root element; want <testsuites> or <testsuite>")
	}
	return nil
}

// xmlError turns a decoder error into an *fileerr.Error naming the line.
func xmlError(d *xml.Decoder, err error) *fileerr.Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return errAt(lineWhere(se.Line), "malformed XML: "+se.Msg)
	}
	line, _ := d.InputPos()
	return errAt(lineWhere(line), "malformed XML: "+strings.TrimPrefix(err.Error(), "xml: "))
}

func startCase(t xml.StartElement, s *jsuite, line int) (*jcase, *fileerr.Error) {
	name, _ := attr(t, "name")
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errAt(lineWhere(line), "<testcase> has no name attribute; want <testcase classname=\"...\" name=\"...\">")
	}
	jc := &jcase{suite: s, line: line}
	jc.c.Where = lineWhere(line)
	jc.c.Suite = s.name
	jc.c.Start = s.start
	classname, _ := attr(t, "classname")
	switch classname = strings.TrimSpace(classname); {
	case classname != "":
		jc.c.Path = classname + "." + name
	case s.name != "":
		jc.c.Path = s.name + "." + name
	default:
		jc.c.Path = name
	}
	if tm, ok := attr(t, "time"); ok && strings.TrimSpace(tm) != "" {
		d, ok := parseSeconds(tm)
		if !ok {
			return nil, errAt(jc.c.Where, "<testcase name="+strconv.Quote(name)+"> time "+strconv.Quote(tm)+" is not a number of seconds such as 1.25")
		}
		jc.c.Duration = d
	}
	if ts, ok := attr(t, "timestamp"); ok && strings.TrimSpace(ts) != "" {
		tm, ok := parseTime(ts)
		if !ok {
			return nil, errAt(jc.c.Where, "<testcase name="+strconv.Quote(name)+"> timestamp "+strconv.Quote(ts)+" is not a date and time; "+timeWant)
		}
		jc.c.Start = tm
	}
	if st, ok := attr(t, "status"); ok {
		jc.statusAttr, _ = kcidbStatus(st)
	}
	return jc, nil
}

// endCase settles a testcase's status at its end tag.
func endCase(jc *jcase) *jcase {
	jc.c.Status = StatusPass
	if jc.outcome != "" {
		jc.c.Status = jc.outcome
		jc.c.Message = jc.outMsg
	}
	if jc.statusAttr != "" {
		jc.c.Status = jc.statusAttr
	}
	return jc
}

// maxPropertyEntries bounds the property entries a JUnit file may make
// its parser copy, so that a file of a few properties inherited by
// millions of nested suites or cases cannot exhaust memory.
const maxPropertyEntries = 1 << 24

// merger merges JUnit properties: each suite's with its ancestors', once,
// and a testcase's own over its suite's.
type merger struct {
	copied int // property entries copied so far
}

// suite returns the properties that apply in s: its ancestors', outer
// first, then its own. Suites without properties share their parent's map.
func (m *merger) suite(s *jsuite) (map[string]string, *fileerr.Error) {
	var chain []*jsuite
	for p := s; p != nil && !p.merged; p = p.parent {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		p := chain[i]
		var base map[string]string
		if p.parent != nil {
			base = p.parent.all
		}
		p.all, p.merged = base, true
		if len(p.props) > 0 {
			all, err := m.merge(base, p.props, p.line)
			if err != nil {
				return nil, err
			}
			p.all = all
		}
	}
	return s.all, nil
}

func (m *merger) merge(base, over map[string]string, line int) (map[string]string, *fileerr.Error) {
	m.copied += len(base) + len(over)
	if m.copied > maxPropertyEntries {
		return nil, errAt(lineWhere(line), "properties repeated over too many suites and test cases (more than "+
			strconv.Itoa(maxPropertyEntries)+" in all); want fewer")
	}
	all := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		all[k] = v
	}
	for k, v := range over {
		all[k] = v
	}
	return all, nil
}

// finishCase gives a testcase the properties of its suites and its own,
// and fills the fields that properties name. Cases without properties of
// their own share their suite's map.
func finishCase(m *merger, jc *jcase) (Case, *fileerr.Error) {
	c := jc.c
	props, err := m.suite(jc.suite)
	if err != nil {
		return c, err
	}
	if len(jc.own) > 0 {
		if props, err = m.merge(props, jc.own, jc.line); err != nil {
			return c, err
		}
	}
	if len(props) == 0 {
		return c, nil
	}
	c.Properties = props
	c.Lab = strings.TrimSpace(props["lab"])
	c.Hardware = strings.TrimSpace(props["hardware"])
	if tg, ok := props["target"]; ok {
		c.Target = parseTarget(tg)
	}
	return c, nil
}
