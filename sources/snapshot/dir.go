package snapshot

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// dirBatch is how many directory entries are read at a time, so that a
// directory with millions of entries meets MaxFiles before it fills memory.
const dirBatch = 1024

// readDir reads the directory name. It goes through an os.Root, so no
// symlink, and no rename while it reads, can make it read outside name.
func readDir(ctx context.Context, name string, lim Limits) (Snapshot, error) {
	root, err := os.OpenRoot(name)
	if err != nil {
		return Snapshot{}, fsError(name, "", err)
	}
	defer root.Close()
	w := &dirWalker{ctx: ctx, root: root, c: newCollector(name, lim), buf: make([]byte, copyBufSize)}
	if err := w.walk(""); err != nil {
		return Snapshot{}, err
	}
	return w.c.finish(false)
}

// dirWalker is the state of reading one directory.
type dirWalker struct {
	ctx  context.Context
	root *os.Root
	c    *collector
	buf  []byte
}

// walk reads the directory at rel ("" for the root) and those below it.
func (w *dirWalker) walk(rel string) error {
	d, err := w.root.Open(orDot(rel))
	if err != nil {
		return w.fsError(rel, err)
	}
	defer d.Close()
	for {
		ents, err := d.ReadDir(dirBatch)
		for _, e := range ents {
			if err := w.entry(rel, e); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return w.fsError(rel, err)
		}
	}
}

// entry records one entry of the directory dir.
func (w *dirWalker) entry(dir string, e fs.DirEntry) error {
	if err := w.ctx.Err(); err != nil {
		return entryError(w.c.name, join(dir, e.Name()), "canceled", err)
	}
	if e.Name() == ".git" {
		return nil
	}
	c, p := w.c, join(dir, e.Name())
	if err := c.count(p); err != nil {
		return err
	}
	if len(p) > maxPathLen {
		return c.fail(p, ErrUnsafe, "path longer than %d bytes", maxPathLen)
	}
	t := e.Type()
	switch {
	case t.IsDir():
		if err := c.addDir(p, p); err != nil {
			return err
		}
		return w.walk(p)
	case t&fs.ModeSymlink != 0:
		target, err := w.root.Readlink(p)
		if err != nil {
			return w.fsError(p, err)
		}
		return c.addLink(p, p, target)
	case t.IsRegular():
		return w.file(p)
	case t&fs.ModeNamedPipe != 0:
		return c.fail(p, ErrUnsafe, "FIFO")
	case t&fs.ModeSocket != 0:
		return c.fail(p, ErrUnsafe, "socket")
	case t&fs.ModeDevice != 0:
		return c.fail(p, ErrUnsafe, "device file")
	}
	return c.fail(p, ErrUnsafe, "not a regular file, directory or symlink (%v)", t)
}

// file records the regular file at p.
func (w *dirWalker) file(p string) error {
	f, err := w.root.Open(p)
	if err != nil {
		return w.fsError(p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return w.fsError(p, err)
	}
	if !fi.Mode().IsRegular() { // replaced since the directory was read
		return w.c.fail(p, ErrUnsafe, "no longer a regular file (%v)", fi.Mode().Type())
	}
	if err := w.c.reserve(p, fi.Size()); err != nil {
		return err
	}
	blob, err := hashBlob(f, fi.Size(), w.buf)
	if err != nil {
		var se *sizeError
		if errors.As(err, &se) {
			return w.c.fail(p, ErrFormat, "%s", se.Error())
		}
		return w.fsError(p, err)
	}
	mode := ModeFile
	if fi.Mode().Perm()&0o100 != 0 {
		mode = ModeExecutable
	}
	return w.c.addFile(p, File{Path: p, Size: fi.Size(), Blob: blob, Mode: mode})
}

// fsError reports an error of the file system at p.
func (w *dirWalker) fsError(p string, err error) *fileerr.Error {
	return fsError(w.c.name, p, err)
}

func orDot(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}
