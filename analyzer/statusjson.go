package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kdelta/kdelta/analyzer/status"
	"github.com/kdelta/kdelta/store"
)

// encodeStatus is how a status with its evidence is kept in a snapshot.
func encodeStatus(s status.Status) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// decodeStatus reads back a status kept in a snapshot.
func decodeStatus(detail string) (status.Status, error) {
	var s status.Status
	err := json.Unmarshal([]byte(detail), &s)
	return s, err
}

// TimelineEntry is a carried change's status in one snapshot.
type TimelineEntry struct {
	Snapshot   int64         `json:"snapshot"`
	At         time.Time     `json:"at"`
	Downstream string        `json:"downstream"` // SOURCE@REF
	ID         string        `json:"id"`
	Path       string        `json:"path,omitempty"`
	Subject    string        `json:"subject"`
	Status     status.Status `json:"status"`
}

// Timeline returns the status of the carried changes named by key (an id
// of 7 or more hex digits, or a patch file) in every snapshot, oldest
// first.
func Timeline(ctx context.Context, db *store.DB, key string) ([]TimelineEntry, error) {
	hist, err := db.StatusHistory(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make([]TimelineEntry, 0, len(hist))
	for _, h := range hist {
		st, err := decodeStatus(h.Detail)
		if err != nil {
			return nil, fmt.Errorf("snapshot %d: status of %.12s: %w", h.Snapshot, h.Change, err)
		}
		out = append(out, TimelineEntry{Snapshot: h.Snapshot, At: h.Created, Downstream: h.Source + "@" + h.Ref,
			ID: h.Change, Path: h.Path, Subject: h.Subject, Status: st})
	}
	return out, nil
}
