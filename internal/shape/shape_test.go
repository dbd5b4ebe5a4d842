package shape

import (
	"testing"
	"time"

	"picket/internal/event"
)

func TestIdentify(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		raw      string
		text     bool
		env      Envelope
		kind     string
		ls       event.LogSource
		id       string
		wantTime time.Time
	}{
		{"cloudtrail", `{"eventVersion":"1.09","eventTime":"2024-01-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"ct-1"}`, false, Envelope{},
			KindCloudTrail, event.LogSource{Product: "aws", Service: "cloudtrail"}, "ct-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"cloudtrail via cloudwatch keeps its eventID", `{"eventVersion":"1.09","eventTime":"2024-01-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"ct-2"}`, false, Envelope{ID: "3195310660696698337880902507980421114328961542429822156"},
			KindCloudTrail, event.LogSource{Product: "aws", Service: "cloudtrail"}, "ct-2", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"gcp audit", `{"insertId":"g-1","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2024-01-02T03:04:05.123456789Z","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"iam.googleapis.com"}}`, false, Envelope{},
			KindGCPAudit, event.LogSource{Product: "gcp", Service: "gcp.audit"}, "g-1", time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)},
		{"workspace login", `{"insertId":"g-2","logName":"x","timestamp":"2024-01-02T03:04:05Z","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"login.googleapis.com"}}`, false, Envelope{},
			KindGCPAudit, event.LogSource{Product: "gcp", Service: "google_workspace.login"}, "g-2", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"azure activity export", `{"time":"2024-01-02T03:04:05.1234567Z","resourceId":"/SUBSCRIPTIONS/X","operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE","category":"Administrative","properties":{"eventDataId":"a-1"}}`, false, Envelope{},
			KindAzureActivity, event.LogSource{Product: "azure", Service: "activitylogs"}, "a-1", time.Date(2024, 1, 2, 3, 4, 5, 123456700, time.UTC)},
		{"azure sign-in", `{"time":"2024-01-02T03:04:05Z","operationName":"Sign-in activity","category":"SignInLogs","properties":{"id":"s-1"}}`, false, Envelope{},
			KindAzureSignIn, event.LogSource{Product: "azure", Service: "signinlogs"}, "s-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"azure audit", `{"time":"2024-01-02T03:04:05Z","operationName":"Add member to role","category":"AuditLogs","properties":{"id":"au-1"}}`, false, Envelope{},
			KindAzureAudit, event.LogSource{Product: "azure", Service: "auditlogs"}, "au-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"azure REST EventData", `{"eventDataId":"e-1","operationName":{"value":"Microsoft.Compute/virtualMachines/write"},"eventTimestamp":"2024-01-02T03:04:05Z"}`, false, Envelope{},
			KindAzureActivity, event.LogSource{Product: "azure", Service: "activitylogs"}, "e-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"okta", `{"uuid":"o-1","published":"2024-01-02T03:04:05.000Z","eventType":"user.session.start","actor":{}}`, false, Envelope{},
			KindOkta, event.LogSource{Product: "okta", Service: "okta"}, "o-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"kubernetes audit", `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"k-1","stageTimestamp":"2024-01-02T03:04:05.000000Z","verb":"create"}`, false, Envelope{},
			KindKubernetesAudit, event.LogSource{Product: "kubernetes", Service: "audit", Category: "application"}, "k-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"github audit", `{"@timestamp":1704164645000,"action":"repo.destroy","actor":"octocat","_document_id":"gh-1","org":"acme"}`, false, Envelope{},
			KindGitHubAudit, event.LogSource{Product: "github", Service: "audit"}, "gh-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"m365", `{"CreationTime":"2024-01-02T03:04:05","Id":"m-1","Operation":"New-InboxRule","Workload":"Exchange"}`, false, Envelope{},
			KindM365, event.LogSource{Product: "m365", Service: "audit"}, "m-1", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"generic json app log", `{"ts":"2024-01-02 03:04:05","level":"error","msg":"boom"}`, false, Envelope{},
			KindJSON, event.LogSource{Category: "application"}, "", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"text with timestamp", `2024-01-02T03:04:05Z ERROR boom`, true, Envelope{},
			KindText, event.LogSource{Category: "application"}, "", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"text with envelope time", `ERROR boom`, true, Envelope{ID: "cw-1", Time: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
			KindText, event.LogSource{Category: "application"}, "cw-1", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"text without time", `ERROR boom`, true, Envelope{},
			KindText, event.LogSource{Category: "application"}, "", now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := event.New([]byte(tt.raw))
			if tt.text {
				ev = event.NewText([]byte(tt.raw))
			}
			Identify(ev, tt.env, now)
			if ev.Kind != tt.kind || ev.LogSource != tt.ls {
				t.Errorf("kind, logsource = %q, %+v; want %q, %+v", ev.Kind, ev.LogSource, tt.kind, tt.ls)
			}
			if tt.id != "" && ev.ID != tt.id {
				t.Errorf("ID = %q, want %q", ev.ID, tt.id)
			}
			if tt.id == "" && len(ev.ID) != 32 {
				t.Errorf("ID = %q, want a 32-hex-digit content hash", ev.ID)
			}
			if !ev.Time.Equal(tt.wantTime) {
				t.Errorf("Time = %v, want %v", ev.Time, tt.wantTime)
			}
		})
	}
}

func TestHashIDStable(t *testing.T) {
	a, b := event.NewText([]byte("same line")), event.NewText([]byte("same line"))
	Identify(a, Envelope{}, time.Now())
	Identify(b, Envelope{}, time.Now().Add(time.Hour))
	if a.ID != b.ID {
		t.Errorf("hash IDs differ: %s %s", a.ID, b.ID)
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.1Z", "2024-01-02T05:04:05+02:00", "2024-01-02 03:04:05", "1704164645", "1704164645000", "1/2/2024 3:04:05 AM"} {
		got, ok := ParseTime(s)
		if !ok || got.UTC().Truncate(time.Second) != time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, ok)
		}
	}
	for s, want := range map[string]time.Time{
		"2024-02-29T23:59:59.123456789Z": time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC),
		"2024-01-02T03:04:05.5Z":         time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC),
	} {
		if got, ok := ParseTime(s); !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "yesterday", "2024-13-45", "2023-02-29T00:00:00Z", "2024-01-02T03:04:05.Z", "2024-01-02T24:00:00Z"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) succeeded", s)
		}
	}
}
