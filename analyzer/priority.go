package analyzer

// Text is a priority in words, its rank and reason: "cve: CVE-2023-1234",
// "other"; "" when it has no rank (read from an old snapshot). It is not
// String: Priority is embedded in RankedCommit and MissingFix, which would
// then print as their priority alone.
func (p Priority) Text() string {
	switch {
	case p.Rank == "":
		return ""
	case p.Reason == "":
		return p.Rank
	}
	return p.Rank + ": " + p.Reason
}

// AboveOther counts the commits ranked above other: CVEs, fixes of
// released code, Cc: stable and other fixes.
func AboveOther(cs []RankedCommit) int {
	n := 0
	for _, c := range cs {
		if c.Rank != RankOther {
			n++
		}
	}
	return n
}
