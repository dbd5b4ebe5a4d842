package insights

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/source/cloudwatch/cwfake"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		threshold int
		quirks    cwfake.Quirks
		want      []map[string]string
		wantErr   string
	}{
		{
			name: "one result per row", query: "fields @message | filter @message like /ERROR/", quirks: cwfake.Quirks{QueryPolls: 2},
			want: []map[string]string{
				{"@timestamp": "2026-11-25 09:50:00.000", "@message": "ERROR one", "@logStream": "s", "@log": "123456789012:/app"},
				{"@timestamp": "2026-11-25 09:55:00.000", "@message": "ERROR two", "@logStream": "s", "@log": "123456789012:/app"},
			},
		},
		{name: "threshold reached", query: "filter @message like /ERROR/", threshold: 2, want: []map[string]string{{"count": "2", "threshold": "2"}}},
		{name: "threshold not reached", query: "filter @message like /ERROR/", threshold: 3},
		{name: "no rows", query: "filter @message like /PANIC/", want: []map[string]string{}},
		{name: "failed", query: "fields @message", quirks: cwfake.Quirks{QueryStatus: "Failed"}, wantErr: "ended Failed"},
		{name: "cancelled", query: "fields @message", quirks: cwfake.Quirks{QueryPolls: 1, QueryStatus: "Cancelled"}, wantErr: "ended Cancelled"},
		{name: "timeout", query: "fields @message", quirks: cwfake.Quirks{QueryStatus: "Timeout"}, wantErr: "ended Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := cwfake.New(cwfake.Options{Now: func() time.Time { return t0 }})
			srv := httptest.NewServer(fake)
			defer srv.Close()
			fake.SetQuirks(tt.quirks)
			fake.PutEvents("/app",
				cwfake.Event{Stream: "s", Timestamp: t0.Add(-10 * time.Minute), Message: "ERROR one"},
				cwfake.Event{Stream: "s", Timestamp: t0.Add(-5 * time.Minute), Message: "ERROR two"},
				cwfake.Event{Stream: "s", Timestamp: t0.Add(-4 * time.Minute), Message: "INFO fine"},
				cwfake.Event{Stream: "s", Timestamp: t0.Add(-2 * time.Hour), Message: "ERROR too old"})
			c := DefaultConfig()
			c.Region, c.LogGroups, c.Query, c.Threshold = "us-east-1", []string{"/app"}, tt.query, tt.threshold
			j, err := NewWithClient("q", c, cwfake.NewClient(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			j.every = time.Millisecond
			got, err := j.Run(context.Background(), t0.Add(-j.Window()), t0)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Run() rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	fake := cwfake.New(cwfake.Options{Now: func() time.Time { return t0 }})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.CreateLogGroup("/app")
	fake.SetQuirks(cwfake.Quirks{QueryPolls: 1 << 30})
	c := DefaultConfig()
	c.Region, c.LogGroups, c.Query = "us-east-1", []string{"/app"}, "fields @message"
	j, err := NewWithClient("q", c, cwfake.NewClient(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	j.every = time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := j.Run(ctx, t0.Add(-time.Hour), t0); err == nil {
		t.Fatal("Run() on a query that never ends = nil error, want the context's")
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Region, ok.LogGroups, ok.Query = "us-east-1", []string{"/app"}, "fields @message"
	tests := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "no groups", change: func(c *Config) { c.LogGroups = nil }, want: []string{"log_groups"}},
		{name: "no query", change: func(c *Config) { c.Query = " " }, want: []string{"query"}},
		{name: "window", change: func(c *Config) { c.Window = 0 }, want: []string{"window"}},
		{name: "threshold", change: func(c *Config) { c.Threshold = -1 }, want: []string{"threshold"}},
		{name: "regions", change: func(c *Config) { c.Region = ""; c.Regions = []string{"us-east-1", "eu-west-1"} }, want: []string{"one region"}},
	}
	for _, tt := range tests {
		c := ok
		tt.change(&c)
		err := c.Validate()
		if len(tt.want) == 0 && err != nil {
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		}
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Validate() = %v, want it to mention %q", tt.name, err, w)
			}
		}
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(Sample()))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding sample.yaml: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("sample.yaml does not validate: %v", err)
	}
	if c.Window != time.Hour || !strings.Contains(c.Query, "ConsoleLogin") {
		t.Errorf("sample decoded to %+v, want window 1h and a ConsoleLogin query", c)
	}
}
