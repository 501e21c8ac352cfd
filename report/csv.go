package report

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"

	"github.com/kdelta/kdelta/analyzer/status"
)

// csvHeader is the CSV header row (documented in the package doc).
func csvHeader() []string {
	h := []string{"downstream", "upstream", "component", "backported", "missing", "missing_fixes", "carried"}
	for _, s := range status.All() {
		h = append(h, "carried_"+s)
	}
	return append(h, "tests_pass", "tests_fail", "tests_other",
		"change_backported", "change_missing", "change_missing_fixes", "change_carried", "cves", "severity")
}

// WriteCSV writes one row per downstream and component, after a header
// row; the columns are listed in the package documentation.
func WriteCSV(w io.Writer, d *Document) error {
	if d == nil {
		return errors.New("report: no document")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return err
	}
	n := strconv.Itoa
	for _, o := range d.Downstreams {
		for _, c := range o.Components {
			row := []string{o.Downstream, o.Upstream, componentName(c.Component),
				n(c.Backported), n(c.Missing), n(c.MissingFixes), n(c.Carried)}
			for _, s := range status.All() {
				row = append(row, n(c.ByStatus[s]))
			}
			row = append(row, n(c.Tests.Pass), n(c.Tests.Fail), n(c.Tests.Other))
			if ch := c.Change; ch != nil {
				row = append(row, n(ch.Backported), n(ch.Missing), n(ch.MissingFixes), n(ch.Carried))
			} else {
				row = append(row, "", "", "", "")
			}
			row = append(row, n(c.CVEs), c.Severity)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
