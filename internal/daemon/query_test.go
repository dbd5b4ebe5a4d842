package daemon

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/source/cloudwatch/cwfake"
)

// TestQueryJob runs a scheduled Logs Insights query against the CloudWatch fake with the real
// SDK client: each matching row becomes a detection, and a second run over the same rows adds
// nothing.
func TestQueryJob(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": ""} {
		t.Setenv(k, v)
	}
	now := time.Now().UTC().Truncate(time.Second)
	cw := cwfake.New(cwfake.Options{})
	cw.CreateLogGroup("app")
	cw.PutEvents("app",
		cwfake.Event{Stream: "s", Timestamp: now.Add(-10 * time.Minute), Message: "ERROR payment failed"},
		cwfake.Event{Stream: "s", Timestamp: now.Add(-5 * time.Minute), Message: "INFO all good"},
		cwfake.Event{Stream: "s", Timestamp: now.Add(-2 * time.Minute), Message: "ERROR disk full"},
	)
	srv := httptest.NewServer(cw)
	defer srv.Close()
	d, _ := newTestDaemon(t, `
storage: {path: p.db}
jobs:
  - name: errors
    type: aws_logs_insights
    region: us-east-1
    endpoint: `+srv.URL+`
    log_groups: [app]
    query: 'filter @message like /ERROR/'
    window: 1h
    every: 5m
    title: Application errors
    level: high
`, &now)
	g := d.current()
	tasks, err := buildJobs(g.cfg, d, g)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("jobs: %v %v", tasks, err)
	}
	ctx := context.Background()
	for range 2 {
		if err := tasks[0].Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	as, err := g.manager.List(ctx, alert.Query{RuleID: "picket-query-errors"})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Count != 2 || as[0].RuleTitle != "Application errors" || as[0].Level.String() != "high" {
		t.Fatalf("alerts of the query: %+v", as)
	}
}
