package notify

import (
	"encoding/json"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/rule"
)

// TestNotification is a realistic notification marked as a test (`picket notify test`, the
// API's receiver test).
func TestNotification(receiver, consoleURL string, now time.Time) *Notification {
	raw := json.RawMessage(`{"eventVersion":"1.09","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.45","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/picket-test"},"recipientAccountId":"123456789012"}`)
	a := alert.Alert{
		ID: "test-" + now.UTC().Format("20060102T150405Z"), Fingerprint: "picket-test", RuleID: "picket-test-notification",
		RuleTitle: "picket test notification (AWS CloudTrail Logging Stopped)", Level: rule.High,
		Tags: []string{"attack.defense-evasion", "attack.t1562.008"}, Kind: "detection", Source: "picket notify test",
		Account: "123456789012", Group: map[string]string{"userIdentity.arn": "arn:aws:iam::123456789012:user/picket-test"},
		Status: alert.StatusOpen, FirstSeen: now.UTC(), LastSeen: now.UTC(), Count: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
	}
	url := ""
	if consoleURL != "" {
		url = strings.TrimSuffix(consoleURL, "/") + "/alerts/" + a.ID
	}
	return &Notification{
		ID: "test-" + receiver + "-" + now.UTC().Format("20060102T150405.000Z"), Receiver: receiver, Status: StatusFiring,
		GroupKey: "test", GroupLabels: map[string]string{"rule_id": a.RuleID}, CreatedAt: now.UTC(),
		Alerts: []AlertView{{Alert: a, Events: []Event{{ID: "test-event", Time: now.UTC(), Source: "picket notify test", Data: raw}}, URL: url}},
	}
}
