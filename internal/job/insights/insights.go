// Package insights runs scheduled CloudWatch Logs Insights queries (job type
// aws_logs_insights): StartQuery over a time range, then GetQueryResults until the query is
// Complete. It returns the result rows; the daemon turns them into detections.
package insights

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"picket/internal/awsx"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// queryAPI is the part of the CloudWatch Logs client a job calls, from one goroutine per Run.
type queryAPI interface {
	// StartQuery starts a query; LimitExceededException means too many concurrent queries.
	StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	// GetQueryResults reports a query's status and, once Complete, its rows.
	GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
}

// Job is one configured Logs Insights query. Run may be called concurrently.
type Job struct {
	name string
	cfg  Config
	api  queryAPI
	// every is the pause between two GetQueryResults calls.
	every time.Duration
}

// New builds the job with the SDK client of its account and region. It contacts no service.
func New(ctx context.Context, name string, c Config) (*Job, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	cfg, err := awsx.Load(ctx, c.Account, c.Region, name, 0)
	if err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	client := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return NewWithClient(name, c, client)
}

// NewWithClient builds the job around api (a *cloudwatchlogs.Client or a test double).
func NewWithClient(name string, c Config, api queryAPI) (*Job, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	return &Job{name: name, cfg: c, api: api, every: time.Second}, nil
}

// Name returns the job's configured name.
func (j *Job) Name() string { return j.name }

// Window returns the time range a run queries: the daemon calls Run(ctx, now-Window(), now).
func (j *Job) Window() time.Duration { return j.cfg.Window }

// Run queries [from, to] (whole seconds) and returns the result rows as field → value maps
// (without the internal @ptr field). With a threshold it returns one row {"count", "threshold"}
// when the query returned at least threshold rows, and none otherwise. A query ending Failed,
// Cancelled or Timeout is an error.
func (j *Job) Run(ctx context.Context, from, to time.Time) ([]map[string]string, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("query %q: time range ends (%s) before it starts (%s)", j.name, to, from)
	}
	start, err := j.api.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupIdentifiers: j.cfg.LogGroups,
		QueryString:         aws.String(j.cfg.Query),
		StartTime:           aws.Int64(from.Unix()),
		EndTime:             aws.Int64(to.Unix()),
	})
	if err != nil {
		return nil, fmt.Errorf("starting query %q: %w", j.name, err)
	}
	id := aws.ToString(start.QueryId)
	for {
		out, err := j.api.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			return nil, fmt.Errorf("reading the results of query %q (%s): %w", j.name, id, err)
		}
		switch out.Status {
		case types.QueryStatusComplete:
			return j.results(out.Results), nil
		case types.QueryStatusFailed, types.QueryStatusCancelled, types.QueryStatusTimeout:
			return nil, fmt.Errorf("query %q (%s) ended %s", j.name, id, out.Status)
		}
		t := time.NewTimer(j.every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

func (j *Job) results(res [][]types.ResultField) []map[string]string {
	if j.cfg.Threshold > 0 {
		if len(res) < j.cfg.Threshold {
			return nil
		}
		return []map[string]string{{"count": strconv.Itoa(len(res)), "threshold": strconv.Itoa(j.cfg.Threshold)}}
	}
	rows := make([]map[string]string, 0, len(res))
	for _, r := range res {
		row := make(map[string]string, len(r))
		for _, f := range r {
			if name := aws.ToString(f.Field); name != "@ptr" {
				row[name] = aws.ToString(f.Value)
			}
		}
		rows = append(rows, row)
	}
	return rows
}
