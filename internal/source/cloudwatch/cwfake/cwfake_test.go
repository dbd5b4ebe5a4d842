package cwfake_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"picket/internal/source/cloudwatch/cwfake"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func start(t *testing.T) (*cwfake.Server, *cloudwatchlogs.Client, *clock) {
	t.Helper()
	c := &clock{t: t0}
	fake := cwfake.New(cwfake.Options{Now: c.Now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, cwfake.NewClient(srv.URL), c
}

func TestDescribeLogGroupsPages(t *testing.T) {
	fake, client, _ := start(t)
	var want []string
	for i := range 120 {
		n := fmt.Sprintf("/app/g%03d", i)
		want = append(want, n)
		fake.CreateLogGroup(n)
	}
	fake.CreateLogGroup("/other")
	var got []string
	pages := 0
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(client, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/")})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.LogGroups {
			got = append(got, aws.ToString(g.LogGroupName))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Errorf("DescribeLogGroups over %d pages (want 3), groups (-want +got):\n%s", pages, diff)
	}
}

func TestFilterLogEventsQuirks(t *testing.T) {
	fake, client, clk := start(t)
	fake.SetQuirks(cwfake.Quirks{PageSize: 2, EmptyPageEvery: 2})
	var want []string
	for i := range 9 {
		ids := fake.PutEvents("/app", cwfake.Event{Stream: fmt.Sprintf("s%d", i%2), Timestamp: t0.Add(time.Duration(i-10) * time.Second), Message: fmt.Sprint(i)})
		want = append(want, ids...)
	}
	late := fake.PutEvents("/app", cwfake.Event{Stream: "s0", Timestamp: t0.Add(-time.Minute), Message: "late", VisibleAt: t0.Add(time.Minute)})

	read := func() (ids []string, empty int) {
		p := cloudwatchlogs.NewFilterLogEventsPaginator(client, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/app"), StartTime: aws.Int64(0)})
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Events) == 0 && out.NextToken != nil {
				empty++
			}
			for _, e := range out.Events {
				ids = append(ids, aws.ToString(e.EventId))
			}
		}
		return ids, empty
	}
	got, empty := read()
	if diff := cmp.Diff(want, got); diff != "" || empty == 0 {
		t.Errorf("before the late event: %d empty pages with a token (want some), ids (-want +got):\n%s", empty, diff)
	}
	clk.Set(t0.Add(time.Minute))
	got, _ = read()
	want = append(late, want...) // the late event is the oldest
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the late event became visible, ids (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		quirks cwfake.Quirks
		in     *cloudwatchlogs.FilterLogEventsInput
		want   string
	}{
		{name: "throttled", quirks: cwfake.Quirks{ThrottleShare: 1}, in: &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/app")}, want: "ThrottlingException"},
		{name: "missing group", in: &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/nope")}, want: "ResourceNotFoundException"},
		{name: "empty token", in: &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/app"), NextToken: aws.String("")}, want: "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client, _ := start(t)
			fake.CreateLogGroup("/app")
			fake.SetQuirks(tt.quirks)
			_, err := client.FilterLogEvents(context.Background(), tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.want {
				t.Errorf("FilterLogEvents error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestInsightsQuery(t *testing.T) {
	fake, client, _ := start(t)
	fake.SetQuirks(cwfake.Quirks{QueryPolls: 2})
	fake.PutEvents("/app", cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "ERROR disk full"},
		cwfake.Event{Stream: "s", Timestamp: t0.Add(-time.Minute), Message: "INFO ok"})
	out, err := client.StartQuery(context.Background(), &cloudwatchlogs.StartQueryInput{
		LogGroupNames: []string{"/app"}, StartTime: aws.Int64(t0.Add(-time.Hour).Unix()), EndTime: aws.Int64(t0.Unix()),
		QueryString: aws.String("fields @message | filter @message like /ERROR/"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	var rows int
	for range 3 {
		res, err := client.GetQueryResults(context.Background(), &cloudwatchlogs.GetQueryResultsInput{QueryId: out.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, string(res.Status))
		rows = len(res.Results)
	}
	if diff := cmp.Diff([]string{"Running", "Running", "Complete"}, statuses); diff != "" || rows != 1 {
		t.Errorf("GetQueryResults gave %d rows (want 1), statuses (-want +got):\n%s", rows, diff)
	}
}
