package alert_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
)

func TestIngestFoldsByFingerprint(t *testing.T) {
	type want struct {
		Group map[string]string
		Count int
	}
	tests := []struct {
		name    string
		groupBy map[string][]string
		ds      []alert.Detection
		want    []want // in List order (newest LastSeen first)
	}{
		{
			name: "no group-by: one alert per rule",
			ds:   []alert.Detection{ev("r", "1", 0, `{"user":"a"}`), ev("r", "2", 1, `{"user":"b"}`), ev("q", "3", 2, "")},
			want: []want{{nil, 1}, {nil, 2}},
		},
		{
			name:    "default group-by splits by value",
			groupBy: map[string][]string{alert.AnyRule: {"user"}},
			ds:      []alert.Detection{ev("r", "1", 0, `{"user":"a"}`), ev("r", "2", 1, `{"user":"b"}`), ev("r", "3", 2, `{"user":"a"}`)},
			want:    []want{{map[string]string{"user": "a"}, 2}, {map[string]string{"user": "b"}, 1}},
		},
		{
			name:    "per-rule group-by overrides the default",
			groupBy: map[string][]string{alert.AnyRule: {"user"}, "r": {"src.ip"}},
			ds:      []alert.Detection{ev("r", "1", 0, `{"user":"a","src":{"ip":"10.0.0.1"}}`), ev("r", "2", 1, `{"user":"b","src":{"ip":"10.0.0.1"}}`)},
			want:    []want{{map[string]string{"src.ip": "10.0.0.1"}, 2}},
		},
		{
			name:    "missing and null fields group together, arrays joined",
			groupBy: map[string][]string{"r": {"user"}},
			ds:      []alert.Detection{ev("r", "1", 0, `{}`), ev("r", "2", 1, `{"user":null}`), ev("r", "3", 2, `{"user":["a","b"]}`)},
			want:    []want{{map[string]string{"user": "a,b"}, 1}, {map[string]string{"user": ""}, 2}},
		},
		{
			name:    "preset group values (correlations) are kept",
			groupBy: map[string][]string{alert.AnyRule: {"user"}},
			ds: func() []alert.Detection {
				d1, d2 := ev("c", "h1", 0, `{"user":"x"}`), ev("c", "h2", 1, `{"user":"y"}`)
				d1.GroupValues, d2.GroupValues = map[string]string{"k": "v"}, map[string]string{"k": "v"}
				return []alert.Detection{d1, d2}
			}(),
			want: []want{{map[string]string{"k": "v"}, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newManager(t, alert.Options{GroupBy: tt.groupBy})
			ingest(t, m, tt.ds...)
			var got []want
			for _, a := range all(t, m) {
				got = append(got, want{a.Group, a.Count})
				if fp := alert.Fingerprint(a.RuleID, a.Group); a.Fingerprint != fp {
					t.Errorf("alert %s fingerprint %s, want Fingerprint(rule, group) = %s", a.ID, a.Fingerprint, fp)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFingerprintIgnoresMapOrder(t *testing.T) {
	a := alert.Fingerprint("r", map[string]string{"a": "1", "b": "2"})
	b := alert.Fingerprint("r", map[string]string{"b": "2", "a": "1"})
	c := alert.Fingerprint("r", map[string]string{"a": "12"})
	d := alert.Fingerprint("r", map[string]string{"a": "1", "2": ""})
	if a != b || a == c || c == d {
		t.Errorf("Fingerprint: same groups %s %s, different groups %s %s", a, b, c, d)
	}
}

func TestDedupWindowBoundary(t *testing.T) {
	const w = time.Hour
	tests := []struct {
		name   string
		second time.Duration // event time of the second detection, the first being at 0
		alerts int
	}{
		{"inside", 30 * time.Minute, 1},
		{"exactly the window after", w, 1},
		{"just after the window", w + time.Nanosecond, 2},
		{"exactly the window before", -w, 1},
		{"just before the window", -w - time.Nanosecond, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newManager(t, alert.Options{DedupWindow: w})
			ingest(t, m, ev("r", "1", 0, ""))
			ingest(t, m, ev("r", "2", tt.second, ""))
			if got := len(all(t, m)); got != tt.alerts {
				t.Errorf("second detection at %s: %d alerts, want %d", tt.second, got, tt.alerts)
			}
		})
	}
}

func TestWindowSlidesWithLastSeen(t *testing.T) {
	m, _ := newManager(t, alert.Options{DedupWindow: time.Hour})
	for i := range 5 { // every 50 minutes: each within the window of the previous one
		ingest(t, m, ev("r", fmt.Sprint(i), time.Duration(i)*50*time.Minute, ""))
	}
	as := all(t, m)
	if len(as) != 1 || as[0].Count != 5 {
		t.Errorf("got %d alerts (first count %d), want 1 alert of 5", len(as), as[0].Count)
	}
}

func TestIngestIsIdempotent(t *testing.T) {
	repo := alert.NewMemoryRepository()
	c := &clock{now: t0}
	m, err := alert.NewManager(repo, alert.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	d := ev("r", "1", 0, "")
	if due := ingest(t, m, d, d); len(due) != 1 || due[0].Count != 1 {
		t.Fatalf("Ingest(d, d) = %d due (count %d), want 1 alert with count 1", len(due), due[0].Count)
	}
	if due := ingest(t, m, d); len(due) != 0 {
		t.Errorf("second Ingest(d): %d due, want 0", len(due))
	}
	// A restart: a new Manager over the same repository.
	m2, err := alert.NewManager(repo, alert.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if due := ingest(t, m2, d); len(due) != 0 {
		t.Errorf("Ingest(d) after restart: %d due, want 0", len(due))
	}
	if as := all(t, m2); len(as) != 1 || as[0].Count != 1 {
		t.Errorf("after three deliveries: %d alerts, count %d; want 1 alert, count 1", len(as), as[0].Count)
	}
}

func TestIngestValidates(t *testing.T) {
	m, _ := newManager(t, alert.Options{})
	for _, d := range []alert.Detection{ev("", "1", 0, ""), ev("r", "", 0, "")} {
		if _, err := m.Ingest(context.Background(), []alert.Detection{ev("r", "ok", 0, ""), d}); !errors.Is(err, alert.ErrInvalid) {
			t.Errorf("Ingest(rule %q, event %q) error = %v, want ErrInvalid", d.RuleID, d.EventID, err)
		}
	}
	if as := all(t, m); len(as) != 0 {
		t.Errorf("an invalid batch stored %d alerts, want none", len(as))
	}
}

func TestOutOfOrderDetections(t *testing.T) {
	m, _ := newManager(t, alert.Options{DedupWindow: time.Hour})
	for _, at := range []time.Duration{10, 5, 20, 1, 15} {
		ingest(t, m, ev("r", fmt.Sprint(int(at)), at*time.Minute, ""))
	}
	a := all(t, m)[0]
	if !a.FirstSeen.Equal(t0.Add(time.Minute)) || !a.LastSeen.Equal(t0.Add(20*time.Minute)) || a.Count != 5 {
		t.Errorf("FirstSeen %s LastSeen %s Count %d; want t0+1m, t0+20m, 5", a.FirstSeen, a.LastSeen, a.Count)
	}
	var got []string
	for _, e := range a.Evidence {
		got = append(got, e.EventID)
	}
	if diff := cmp.Diff([]string{"1", "5", "10", "15", "20"}, got); diff != "" {
		t.Errorf("evidence order (-want +got):\n%s", diff)
	}
}

func TestEvidenceCap(t *testing.T) {
	tests := []struct {
		max     int
		order   []int // event minutes, in arrival order
		want    []string
		omitted int
	}{
		{4, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []string{"0", "1", "8", "9"}, 6},
		{4, []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, []string{"0", "1", "8", "9"}, 6},
		{4, []int{5, 0, 9, 3, 7, 1, 8, 2, 6, 4}, []string{"0", "1", "8", "9"}, 6},
		{5, []int{4, 3, 2, 1, 0, 5, 6}, []string{"0", "1", "4", "5", "6"}, 2},
		{1, []int{3, 1, 2}, []string{"3"}, 2},
		{20, []int{2, 1}, []string{"1", "2"}, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.max, tt.order), func(t *testing.T) {
			m, _ := newManager(t, alert.Options{MaxEvidence: tt.max})
			for _, at := range tt.order {
				ingest(t, m, ev("r", fmt.Sprint(at), time.Duration(at)*time.Minute, ""))
			}
			a := all(t, m)[0]
			var got []string
			for _, e := range a.Evidence {
				got = append(got, e.EventID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || a.EvidenceOmitted != tt.omitted {
				t.Errorf("evidence (-want +got):\n%s\nomitted %d, want %d", diff, a.EvidenceOmitted, tt.omitted)
			}
			if len(a.Evidence)+a.EvidenceOmitted != a.Count {
				t.Errorf("len(Evidence) %d + omitted %d != count %d", len(a.Evidence), a.EvidenceOmitted, a.Count)
			}
		})
	}
}

func TestConcurrentIngest(t *testing.T) {
	m, _ := newManager(t, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
	const workers, events, users = 8, 400, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := 0; k < events; k += 20 {
				var ds []alert.Detection
				for i := k; i < k+20; i++ {
					j := (i + w*37) % events // overlapping, in different orders
					ds = append(ds, ev("r", fmt.Sprint(j), time.Duration(j)*time.Second, fmt.Sprintf(`{"user":"u%d"}`, j%users)))
				}
				if _, err := m.Ingest(context.Background(), ds); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	as := all(t, m)
	total := 0
	for _, a := range as {
		total += a.Count
		if a.Count != events/users || len(a.Evidence)+a.EvidenceOmitted != a.Count {
			t.Errorf("alert %v: count %d, evidence %d + %d omitted; want %d", a.Group, a.Count, len(a.Evidence), a.EvidenceOmitted, events/users)
		}
	}
	if len(as) != users || total != events {
		t.Errorf("%d alerts with %d detections, want %d and %d", len(as), total, users, events)
	}
}

func TestAlertJSONRoundTrip(t *testing.T) {
	m, c := newManager(t, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
	due := ingest(t, m, ev("r", "1", 0, `{"user":"a"}`))
	c.Advance(time.Minute)
	a, err := m.Acknowledge(context.Background(), due[0].ID, "alice", "looking")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back alert.Alert
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if diff := cmp.Diff(a, &back, cmpOpts); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	d := ev("r", "1", 0, `{"user":"a"}`)
	d.ID = alert.DetectionID("r", "1")
	b, _ = json.Marshal(d)
	var dback alert.Detection
	if err := json.Unmarshal(b, &dback); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if diff := cmp.Diff(d, dback, cmpOpts); diff != "" {
		t.Errorf("detection JSON round trip (-want +got):\n%s", diff)
	}
}

func TestNewManagerValidates(t *testing.T) {
	tests := []alert.Options{
		{DedupWindow: -1},
		{Realert: alert.RealertPolicy{Mode: "sometimes"}},
		{Realert: alert.RealertPolicy{Interval: time.Hour, Max: time.Minute}},
		{AutoResolve: map[string]time.Duration{"r": 0}},
		{MaxEvidence: -1},
	}
	for _, o := range tests {
		if _, err := alert.NewManager(alert.NewMemoryRepository(), o); !errors.Is(err, alert.ErrInvalid) {
			t.Errorf("NewManager(%+v) error = %v, want ErrInvalid", o, err)
		}
	}
	if _, err := alert.NewManager(nil, alert.Options{}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("NewManager(nil repo) error = %v, want ErrInvalid", err)
	}
}
