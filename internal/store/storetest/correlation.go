package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/correlate"
	"picket/internal/store"
)

// window returns a window exercising every field of the JSON document.
func window(newest time.Time) *correlate.Window {
	zone := time.FixedZone("UTC+05:30", 5*3600+1800)
	return &correlate.Window{
		Group:  []string{"alice", "10.0.0.1", "", "ünï\"cødé"},
		Newest: newest,
		Events: []correlate.Entry{
			{Rule: "r-login", Event: "e1", Time: at(0).In(zone), Source: "cloudtrail",
				Values: []string{"a", "b\x00c"}, Numbers: []float64{0.1, 1.0 / 3, -2.5e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 0, -7, 1e21}},
			{Rule: "r-login", Time: at(1).Add(1), Fired: true},
			{Rule: "r-inner", Event: "hit-1", Time: at(2), Omitted: 7, Refs: []correlate.EventRef{
				{RuleID: "r-a", EventID: "x1", Time: at(-1).Add(999), Source: "s3"},
				{RuleID: "r-b", EventID: "x2", Time: at(-2)},
			}},
		},
	}
}

func testCorrelationRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := correlate.Key{Rule: "corr-1", Group: "5:alice8:10.0.0.1\x00\xff"} // groups are any bytes
	if w, ok, err := s.Get(ctx, k); err != nil || ok || w != nil {
		t.Fatalf("Get(missing) = %v, %v, %v; want nil, false, nil", w, ok, err)
	}
	for i, want := range []*correlate.Window{window(at(2)), window(at(3).Add(1)), {Newest: at(4)}, {}} {
		mustNot(t, "Put", s.Put(ctx, k, want))
		got, ok, err := s.Get(ctx, k)
		if err != nil || !ok {
			t.Fatalf("#%d: Get() = _, %v, %v; want ok", i, ok, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("#%d: Get() after Put mismatch (-want +got):\n%s", i, diff)
		}
	}
	// Keys differing only in rule or group are distinct.
	other := correlate.Key{Rule: "corr-2", Group: k.Group}
	if _, ok, err := s.Get(ctx, other); err != nil || ok {
		t.Errorf("Get(%v) = _, %v, %v; want false, nil", other, ok, err)
	}
}

func testCorrelationDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := correlate.Key{Rule: "r", Group: "a"}, correlate.Key{Rule: "r", Group: "b"}
	mustNot(t, "Put", s.Put(ctx, a, window(at(1))))
	mustNot(t, "Put", s.Put(ctx, b, window(at(2))))
	mustNot(t, "Delete", s.Delete(ctx, a))
	if _, ok, err := s.Get(ctx, a); err != nil || ok {
		t.Errorf("Get(a) after Delete = _, %v, %v; want false, nil", ok, err)
	}
	if _, ok, err := s.Get(ctx, b); err != nil || !ok {
		t.Errorf("Get(b) after Delete(a) = _, %v, %v; want true, nil", ok, err)
	}
	if err := s.Delete(ctx, a); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	if err := s.Delete(ctx, correlate.Key{Rule: "never"}); err != nil {
		t.Errorf("Delete(never stored) = %v, want nil", err)
	}
}

// ranged is one call of a Range callback.
type ranged struct {
	Group  string
	Newest time.Time
}

func collect(t *testing.T, s store.Store, rule string, limit int) []ranged {
	t.Helper()
	var got []ranged
	err := s.Range(t.Context(), rule, func(g string, newest time.Time) bool {
		got = append(got, ranged{g, newest})
		return len(got) < limit
	})
	mustNot(t, "Range", err)
	return got
}

// testCorrelationRange checks Range: only the rule's windows, oldest Newest first (ties by
// group), Newest as stored (a later Put moves the window), stopping when fn returns false.
func testCorrelationRange(t *testing.T, s store.Store) {
	ctx := t.Context()
	puts := []struct {
		rule, group string
		newest      time.Time
	}{
		{"r1", "c", at(3)},
		{"r1", "a", at(1).Add(1)},
		{"r1", "b", at(9)},
		{"r1", "d", at(3)},
		{"r1", "zero", time.Time{}},
		{"r1", "\xff\x00bytes", at(9)},
		{"r2", "a", at(0)},
		{"r1", "b", at(2)}, // moves b before c
	}
	for _, p := range puts {
		mustNot(t, "Put", s.Put(ctx, correlate.Key{Rule: p.rule, Group: p.group}, &correlate.Window{Newest: p.newest}))
	}
	want := []ranged{{"zero", time.Time{}}, {"a", at(1).Add(1)}, {"b", at(2)}, {"c", at(3)}, {"d", at(3)}, {"\xff\x00bytes", at(9)}}
	if diff := cmp.Diff(want, collect(t, s, "r1", math.MaxInt)); diff != "" {
		t.Errorf("Range(r1) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], collect(t, s, "r1", 2)); diff != "" {
		t.Errorf("Range(r1) stopping after 2 mismatch (-want +got):\n%s", diff)
	}
	if got := collect(t, s, "unknown", math.MaxInt); len(got) != 0 {
		t.Errorf("Range(unknown) = %v, want no calls", got)
	}
}

// testCorrelationRangeMany ranges over more windows than a backend may fetch at once.
func testCorrelationRangeMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 1300
	var want []ranged
	for i := range n {
		g := fmt.Sprintf("user-%04d", i)
		newest := at(i / 3) // three windows share each time
		mustNot(t, "Put", s.Put(ctx, correlate.Key{Rule: "many", Group: g}, &correlate.Window{Newest: newest}))
		want = append(want, ranged{g, newest})
	}
	slices.SortFunc(want, func(a, b ranged) int {
		if c := a.Newest.Compare(b.Newest); c != 0 {
			return c
		}
		return strings.Compare(a.Group, b.Group)
	})
	if diff := cmp.Diff(want, collect(t, s, "many", math.MaxInt)); diff != "" {
		t.Errorf("Range(many) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:700], collect(t, s, "many", 700)); diff != "" {
		t.Errorf("Range(many) stopping after 700 mismatch (-want +got):\n%s", diff)
	}
}

func testCorrelationWriteWindows(t *testing.T, s store.Store) {
	ctx := t.Context()
	bw, ok := s.(correlate.BatchWriter)
	if !ok {
		t.Fatalf("%T does not implement correlate.BatchWriter", s)
	}
	a, b, c := correlate.Key{Rule: "r", Group: "a"}, correlate.Key{Rule: "r", Group: "b"}, correlate.Key{Rule: "r", Group: "c"}
	mustNot(t, "Put", s.Put(ctx, c, window(at(1))))
	puts := map[correlate.Key]*correlate.Window{a: window(at(2)), b: {Newest: at(3)}}
	mustNot(t, "WriteWindows", bw.WriteWindows(ctx, puts, []correlate.Key{c, {Rule: "r", Group: "missing"}}))
	for k, want := range puts {
		got, ok, err := s.Get(ctx, k)
		if err != nil || !ok {
			t.Fatalf("Get(%v) = _, %v, %v", k, ok, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get(%v) mismatch (-want +got):\n%s", k, diff)
		}
	}
	if _, ok, err := s.Get(ctx, c); err != nil || ok {
		t.Errorf("deleted window still there: %v %v", ok, err)
	}
	// Through a Buffer, as the pipeline uses the store.
	buf := correlate.NewBuffer(s)
	w, ok, err := buf.Get(ctx, a)
	if err != nil || !ok {
		t.Fatal(err)
	}
	w.Newest = at(9)
	mustNot(t, "Put", buf.Put(ctx, a, w))
	mustNot(t, "Delete", buf.Delete(ctx, b))
	if got, _, _ := s.Get(ctx, a); got.Newest.Equal(at(9)) {
		t.Error("a buffered Put reached the store before Flush")
	}
	mustNot(t, "Flush", buf.Flush(ctx))
	if got, _, _ := s.Get(ctx, a); !got.Newest.Equal(at(9)) {
		t.Errorf("after Flush: newest %v, want %v", got.Newest, at(9))
	}
	if _, ok, _ := s.Get(ctx, b); ok {
		t.Error("a buffered Delete did not reach the store")
	}
}
