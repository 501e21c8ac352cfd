package snapshot

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// copyBufSize is the buffer hashBlob copies through.
const copyBufSize = 64 << 10

// hashBlob returns the git blob id of the size bytes r holds: the sha1 of
// "blob <size>\x00" followed by the contents. It reads at most size+1
// bytes and fails unless r holds exactly size, so a file that grows or
// shrinks while it is read is not given a wrong id. buf is scratch space.
func hashBlob(r io.Reader, size int64, buf []byte) (string, error) {
	h := sha1.New()
	h.Write(blobHeader(size))
	n, err := io.CopyBuffer(h, io.LimitReader(r, size+1), buf)
	if err != nil {
		return "", err
	}
	if n != size {
		return "", &sizeError{want: size, got: n}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// blobID returns the git blob id of b.
func blobID(b []byte) string {
	h := sha1.New()
	h.Write(blobHeader(int64(len(b))))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// blobHeader returns git's object header of a blob of size bytes.
func blobHeader(size int64) []byte {
	b := append([]byte("blob "), strconv.FormatInt(size, 10)...)
	return append(b, 0)
}

// sizeError says a file did not hold the bytes its size promised.
type sizeError struct{ want, got int64 }

func (e *sizeError) Error() string {
	if e.got > e.want {
		return fmt.Sprintf("holds more than the %d bytes it claimed (changed while read?)", e.want)
	}
	return fmt.Sprintf("holds %d bytes, not the %d it claimed (changed while read?)", e.got, e.want)
}
