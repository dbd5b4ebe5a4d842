package cloudwatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"picket/internal/source/cloudwatch/cwfake"
)

// TestExactlyOnce runs a source over simulated minutes of traffic with the service's quirks
// and checks that every event is delivered exactly once.
func TestExactlyOnce(t *testing.T) {
	tests := []struct {
		name      string
		quirks    cwfake.Quirks
		groups    int
		late      float64 // share of events visible up to 4 minutes after their timestamp
		maxBatch  int
		restartAt int // step at which the source is replaced by a new one (0: never)
		crashAt   int // step at which the sink fails mid-poll, then the source is replaced
	}{
		{name: "plain", groups: 3, maxBatch: 1000},
		{name: "late arrivals", groups: 3, late: 0.4, maxBatch: 1000},
		{name: "tiny pages", groups: 3, late: 0.2, quirks: cwfake.Quirks{PageSize: 3}, maxBatch: 1000},
		{name: "empty pages with token", groups: 3, late: 0.2, quirks: cwfake.Quirks{PageSize: 7, EmptyPageEvery: 2}, maxBatch: 1000},
		{name: "30% throttling", groups: 4, late: 0.2, quirks: cwfake.Quirks{PageSize: 10, ThrottleShare: 0.3}, maxBatch: 1000},
		{name: "120 groups over 3 pages", groups: 120, late: 0.2, quirks: cwfake.Quirks{GroupPageSize: 50}, maxBatch: 1000},
		{name: "restart between polls", groups: 5, late: 0.3, quirks: cwfake.Quirks{PageSize: 5}, maxBatch: 1000, restartAt: 5},
		{name: "crash mid-poll", groups: 5, late: 0.3, quirks: cwfake.Quirks{PageSize: 5}, maxBatch: 20, crashAt: 6},
		{name: "everything", groups: 120, late: 0.3, quirks: cwfake.Quirks{PageSize: 4, EmptyPageEvery: 3, ThrottleShare: 0.3, GroupPageSize: 50}, maxBatch: 15, crashAt: 4, restartAt: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.SetQuirks(tt.quirks)
			for g := range tt.groups {
				e.fake.CreateLogGroup(fmt.Sprintf("/test/g%03d", g))
			}
			c := testConfig()
			c.MaxBatch = tt.maxBatch
			src := e.source(t, "cw", c)
			sink := newSink()
			rnd := rand.New(rand.NewPCG(1, 2))
			var want []string
			ctx := context.Background()
			const steps = 10
			for step := 1; step <= steps+6; step++ {
				if step <= steps {
					// One minute of events, some of them becoming visible late.
					for i := range 40 {
						g := fmt.Sprintf("/test/g%03d", rnd.IntN(tt.groups))
						ts := e.clock.Now().Add(-time.Duration(rnd.IntN(60_000)) * time.Millisecond)
						ev := cwfake.Event{Stream: fmt.Sprintf("s%d", i%3), Timestamp: ts, Message: fmt.Sprintf(`{"step":%d,"i":%d}`, step, i)}
						if rnd.Float64() < tt.late {
							ev.VisibleAt = e.clock.Now().Add(time.Duration(rnd.IntN(240)) * time.Second)
						}
						want = append(want, e.fake.PutEvents(g, ev)...)
					}
				}
				if step == tt.crashAt {
					sink.failAt = sink.calls + 2
					if err := src.Poll(ctx, sink); !errors.Is(err, errSink) {
						t.Fatalf("step %d: Poll with a failing sink = %v, want %v", step, err, errSink)
					}
					src = e.source(t, "cw", c)
				}
				if step == tt.restartAt {
					src = e.source(t, "cw", c)
				}
				if err := src.Poll(ctx, sink); err != nil {
					t.Fatalf("step %d: Poll: %v", step, err)
				}
				e.clock.Add(time.Minute)
			}
			sink.check(t, want)
			if tt.quirks.ThrottleShare > 0 {
				if got := testutil.ToFloat64(e.deps.Metrics.Throttles.WithLabelValues("cw", "FilterLogEvents")); got == 0 {
					t.Errorf("throttles counted = 0, want > 0 (the fake throttled %d calls)", e.fake.Throttled())
				}
			}
		})
	}
}

// TestSinkFailureKeepsCheckpoint checks that a failed batch moves no checkpoint and is read again.
func TestSinkFailureKeepsCheckpoint(t *testing.T) {
	e := newEnv(t)
	ids := e.fake.PutEvents("/test/a", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "one"},
		cwfake.Event{Stream: "s", Timestamp: t0.Add(-30 * time.Second), Message: "two"})
	src := e.source(t, "cw", testConfig())
	ctx := context.Background()

	// A first successful poll gives a checkpoint to compare with.
	if err := src.Poll(ctx, newSink()); err != nil {
		t.Fatal(err)
	}
	before := e.cps.snapshot()
	e.clock.Add(time.Minute)
	more := e.fake.PutEvents("/test/a", cwfake.Event{Stream: "s", Timestamp: e.clock.Now().Add(-10 * time.Second), Message: "three"})

	failing := newSink()
	failing.failAll = true
	if err := src.Poll(ctx, failing); !errors.Is(err, errSink) {
		t.Fatalf("Poll with a failing sink = %v, want %v", err, errSink)
	}
	after := e.cps.snapshot()
	if len(after) != 1 || !bytes.Equal(before["source/aws_cloudwatch/cw//test/a"], after["source/aws_cloudwatch/cw//test/a"]) {
		t.Errorf("checkpoints changed by a failed poll:\nbefore %s\nafter  %s", before, after)
	}

	ok := newSink()
	if err := src.Poll(ctx, ok); err != nil {
		t.Fatal(err)
	}
	ok.check(t, more)
	_ = ids
}

// TestLagGrows checks that an event ingested later than the lag raises it, up to max_lag.
func TestLagGrows(t *testing.T) {
	tests := []struct {
		name    string
		late    time.Duration
		maxLag  time.Duration
		wantLag time.Duration
	}{
		{name: "within lag", late: 2 * time.Minute, maxLag: time.Hour, wantLag: 5 * time.Minute},
		{name: "raised", late: 8 * time.Minute, maxLag: time.Hour, wantLag: 12 * time.Minute},
		{name: "bounded", late: 50 * time.Minute, maxLag: time.Hour, wantLag: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := testConfig()
			c.MaxLag = tt.maxLag
			ts := t0.Add(-tt.late)
			e.fake.PutEvents("/test/a", cwfake.Event{Stream: "s", Timestamp: ts, Message: "late", VisibleAt: t0})
			src := e.source(t, "cw", c)
			sink := newSink()
			if err := src.Poll(context.Background(), sink); err != nil {
				t.Fatal(err)
			}
			if got := src.states["/test/a"].lag; got != tt.wantLag {
				t.Errorf("lag after an event %s late = %s, want %s", tt.late, got, tt.wantLag)
			}
			if len(sink.got) != 1 {
				t.Errorf("delivered %d records, want 1", len(sink.got))
			}
		})
	}
}

// TestRecords checks what records look like, format by format.
func TestRecords(t *testing.T) {
	const flow = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
	const trail = `{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"e1"}`
	tests := []struct {
		name      string
		format    string
		message   string
		wantData  string
		wantText  bool
		wantLS    string // batch logsource, "" when recognised by the pipeline
		wantSkips map[string]int
	}{
		{name: "auto json", format: FormatAuto, message: trail, wantData: trail},
		{name: "auto flow", format: FormatAuto, message: flow, wantLS: "aws/vpcflowlogs",
			wantData: `{"version":2,"account-id":"123456789010","interface-id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log-status":"OK"}`},
		{name: "auto text", format: FormatAuto, message: "GET /index.html 200\n", wantData: "GET /index.html 200", wantText: true},
		{name: "auto json array is text", format: FormatAuto, message: "[1,2]", wantData: "[1,2]", wantText: true},
		{name: "cloudtrail", format: FormatCloudTrail, message: trail, wantData: trail, wantLS: "aws/cloudtrail"},
		{name: "cloudtrail not json", format: FormatCloudTrail, message: "oops", wantSkips: map[string]int{"not a JSON object": 1}},
		{name: "vpcflow nodata", format: FormatVPCFlow, message: "2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA",
			wantData: `{"version":2,"account-id":"123456789010","interface-id":"eni-1","start":1431280876,"end":1431280934,"log-status":"NODATA"}`, wantLS: "aws/vpcflowlogs"},
		{name: "vpcflow malformed", format: FormatVPCFlow, message: "hello", wantSkips: map[string]int{"malformed flow log record": 1}},
		{name: "text", format: FormatText, message: trail, wantData: trail, wantText: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := testConfig()
			c.Format = tt.format
			e.fake.PutEvents("/test/a", cwfake.Event{Stream: "st", Timestamp: t0.Add(-time.Minute), Message: tt.message})
			sink := newSink()
			if err := e.source(t, "cw", c).Poll(context.Background(), sink); err != nil {
				t.Fatal(err)
			}
			var skips map[string]int
			for _, b := range sink.batches {
				for k, v := range b.Skipped {
					if skips == nil {
						skips = map[string]int{}
					}
					skips[k] += v
				}
				for _, r := range b.Records {
					ls := ""
					if b.LogSource != nil {
						ls = b.LogSource.String()
					}
					if string(r.Data) != tt.wantData || r.Text != tt.wantText || ls != tt.wantLS {
						t.Errorf("record = (%s, text %v, logsource %q), want (%s, text %v, logsource %q)", r.Data, r.Text, ls, tt.wantData, tt.wantText, tt.wantLS)
					}
					if r.Origin != "/test/a/st" || !r.Time.Equal(t0.Add(-time.Minute)) || r.ID == "" {
						t.Errorf("record origin, time, id = %q, %v, %q; want /test/a/st, %v, an id", r.Origin, r.Time, r.ID, t0.Add(-time.Minute))
					}
				}
			}
			if fmt.Sprint(skips) != fmt.Sprint(tt.wantSkips) {
				t.Errorf("skipped = %v, want %v", skips, tt.wantSkips)
			}
		})
	}
}

// TestForcedLogSource checks that the logsource setting applies to every batch.
func TestForcedLogSource(t *testing.T) {
	e := newEnv(t)
	c := testConfig()
	c.LogSource = &LogSource{Product: "aws", Service: "route53"}
	e.fake.PutEvents("/test/a", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "2 1 eni-1 - - - - - - - 1 2 - NODATA"},
		cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: `{"a":1}`})
	sink := newSink()
	if err := e.source(t, "cw", c).Poll(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.batches) != 1 || sink.batches[0].LogSource == nil || sink.batches[0].LogSource.String() != "aws/route53" || len(sink.batches[0].Records) != 2 {
		t.Errorf("batches = %+v, want one batch of 2 records with logsource aws/route53", sink.batches)
	}
}

// TestSharedLimiter checks that sources of one account and region share a rate budget.
func TestSharedLimiter(t *testing.T) {
	l := NewLimiters()
	c := testConfig()
	a := l.For(c.Account, "us-east-1", 5)
	b := l.For(c.Account, "us-east-1", 2)
	other := l.For(c.Account, "eu-west-1", 5)
	if a != b {
		t.Errorf("For(same account and region) returned two limiters, want one")
	}
	if a == other {
		t.Errorf("For(another region) returned the same limiter, want another")
	}
	if a.tps != 2 {
		t.Errorf("shared limiter rate = %v, want the smallest asked, 2", a.tps)
	}
	// A budget of 20 calls per second holding 20 tokens: 30 calls take about half a second.
	lim := newLimiter(20)
	start := time.Now()
	for range 30 {
		if err := lim.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 400*time.Millisecond || d > 2*time.Second {
		t.Errorf("30 calls at 20/s with a burst of 20 took %s, want about 500ms", d)
	}
}

// TestResolveMissingGroup checks that a named group that does not exist is skipped, not fatal.
func TestResolveMissingGroup(t *testing.T) {
	e := newEnv(t)
	e.fake.PutEvents("/app/one", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "x"})
	c := testConfig()
	c.LogGroupPrefixes = nil
	c.LogGroups = []string{"/app/one", "/app/missing", "/app/o"}
	src := e.source(t, "cw", c)
	sink := newSink()
	if err := src.Poll(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	if len(src.groups) != 1 || src.groups[0].key != "/app/one" || len(sink.got) != 1 {
		t.Errorf("groups = %+v, delivered %d; want only /app/one and 1 record", src.groups, len(sink.got))
	}
}

// TestLogGroupARN checks that groups given by ARN are read through logGroupIdentifier.
func TestLogGroupARN(t *testing.T) {
	e := newEnv(t)
	ids := e.fake.PutEvents("/shared/app", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "x"})
	c := testConfig()
	c.LogGroupPrefixes = nil
	c.LogGroupARNs = []string{"arn:aws:logs:us-east-1:123456789012:log-group:/shared/app:*"}
	sink := newSink()
	if err := e.source(t, "cw", c).Poll(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	sink.check(t, ids)
	if _, ok := e.cps.snapshot()["source/aws_cloudwatch/cw/arn:aws:logs:us-east-1:123456789012:log-group:/shared/app"]; !ok {
		t.Errorf("checkpoints = %v, want one keyed by the ARN", e.cps.snapshot())
	}
}

// TestNewWithEndpoint builds the source the daemon's way (awsx.Load, endpoint setting) against
// the fake, with credentials from the environment, and reads through it.
func TestNewWithEndpoint(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	e := newEnv(t)
	ids := e.fake.PutEvents("/test/a", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "hello"})
	c := testConfig()
	c.Endpoint = e.url
	src, err := New(context.Background(), "cw", c, e.deps, e.limits)
	if err != nil {
		t.Fatal(err)
	}
	sink := newSink()
	if err := src.Poll(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	sink.check(t, ids)
	if got := testutil.ToFloat64(e.deps.Metrics.APICalls.WithLabelValues("cw", "FilterLogEvents")); got < 1 {
		t.Errorf("FilterLogEvents calls counted = %v, want at least 1", got)
	}
	if st := e.deps.Status.Statuses(); len(st) != 1 || st[0].Records != 1 || st[0].Type != Type || !st[0].CheckpointTime.Equal(t0) {
		t.Errorf("status = %+v, want 1 record of type %s, checkpoint %v", st, Type, t0)
	}
}
