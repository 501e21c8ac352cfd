// Package report renders kdelta's analysis for release managers and CI:
// a Document (one analyzer.Overview per downstream) as Markdown, one
// self-contained HTML page, JSON and CSV; and the outcome of `kdelta
// check` (an analyzer.CheckResult) as a Markdown summary and JUnit XML.
//
// Every format tells the same story per downstream against its upstream:
// a one-screen summary first (the critical missing commits, the counts,
// the trend); the base and tip; per component the counts (backported,
// missing, missing fixes, carried, carried changes by status), the latest
// test results and the change since the previous snapshot; the missing
// fixes, most critical first, with their rank, its reason and what they
// fix; the carried changes grouped by status (mainline, queued,
// submitted, rejected, never, unknown) with their evidence; the failing
// tests and the regressions, grouped by source, targets and components,
// with their suspects and missing fixes. With several downstreams a
// component x downstream matrix comes first, each cell coloured by its
// worst item, with a legend. Repository text (subjects, authors, test
// messages) is untrusted: Markdown escapes it for Markdown and for HTML,
// the HTML page goes through html/template, JUnit through encoding/xml.
//
// # Words
//
// Carried means one set in every format, in the CLI and in the TUI: the
// changes a downstream carries since its base that upstream lacks (no
// upstream commit matches them; kdelta delta calls them downstream-only).
// A downstream change that carries an upstream commit is a backport, not
// carried. The carried changes are counted by status, and the status
// counts of a component add up to its carried count.
//
// A missing commit's rank says how critical it is, most critical first:
// cve (it names a CVE), release (it fixes code the downstream already
// ships in a release: its base, or a carried change a release tag of the
// downstream holds), stable (Cc: stable), fix (it fixes code the
// downstream has that no release ships yet, or another missing fix),
// other. Its reason says why in words, every rule that applies:
// "CVE-2023-1234; fixes code in kernel-5.14.0-250.el9; Cc: stable".
//
// A component's severity is its worst item, worst first: cve (a missing
// commit names a CVE), fix (a missing fix), test (a failing test),
// missing (only missing features), none.
//
// # JSON schema (version 2)
//
// WriteJSON writes and ReadJSON reads this object. Fields are written in
// the order below, indented; map keys are sorted; arrays and objects are
// never null ([] and {} when empty); a field marked "omitted when empty"
// is left out when it has no value. Times are RFC 3339 in UTC; commit
// ids are full hex ids unless said otherwise.
//
//	schema_version  int     SchemaVersion (2)
//	generator       string  "kdelta"
//	generated       time    when the report was made
//	downstreams     array of downstream objects:
//	  downstream    string  SOURCE@REF
//	  kind          string  distro, vendor, stable
//	  upstream      string  SOURCE@REF of its upstream
//	  base          string  the upstream commit it starts from
//	  base_how      string  how the base was found ("merge-base of ...", "configured base v5.14", ...)
//	  tip           string  the downstream commit analyzed
//	  snapshot      int     the snapshot it was read from or compared with; omitted when none
//	  components    array, the whole (component "") first, then by name:
//	    component     string  "" for the whole downstream
//	    backported    int     upstream commits since the base the downstream has
//	    missing       int     upstream commits since the base it lacks
//	    missing_fixes int     missing commits that fix code it has
//	    cves          int     missing commits that name a CVE
//	    carried       int     changes it carries that upstream lacks
//	    by_status     object  status -> count of the carried changes; the counts add up to carried
//	    tests         object  {pass, fail, other}: the latest result of each test covering it
//	    severity      string  its worst item: cve, fix, test, missing or none (see Words)
//	    change        object  since the previous snapshot; omitted when there is none:
//	                          {since (snapshot), since_date, backported, missing, missing_fixes, carried}
//	                          as differences (+ grew, - shrank)
//	  critical      array: the missing commits ranked cve or release, most critical first, as
//	                missing_fixes (a CVE that fixes nothing the downstream has has no fixes)
//	  missing_fixes array, most critical first: id, subject, author, date; fixes (ids it fixes),
//	                stable (Cc: stable), cves, carried, reverted_by (the commit fields, omitted when
//	                empty; carried and reverted_by concern backports); rank (cve, release, stable,
//	                fix, other; empty when read from a snapshot that did not record it), reason
//	                (omitted when empty); components; fixes_what: [{id, subject, carried}], the
//	                commits it fixes with their subjects and, when the downstream has them as
//	                backports, the downstream changes carrying them (omitted when from the base).
//	                A fixes_what id may be abbreviated when the Fixes: tag did not resolve.
//	  carried       array of the changes the downstream carries (see Words), in its order:
//	                id, path (a patch's file; omitted when none), subject, author, date, components,
//	                status: {status (mainline, queued, submitted, rejected, never, unknown),
//	                release (first upstream tag with it), upstream (matched commits), date (latest
//	                posting), message_id, version (series version), reason, each omitted when
//	                empty; evidence: [{from, says, what}] strongest first, from being
//	                annotation, upstream, queue, list, patchwork or header; conflict: evidence that
//	                disagrees with the status, omitted when none}
//	  backports     array: upstream (id), subject, date, components, carried (downstream ids),
//	                reverted_by (the upstream revert of it since; omitted when none)
//	  tests         array, failing first: test, components, lab, hardware, status (FAIL, ERROR,
//	                MISS, PASS, DONE, SKIP), target (SOURCE@LABEL), commit, started, duration_s,
//	                message, log_url; all but test, status and target omitted when empty
//	  regressions   array of tests that went from PASS to FAIL: source, test, lab, hardware,
//	                components, passed and failed (test objects as above), suspects: [{id, subject,
//	                author, date, components, lines, share (lines over all suspects' lines, 0..1),
//	                files}] most lines first, missing_fixes (commits as in missing_fixes, without
//	                components and fixes_what), missing_on (SOURCE@REF they were analyzed on), between
//	                (changes between the two targets), note
//	  trend         array, oldest first: snapshot, date, backported, missing, missing_fixes, carried
//	                (the whole downstream's counts in each snapshot)
//	  partial       string  what the overview lacks when it was read from a snapshot that did not
//	                record everything; omitted when complete
//	comparisons     array of pairs of downstreams compared (kdelta report --compare A:B); omitted
//	                when none; the JSON of kdelta compare is one of them:
//	  a, b          string  SOURCE@REF of each
//	  upstream      string  SOURCE@REF both are measured against
//	  base_a, base_b string each one's base, named once ("v5.14 (1a2b3c4d5e6f)")
//	  components    array, the whole (component "") first, then each component with a difference:
//	    component   string
//	    a_lacks     array: the upstream commits b has (from its base or as backports) and a lacks,
//	                most critical for a first: the commit fields and rank, reason (as missing_fixes)
//	    b_lacks     array: the same the other way round, ranked for b
//	    a_alone     array: the changes a carries (see Words) that b carries no equal of, as carried
//	    b_alone     array: the same of b
//	    tests       array of tests that pass on one and fail on the other: test, a, b (test objects)
//
// Version 1 counted the backports among the carried changes (as
// mainline, in carried and by_status, though not in a component's carried
// count); ReadJSON reads a version 1 baseline as version 2, its backports
// taken out of carried and by_status.
//
// schema_version changes only when a field's meaning changes or a field
// is removed. Added fields keep the version, so a consumer must ignore
// fields it does not know (ReadJSON does). ReadJSON refuses any other
// version, malformed JSON and values of the wrong type with one line that
// names the file, the line and the field.
//
// # CSV columns
//
// WriteCSV writes a header row, then one row per downstream and
// component (the whole, "(all)", first), in this order:
//
//	downstream            SOURCE@REF
//	upstream              SOURCE@REF
//	component             the component, "(all)" for the whole downstream
//	backported            upstream commits since the base the downstream has
//	missing               upstream commits since the base it lacks
//	missing_fixes         missing commits that fix code it has
//	carried               changes it carries that upstream lacks
//	carried_mainline      carried changes by status (they add up to carried):
//	carried_queued        ...
//	carried_submitted
//	carried_rejected
//	carried_never
//	carried_unknown
//	tests_pass            latest results of the tests covering the component
//	tests_fail
//	tests_other           ERROR, MISS, DONE, SKIP
//	change_backported     change of each count since the previous snapshot
//	change_missing        (signed; empty when there is no previous snapshot)
//	change_missing_fixes
//	change_carried
//	cves                  missing commits that name a CVE
//	severity              the component's worst item: cve, fix, test, missing, none
//
// # Check outputs
//
// WriteCheckMarkdown writes a headline ("kdelta check: N regressions in M
// checks against BASELINE", or "kdelta check: no regressions (M checks
// against BASELINE)", M counting the checks that ran), a downstream x
// check kind table (pass, FAIL (n), skipped, no results (the test check
// of a downstream with no test result imported), - when not run), then
// each finding (new missing fixes most critical first, with their rank's
// reason) and each skipped check on a line. WriteJUnit writes a
// <testsuites name="kdelta check"> with a <testsuite> per downstream and a
// <testcase classname="kdelta.check.DOWNSTREAM" name="KIND"> per check.
package report
