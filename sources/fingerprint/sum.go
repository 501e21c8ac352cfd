package fingerprint

import (
	"encoding/hex"

	"github.com/kdelta/kdelta/change"
)

// SumFiles is the whole patch-id of a change made of these files, from
// their own patch-ids, as git adds them up when every file ends in a hunk.
// It returns "" when git would hash across a file boundary (a binary file,
// or one without changed lines), where the sum says nothing.
func SumFiles(files []change.File) string {
	var whole [20]byte
	any := false
	for _, f := range files {
		if f.Binary || f.Added+f.Deleted == 0 || len(f.PatchID) != 40 {
			return ""
		}
		b, err := hex.DecodeString(f.PatchID)
		if err != nil {
			return ""
		}
		var raw [20]byte
		copy(raw[:], b)
		addSum(&whole, raw)
		any = true
	}
	if !any {
		return ""
	}
	return hex.EncodeToString(whole[:])
}
