//go:build !unix

package gitrepo

import (
	"io"
	"os"
)

// mapFile reads a file whole where mmap is not at hand.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}
