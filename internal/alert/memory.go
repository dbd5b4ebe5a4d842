package alert

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryRepository is a complete Repository held in memory, for tests and for `picket scan`
// without a store. It is safe for concurrent use; one mutex serialises every call, which makes
// each call atomic. Its contents are lost with the process.
type MemoryRepository struct {
	mu         sync.Mutex
	detections map[string]*Detection
	alerts     map[string]*Alert
	byFP       map[string][]string // fingerprint → alert ids
	silences   map[string]Silence
}

// NewMemoryRepository returns an empty MemoryRepository.
func NewMemoryRepository() *MemoryRepository {
	return &MemoryRepository{
		detections: make(map[string]*Detection),
		alerts:     make(map[string]*Alert),
		byFP:       make(map[string][]string),
		silences:   make(map[string]Silence),
	}
}

// memTx stages one Ingest batch so that a failing fold leaves the repository unchanged.
type memTx struct {
	r          *MemoryRepository
	alerts     map[string]*Alert // changed or new alerts, owned by the transaction
	newFP      map[string][]string
	detections map[string]*Detection
}

// candidate returns the alert d folds into (see Repository.Ingest), owned by the transaction.
func (tx *memTx) candidate(d *Detection, window time.Duration) *Alert {
	from, to := d.EventTime.Add(-window), d.EventTime.Add(window)
	var best *Alert
	consider := func(a *Alert) {
		if a.LastSeen.Before(from) || a.FirstSeen.After(to) {
			return
		}
		if best == nil || betterCandidate(a, best) {
			best = a
		}
	}
	for _, id := range tx.r.byFP[d.Fingerprint] {
		if a, ok := tx.alerts[id]; ok {
			consider(a)
		} else {
			consider(tx.r.alerts[id])
		}
	}
	for _, id := range tx.newFP[d.Fingerprint] {
		consider(tx.alerts[id])
	}
	if best == nil {
		return nil
	}
	if _, ok := tx.alerts[best.ID]; !ok {
		best = best.Clone()
	}
	return best
}

// betterCandidate orders fold candidates: active first, then latest LastSeen, then greatest ID.
func betterCandidate(a, b *Alert) bool {
	if a.Status.Active() != b.Status.Active() {
		return a.Status.Active()
	}
	if !a.LastSeen.Equal(b.LastSeen) {
		return a.LastSeen.After(b.LastSeen)
	}
	return a.ID > b.ID
}

// Ingest implements Repository.Ingest.
func (r *MemoryRepository) Ingest(ctx context.Context, ds []*Detection, window time.Duration, fold FoldFunc) ([]*Alert, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	tx := &memTx{r: r, alerts: make(map[string]*Alert), newFP: make(map[string][]string), detections: make(map[string]*Detection)}
	out := make([]*Alert, len(ds))
	for i, d := range ds {
		if _, dup := r.detections[d.ID]; dup {
			continue
		}
		if _, dup := tx.detections[d.ID]; dup {
			continue
		}
		cand := tx.candidate(d, window)
		a, err := fold(d, cand)
		if err != nil {
			return nil, err
		}
		if a == nil || a.ID == "" {
			return nil, fmt.Errorf("fold of detection %s returned no alert", d.ID)
		}
		if _, known := tx.alerts[a.ID]; !known {
			if _, stored := r.alerts[a.ID]; !stored {
				tx.newFP[a.Fingerprint] = append(tx.newFP[a.Fingerprint], a.ID)
			}
		}
		tx.alerts[a.ID] = a
		sd := d.Clone()
		sd.AlertID = a.ID
		tx.detections[d.ID] = sd
		out[i] = a
	}
	// Results are the alerts at the end of the batch, one copy per alert.
	copies := make(map[*Alert]*Alert, len(tx.alerts))
	for i, a := range out {
		if a == nil {
			continue
		}
		c, ok := copies[a]
		if !ok {
			c = a.Clone()
			copies[a] = c
		}
		out[i] = c
	}
	for id, a := range tx.alerts {
		r.alerts[id] = a
	}
	for fp, ids := range tx.newFP {
		r.byFP[fp] = append(r.byFP[fp], ids...)
	}
	for id, d := range tx.detections {
		r.detections[id] = d
	}
	return out, nil
}

// Update implements Repository.Update.
func (r *MemoryRepository) Update(ctx context.Context, id string, fn func(*Alert) error) (*Alert, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.alerts[id]
	if !ok {
		return nil, fmt.Errorf("alert %s: %w", id, ErrNotFound)
	}
	c := a.Clone()
	if err := fn(c); err != nil {
		return nil, err
	}
	c.ID, c.Fingerprint = a.ID, a.Fingerprint // the identity is not the callback's to change
	r.alerts[id] = c
	return c.Clone(), nil
}

// Get implements Repository.Get.
func (r *MemoryRepository) Get(ctx context.Context, id string) (*Alert, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.alerts[id]
	if !ok {
		return nil, fmt.Errorf("alert %s: %w", id, ErrNotFound)
	}
	return a.Clone(), nil
}

// List implements Repository.List.
func (r *MemoryRepository) List(ctx context.Context, q Query) ([]*Alert, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var afterSeen time.Time
	var afterID string
	if q.After != "" {
		var err error
		if afterSeen, afterID, err = ParseCursor(q.After); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	var match []*Alert
	for _, a := range r.alerts {
		if q.Match(a) && (q.After == "" || AfterCursor(a, afterSeen, afterID)) {
			match = append(match, a)
		}
	}
	slices.SortFunc(match, func(a, b *Alert) int {
		switch {
		case ListLess(a, b):
			return -1
		case ListLess(b, a):
			return 1
		}
		return 0
	})
	if q.Limit > 0 && len(match) > q.Limit {
		match = match[:q.Limit]
	}
	out := make([]*Alert, len(match))
	for i, a := range match {
		out[i] = a.Clone()
	}
	r.mu.Unlock()
	return out, nil
}

// CreateSilence implements Repository.CreateSilence.
func (r *MemoryRepository) CreateSilence(ctx context.Context, s Silence) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.silences[s.ID]; ok {
		return fmt.Errorf("silence %s: %w", s.ID, ErrDuplicate)
	}
	r.silences[s.ID] = s.Clone()
	return nil
}

// UpdateSilence implements Repository.UpdateSilence.
func (r *MemoryRepository) UpdateSilence(ctx context.Context, id string, fn func(*Silence) error) (Silence, error) {
	if err := ctx.Err(); err != nil {
		return Silence{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.silences[id]
	if !ok {
		return Silence{}, fmt.Errorf("silence %s: %w", id, ErrNotFound)
	}
	c := s.Clone()
	if err := fn(&c); err != nil {
		return Silence{}, err
	}
	c.ID = id
	r.silences[id] = c
	return c.Clone(), nil
}

// Silences implements Repository.Silences.
func (r *MemoryRepository) Silences(ctx context.Context, endsAfter time.Time) ([]Silence, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []Silence{}
	for _, s := range r.silences {
		if endsAfter.IsZero() || s.EndsAt.After(endsAfter) {
			out = append(out, s.Clone())
		}
	}
	slices.SortFunc(out, func(a, b Silence) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
