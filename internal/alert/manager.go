package alert

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// ingestChunk bounds the detections stored in one Repository.Ingest transaction.
const ingestChunk = 1000

// Manager turns detections into alerts and runs their lifecycle. It holds no state besides its
// options and repository, so several Managers (several picket instances) may share one
// repository; it is safe for concurrent use.
type Manager struct {
	repo Repository
	opts Options
}

// NewManager returns a Manager storing into repo. Invalid options are reported all at once,
// wrapping ErrInvalid.
func NewManager(repo Repository, opts Options) (*Manager, error) {
	if repo == nil {
		return nil, fmt.Errorf("alert manager: nil repository: %w", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Manager{repo: repo, opts: o}, nil
}

// Ingest records detections and folds them into alerts. It returns the alerts that are due for
// notification now, once each, in the order they were first touched: alerts the batch created
// or reopened, and open alerts whose re-alert time has come. Silenced alerts and acknowledged
// alerts are never due (an acknowledged alert still folds detections: someone is on it).
//
// A detection already recorded (same rule id and event id) is skipped: it changes nothing and
// makes nothing due. Detections are validated before anything is stored (ErrInvalid); they are
// then stored in transactions of up to 1000, so an error may leave earlier ones stored, and
// retrying the call is safe.
func (m *Manager) Ingest(ctx context.Context, ds []Detection) (due []*Alert, err error) {
	batch := make([]*Detection, len(ds))
	for i := range ds {
		d := ds[i]
		if err := m.prepare(&d); err != nil {
			return nil, err
		}
		batch[i] = &d
	}
	now := m.opts.Clock()
	sil, err := m.activeSilences(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("ingesting detections: %w", err)
	}
	fold := m.folder(now, sil)
	latest := make(map[string]*Alert)
	var order []string
	for chunk := range slices.Chunk(batch, ingestChunk) {
		alerts, err := m.repo.Ingest(ctx, chunk, m.opts.DedupWindow, fold)
		if err != nil {
			return nil, fmt.Errorf("ingesting %d detections: %w", len(chunk), err)
		}
		for _, a := range alerts {
			if a == nil {
				continue
			}
			if _, seen := latest[a.ID]; !seen {
				order = append(order, a.ID)
			}
			latest[a.ID] = a
		}
	}
	for _, id := range order {
		if a := latest[id]; m.isDue(a, now) {
			due = append(due, a)
		}
	}
	return due, nil
}

// isDue reports whether an alert that just received detections should notify at now.
func (m *Manager) isDue(a *Alert, now time.Time) bool { return Due(a, now) }

// folder returns the fold function of one Ingest call.
func (m *Manager) folder(now time.Time, sil []compiled) FoldFunc {
	head := m.opts.MaxEvidence / 2
	tail := m.opts.MaxEvidence - head
	return func(d *Detection, a *Alert) (*Alert, error) {
		if a == nil {
			a = &Alert{
				ID:          alertID(d.Fingerprint, d.ID),
				Fingerprint: d.Fingerprint,
				Kind:        d.Kind,
				Source:      d.Source,
				LogSource:   d.LogSource,
				Account:     d.Account,
				Group:       maps.Clone(d.GroupValues),
				Status:      StatusOpen,
				FirstSeen:   d.EventTime,
				LastSeen:    d.EventTime,
				CreatedAt:   now,
			}
			a.record(now, SystemActor, ActionCreated, "detection "+d.ID)
		} else {
			m.reactivate(a, d, now)
		}
		a.RuleID, a.RuleTitle, a.Level, a.Tags = d.RuleID, d.RuleTitle, d.Level, slices.Clone(d.Tags)
		if d.EventTime.Before(a.FirstSeen) {
			a.FirstSeen = d.EventTime
		}
		if d.EventTime.After(a.LastSeen) {
			a.LastSeen = d.EventTime
		}
		if d.DetectedAt.After(a.LastDetectedAt) {
			a.LastDetectedAt = d.DetectedAt
		}
		a.Count++
		a.addEvidence(EvidenceRef{DetectionID: d.ID, EventID: d.EventID, EventTime: d.EventTime, Source: d.Source}, head, tail)
		a.UpdatedAt = now
		applySilences(a, sil, now, true)
		return a, nil
	}
}

// reactivate prepares an existing alert to take detection d: it reopens a resolved alert (with
// a fresh notification schedule) and resets the exponential back-off after a quiet period.
func (m *Manager) reactivate(a *Alert, d *Detection, now time.Time) {
	if a.Status == StatusResolved {
		a.Status = StatusOpen
		a.ResolvedAt = time.Time{}
		a.NextNotify = time.Time{}
		a.RealertStep = 0
		a.Notifications = 0
		a.record(now, SystemActor, ActionReopened, "new detection "+d.ID)
		return
	}
	p := m.opts.Realert
	if p.Mode == RealertExponential && a.RealertStep > 0 && now.Sub(a.LastDetectedAt) >= p.Quiet {
		a.RealertStep = 0
		a.NextNotify = a.LastNotified.Add(p.Interval)
	}
}

// applySilences sets Silenced and SilenceIDs of a from the compiled active silences; with
// record, a change of silenced state is recorded in the history.
func applySilences(a *Alert, sil []compiled, now time.Time, record bool) {
	ids := silenceIDs(sil, a)
	silenced := len(ids) > 0
	if record && silenced != a.Silenced {
		if silenced {
			a.record(now, SystemActor, ActionSilenced, fmt.Sprintf("silences %v", ids))
		} else {
			a.record(now, SystemActor, ActionUnsilenced, "")
		}
	}
	a.Silenced, a.SilenceIDs = silenced, ids
}

// activeSilences loads and compiles the silences active at now.
func (m *Manager) activeSilences(ctx context.Context, now time.Time) ([]compiled, error) {
	ss, err := m.repo.Silences(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("loading silences: %w", err)
	}
	return compileSilences(ss, now), nil
}

// view evaluates the current silences on alerts about to be returned (not stored).
func (m *Manager) view(ctx context.Context, as ...*Alert) error {
	now := m.opts.Clock()
	sil, err := m.activeSilences(ctx, now)
	if err != nil {
		return err
	}
	for _, a := range as {
		applySilences(a, sil, now, false)
	}
	return nil
}

// errSkip makes an Update callback leave the alert unchanged.
var errSkip = errors.New("skip")
