package s3

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"picket/internal/awsx"
	"picket/internal/event"
)

// Limits and defaults of the settings.
const (
	defaultPrefix     = "AWSLogs/"
	defaultStartAt    = "-24h"
	defaultRevisit    = 48 * time.Hour
	maxRevisit        = 31 * 24 * time.Hour // CloudTrail retries a delivery for 30 days
	defaultMaxBatch   = 1000
	maxMaxBatch       = 100_000
	defaultVisibility = 5 * time.Minute
	maxVisibility     = 12 * time.Hour // SQS's limit
	defaultMaxMsgs    = 10
	defaultWaitTime   = 20 * time.Second // SQS's longest long poll
)

// Config configures one aws_s3 source. Exactly one of QueueURL (SQS mode) and Bucket (listing
// mode) is set. Credentials come from the AWS SDK default chain, optionally followed by
// assuming RoleARN (see awsx); never from this file.
type Config struct {
	// Account is the region (of the queue in SQS mode, of the bucket in listing mode), the
	// profile, the role to assume and the endpoint, which applies to both S3 and SQS.
	awsx.Account `yaml:",inline"`
	// S3Endpoint and SQSEndpoint override Endpoint for one service.
	S3Endpoint  string `yaml:"s3_endpoint"`
	SQSEndpoint string `yaml:"sqs_endpoint"`
	// UsePathStyle addresses buckets as endpoint/bucket rather than bucket.endpoint, for
	// S3-compatible stores and tests.
	UsePathStyle bool `yaml:"use_path_style"`

	// QueueURL is the SQS queue receiving S3 event notifications or CloudTrail's SNS
	// notifications (directly or through SNS): SQS mode.
	QueueURL string `yaml:"queue_url"`
	// VisibilityTimeout is how long a received message stays hidden from other consumers; it
	// is extended while the message's objects are read. Default 5m, at most 12h.
	VisibilityTimeout time.Duration `yaml:"visibility_timeout"`
	// MaxMessages is how many messages one ReceiveMessage asks for (1–10, default 10).
	MaxMessages int `yaml:"max_messages"`
	// WaitTime is the long-poll wait of ReceiveMessage (0–20s, default 20s).
	WaitTime time.Duration `yaml:"wait_time"`

	// Bucket is the bucket CloudTrail writes to: listing mode.
	Bucket string `yaml:"bucket"`
	// Prefix is the folder holding the account folders: "AWSLogs/" (the default) or, for a
	// trail with a key prefix, "myprefix/AWSLogs/" ("AWSLogs/" is appended when missing).
	Prefix string `yaml:"prefix"`
	// Accounts and RegionsInBucket restrict the account and region folders read (default:
	// all found).
	Accounts        []string `yaml:"accounts"`
	RegionsInBucket []string `yaml:"regions_in_bucket"`
	// StartAt is the first day folder read for an account and region without a checkpoint: a
	// negative duration from now ("-24h", "-7d") or a date ("2026-11-01", or RFC 3339).
	StartAt string `yaml:"start_at"`
	// Revisit is how far back day folders are listed again for files delivered late
	// (default 48h: today's, yesterday's and the day before's folders).
	Revisit time.Duration `yaml:"revisit"`

	// LogSource, when set, is the logsource of every record; by default each record's shape
	// decides.
	LogSource *LogSource `yaml:"logsource"`
	// MaxBatch is the most records handed to the pipeline at once (default 1000).
	MaxBatch int `yaml:"max_batch"`
}

// LogSource is a forced Sigma logsource.
type LogSource struct {
	Product  string `yaml:"product"`
	Service  string `yaml:"service"`
	Category string `yaml:"category"`
}

// DefaultConfig returns the defaults that a source's YAML overrides.
func DefaultConfig() Config {
	return Config{
		Prefix:            defaultPrefix,
		StartAt:           defaultStartAt,
		Revisit:           defaultRevisit,
		MaxBatch:          defaultMaxBatch,
		VisibilityTimeout: defaultVisibility,
		MaxMessages:       defaultMaxMsgs,
		WaitTime:          defaultWaitTime,
	}
}

// Validate reports every problem of c at once. It makes no network call.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := c.Account.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(c.RoleARNs) > 0 {
		errs = append(errs, errors.New("role_arns (several accounts) is for aws_cloudwatch sources; use one role_arn"))
	}
	if len(c.Regions) > 1 {
		add("regions: an aws_s3 source reads one queue or bucket, in one region (filter CloudTrail's regions with regions_in_bucket)")
	}
	for _, e := range []struct{ key, v string }{{"s3_endpoint", c.S3Endpoint}, {"sqs_endpoint", c.SQSEndpoint}} {
		if e.v != "" && !httpURL(e.v) {
			add("%s %q is not an http(s) URL", e.key, e.v)
		}
	}
	switch {
	case c.QueueURL == "" && c.Bucket == "":
		add("set queue_url (SQS notifications) or bucket (listing mode)")
	case c.QueueURL != "" && c.Bucket != "":
		add("set queue_url (SQS notifications) or bucket (listing mode), not both")
	case c.QueueURL != "":
		if !httpURL(c.QueueURL) {
			add("queue_url %q is not an http(s) URL", c.QueueURL)
		} else if c.region() == "" {
			add("region is required: queue_url %q names none", c.QueueURL)
		}
	default:
		if !validBucket(c.Bucket) {
			add("bucket %q is not a bucket name (3–63 lower-case letters, digits, dots, hyphens)", c.Bucket)
		}
	}
	if c.QueueURL != "" {
		if c.VisibilityTimeout < time.Second || c.VisibilityTimeout > maxVisibility {
			add("visibility_timeout %s must be between 1s and 12h", c.VisibilityTimeout)
		}
		if c.MaxMessages < 1 || c.MaxMessages > 10 {
			add("max_messages %d must be between 1 and 10", c.MaxMessages)
		}
		if c.WaitTime < 0 || c.WaitTime > defaultWaitTime {
			add("wait_time %s must be between 0s and 20s", c.WaitTime)
		}
	}
	if c.Bucket != "" {
		if c.Prefix != "" && strings.HasPrefix(c.Prefix, "/") {
			add("prefix %q must not start with a slash", c.Prefix)
		}
		for _, a := range c.Accounts {
			if !isAccountID(a) {
				add("accounts: %q is not a 12-digit AWS account id", a)
			}
		}
		for _, r := range c.RegionsInBucket {
			if !regionLike(r) {
				add("regions_in_bucket: %q is not an AWS region name (like us-east-1)", r)
			}
		}
		if _, err := parseStartAt(c.StartAt, time.Now()); err != nil {
			add("start_at: %v", err)
		}
		if c.Revisit < 0 || c.Revisit > maxRevisit {
			add("revisit %s must be between 0s and 31 days (744h)", c.Revisit)
		}
	}
	if c.MaxBatch < 1 || c.MaxBatch > maxMaxBatch {
		add("max_batch %d must be between 1 and %d", c.MaxBatch, maxMaxBatch)
	}
	if ls := c.LogSource; ls != nil && ls.Product == "" && ls.Service == "" && ls.Category == "" {
		add("logsource: set product, service or category, or leave logsource out")
	}
	return errors.Join(errs...)
}

// region returns the configured region, or the queue URL's in SQS mode.
func (c Config) region() string {
	if r := c.AllRegions(); len(r) > 0 {
		return r[0]
	}
	if c.QueueURL == "" {
		return ""
	}
	u, err := url.Parse(c.QueueURL)
	if err != nil {
		return ""
	}
	// sqs.<region>.amazonaws.com[.cn], or the legacy <region>.queue.amazonaws.com.
	parts := strings.Split(u.Hostname(), ".")
	switch {
	case len(parts) >= 4 && parts[0] == "sqs" && regionLike(parts[1]):
		return parts[1]
	case len(parts) >= 4 && parts[1] == "queue" && regionLike(parts[0]):
		return parts[0]
	}
	return ""
}

// logSource returns the forced logsource, nil when records decide.
func (c Config) logSource() *event.LogSource {
	if c.LogSource == nil {
		return nil
	}
	return &event.LogSource{Product: c.LogSource.Product, Service: c.LogSource.Service, Category: c.LogSource.Category}
}

// prefix returns the folder holding the account folders, ending with "/AWSLogs/": empty is
// the default, and a trail's own key prefix ("myprefix") gets "AWSLogs/" appended.
func (c Config) prefix() string {
	p := strings.Trim(c.Prefix, "/")
	switch {
	case p == "":
		return defaultPrefix
	case p == "AWSLogs" || strings.HasSuffix(p, "/AWSLogs"):
		return p + "/"
	}
	return p + "/" + defaultPrefix
}

// parseStartAt reads start_at relative to now: a negative duration ("-24h", "-7d"), a date
// ("2026-11-01", UTC) or an RFC 3339 time.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	if s == "" {
		s = defaultStartAt
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is neither a negative duration (-24h, -7d) nor a date (2026-11-01)", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return time.Time{}, fmt.Errorf("%q is neither a negative duration (-24h, -7d) nor a date (2026-11-01)", s)
		}
	}
	if d > 0 {
		return time.Time{}, fmt.Errorf("%q points to the future; write a negative duration (-24h: a day ago)", s)
	}
	return now.Add(d).UTC(), nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validBucket applies S3's general-purpose bucket naming rules, loosely.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '-') && i > 0 && i < len(b)-1:
		default:
			return false
		}
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// regionLike reports whether s looks like an AWS region name (us-east-1, us-gov-west-1).
func regionLike(s string) bool {
	if len(s) < 5 || len(s) > 32 || strings.Count(s, "-") < 2 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
