package correlate

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBuffer(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	a, b, c := Key{Rule: "r", Group: "a"}, Key{Rule: "r", Group: "b"}, Key{Rule: "r", Group: "c"}
	mem.Put(ctx, a, &Window{Newest: t0})
	mem.Put(ctx, b, &Window{Newest: t0.Add(time.Minute)})
	buf := NewBuffer(mem)

	// Writes stay in the buffer and are visible through it.
	if err := buf.Put(ctx, c, &Window{Newest: t0.Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := buf.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := mem.Get(ctx, c); ok {
		t.Error("Put reached the underlying state before Flush")
	}
	if _, ok, _ := buf.Get(ctx, a); ok {
		t.Error("a deleted window is still visible through the buffer")
	}
	if w, ok, _ := buf.Get(ctx, c); !ok || !w.Newest.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("buffered window: %v %v", w, ok)
	}
	var groups []string
	if err := buf.Range(ctx, "r", func(g string, _ time.Time) bool { groups = append(groups, g); return true }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(groups)
	if !slices.Equal(groups, []string{"b", "c"}) {
		t.Errorf("Range through the buffer: %v, want [b c]", groups)
	}

	// Flush writes the changes and empties the buffer.
	if err := buf.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := mem.Get(ctx, a); ok {
		t.Error("the buffered Delete did not reach the state")
	}
	if _, ok, _ := mem.Get(ctx, c); !ok {
		t.Error("the buffered Put did not reach the state")
	}
	if len(buf.cache) != 0 {
		t.Errorf("%d windows still buffered after Flush", len(buf.cache))
	}
}

// TestBufferedEngineAgrees: an engine over a buffer flushed after every few events fires
// exactly like one over the state directly.
func TestBufferedEngineAgrees(t *testing.T) {
	ctx := context.Background()
	set := loadRules(t, `
title: many A
id: 00000000-0000-4000-8000-0000000000f1
name: many_a
correlation:
  type: event_count
  rules: [a]
  group-by: [user]
  timespan: 10m
  condition: {gte: 3}
`)
	direct, err := New(set.Rules, Options{Store: NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	buf := NewBuffer(NewMemory())
	buffered, err := New(set.Rules, Options{Store: buf})
	if err != nil {
		t.Fatal(err)
	}
	a := lookup(t, set, "a")
	var hitsDirect, hitsBuffered []result
	for i := range 90 {
		ev := user("a", fmt.Sprint("e", i), i*20, []string{"alice", "bob", "carol"}[i%3]).event()
		h1, err := direct.Observe(ctx, a, ev)
		if err != nil {
			t.Fatal(err)
		}
		h2, err := buffered.Observe(ctx, a, ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range h1 {
			hitsDirect = append(hitsDirect, summarise(i, h))
		}
		for _, h := range h2 {
			hitsBuffered = append(hitsBuffered, summarise(i, h))
		}
		if i%4 == 3 {
			if err := buf.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(hitsDirect) == 0 {
		t.Fatal("no hits: the scenario does not exercise the correlation")
	}
	if diff := cmp.Diff(hitsDirect, hitsBuffered); diff != "" {
		t.Errorf("buffered engine differs (-direct +buffered):\n%s", diff)
	}
}
