package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"picket/internal/alert"
	"picket/internal/event"
	"picket/internal/rule/sigma"
	"picket/internal/source"
	"picket/internal/store"
)

const rules = `
title: Logging stopped
id: 11111111-1111-4111-8111-111111111111
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: StopLogging}
  condition: sel
level: high
---
title: Access denied
id: 22222222-2222-4222-8222-222222222222
name: denied
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {errorCode: AccessDenied}
  condition: sel
level: low
---
title: Many denials
id: 33333333-3333-4333-8333-333333333333
correlation:
  type: event_count
  rules: [denied]
  group-by: [userIdentity.arn]
  timespan: 1h
  condition: {gte: 3}
  generate: true
level: high
`

// memLedger is an in-memory store.Ledger.
type memLedger struct {
	mu   sync.Mutex
	seen map[string]bool
	fail bool
}

func (l *memLedger) MarkProcessed(_ context.Context, items []store.LedgerItem) ([]bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return nil, errors.New("ledger down")
	}
	fresh := make([]bool, len(items))
	for i, it := range items {
		k := it.Scope + "\x00" + it.ID
		fresh[i] = it.ID == "" || !l.seen[k]
		if it.ID != "" {
			l.seen[k] = true
		}
	}
	return fresh, nil
}

// observer records what the router would hear.
type observer struct {
	mu  sync.Mutex
	due int
}

func (o *observer) Observe(as []*alert.Alert, due bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if due {
		o.due += len(as)
	}
}

func newPipeline(t *testing.T) (*Pipeline, *alert.Manager, *alert.MemoryRepository, *memLedger, *observer) {
	t.Helper()
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("rules.yml", []byte(rules), false)
	set, diags := l.Finish()
	if errs := diags.Errors(); len(errs) > 0 {
		t.Fatal(errs)
	}
	r, err := NewRules(set, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	repo := alert.NewMemoryRepository()
	m, err := alert.NewManager(repo, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"userIdentity.arn"}}})
	if err != nil {
		t.Fatal(err)
	}
	led := &memLedger{seen: map[string]bool{}}
	obs := &observer{}
	return New(r, led, m, obs, Options{}), m, repo, led, obs
}

func trail(id, name, errCode, user string) source.Record {
	ec := ""
	if errCode != "" {
		ec = fmt.Sprintf(`,"errorCode":%q`, errCode)
	}
	return source.Record{Data: fmt.Appendf(nil,
		`{"eventVersion":"1.09","eventID":%q,"eventTime":"2026-01-02T03:04:05Z","eventSource":"cloudtrail.amazonaws.com","eventName":%q,"userIdentity":{"arn":%q}%s}`,
		id, name, user, ec)}
}

func count(t *testing.T, m *alert.Manager) (alerts, detections int) {
	t.Helper()
	as, err := m.List(context.Background(), alert.Query{Limit: alert.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		detections += a.Count
	}
	return len(as), detections
}

func TestProcessRepeatsCountOnce(t *testing.T) {
	p, m, _, _, obs := newPipeline(t)
	ctx := context.Background()
	b := &source.Batch{Records: []source.Record{
		trail("e1", "StopLogging", "", "arn:aws:iam::1:user/a"),
		trail("e2", "GetObject", "AccessDenied", "arn:aws:iam::1:user/b"),
		trail("e3", "GetObject", "AccessDenied", "arn:aws:iam::1:user/b"),
		{Data: []byte(`{not json`)},
	}}
	if err := p.Process(ctx, "src", b); err != nil {
		t.Fatal(err)
	}
	// The same events again (an overlapping poll), then a third denial.
	if err := p.Process(ctx, "src", b); err != nil {
		t.Fatal(err)
	}
	alerts, dets := count(t, m)
	if alerts != 2 || dets != 3 {
		t.Fatalf("after a repeated batch: %d alerts, %d detections; want 2 and 3 (repeats stored once)", alerts, dets)
	}
	// Two denials so far; the repeats must not have fed the correlation: a third one fires it.
	if err := p.Process(ctx, "src", &source.Batch{Records: []source.Record{trail("e4", "PutObject", "AccessDenied", "arn:aws:iam::1:user/b")}}); err != nil {
		t.Fatal(err)
	}
	as, _ := m.List(ctx, alert.Query{RuleID: "33333333-3333-4333-8333-333333333333"})
	if len(as) != 1 {
		t.Fatalf("correlation alerts: %d, want 1 after the third distinct denial", len(as))
	}
	if obs.due == 0 {
		t.Error("the router heard of no due alert")
	}
}

func TestProcessCorrelationIgnoresRepeats(t *testing.T) {
	p, m, _, _, _ := newPipeline(t)
	ctx := context.Background()
	b := &source.Batch{Records: []source.Record{
		trail("e1", "GetObject", "AccessDenied", "arn:aws:iam::1:user/b"),
		trail("e2", "GetObject", "AccessDenied", "arn:aws:iam::1:user/b"),
	}}
	for range 3 {
		if err := p.Process(ctx, "src", b); err != nil {
			t.Fatal(err)
		}
	}
	if as, _ := m.List(ctx, alert.Query{RuleID: "33333333-3333-4333-8333-333333333333"}); len(as) != 0 {
		t.Fatalf("two distinct denials delivered three times fired the correlation: %d alerts", len(as))
	}
}

func TestProcessFailsWithoutLedger(t *testing.T) {
	p, m, _, led, _ := newPipeline(t)
	led.fail = true
	// A denial feeds the correlation, which needs the ledger.
	err := p.Process(context.Background(), "src", &source.Batch{Records: []source.Record{trail("e1", "GetObject", "AccessDenied", "u")}})
	if err == nil {
		t.Fatal("Process succeeded with the ledger down: the source would checkpoint unprocessed events")
	}
	if alerts, _ := count(t, m); alerts != 0 {
		t.Errorf("%d alerts stored after a failed batch", alerts)
	}
}

func TestForcedLogSourceAndSwap(t *testing.T) {
	p, m, _, _, _ := newPipeline(t)
	ctx := context.Background()
	// Not recognisable as CloudTrail without eventVersion, but the source says it is.
	rec := source.Record{Data: []byte(`{"eventID":"x1","eventName":"StopLogging","eventTime":"2026-01-02T03:04:05Z"}`)}
	if err := p.Process(ctx, "src", &source.Batch{Records: []source.Record{rec}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := count(t, m); n != 0 {
		t.Fatalf("unrecognised record matched a cloudtrail rule: %d alerts", n)
	}
	b := &source.Batch{Records: []source.Record{rec}, LogSource: &event.LogSource{Product: "aws", Service: "cloudtrail"}}
	if err := p.Process(ctx, "src", b); err != nil {
		t.Fatal(err)
	}
	if n, _ := count(t, m); n != 1 {
		t.Fatalf("with the forced logsource: %d alerts, want 1", n)
	}
	before := p.Rules()
	empty, _ := sigma.NewLoader(sigma.Options{}).Finish()
	r, err := NewRules(empty, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Swap(r)
	if p.Rules() == before {
		t.Error("Swap did not replace the rules")
	}
}
