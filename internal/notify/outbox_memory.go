package notify

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryOutbox is an Outbox in memory: for tests, benchmarks and runs without a store. Nothing
// survives the process. It keeps every entry until Prune removes delivered ones.
type MemoryOutbox struct {
	clock func() time.Time

	mu      sync.Mutex
	entries map[string]*memEntry
	// queues holds, per receiver, the pending and delivering entries ordered by NextAttempt:
	// Claim takes from the front in O(log n).
	queues map[string]*entryQueue
}

type memEntry struct {
	Entry
	index int // in its receiver's queue; -1 when not queued (delivered, dead)
}

// NewMemoryOutbox returns an empty outbox. clock stamps CreatedAt on Enqueue; nil means
// time.Now.
func NewMemoryOutbox(clock func() time.Time) *MemoryOutbox {
	if clock == nil {
		clock = time.Now
	}
	return &MemoryOutbox{
		clock:   clock,
		entries: make(map[string]*memEntry),
		queues:  make(map[string]*entryQueue),
	}
}

// Enqueue implements Outbox.
func (o *MemoryOutbox) Enqueue(ctx context.Context, ns []Notification) error {
	var errs []error
	for i := range ns {
		if ns[i].ID == "" || ns[i].Receiver == "" {
			errs = append(errs, fmt.Errorf("notification %d: id and receiver are required", i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("enqueueing notifications: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock()
	for _, n := range ns {
		if _, ok := o.entries[n.ID]; ok {
			continue
		}
		e := &memEntry{Entry: Entry{
			ID:           n.ID,
			Receiver:     n.Receiver,
			Notification: n,
			State:        StatePending,
			CreatedAt:    now,
		}}
		o.entries[n.ID] = e
		heap.Push(o.queue(n.Receiver), e)
	}
	return nil
}

// Claim implements Outbox.
func (o *MemoryOutbox) Claim(ctx context.Context, receiver string, now time.Time, limit int, lease time.Duration) ([]Entry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.queues[receiver]
	if q == nil || limit <= 0 {
		return nil, nil
	}
	var out []Entry
	for len(out) < limit && q.Len() > 0 {
		e := q.items[0]
		if e.NextAttempt.After(now) {
			break
		}
		e.State = StateDelivering
		e.NextAttempt = now.Add(lease)
		e.Attempts++
		heap.Fix(q, 0)
		out = append(out, e.Entry)
	}
	return out, nil
}

// Complete implements Outbox.
func (o *MemoryOutbox) Complete(ctx context.Context, id string, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.entries[id]
	if !ok {
		return fmt.Errorf("completing %q: %w", id, ErrEntryNotFound)
	}
	if e.State == StateDelivered {
		return nil
	}
	o.dequeue(e)
	e.State = StateDelivered
	e.DeliveredAt = now
	e.NextAttempt = time.Time{}
	return nil
}

// Fail implements Outbox.
func (o *MemoryOutbox) Fail(ctx context.Context, id string, now, next time.Time, errText string, dead bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.entries[id]
	if !ok {
		return fmt.Errorf("recording failure of %q: %w", id, ErrEntryNotFound)
	}
	if e.State == StateDelivered {
		return nil
	}
	e.LastError = errText
	if dead {
		o.dequeue(e)
		e.State = StateDead
		e.NextAttempt = time.Time{}
		return nil
	}
	e.State = StatePending
	e.NextAttempt = next
	if e.index < 0 { // was dead: an explicit Fail with dead=false revives it
		heap.Push(o.queue(e.Receiver), e)
	} else {
		heap.Fix(o.queues[e.Receiver], e.index)
	}
	return nil
}

// Retry implements Outbox.
func (o *MemoryOutbox) Retry(ctx context.Context, id string, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.entries[id]
	if !ok {
		return fmt.Errorf("retrying %q: %w", id, ErrEntryNotFound)
	}
	if e.State != StateDead {
		return fmt.Errorf("retrying %q (%s): %w", id, e.State, ErrNotDead)
	}
	e.State = StatePending
	e.NextAttempt = now
	e.Attempts = 0
	e.RetriedAt = now
	heap.Push(o.queue(e.Receiver), e)
	return nil
}

// List implements Outbox.
func (o *MemoryOutbox) List(ctx context.Context, q OutboxQuery) ([]Entry, error) {
	o.mu.Lock()
	var out []Entry
	for _, e := range o.entries {
		if q.Receiver != "" && e.Receiver != q.Receiver {
			continue
		}
		if len(q.States) > 0 && !slices.Contains(q.States, e.State) {
			continue
		}
		out = append(out, e.Entry)
	}
	o.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// Stats implements Outbox. It walks every entry: O(n).
func (o *MemoryOutbox) Stats(ctx context.Context) ([]ReceiverStats, error) {
	o.mu.Lock()
	byReceiver := make(map[string]*ReceiverStats)
	for _, e := range o.entries {
		s := byReceiver[e.Receiver]
		if s == nil {
			s = &ReceiverStats{Receiver: e.Receiver}
			byReceiver[e.Receiver] = s
		}
		switch e.State {
		case StatePending:
			s.Pending++
		case StateDelivering:
			s.Delivering++
		case StateDelivered:
			s.Delivered++
		case StateDead:
			s.Dead++
		}
		if (e.State == StatePending || e.State == StateDelivering) &&
			(s.OldestPending.IsZero() || e.CreatedAt.Before(s.OldestPending)) {
			s.OldestPending = e.CreatedAt
		}
	}
	o.mu.Unlock()
	out := make([]ReceiverStats, 0, len(byReceiver))
	for _, s := range byReceiver {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b ReceiverStats) int { return strings.Compare(a.Receiver, b.Receiver) })
	return out, nil
}

// Prune forgets delivered entries delivered before before and returns how many. After that,
// enqueueing one of their ids again creates a new entry: prune only past the window in which
// the same notification could be produced again. The SQL stores prune with their retention.
func (o *MemoryOutbox) Prune(before time.Time) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for id, e := range o.entries {
		if e.State == StateDelivered && e.DeliveredAt.Before(before) {
			delete(o.entries, id)
			n++
		}
	}
	return n
}

func (o *MemoryOutbox) queue(receiver string) *entryQueue {
	q := o.queues[receiver]
	if q == nil {
		q = &entryQueue{}
		o.queues[receiver] = q
	}
	return q
}

func (o *MemoryOutbox) dequeue(e *memEntry) {
	if e.index >= 0 {
		heap.Remove(o.queues[e.Receiver], e.index)
	}
}

// entryQueue is a heap of entries by NextAttempt, then CreatedAt, then ID.
type entryQueue struct{ items []*memEntry }

func (q *entryQueue) Len() int { return len(q.items) }

func (q *entryQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
		return c < 0
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

func (q *entryQueue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index = i
	q.items[j].index = j
}

func (q *entryQueue) Push(x any) {
	e := x.(*memEntry)
	e.index = len(q.items)
	q.items = append(q.items, e)
}

func (q *entryQueue) Pop() any {
	n := len(q.items) - 1
	e := q.items[n]
	q.items[n] = nil
	q.items = q.items[:n]
	e.index = -1
	return e
}
