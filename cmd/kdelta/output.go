package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFileAtomic writes an output file (`report -o`, `check --junit`,
// `--update-baseline`): a regular file (or a new one) is replaced through
// a temporary file in the same directory, so a reader never sees half of
// it; a symlink is followed and its target replaced so; a device or a
// FIFO (`-o /dev/stdout`, `-o /dev/null`, a pipe) is written through and
// never replaced; a directory is bad input.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		switch {
		case err == nil:
			path = target
		case os.IsNotExist(err):
			// A dangling link: create what it names.
			link, lerr := os.Readlink(path)
			if lerr != nil {
				return badInputf("write %s: %w", path, lerr)
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			path = link
		default:
			return badInputf("write %s: %w", path, err)
		}
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return badInputf("write %s: it is a directory; name a file", path)
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return badInputf("write %s: %w", path, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	case err != nil && !os.IsNotExist(err):
		return badInputf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return badInputf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp makes the file private; a report is for sharing.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
