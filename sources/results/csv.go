package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// csvColumns are the columns the package knows, in the order the package
// documentation lists them.
const csvColumns = "test,status[,suite,lab,hardware,target,start,duration,log_url,message]"

func isCSVColumn(name string) bool {
	switch name {
	case "test", "status", "suite", "lab", "hardware", "target", "start", "duration", "log_url", "message":
		return true
	}
	return false
}

// csvStatus reads a status cell: a kcidb word in any case, or passed,
// failed, skipped.
func csvStatus(s string) (string, bool) {
	if st, ok := kcidbStatus(s); ok {
		return st, true
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "passed":
		return StatusPass, true
	case "failed":
		return StatusFail, true
	case "skipped":
		return StatusSkip, true
	}
	return "", false
}

// cell is a field trimmed and made valid UTF-8.
func cell(s string) string {
	return strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
}

func parseCSV(data []byte) ([]Case, *fileerr.Error) {
	var cases []Case
	err := readCSV(bytes.NewReader(data), func(c Case) *fileerr.Error {
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cases, nil
}

// readCSV reads a CSV results file and calls emit with each case, in file
// order; it holds one row at a time.
func readCSV(in io.Reader, emit func(Case) *fileerr.Error) *fileerr.Error {
	r := csv.NewReader(in)
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return errAt("", "empty file; want a header row naming the columns: "+csvColumns)
	}
	if err != nil {
		return csvError(err, nil, 0)
	}
	header = append([]string(nil), header...) // the next Read reuses it
	hline, _ := r.FieldPos(0)
	hwhere := lineWhere(hline)

	cols := map[string]int{}  // known column -> index
	seen := map[string]int{}  // lower-cased name -> index, to refuse repeats
	extra := map[int]string{} // index -> header name, for Properties
	for i, h := range header {
		name := cell(h)
		low := strings.ToLower(name)
		if name == "" {
			return errAt(hwhere, "header column "+strconv.Itoa(i+1)+" has no name; want "+csvColumns+" and other named columns")
		}
		if j, dup := seen[low]; dup {
			return errAt(hwhere, "header names column "+strconv.Quote(name)+" twice (columns "+strconv.Itoa(j+1)+" and "+strconv.Itoa(i+1)+")")
		}
		seen[low] = i
		if isCSVColumn(low) {
			cols[low] = i
		} else {
			extra[i] = name
		}
	}
	for _, need := range [...]string{"test", "status"} {
		if _, ok := cols[need]; !ok {
			return errAt(hwhere, "header has no "+strconv.Quote(need)+" column; want "+csvColumns)
		}
	}

	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(err, rec, len(header))
		}
		line, _ := r.FieldPos(0)
		where := lineWhere(line)
		empty := true
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		get := func(col string) string {
			if i, ok := cols[col]; ok {
				return cell(rec[i])
			}
			return ""
		}
		c := Case{Where: where, Path: get("test")}
		if c.Path == "" {
			return errAt(where, "test is empty; want a dot-separated test path such as ipoib.connected_mode.ping")
		}
		raw := get("status")
		st, ok := csvStatus(raw)
		if !ok {
			if raw == "" {
				return errAt(where, "status is empty; want "+statusList+" (or passed, failed, skipped)")
			}
			return errAt(where, "status "+strconv.Quote(raw)+" is not one of "+statusList+" (or passed, failed, skipped)")
		}
		c.Status = st
		c.Suite = get("suite")
		if c.Suite == "" {
			c.Suite = firstElement(c.Path)
		}
		if s := get("start"); s != "" {
			tm, ok := parseTime(s)
			if !ok {
				return errAt(where, "start "+strconv.Quote(s)+" is not RFC 3339; "+timeWant)
			}
			c.Start = tm
		}
		if s := get("duration"); s != "" {
			d, ok := parseSeconds(s)
			if !ok {
				return errAt(where, "duration "+strconv.Quote(s)+" is not a number of seconds such as 1.25")
			}
			c.Duration = d
		}
		c.Lab = get("lab")
		c.Hardware = get("hardware")
		c.Target = parseTarget(get("target"))
		c.LogURL = get("log_url")
		c.Message = firstLine(get("message"))
		for i, name := range extra {
			if v := cell(rec[i]); v != "" {
				if c.Properties == nil {
					c.Properties = map[string]string{}
				}
				c.Properties[name] = v
			}
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

// csvError turns a csv.Reader error into an *fileerr.Error naming the line. rec and
// want explain a wrong field count.
func csvError(err error, rec []string, want int) *fileerr.Error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return errAt("", "malformed CSV: "+err.Error())
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return errAt(lineWhere(pe.StartLine), "has "+strconv.Itoa(len(rec))+" fields; want "+strconv.Itoa(want)+", as many as the header")
	}
	msg := "malformed CSV: " + pe.Err.Error()
	if pe.StartLine != pe.Line {
		msg += " (the record starts on line " + strconv.Itoa(pe.StartLine) + ")"
	}
	return errAt(lineWhere(pe.Line), msg)
}
