package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileAtomicKeepsWhatIsNotAFile: output paths that are devices,
// FIFOs or symlinks are written through or followed, never replaced by a
// regular file; a directory is bad input.
func TestWriteFileAtomicKeepsWhatIsNotAFile(t *testing.T) {
	write := func(w io.Writer) error { _, err := io.WriteString(w, "report\n"); return err }
	dir := t.TempDir()

	t.Run("device", func(t *testing.T) {
		// A null device of our own, so that a regression replaces it and
		// not the system's /dev/null.
		dev := filepath.Join(dir, "null")
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skip("mknod (needs root):", err)
		}
		if err := writeFileAtomic(dev, write); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(dev)
		if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("the device was replaced by a regular file: %v %v", fi.Mode(), err)
		}
	})
	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(dir, "pipe")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
		// Opened read-write, the FIFO's open never blocks, and a deadline
		// bounds the read: a regression fails, it does not hang.
		r, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := writeFileAtomic(fifo, write); err != nil {
			t.Fatal(err)
		}
		r.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, len("report\n"))
		if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "report\n" {
			t.Errorf("the reader of the FIFO got %q (%v)", buf, err)
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
		}
	})
	t.Run("symlink", func(t *testing.T) {
		target := filepath.Join(dir, "real.md")
		if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "link.md")
		if err := os.Symlink("real.md", link); err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(link, write); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the symlink was replaced by a file")
		}
		if b, _ := os.ReadFile(target); string(b) != "report\n" {
			t.Errorf("the link's target holds %q", b)
		}
	})
	t.Run("dangling symlink", func(t *testing.T) {
		link := filepath.Join(dir, "dangling.md")
		if err := os.Symlink("made.md", link); err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(link, write); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "made.md")); string(b) != "report\n" {
			t.Errorf("the dangling link's target holds %q", b)
		}
	})
	t.Run("directory", func(t *testing.T) {
		err := writeFileAtomic(dir, write)
		if !errors.Is(err, errBadInput) || exitCode(err) != exitBadInput {
			t.Errorf("writing over a directory: %v (exit %d), want bad input", err, exitCode(err))
		}
	})
	t.Run("regular file", func(t *testing.T) {
		p := filepath.Join(dir, "r.md")
		if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(p, write); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "report\n" {
			t.Errorf("the file holds %q", b)
		}
	})
}
