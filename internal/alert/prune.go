package alert

import (
	"context"
	"time"
)

// PruneResult counts what a prune removed.
type PruneResult struct {
	Detections int64 `json:"detections"` // detections (with their raw events) deleted
	Alerts     int64 `json:"alerts"`     // resolved alerts deleted
	Evidence   int64 `json:"evidence"`   // evidence references dropped from the alerts kept
}

// Pruner is implemented by repositories that can forget old data (retention). Prune deletes the
// detections whose event time is before the cutoff, the resolved alerts last seen before it, and
// drops evidence references older than it from the alerts it keeps (they count in
// EvidenceOmitted), in one transaction. Detections deleted this way are no longer deduplicated:
// keep retention longer than any backfill.
type Pruner interface {
	Prune(ctx context.Context, before time.Time) (PruneResult, error)
}

// DropEvidenceBefore removes the evidence references of a older than t, counting them in
// EvidenceOmitted, and reports how many it removed.
func (a *Alert) DropEvidenceBefore(t time.Time) int {
	kept := a.Evidence[:0]
	for _, e := range a.Evidence {
		if e.EventTime.Before(t) {
			continue
		}
		kept = append(kept, e)
	}
	n := len(a.Evidence) - len(kept)
	a.Evidence = kept
	a.EvidenceOmitted += n
	return n
}

// Prune implements Pruner.
func (r *MemoryRepository) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	if err := ctx.Err(); err != nil {
		return PruneResult{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var res PruneResult
	for id, d := range r.detections {
		if d.EventTime.Before(before) {
			delete(r.detections, id)
			res.Detections++
		}
	}
	for id, a := range r.alerts {
		if a.Status == StatusResolved && a.LastSeen.Before(before) {
			delete(r.alerts, id)
			ids := r.byFP[a.Fingerprint][:0]
			for _, x := range r.byFP[a.Fingerprint] {
				if x != id {
					ids = append(ids, x)
				}
			}
			r.byFP[a.Fingerprint] = ids
			for did, d := range r.detections {
				if d.AlertID == id {
					delete(r.detections, did)
					res.Detections++
				}
			}
			res.Alerts++
			continue
		}
		res.Evidence += int64(a.DropEvidenceBefore(before))
	}
	return res, nil
}
