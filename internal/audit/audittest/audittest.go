// Package audittest is the conformance suite of audit.Log: every implementation (the memory
// log, the SQLite and PostgreSQL stores) runs Run.
package audittest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/audit"
)

// Run checks the Log returned by open, which must be empty; open is called once per subtest.
func Run(t *testing.T, open func(t *testing.T) audit.Log) {
	t.Run("RecordAndList", func(t *testing.T) { testRecordAndList(t, open(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, open(t)) })
	t.Run("Limit", func(t *testing.T) { testLimit(t, open(t)) })
	t.Run("Invalid", func(t *testing.T) { testInvalid(t, open(t)) })
	t.Run("Bytes", func(t *testing.T) { testBytes(t, open(t)) })
}

var base = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)

func record(t *testing.T, l audit.Log, es ...audit.Entry) {
	t.Helper()
	for _, e := range es {
		if err := l.Record(t.Context(), e); err != nil {
			t.Fatalf("Record(%+v) = %v", e, err)
		}
	}
}

func list(t *testing.T, l audit.Log, q audit.Query) []audit.Entry {
	t.Helper()
	got, err := l.List(t.Context(), q)
	if err != nil {
		t.Fatalf("List(%+v) = %v", q, err)
	}
	return got
}

func testRecordAndList(t *testing.T, l audit.Log) {
	if got := list(t, l, audit.Query{}); got == nil || len(got) != 0 {
		t.Fatalf("List() on an empty log = %#v, want an empty non-nil slice", got)
	}
	a := audit.Entry{Time: base, Actor: "ana", Action: "alert.acknowledge", Target: "a1", Detail: "looking", RemoteAddr: "192.0.2.1:5000"}
	b := audit.Entry{Time: base.Add(time.Second), Actor: "ci", Action: "rule.disable", Target: "r1"}
	c := audit.Entry{Time: base, Actor: "bob", Action: "alert.resolve", Target: "a1"} // same time as a, recorded later
	// A non-UTC time is stored as the same instant in UTC.
	d := audit.Entry{Time: base.Add(2 * time.Second).In(time.FixedZone("X", 3600)), Actor: "ana", Action: "login"}
	record(t, l, a, b, c, d)
	want := []audit.Entry{{Time: d.Time.UTC(), Actor: "ana", Action: "login"}, b, c, a}
	if diff := cmp.Diff(want, list(t, l, audit.Query{})); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}

func testFilters(t *testing.T, l audit.Log) {
	es := []audit.Entry{
		{Time: base, Actor: "ana", Action: "alert.acknowledge", Target: "a1"},
		{Time: base.Add(1 * time.Minute), Actor: "bob", Action: "alert.resolve", Target: "a1"},
		{Time: base.Add(2 * time.Minute), Actor: "ana", Action: "silence.create", Target: "s1"},
		{Time: base.Add(3 * time.Minute), Actor: "ana", Action: "alert.resolve", Target: "a2"},
	}
	record(t, l, es...)
	tests := []struct {
		name string
		q    audit.Query
		want []audit.Entry
	}{
		{"actor", audit.Query{Actor: "ana"}, []audit.Entry{es[3], es[2], es[0]}},
		{"action", audit.Query{Action: "alert.resolve"}, []audit.Entry{es[3], es[1]}},
		{"target", audit.Query{Target: "a1"}, []audit.Entry{es[1], es[0]}},
		{"since inclusive", audit.Query{Since: es[2].Time}, []audit.Entry{es[3], es[2]}},
		{"until exclusive", audit.Query{Until: es[1].Time}, []audit.Entry{es[0]}},
		{"combined", audit.Query{Actor: "ana", Action: "alert.resolve", Since: base}, []audit.Entry{es[3]}},
		{"nothing", audit.Query{Actor: "eve"}, []audit.Entry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, list(t, l, tt.q)); diff != "" {
				t.Errorf("List(%+v) mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func testLimit(t *testing.T, l audit.Log) {
	for i := range audit.DefaultLimit + 5 {
		record(t, l, audit.Entry{Time: base.Add(time.Duration(i) * time.Second), Actor: "ana", Action: "x"})
	}
	if got := list(t, l, audit.Query{}); len(got) != audit.DefaultLimit {
		t.Errorf("List() returned %d entries, want the default limit %d", len(got), audit.DefaultLimit)
	}
	got := list(t, l, audit.Query{Limit: 3})
	if len(got) != 3 || !got[0].Time.Equal(base.Add(time.Duration(audit.DefaultLimit+4)*time.Second)) {
		t.Errorf("List(Limit 3) = %d entries starting at %v, want the 3 newest", len(got), got[0].Time)
	}
	if _, err := l.List(t.Context(), audit.Query{Limit: -1}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("List(Limit -1) = %v, want ErrInvalid", err)
	}
}

func testInvalid(t *testing.T, l audit.Log) {
	for _, e := range []audit.Entry{
		{Actor: "ana", Action: "x"},
		{Time: base, Actor: "ana"},
	} {
		if err := l.Record(t.Context(), e); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("Record(%+v) = %v, want ErrInvalid", e, err)
		}
	}
	if got := list(t, l, audit.Query{}); len(got) != 0 {
		t.Errorf("invalid entries were recorded: %+v", got)
	}
}

// testBytes checks that text from users and logs is kept byte for byte, NUL and invalid UTF-8
// included, and that filters compare it exactly.
func testBytes(t *testing.T, l audit.Log) {
	e := audit.Entry{
		Time: base, Actor: "eve\x00<script>", Action: "login.failed",
		Target: "t\xff\xfe", Detail: "'; DROP TABLE audit_log; --\n\"quoted\" \u202e", RemoteAddr: "[2001:db8::1]:443",
	}
	record(t, l, e)
	if diff := cmp.Diff([]audit.Entry{e}, list(t, l, audit.Query{Actor: e.Actor, Target: e.Target})); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}
