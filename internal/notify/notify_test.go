package notify

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/rule"
)

// TestNotificationJSONRoundTrip guards the outbox's storage format: every field of a notification,
// the alert views' events and links included, survives JSON.
func TestNotificationJSONRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 4, 11, 0, time.UTC)
	n := Notification{
		ID: "n1", Receiver: "hook", Status: StatusFiring, GroupKey: "g", GroupLabels: map[string]string{"rule_id": "r"}, CreatedAt: at,
		Alerts: []AlertView{{
			Alert:         alert.Alert{ID: "a1", RuleID: "r", Level: rule.High, Status: alert.StatusOpen, FirstSeen: at, LastSeen: at, Count: 2},
			Events:        []Event{{ID: "e1", Time: at, Source: "s", Data: json.RawMessage(`{"eventName":"StopLogging"}`)}},
			EventsOmitted: 1, URL: "https://picket.example.com/alerts/a1",
		}},
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var got Notification
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(n, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
