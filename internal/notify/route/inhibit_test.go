package route

import (
	"testing"

	"picket/internal/alert"
	"picket/internal/rule"
)

func TestInhibited(t *testing.T) {
	inh, err := NewInhibitor([]InhibitRule{{
		SourceMatchers: []string{"level=critical"},
		TargetMatchers: []string{"level=~high|critical"},
		Equal:          []string{"account", "group.user"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	crit := mk("crit", level(rule.Critical), account("1"), group("user", "bob"))
	tests := []struct {
		name   string
		target *alert.Alert
		firing []*alert.Alert
		want   bool
	}{
		{"critical mutes high with equal account", mk("h", account("1"), group("user", "bob")), []*alert.Alert{crit}, true},
		{"different account not muted", mk("h", account("2"), group("user", "bob")), []*alert.Alert{crit}, false},
		{"different group value not muted", mk("h", account("1"), group("user", "eve")), []*alert.Alert{crit}, false},
		{"self not muted (same pointer)", crit, []*alert.Alert{crit}, false},
		{"self not muted (same id)", crit.Clone(), []*alert.Alert{crit}, false},
		{"other critical mutes critical target", mk("c2", level(rule.Critical), account("1"), group("user", "bob")), []*alert.Alert{crit}, true},
		{"low is no target", mk("l", level(rule.Low), account("1"), group("user", "bob")), []*alert.Alert{crit}, false},
		{"resolved source does not mute", mk("h", account("1"), group("user", "bob")), []*alert.Alert{mk("crit", level(rule.Critical), account("1"), group("user", "bob"), status(alert.StatusResolved))}, false},
		{"acknowledged silenced source mutes", mk("h", account("1"), group("user", "bob")), []*alert.Alert{mk("crit", level(rule.Critical), account("1"), group("user", "bob"), status(alert.StatusAcknowledged), silenced)}, true},
		{"no firing", mk("h", account("1")), nil, false},
	}
	for _, tc := range tests {
		if got := inh.Inhibited(tc.target, tc.firing); got != tc.want {
			t.Errorf("%s: Inhibited() = %v, want %v", tc.name, got, tc.want)
		}
	}
	var none *Inhibitor
	if none.Inhibited(crit, []*alert.Alert{crit}) {
		t.Error("nil Inhibitor inhibited an alert")
	}
}
