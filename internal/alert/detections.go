package alert

import (
	"context"
	"slices"
	"time"
)

// DetectionQuery filters stored detections; the zero value lists the most recent ones.
type DetectionQuery struct {
	RuleID  string
	AlertID string
	Source  string
	// Since and Until bound the event time: Since <= EventTime < Until.
	Since, Until time.Time
	// Limit caps the result (DefaultLimit when 0, at most MaxLimit).
	Limit int
}

// Match reports whether d satisfies the filters of q (the limit aside).
func (q *DetectionQuery) Match(d *Detection) bool {
	switch {
	case q.RuleID != "" && d.RuleID != q.RuleID,
		q.AlertID != "" && d.AlertID != q.AlertID,
		q.Source != "" && d.Source != q.Source,
		!q.Since.IsZero() && d.EventTime.Before(q.Since),
		!q.Until.IsZero() && !d.EventTime.Before(q.Until):
		return false
	}
	return true
}

// DetectionLister is implemented by repositories that can list the detections they store, newest
// event time first (ties by detection id). `picket detections list` and the API call it.
type DetectionLister interface {
	Detections(ctx context.Context, q DetectionQuery) ([]*Detection, error)
}

// limit returns the effective limit of q.
func (q *DetectionQuery) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// Detections implements DetectionLister.
func (r *MemoryRepository) Detections(ctx context.Context, q DetectionQuery) ([]*Detection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Detection
	for _, d := range r.detections {
		if q.Match(d) {
			out = append(out, d.Clone())
		}
	}
	SortDetections(out)
	if n := q.limit(); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// SortDetections orders detections newest event time first, then by id.
func SortDetections(ds []*Detection) {
	slices.SortFunc(ds, func(a, b *Detection) int {
		if c := b.EventTime.Compare(a.EventTime); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
}
