package postgres

import (
	"errors"
	"fmt"
	"time"

	"picket/internal/alert"
)

// foldBatch is the state of one Ingest transaction kept in Go: the alerts the batch has
// produced so far, which later detections of the batch must see instead of the stored rows.
type foldBatch struct {
	window  time.Duration
	changed map[string]*alert.Alert // id → alert to store; owned by the batch
	byFP    map[string][]string     // fingerprint → ids in changed
	order   []string                // ids of changed, in order of first change
}

func newFoldBatch(window time.Duration) *foldBatch {
	return &foldBatch{window: window, changed: map[string]*alert.Alert{}, byFP: map[string][]string{}}
}

// inWindow reports whether a's span [FirstSeen, LastSeen] meets d's dedup window.
func (b *foldBatch) inWindow(a *alert.Alert, d *alert.Detection) bool {
	return !a.LastSeen.Before(d.EventTime.Add(-b.window)) && !a.FirstSeen.After(d.EventTime.Add(b.window))
}

// candidate returns the alert d folds into (Repository.Ingest): among stored, the alerts of
// d.Fingerprint the database holds in d's window (possibly stale for those the batch changed),
// and the batch's own alerts of that fingerprint, an active one, then the latest LastSeen, then
// the greatest id. A stored alert is returned as a copy.
func (b *foldBatch) candidate(d *alert.Detection, stored []*alert.Alert) *alert.Alert {
	var best *alert.Alert
	consider := func(a *alert.Alert) {
		if b.inWindow(a, d) && (best == nil || betterCandidate(a, best)) {
			best = a
		}
	}
	for _, a := range stored {
		if _, ok := b.changed[a.ID]; !ok {
			consider(a)
		}
	}
	for _, id := range b.byFP[d.Fingerprint] {
		consider(b.changed[id])
	}
	if best == nil {
		return nil
	}
	if b.changed[best.ID] != best {
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

// fold folds d into its candidate and records the result; it returns the id of the alert d
// joins. An error of fn comes back as a callerError.
func (b *foldBatch) fold(d *alert.Detection, stored []*alert.Alert, fn alert.FoldFunc) (string, error) {
	a, err := fn(d, b.candidate(d, stored))
	if err != nil {
		return "", callerError{err}
	}
	if a == nil || a.ID == "" {
		return "", fmt.Errorf("fold of detection %s returned no alert", d.ID)
	}
	if _, ok := b.changed[a.ID]; !ok {
		b.order = append(b.order, a.ID)
		b.byFP[a.Fingerprint] = append(b.byFP[a.Fingerprint], a.ID)
	}
	b.changed[a.ID] = a
	return a.ID, nil
}

// results returns, for each detection, a copy of its alert as at the end of the batch (one
// copy per alert), or nil for the detections that were already stored (id "").
func (b *foldBatch) results(ids []string) []*alert.Alert {
	out := make([]*alert.Alert, len(ids))
	copies := make(map[string]*alert.Alert, len(b.changed))
	for i, id := range ids {
		if id == "" {
			continue
		}
		c, ok := copies[id]
		if !ok {
			c = b.changed[id].Clone()
			copies[id] = c
		}
		out[i] = c
	}
	return out
}

// callerError carries an error of the caller's callback (fold, Update's fn) through a
// transaction, so that it is returned as is rather than wrapped as a storage error.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }
func (e callerError) Unwrap() error { return e.err }

// asCallerError returns the callback error inside err, if any.
func asCallerError(err error) (error, bool) {
	var ce callerError
	if errors.As(err, &ce) {
		return ce.err, true
	}
	return nil, false
}
