package store

import (
	"errors"
	"fmt"
	"time"

	"picket/internal/alert"
)

// FoldBatch is the state of one alert.Repository Ingest transaction kept in Go (shared by the
// SQL backends): the alerts the batch has
// produced so far, which later detections of the batch must see instead of the stored rows.
type FoldBatch struct {
	Window  time.Duration
	Changed map[string]*alert.Alert // id → alert to store; owned by the batch
	ByFP    map[string][]string     // fingerprint → ids in Changed
	Order   []string                // ids of Changed, in order of first change
}

// NewFoldBatch starts the state of one Ingest transaction with the given dedup window.
func NewFoldBatch(window time.Duration) *FoldBatch {
	return &FoldBatch{Window: window, Changed: map[string]*alert.Alert{}, ByFP: map[string][]string{}}
}

// InWindow reports whether a's span [FirstSeen, LastSeen] meets d's dedup window.
func (b *FoldBatch) InWindow(a *alert.Alert, d *alert.Detection) bool {
	return !a.LastSeen.Before(d.EventTime.Add(-b.Window)) && !a.FirstSeen.After(d.EventTime.Add(b.Window))
}

// Candidate returns the alert d folds into (Repository.Ingest): among stored, the alerts of
// d.Fingerprint the database holds in d's window (possibly stale for those the batch changed),
// and the batch's own alerts of that fingerprint, an active one, then the latest LastSeen, then
// the greatest id. A stored alert is returned as a copy.
func (b *FoldBatch) Candidate(d *alert.Detection, stored []*alert.Alert) *alert.Alert {
	var best *alert.Alert
	consider := func(a *alert.Alert) {
		if b.InWindow(a, d) && (best == nil || betterCandidate(a, best)) {
			best = a
		}
	}
	for _, a := range stored {
		if _, ok := b.Changed[a.ID]; !ok {
			consider(a)
		}
	}
	for _, id := range b.ByFP[d.Fingerprint] {
		consider(b.Changed[id])
	}
	if best == nil {
		return nil
	}
	if b.Changed[best.ID] != best {
		best = best.Clone()
	}
	return best
}

// betterCandidate orders fold candidates: active first, then latest LastSeen, then greatest ID.
func betterCandidate(a, b *alert.Alert) bool {
	if a.Status.Active() != b.Status.Active() {
		return a.Status.Active()
	}
	if !a.LastSeen.Equal(b.LastSeen) {
		return a.LastSeen.After(b.LastSeen)
	}
	return a.ID > b.ID
}

// Fold folds d into its candidate and records the result; it returns the id of the alert d
// joins. An error of fn comes back as a CallerError.
func (b *FoldBatch) Fold(d *alert.Detection, stored []*alert.Alert, fn alert.FoldFunc) (string, error) {
	a, err := fn(d, b.Candidate(d, stored))
	if err != nil {
		return "", CallerError{Err: err}
	}
	if a == nil || a.ID == "" {
		return "", fmt.Errorf("fold of detection %s returned no alert", d.ID)
	}
	if _, ok := b.Changed[a.ID]; !ok {
		b.Order = append(b.Order, a.ID)
		b.ByFP[a.Fingerprint] = append(b.ByFP[a.Fingerprint], a.ID)
	}
	b.Changed[a.ID] = a
	return a.ID, nil
}

// Results returns, for each detection, a copy of its alert as at the end of the batch (one
// copy per alert), or nil for the detections that were already stored (id "").
func (b *FoldBatch) Results(ids []string) []*alert.Alert {
	out := make([]*alert.Alert, len(ids))
	copies := make(map[string]*alert.Alert, len(b.Changed))
	for i, id := range ids {
		if id == "" {
			continue
		}
		c, ok := copies[id]
		if !ok {
			c = b.Changed[id].Clone()
			copies[id] = c
		}
		out[i] = c
	}
	return out
}

// CallerError carries an error of the caller's callback (fold, Update's fn) through a
// transaction, so that it is returned as is rather than wrapped as a storage error.
type CallerError struct{ Err error }

// Error returns the callback's error text.
func (e CallerError) Error() string { return e.Err.Error() }

// Unwrap returns the callback's error.
func (e CallerError) Unwrap() error { return e.Err }

// AsCallerError returns the callback error inside err, if any.
func AsCallerError(err error) (error, bool) {
	var ce CallerError
	if errors.As(err, &ce) {
		return ce.Err, true
	}
	return nil, false
}
