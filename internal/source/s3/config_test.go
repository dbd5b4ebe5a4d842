package s3

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/event"
)

func TestValidate(t *testing.T) {
	sqsMode := func(f func(*Config)) Config {
		c := DefaultConfig()
		c.QueueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/trail"
		f(&c)
		return c
	}
	listing := func(f func(*Config)) Config {
		c := DefaultConfig()
		c.Bucket = "trail-bucket"
		c.Region = "eu-west-1"
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{name: "sqs minimal", cfg: sqsMode(func(*Config) {})},
		{name: "listing minimal", cfg: listing(func(*Config) {})},
		{name: "listing with filters and a date", cfg: listing(func(c *Config) {
			c.Accounts, c.RegionsInBucket, c.StartAt, c.Prefix = []string{"123456789012"}, []string{"us-east-1"}, "2026-11-01", "org/AWSLogs"
		})},
		{name: "neither mode", cfg: DefaultConfig(), want: []string{"set queue_url"}},
		{name: "both modes", cfg: sqsMode(func(c *Config) { c.Bucket = "b-b-b" }), want: []string{"not both"}},
		{name: "queue url without region", cfg: sqsMode(func(c *Config) { c.QueueURL = "http://127.0.0.1:9/000/q" }), want: []string{"region is required"}},
		{name: "sqs limits", cfg: sqsMode(func(c *Config) {
			c.VisibilityTimeout, c.MaxMessages, c.WaitTime, c.MaxBatch = 13*time.Hour, 11, 21*time.Second, 0
		}), want: []string{"visibility_timeout", "max_messages", "wait_time", "max_batch"}},
		{name: "listing errors all reported", cfg: listing(func(c *Config) {
			c.Bucket, c.Accounts, c.RegionsInBucket, c.StartAt, c.Revisit = "Bad_Bucket", []string{"12"}, []string{"Moon"}, "+24h", -time.Hour
		}), want: []string{"bucket", "accounts", "regions_in_bucket", "start_at", "revisit"}},
		{name: "several regions", cfg: listing(func(c *Config) { c.Region, c.Regions = "", []string{"us-east-1", "eu-west-1"} }), want: []string{"one queue or bucket"}},
		{name: "bad endpoints", cfg: listing(func(c *Config) { c.S3Endpoint, c.Endpoint = "ftp://x", "nope" }), want: []string{"s3_endpoint", "endpoint"}},
		{name: "empty logsource", cfg: listing(func(c *Config) { c.LogSource = &LogSource{} }), want: []string{"logsource"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors about %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestRegionFromQueueURL(t *testing.T) {
	tests := map[string]string{
		"https://sqs.eu-west-1.amazonaws.com/123456789012/q":       "eu-west-1",
		"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q":   "cn-north-1",
		"https://us-gov-west-1.queue.amazonaws.com/123456789012/q": "us-gov-west-1",
		"https://vpce-1.sqs.us-east-1.vpce.amazonaws.com/123/q":    "",
		"http://127.0.0.1:4566/000000000000/q":                     "",
	}
	for u, want := range tests {
		if got := (Config{QueueURL: u}).region(); got != want {
			t.Errorf("region() of %s = %q, want %q", u, got, want)
		}
	}
}

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: now.Add(-24 * time.Hour)},
		{in: "-36h", want: now.Add(-36 * time.Hour)},
		{in: "-7d", want: now.Add(-7 * 24 * time.Hour)},
		{in: "2026-11-01", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-01T12:00:00+02:00", want: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)},
		{in: "24h", wantErr: true},
		{in: "yesterday", wantErr: true},
		{in: "-xd", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseStartAt(tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseStartAt(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSample(t *testing.T) {
	// The sample shows SQS mode active; listing mode's keys are commented out. Decode it
	// strictly, then with the listing keys uncommented (and queue_url commented).
	listing := strings.NewReplacer("queue_url:", "# queue_url:", "# bucket:", "bucket:", "# prefix:", "prefix:",
		"# accounts:", "accounts:", "# regions_in_bucket:", "regions_in_bucket:", "# start_at:", "start_at:",
		"# revisit:", "revisit:", "# logsource:", "logsource:", "#   product:", "  product:", "#   service:", "  service:",
		"# max_batch:", "max_batch:").Replace(string(Sample()))
	tests := []struct {
		name string
		text string
		want func(Config) bool
	}{
		{"sqs", string(Sample()), func(c Config) bool { return c.QueueURL != "" && c.VisibilityTimeout == 5*time.Minute }},
		{"listing", listing, func(c Config) bool {
			return c.Bucket == "my-cloudtrail-bucket" && c.Revisit == 48*time.Hour &&
				cmp.Equal(c.logSource(), &event.LogSource{Product: "aws", Service: "cloudtrail"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			dec := yaml.NewDecoder(bytes.NewReader([]byte(tt.text)))
			dec.KnownFields(true)
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("decoding the sample: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("sample: Validate() = %v", err)
			}
			if !tt.want(c) {
				t.Errorf("sample decoded to %+v, not what it shows", c)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := map[string]string{
		"":                  "AWSLogs/",
		"AWSLogs/":          "AWSLogs/",
		"AWSLogs":           "AWSLogs/",
		"myprefix":          "myprefix/AWSLogs/",
		"myprefix/AWSLogs/": "myprefix/AWSLogs/",
		"a/b/":              "a/b/AWSLogs/",
	}
	for in, want := range tests {
		if got := (Config{Prefix: in}).prefix(); got != want {
			t.Errorf("prefix() of %q = %q, want %q", in, got, want)
		}
	}
}
