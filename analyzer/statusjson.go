package analyzer

import (
	"encoding/json"

	"github.com/kdelta/kdelta/analyzer/status"
)

// encodeStatus is how a status with its evidence is kept in a snapshot.
func encodeStatus(s status.Status) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// DecodeStatus reads back a status kept in a snapshot.
func DecodeStatus(detail string) (status.Status, error) {
	var s status.Status
	err := json.Unmarshal([]byte(detail), &s)
	return s, err
}
