package notifytest

import (
	"encoding/json"
	"time"

	"picket/internal/alert"
	"picket/internal/event"
	"picket/internal/notify"
	"picket/internal/rule"
)

// Now returns the fixed time of the fixtures and of Deps' clock.
func Now() time.Time { return time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC) }

// Notification returns a realistic firing notification: two alerts of one AWS account, a
// console login without MFA (three detections, two evidence events shown, one omitted) and
// CloudTrail logging being stopped (one detection), each with raw CloudTrail events. Every call
// returns a new value that the caller may modify.
func Notification() *notify.Notification {
	now := Now()
	login := alertView(alertSpec{
		ruleID: "d9a1c0b7-3c4e-4f0a-9a51-6b0e1f6f8a21", title: "AWS Console Login Without MFA",
		level: rule.High, tags: []string{"attack.initial_access", "attack.t1078.004"},
		group: map[string]string{"userIdentity.arn": "arn:aws:iam::123456789012:user/alice"},
		count: 3, omitted: 1, first: now.Add(-25 * time.Minute), last: now.Add(-3 * time.Minute),
		events: []notify.Event{
			{ID: "6f1e7c2a-8d4b-4a55-b0a3-2f9c1e0d7b11", Time: now.Add(-25 * time.Minute), Source: "cloudtrail-prod", Data: raw(map[string]any{
				"eventVersion": "1.08", "eventName": "ConsoleLogin", "eventSource": "signin.amazonaws.com",
				"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.45",
				"userIdentity":        map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012", "userName": "alice"},
				"additionalEventData": map[string]any{"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/console/home"},
				"responseElements":    map[string]any{"ConsoleLogin": "Success"},
			})},
			{ID: "0b7d6f3e-1a2c-4c8e-9e1f-5d4a3b2c1e00", Time: now.Add(-3 * time.Minute), Source: "cloudtrail-prod", Data: raw(map[string]any{
				"eventVersion": "1.08", "eventName": "ConsoleLogin", "eventSource": "signin.amazonaws.com",
				"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7",
				"userIdentity":        map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012", "userName": "alice"},
				"additionalEventData": map[string]any{"MFAUsed": "No"},
				"responseElements":    map[string]any{"ConsoleLogin": "Success"},
			})},
		},
	})
	stop := alertView(alertSpec{
		ruleID: "4f0b2a9c-71d3-4b8e-a6c5-9d2e8f1a3b47", title: "AWS CloudTrail Logging Stopped",
		level: rule.Critical, tags: []string{"attack.defense_evasion", "attack.t1562.008"},
		group: map[string]string{"requestParameters.name": "org-trail"},
		count: 1, first: now.Add(-2 * time.Minute), last: now.Add(-2 * time.Minute),
		events: []notify.Event{
			{ID: "a3c5e7f9-2b4d-4f6a-8c0e-1d3f5a7b9c2e", Time: now.Add(-2 * time.Minute), Source: "cloudtrail-prod", Data: raw(map[string]any{
				"eventVersion": "1.08", "eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com",
				"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.45",
				"userIdentity":      map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012", "userName": "alice"},
				"requestParameters": map[string]any{"name": "org-trail"},
			})},
		},
	})
	return &notify.Notification{
		ID:          "3e8f1c2d9a7b4e6f8c0d2a4b6e8f1a3c",
		Receiver:    "secops",
		Status:      notify.StatusFiring,
		GroupKey:    `{}/{level=~"high|critical"}:{account="123456789012"}`,
		GroupLabels: map[string]string{"account": "123456789012"},
		Alerts:      []notify.AlertView{login, stop},
		CreatedAt:   now,
	}
}

// Resolved returns Notification with the notification and its alerts resolved.
func Resolved() *notify.Notification {
	n := Notification()
	n.ID = "7c1a9e3f5b2d4c6e8a0f1b3d5e7a9c2b"
	n.Status = notify.StatusResolved
	for i := range n.Alerts {
		n.Alerts[i].Status = alert.StatusResolved
		n.Alerts[i].ResolvedAt = Now()
	}
	return n
}

// Acknowledged returns Notification with every alert acknowledged (the notification still
// firing).
func Acknowledged() *notify.Notification {
	n := Notification()
	n.ID = "5d2b8f4a6c1e3a5c7e9b0d2f4a6c8e1b"
	for i := range n.Alerts {
		n.Alerts[i].Status = alert.StatusAcknowledged
	}
	return n
}

type alertSpec struct {
	ruleID, title  string
	level          rule.Level
	tags           []string
	group          map[string]string
	count, omitted int
	first, last    time.Time
	events         []notify.Event
}

func alertView(s alertSpec) notify.AlertView {
	fp := alert.Fingerprint(s.ruleID, s.group)
	id := "al_" + fp[:16]
	return notify.AlertView{
		Alert: alert.Alert{
			ID: id, Fingerprint: fp, RuleID: s.ruleID, RuleTitle: s.title, Level: s.level, Tags: s.tags,
			Kind: "detection", Source: "cloudtrail-prod",
			LogSource: event.LogSource{Product: "aws", Service: "cloudtrail"},
			Account:   "123456789012", Group: s.group, Status: alert.StatusOpen,
			FirstSeen: s.first, LastSeen: s.last, LastDetectedAt: s.last.Add(40 * time.Second),
			Count: s.count, CreatedAt: s.first.Add(40 * time.Second), UpdatedAt: s.last.Add(40 * time.Second),
		},
		Events:        s.events,
		EventsOmitted: s.omitted,
		URL:           "https://picket.example.com/alerts/" + id,
	}
}

func raw(v map[string]any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // fixture data always marshals
	}
	return b
}
