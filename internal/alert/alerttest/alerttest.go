// Package alerttest is the conformance suite of alert.Repository implementations: every backend
// runs RunRepository against a fresh, empty repository per test.
package alerttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/alert"
	"picket/internal/rule"
)

// T0 is the base time of the suite: whole seconds, UTC, so that backends storing microseconds
// compare equal.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Opts compares alerts and silences as a backend may return them: times by instant, nil and
// empty slices and maps alike.
func Opts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmpopts.EquateEmpty(),
	}
}

// RunRepository runs the conformance suite; newRepo returns a new, empty repository.
func RunRepository(t *testing.T, newRepo func(t *testing.T) alert.Repository) {
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newRepo(t)) })
	t.Run("IngestNewAndDuplicate", func(t *testing.T) { testIngestDuplicate(t, newRepo(t)) })
	t.Run("Candidate", func(t *testing.T) { testCandidate(t, newRepo) })
	t.Run("FoldErrorRollsBack", func(t *testing.T) { testFoldError(t, newRepo(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newRepo(t)) })
	t.Run("ListFilters", func(t *testing.T) { testListFilters(t, newRepo(t)) })
	t.Run("ListPages", func(t *testing.T) { testListPages(t, newRepo(t)) })
	t.Run("Silences", func(t *testing.T) { testSilences(t, newRepo(t)) })
	t.Run("ConcurrentIngest", func(t *testing.T) { testConcurrent(t, newRepo(t)) })
	t.Run("Manager", func(t *testing.T) { testManager(t, newRepo(t)) })
	t.Run("Detections", func(t *testing.T) { testDetections(t, newRepo(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, newRepo(t)) })
}

// det returns a detection of rule on event at t0+minutes, with the fingerprint of group fp.
func det(ruleID, eventID string, minutes int, fp string) *alert.Detection {
	return &alert.Detection{
		ID:          alert.DetectionID(ruleID, eventID),
		Fingerprint: alert.Fingerprint(ruleID, map[string]string{"g": fp}),
		RuleID:      ruleID,
		RuleTitle:   "title " + ruleID,
		Level:       rule.High,
		Kind:        "detection",
		EventID:     eventID,
		EventTime:   t0.Add(time.Duration(minutes) * time.Minute),
		Source:      "src",
		Raw:         []byte(`{"id":"` + eventID + `"}`),
		GroupValues: map[string]string{"g": fp},
		DetectedAt:  t0,
	}
}

// counter is a fold that counts detections and records which candidate it saw.
type counter struct {
	mu   sync.Mutex
	seen []string // candidate id per call ("" for none)
}

func (c *counter) fold(d *alert.Detection, a *alert.Alert) (*alert.Alert, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a == nil {
		c.seen = append(c.seen, "")
		a = &alert.Alert{
			ID: "a-" + d.ID, Fingerprint: d.Fingerprint, RuleID: d.RuleID, RuleTitle: d.RuleTitle,
			Level: d.Level, Status: alert.StatusOpen, FirstSeen: d.EventTime, LastSeen: d.EventTime,
			Group: d.GroupValues, Source: d.Source, CreatedAt: d.DetectedAt, LastDetectedAt: d.DetectedAt,
			History: []alert.Change{{At: d.DetectedAt, Actor: "test", Action: alert.ActionCreated}},
		}
	} else {
		c.seen = append(c.seen, a.ID)
	}
	if d.EventTime.Before(a.FirstSeen) {
		a.FirstSeen = d.EventTime
	}
	if d.EventTime.After(a.LastSeen) {
		a.LastSeen = d.EventTime
	}
	a.Count++
	a.Evidence = append(a.Evidence, alert.EvidenceRef{DetectionID: d.ID, EventID: d.EventID, EventTime: d.EventTime})
	a.UpdatedAt = d.DetectedAt
	return a, nil
}

func ingest(t *testing.T, r alert.Repository, c *counter, window time.Duration, ds ...*alert.Detection) []*alert.Alert {
	t.Helper()
	got, err := r.Ingest(context.Background(), ds, window, c.fold)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if len(got) != len(ds) {
		t.Fatalf("Ingest returned %d results for %d detections", len(got), len(ds))
	}
	return got
}

func testNotFound(t *testing.T, r alert.Repository) {
	ctx := context.Background()
	if a, err := r.Get(ctx, "nope"); !errors.Is(err, alert.ErrNotFound) || a != nil {
		t.Errorf("Get(missing) = %v, %v; want nil, ErrNotFound", a, err)
	}
	if _, err := r.Update(ctx, "nope", func(*alert.Alert) error { return nil }); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("Update(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := r.UpdateSilence(ctx, "nope", func(*alert.Silence) error { return nil }); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("UpdateSilence(missing) error = %v, want ErrNotFound", err)
	}
	as, err := r.List(ctx, alert.Query{})
	if err != nil || len(as) != 0 {
		t.Errorf("List(empty repo) = %v, %v; want nothing, nil", as, err)
	}
}

func testIngestDuplicate(t *testing.T, r alert.Repository) {
	c := &counter{}
	d1, d2 := det("r1", "e1", 0, "x"), det("r1", "e2", 1, "x")
	got := ingest(t, r, c, time.Hour, d1, d1, d2)
	if got[0] == nil || got[1] != nil || got[2] == nil {
		t.Fatalf("Ingest(d1, d1, d2) nil pattern = %v, %v, %v; want alert, nil, alert", got[0] != nil, got[1] != nil, got[2] != nil)
	}
	if got[0].ID != got[2].ID || got[0].Count != 2 || got[2].Count != 2 {
		t.Errorf("results = %s (count %d), %s (count %d); want one alert as at the end of the batch, count 2", got[0].ID, got[0].Count, got[2].ID, got[2].Count)
	}
	again := ingest(t, r, c, time.Hour, d2, d1)
	if again[0] != nil || again[1] != nil {
		t.Errorf("re-ingesting stored detections returned alerts %v", again)
	}
	stored, err := r.Get(context.Background(), got[2].ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(got[2], stored, Opts()); diff != "" {
		t.Errorf("Get after Ingest (-ingested +stored):\n%s", diff)
	}
	if len(c.seen) != 2 {
		t.Errorf("fold called %d times, want 2", len(c.seen))
	}
}

func testCandidate(t *testing.T, newRepo func(t *testing.T) alert.Repository) {
	const w = 10 * time.Minute
	tests := []struct {
		name  string
		setup []*alert.Detection
		mod   func(a *alert.Alert) // applied through Update to the first alert created
		d     *alert.Detection
		want  int // index in setup of the detection whose alert is the candidate; -1 none
	}{
		{"same fingerprint in window", []*alert.Detection{det("r", "e1", 0, "x")}, nil, det("r", "e2", 10, "x"), 0},
		{"before FirstSeen in window", []*alert.Detection{det("r", "e1", 30, "x")}, nil, det("r", "e2", 20, "x"), 0},
		{"just outside window", []*alert.Detection{det("r", "e1", 0, "x")}, nil, det("r", "e2", 11, "x"), -1},
		{"other group", []*alert.Detection{det("r", "e1", 0, "x")}, nil, det("r", "e2", 1, "y"), -1},
		{"other rule", []*alert.Detection{det("r", "e1", 0, "x")}, nil, det("q", "e2", 1, "x"), -1},
		{"resolved still a candidate", []*alert.Detection{det("r", "e1", 0, "x")},
			func(a *alert.Alert) { a.Status = alert.StatusResolved }, det("r", "e2", 5, "x"), 0},
		{"active preferred over later resolved", []*alert.Detection{det("r", "e3", 20, "x"), det("r", "e1", 0, "x")},
			func(a *alert.Alert) { a.Status = alert.StatusResolved }, det("r", "e2", 10, "x"), 1},
		{"latest LastSeen among active", []*alert.Detection{det("r", "e1", 0, "x"), det("r", "e3", 20, "x")},
			nil, det("r", "e2", 10, "x"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			c := &counter{}
			var ids []string
			for i, d := range tt.setup {
				a := ingest(t, r, c, 0, d)[0] // window 0: each setup detection gets its own alert
				ids = append(ids, a.ID)
				if i == 0 && tt.mod != nil {
					if _, err := r.Update(context.Background(), a.ID, func(a *alert.Alert) error { tt.mod(a); return nil }); err != nil {
						t.Fatal(err)
					}
				}
			}
			ingest(t, r, c, w, tt.d)
			want := ""
			if tt.want >= 0 {
				want = ids[tt.want]
			}
			if got := c.seen[len(c.seen)-1]; got != want {
				t.Errorf("candidate = %q, want %q", got, want)
			}
		})
	}
}

func testFoldError(t *testing.T, r alert.Repository) {
	ctx := context.Background()
	c := &counter{}
	boom := errors.New("boom")
	calls := 0
	fold := func(d *alert.Detection, a *alert.Alert) (*alert.Alert, error) {
		if calls++; calls == 2 {
			return nil, boom
		}
		return c.fold(d, a)
	}
	_, err := r.Ingest(ctx, []*alert.Detection{det("r", "e1", 0, "x"), det("r", "e2", 1, "x")}, time.Hour, fold)
	if !errors.Is(err, boom) {
		t.Fatalf("Ingest with failing fold error = %v, want boom", err)
	}
	got := ingest(t, r, c, time.Hour, det("r", "e1", 0, "x"))
	if got[0] == nil || got[0].Count != 1 {
		t.Errorf("after a rolled-back batch, re-ingest = %+v; want a new alert with count 1", got[0])
	}
	as, err := r.List(ctx, alert.Query{})
	if err != nil || len(as) != 1 {
		t.Errorf("List after rollback = %d alerts, %v; want 1", len(as), err)
	}
}

func testUpdate(t *testing.T, r alert.Repository) {
	ctx := context.Background()
	a := ingest(t, r, &counter{}, time.Hour, det("r", "e1", 0, "x"))[0]
	boom := errors.New("boom")
	if _, err := r.Update(ctx, a.ID, func(a *alert.Alert) error { a.Count = 99; return boom }); !errors.Is(err, boom) {
		t.Errorf("Update with failing fn error = %v, want boom", err)
	}
	change := alert.Change{At: t0.Add(time.Hour), Actor: "alice", Action: alert.ActionAcknowledged, Comment: "mine"}
	got, err := r.Update(ctx, a.ID, func(a *alert.Alert) error {
		a.Status = alert.StatusAcknowledged
		a.History = append(a.History, change)
		a.NextNotify = t0.Add(2 * time.Hour)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := a.Clone()
	want.Status = alert.StatusAcknowledged
	want.History = append(want.History, change)
	want.NextNotify = t0.Add(2 * time.Hour)
	if diff := cmp.Diff(want, got, Opts()); diff != "" {
		t.Errorf("Update result (-want +got):\n%s", diff)
	}
	got.Count = 1000 // a copy: the stored alert must not change
	stored, err := r.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored, Opts()); diff != "" {
		t.Errorf("stored after Update (-want +got):\n%s", diff)
	}
}

// seed stores one alert per spec through Ingest and Update.
func seed(t *testing.T, r alert.Repository, specs []func(*alert.Alert)) []string {
	t.Helper()
	var ids []string
	for i, spec := range specs {
		a := ingest(t, r, &counter{}, 0, det(fmt.Sprintf("rule-%d", i), fmt.Sprintf("e%d", i), i, "g"))[0]
		if _, err := r.Update(context.Background(), a.ID, func(a *alert.Alert) error { spec(a); return nil }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

func testListFilters(t *testing.T, r alert.Repository) {
	ids := seed(t, r, []func(*alert.Alert){
		func(a *alert.Alert) { a.Level = rule.Low; a.RuleTitle = "Root login" },
		func(a *alert.Alert) { a.Status = alert.StatusAcknowledged; a.Source = "trail" },
		func(a *alert.Alert) {
			a.Status = alert.StatusResolved
			a.Level = rule.Critical
			a.Group = map[string]string{"user": "Mallory"}
		},
		func(a *alert.Alert) { a.LastDetectedAt = t0.Add(-time.Hour) },
	})
	tests := []struct {
		name string
		q    alert.Query
		want []int // indexes into ids, in List order
	}{
		{"all, newest first", alert.Query{}, []int{3, 2, 1, 0}},
		{"status", alert.Query{Status: []alert.Status{alert.StatusOpen, alert.StatusResolved}}, []int{3, 2, 0}},
		{"min level", alert.Query{MinLevel: rule.High}, []int{3, 2, 1}},
		{"rule id", alert.Query{RuleID: "rule-1"}, []int{1}},
		{"source", alert.Query{Source: "trail"}, []int{1}},
		{"text in title", alert.Query{Text: "root"}, []int{0}},
		{"text in group value", alert.Query{Text: "mALLory"}, []int{2}},
		{"text in rule id", alert.Query{Text: "RULE-3"}, []int{3}},
		{"since inclusive", alert.Query{Since: t0.Add(2 * time.Minute)}, []int{3, 2}},
		{"until exclusive", alert.Query{Until: t0.Add(2 * time.Minute)}, []int{1, 0}},
		{"detected before", alert.Query{DetectedBefore: t0}, []int{3}},
		{"limit", alert.Query{Limit: 2}, []int{3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as, err := r.List(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, a := range as {
				got = append(got, a.ID)
			}
			for _, i := range tt.want {
				want = append(want, ids[i])
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("List(%+v) ids (-want +got):\n%s", tt.q, diff)
			}
		})
	}
	if _, err := r.List(context.Background(), alert.Query{After: "!!"}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("List with a malformed cursor error = %v, want ErrInvalid", err)
	}
}

func testListPages(t *testing.T, r alert.Repository) {
	var specs []func(*alert.Alert)
	for i := range 25 {
		specs = append(specs, func(a *alert.Alert) { a.LastSeen = t0.Add(time.Duration(i%5) * time.Minute) }) // ties
	}
	seed(t, r, specs)
	all, err := r.List(context.Background(), alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var paged []*alert.Alert
	q := alert.Query{Limit: 7}
	for range 10 {
		page, err := r.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].Cursor()
	}
	if diff := cmp.Diff(all, paged, Opts()); diff != "" {
		t.Errorf("pages of 7 differ from one list (-all +paged):\n%s", diff)
	}
	for i := 1; i < len(all); i++ {
		if !alert.ListLess(all[i-1], all[i]) {
			t.Errorf("List order: %s (%s) before %s (%s)", all[i-1].ID, all[i-1].LastSeen, all[i].ID, all[i].LastSeen)
		}
	}
}

func testSilences(t *testing.T, r alert.Repository) {
	ctx := context.Background()
	mk := func(id string, created, ends int) alert.Silence {
		return alert.Silence{
			ID: id, Matchers: []alert.Matcher{{Field: "rule_id", Op: alert.OpRegexp, Value: "r.*"}},
			Author: "alice", Comment: "maintenance", StartsAt: t0, CreatedAt: t0.Add(time.Duration(created) * time.Minute),
			EndsAt: t0.Add(time.Duration(ends) * time.Hour),
		}
	}
	s1, s2, s3 := mk("s1", 2, 1), mk("s2", 1, 3), mk("s3", 3, 2)
	for _, s := range []alert.Silence{s1, s2, s3} {
		if err := r.CreateSilence(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.CreateSilence(ctx, s1); !errors.Is(err, alert.ErrDuplicate) {
		t.Errorf("CreateSilence(duplicate) error = %v, want ErrDuplicate", err)
	}
	got, err := r.Silences(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]alert.Silence{s2, s1, s3}, got, Opts()); diff != "" {
		t.Errorf("Silences(all) (-want +got):\n%s", diff)
	}
	got, err = r.Silences(ctx, t0.Add(time.Hour)) // s1 ends exactly then: excluded
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]alert.Silence{s2, s3}, got, Opts()); diff != "" {
		t.Errorf("Silences(ending after 1h) (-want +got):\n%s", diff)
	}
	upd, err := r.UpdateSilence(ctx, "s2", func(s *alert.Silence) error { s.EndsAt = t0; s.ExpiredBy = "bob"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := s2.Clone()
	want.EndsAt, want.ExpiredBy = t0, "bob"
	if diff := cmp.Diff(want, upd, Opts()); diff != "" {
		t.Errorf("UpdateSilence (-want +got):\n%s", diff)
	}
	boom := errors.New("boom")
	if _, err := r.UpdateSilence(ctx, "s3", func(s *alert.Silence) error { s.Author = "x"; return boom }); !errors.Is(err, boom) {
		t.Errorf("UpdateSilence with failing fn error = %v, want boom", err)
	}
	got, _ = r.Silences(ctx, time.Time{})
	if diff := cmp.Diff([]alert.Silence{want, s1, s3}, got, Opts()); diff != "" {
		t.Errorf("Silences after updates (-want +got):\n%s", diff)
	}
}

// testConcurrent ingests overlapping batches from several goroutines: each detection must be
// folded exactly once and one alert per fingerprint created.
func testConcurrent(t *testing.T, r alert.Repository) {
	const workers, events, groups = 8, 200, 4
	c := &counter{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var ds []*alert.Detection
			for i := range events {
				j := (i + w*events/workers) % events // every worker sends every event, shifted
				ds = append(ds, det("r", fmt.Sprintf("e%d", j), j%60, fmt.Sprint(j%groups)))
			}
			for k := 0; k < len(ds); k += 25 {
				if _, err := r.Ingest(context.Background(), ds[k:k+25], 24*time.Hour, c.fold); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	as, err := r.List(context.Background(), alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, a := range as {
		total += a.Count
	}
	if len(as) != groups || total != events {
		t.Errorf("after concurrent ingest: %d alerts with %d detections; want %d and %d", len(as), total, groups, events)
	}
}
