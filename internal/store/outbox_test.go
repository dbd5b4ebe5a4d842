package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/notify"
)

func TestOutboxRows(t *testing.T) {
	ns := []notify.Notification{
		{ID: "b", Receiver: "hook", GroupKey: "first"},
		{ID: "a", Receiver: "mail"},
		{ID: "b", Receiver: "hook", GroupKey: "second"},
	}
	rows, err := OutboxRows(ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != "a" || rows[1].ID != "b" || rows[0].Receiver != "mail" {
		t.Fatalf("OutboxRows = %+v, want a then b", rows)
	}
	n, err := DecodeNotification("b", rows[1].Doc)
	if err != nil || n.GroupKey != "first" {
		t.Errorf("row b decodes to %+v, %v; want the first notification of id b", n, err)
	}
	if _, err := OutboxRows([]notify.Notification{{ID: "x"}}); err == nil {
		t.Error("OutboxRows(no receiver) = nil error, want one")
	}
}

// TestDecodeNotificationAlertViews checks that the fields of notify.AlertView beside the
// embedded alert survive, although alert.Alert's UnmarshalJSON is promoted to AlertView.
func TestDecodeNotificationAlertViews(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	n := notify.Notification{ID: "n", Receiver: "hook", Alerts: []notify.AlertView{
		{Alert: alert.Alert{ID: "a1", Status: alert.StatusOpen, FirstSeen: at, LastSeen: at},
			Events: []notify.Event{{ID: "e", Time: at, Data: json.RawMessage(`{"k":"\u0000"}`)}}, EventsOmitted: 3, URL: "https://x/a1"},
		{Alert: alert.Alert{ID: "a2", Status: alert.StatusOpen}},
	}}
	doc, err := json.Marshal(&n)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeNotification("n", doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(n, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	if _, err := DecodeNotification("n", []byte(`{"id":`)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeNotification(bad) = %v, want ErrCorrupt", err)
	}
}
