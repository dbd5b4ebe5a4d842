package route

import (
	"time"

	"picket/internal/alert"
	"picket/internal/event"
	"picket/internal/rule"
)

// t0 is a Monday, 09:00 UTC.
var t0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// mk returns an open alert with id, overridden by opts.
func mk(id string, opts ...func(*alert.Alert)) *alert.Alert {
	a := &alert.Alert{
		ID: id, Fingerprint: "fp-" + id, RuleID: "r1", RuleTitle: "Rule one", Level: rule.High,
		Kind: "detection", Source: "trail", Account: "123456789012",
		LogSource: event.LogSource{Product: "aws", Service: "cloudtrail"},
		Status:    alert.StatusOpen, Count: 1, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func level(l rule.Level) func(*alert.Alert) { return func(a *alert.Alert) { a.Level = l } }
func ruleID(s string) func(*alert.Alert)    { return func(a *alert.Alert) { a.RuleID = s } }
func account(s string) func(*alert.Alert)   { return func(a *alert.Alert) { a.Account = s } }
func tags(ts ...string) func(*alert.Alert)  { return func(a *alert.Alert) { a.Tags = ts } }
func status(s alert.Status) func(*alert.Alert) {
	return func(a *alert.Alert) { a.Status = s }
}
func group(kv ...string) func(*alert.Alert) {
	return func(a *alert.Alert) {
		a.Group = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			a.Group[kv[i]] = kv[i+1]
		}
	}
}
func product(p string) func(*alert.Alert) { return func(a *alert.Alert) { a.LogSource.Product = p } }
func count(n int) func(*alert.Alert)      { return func(a *alert.Alert) { a.Count = n } }
func silenced(a *alert.Alert)             { a.Silenced = true }
