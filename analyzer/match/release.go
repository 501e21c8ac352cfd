package match

import (
	"path"
	"regexp"
	"strings"

	"github.com/kdelta/kdelta/change"
)

// Release engineering: version bumps and release notes. A release
// branch's "v1.9.1" commit lists in its NEWS the fixes it took from the
// main branch, which the main branch's "v1.10.0rc1" lists too, often
// written by the same release manager: by lines and author they look
// alike, yet one never carries the other. Such commits pair only by a
// reference or an equal patch-id, or, by lines, with a release commit of
// the same version.

// releaseFile says whether a path holds release notes or a version.
func releaseFile(p string) bool {
	if p == "debian/changelog" || strings.HasSuffix(p, "/debian/changelog") {
		return true
	}
	base := strings.ToLower(path.Base(p))
	if strings.HasSuffix(base, ".spec") {
		return true // RPM spec: Version:, Release: and %changelog
	}
	switch base {
	case "version", "version.txt", "makefile.rhelver", ".version":
		return true
	}
	name := base
	for _, ext := range []string{".md", ".rst", ".txt", ".adoc"} {
		name = strings.TrimSuffix(name, ext)
	}
	switch name {
	case "news", "changes", "changelog", "release-notes", "release_notes", "releasenotes", "history":
		return true
	}
	return false
}

var (
	// reVersion finds a version in a subject: 1.9.1, v6.2, 6.2-rc1,
	// 23.04-3, 47.0.
	reVersion = regexp.MustCompile(`\b[vV]?(\d+\.\d+(?:\.\d+)*(?:-?rc\d+|-\d+)?)\b`)
	// reReleaseWord: a subject that is about a release.
	reReleaseWord = regexp.MustCompile(`(?i)\b(release|version|bump|linux|tag|news|changelog|update for)\b`)
)

// versionOf is the version a release commit's subject names, or "".
func versionOf(subject string) string {
	if !reReleaseWord.MatchString(subject) {
		return ""
	}
	if m := reVersion.FindStringSubmatch(subject); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// releaseEngineering says whether a commit bumps versions or writes
// release notes and nothing else: every file it changes is a release file,
// or some are and its subject names a version.
func releaseEngineering(f *change.Fingerprint) bool {
	if len(f.Files) == 0 {
		return false
	}
	n := 0
	for _, fl := range f.Files {
		if releaseFile(fl.Path) {
			n++
		}
	}
	return n == len(f.Files) || n > 0 && versionOf(f.Subject) != ""
}

// releaseApart says whether release engineering keeps upstream commit k
// from pairing by lines with the downstream commit being matched: one of
// the two is release engineering, and they are not the same version's.
func (m *matcher) releaseApart(k int32) bool {
	up := m.ix.release[k]
	if !up && !m.dRelease {
		return false
	}
	return !(up && m.dRelease && m.dVersion != "" && m.dVersion == m.ix.version[k])
}

// Regenerated files: man pages made from markdown or reStructuredText,
// configure scripts, prebuilt documentation. A bot's regeneration differs
// from another's of the same source change only in a date or version
// line, and every regeneration has the same subject: the lines decide,
// and the explanation says what was compared.

var reRegenerate = regexp.MustCompile(`(?i)\b(regenerat\w*|re-generat\w*|update generated|autogenerat\w*|pandoc-prebuilt)\b`)

// generatedFile says whether a path is a generated file committed to a
// tree.
func generatedFile(p string) bool {
	base := path.Base(p)
	if base == "configure" || strings.HasSuffix(base, "_shipped") || strings.Contains(p, "pandoc-prebuilt/") {
		return true
	}
	dir := path.Dir(p)
	ext := path.Ext(base)
	return (path.Base(dir) == "man" || strings.HasPrefix(path.Base(dir), "man")) && len(ext) == 2 && ext[1] >= '1' && ext[1] <= '9'
}

// regeneration says whether a commit regenerates generated files.
func regeneration(f *change.Fingerprint) bool {
	if reRegenerate.MatchString(f.Subject) {
		return true
	}
	if len(f.Files) == 0 {
		return false
	}
	for _, fl := range f.Files {
		if !generatedFile(fl.Path) {
			return false
		}
	}
	return true
}
