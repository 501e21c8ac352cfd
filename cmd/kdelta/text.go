package main

import "github.com/kdelta/kdelta/internal/termtext"

// Text kdelta did not write itself (a subject, an author, a file name, a
// posting's message-id, a test, a reason) is printed through safe or trim:
// on one line, its tabs, newlines and other control characters shown
// escaped (\t, \x1b, \u202e), so that it can neither break a table's
// columns nor be obeyed by the terminal. The output streams are guarded
// as well (see env): a field printed without safe can still break a table,
// never the terminal. JSON is written exact (encoding/json escapes what
// the guard would); files written with -o keep the exact text.

// safe shows a field on one line, every control character escaped.
func safe(s string) string { return termtext.Safe(s) }

// trim is safe(s) cut to n characters, "…" last when it was cut; it never
// cuts inside an escape.
func trim(s string, n int) string { return termtext.Truncate(s, n) }
