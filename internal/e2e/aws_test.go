package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"picket/internal/source/cloudwatch/cwfake"
)

// awsEnv is the environment of a child picket talking to the fakes: static credentials, no
// shared configuration, no instance metadata.
func awsEnv() []string {
	return append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PROFILE=", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=")
}

// TestCollectAWS runs `picket collect --once` against a CloudWatch Logs fake (late events,
// tiny pages, empty pages with a token, throttling) and S3 + SQS fakes (a CloudTrail object
// announced over SQS, a digest file), restarts it, and checks that every event was stored once
// and the SQS messages were deleted only once processed.
func TestCollectAWS(t *testing.T) {
	now := time.Now().UTC()
	cw := cwfake.New(cwfake.Options{Seed: 3})
	cw.CreateLogGroup("trail-logs")
	cw.SetQuirks(cwfake.Quirks{PageSize: 2, EmptyPageEvery: 3, ThrottleShare: 0.3})
	cwSrv := httptest.NewServer(cw)
	defer cwSrv.Close()

	tb := newTrailBucket(t)

	// CloudWatch: 12 StopLogging events of distinct users over the last three minutes, 4 of
	// them ingested late (visible only to the second run, up to three minutes after their
	// timestamp: within the 5m lag).
	var cwEvents []cwfake.Event
	for i := range 12 {
		ts := now.Add(-time.Duration(12-i) * 15 * time.Second)
		ev := cwfake.Event{Stream: "s1", Timestamp: ts, Message: strings.TrimSpace(stopLogging(fmt.Sprintf("cw-%d", i), fmt.Sprintf("cwuser%d", i)))}
		if i%3 == 0 {
			ev.VisibleAt = now.Add(2 * time.Second) // visible only to the second run
		}
		cwEvents = append(cwEvents, ev)
	}
	cw.PutEvents("trail-logs", cwEvents...)
	// S3: one object with 5 events (one of them also sent through CloudWatch: two paths, one
	// event), and a digest file that must be skipped.
	var recs []string
	for i := range 4 {
		recs = append(recs, strings.TrimSpace(stopLogging(fmt.Sprintf("s3-%d", i), fmt.Sprintf("s3user%d", i))))
	}
	recs = append(recs, strings.TrimSpace(stopLogging("cw-1", "cwuser1")))
	tb.put("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T0905Z_a.json.gz", recs)
	tb.put("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_x.json.gz", []string{`{"digest":true}`})

	dir := t.TempDir()
	cfg := writeFile(t, dir, "picket.yaml", fmt.Sprintf(`
storage: {path: picket.db}
alerts: {group_by: [userIdentity.userName]}
sources:
  - name: cw
    type: aws_cloudwatch
    region: us-east-1
    endpoint: %s
    log_groups: [trail-logs]
    start_at: -2h
    lag: 5m
  - name: bucket
    type: aws_s3
    region: us-east-1
    endpoint: %s
    use_path_style: true
    queue_url: %s
    wait_time: 0s
logging: {level: warn}
`, cwSrv.URL, tb.URL, tb.Queue))

	runCollect := func() {
		t.Helper()
		c := startEnv(t, dir, awsEnv(), "collect", "--once", "--config", cfg)
		code, ok := c.wait(60 * time.Second)
		if !ok || code != 0 {
			t.Fatalf("collect: exited %v with %d\n%s", ok, code, c.stdoutStderr())
		}
	}
	runCollect()
	time.Sleep(2500 * time.Millisecond) // the late CloudWatch events become visible
	runCollect()
	runCollect() // a third run finds nothing new

	users := map[string]int{}
	for _, a := range storedAlerts(t, filepath.Join(dir, "picket.db")) {
		users[a.Group["userIdentity.userName"]] += a.Count
	}
	for i := range 12 {
		if n := users[fmt.Sprintf("cwuser%d", i)]; n != 1 {
			t.Errorf("cwuser%d: %d detections, want 1", i, n)
		}
	}
	for i := range 4 {
		if n := users[fmt.Sprintf("s3user%d", i)]; n != 1 {
			t.Errorf("s3user%d: %d detections, want 1", i, n)
		}
	}
	if st := tb.SQS.Stats(tb.Queue); st.Visible != 0 || st.InFlight != 0 || st.Deleted != 2 {
		t.Errorf("queue after processing: %+v, want both messages deleted", st)
	}
	if cw.Throttled() == 0 {
		t.Error("the CloudWatch fake throttled nothing: the test did not exercise back-off")
	}
}
