//go:build !unix

package snapshot

import "errors"

// mkfifo fails: FIFOs are a Unix thing; the tests that need one skip.
func mkfifo(string) error { return errors.New("no FIFOs on this system") }
