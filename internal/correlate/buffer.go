package correlate

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// BatchWriter is implemented by States that can write many windows in one transaction (the SQL
// stores). Buffer.Flush uses it when the underlying State has it.
type BatchWriter interface {
	// WriteWindows stores puts and removes deletes, atomically.
	WriteWindows(ctx context.Context, puts map[Key]*Window, deletes []Key) error
}

// Buffer is a write-back cache in front of a State: the windows read or written between two
// Flush calls stay in memory, and Flush writes the changed ones in one batch. The pipeline
// flushes after each batch of events, so a database-backed State pays one transaction per
// batch instead of one per observed event. Windows changed since the last Flush are lost by a
// crash, like the observations of the batch in flight.
//
// Buffer implements State and is safe for concurrent use.
type Buffer struct {
	st    State
	mu    sync.Mutex
	cache map[Key]*buffered
}

type buffered struct {
	w     *Window // nil when deleted
	dirty bool
}

// NewBuffer returns an empty buffer in front of st.
func NewBuffer(st State) *Buffer {
	return &Buffer{st: st, cache: map[Key]*buffered{}}
}

// Get implements State: from the buffer, else from the underlying State.
func (b *Buffer) Get(ctx context.Context, k Key) (*Window, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.cache[k]; ok {
		return e.w, e.w != nil, nil
	}
	w, ok, err := b.st.Get(ctx, k)
	if err != nil || !ok {
		return nil, false, err
	}
	b.cache[k] = &buffered{w: w}
	return w, true, nil
}

// Put implements State in memory.
func (b *Buffer) Put(_ context.Context, k Key, w *Window) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cache[k] = &buffered{w: w, dirty: true}
	return nil
}

// Delete implements State in memory.
func (b *Buffer) Delete(_ context.Context, k Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cache[k] = &buffered{dirty: true}
	return nil
}

// Range implements State: the underlying windows of rule, as the buffer changed them.
func (b *Buffer) Range(ctx context.Context, rule string, fn func(group string, newest time.Time) bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	mine := map[string]*Window{}
	for k, e := range b.cache {
		if k.Rule == rule && e.dirty {
			mine[k.Group] = e.w
		}
	}
	stopped := false
	err := b.st.Range(ctx, rule, func(g string, newest time.Time) bool {
		if _, changed := mine[g]; changed {
			return true
		}
		if !fn(g, newest) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil || stopped {
		return err
	}
	for g, w := range mine {
		if w != nil && !fn(g, w.Newest) {
			return nil
		}
	}
	return nil
}

// Flush writes the windows changed since the last Flush to the underlying State (in one batch
// when it is a BatchWriter) and empties the buffer. On error the changes stay buffered.
func (b *Buffer) Flush(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	puts := map[Key]*Window{}
	var deletes []Key
	for k, e := range b.cache {
		switch {
		case !e.dirty:
		case e.w == nil:
			deletes = append(deletes, k)
		default:
			puts[k] = e.w
		}
	}
	if len(puts)+len(deletes) > 0 {
		if bw, ok := b.st.(BatchWriter); ok {
			if err := bw.WriteWindows(ctx, puts, deletes); err != nil {
				return fmt.Errorf("writing %d correlation windows: %w", len(puts)+len(deletes), err)
			}
		} else {
			for k, w := range puts {
				if err := b.st.Put(ctx, k, w); err != nil {
					return err
				}
			}
			for _, k := range deletes {
				if err := b.st.Delete(ctx, k); err != nil {
					return err
				}
			}
		}
	}
	clear(b.cache)
	return nil
}
