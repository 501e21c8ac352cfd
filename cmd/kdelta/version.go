package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionLine says which kdelta this is: the module version and the commit
// it was built from (with its date, and "modified" when the tree had
// changes), and the Go that built it; what `kdelta --version` prints.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "kdelta (no build information)"
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var parts []string
	if rev != "" {
		c := "commit " + rev[:min(len(rev), 12)]
		if at != "" {
			c += " of " + at
		}
		if modified {
			c += ", modified"
		}
		parts = append(parts, c)
	} else {
		parts = append(parts, "commit unknown: built without version control information")
	}
	if bi.GoVersion != "" {
		parts = append(parts, "built with "+bi.GoVersion)
	}
	return fmt.Sprintf("kdelta %s (%s)", version, strings.Join(parts, "; "))
}
