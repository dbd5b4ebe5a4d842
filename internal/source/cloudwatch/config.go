package cloudwatch

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"picket/internal/awsx"
	"picket/internal/event"
	"picket/internal/flowlog"
)

// Type is the source type in the configuration file.
const Type = "aws_cloudwatch"

// Message formats (the `format` setting).
const (
	FormatAuto       = "auto"
	FormatCloudTrail = "cloudtrail"
	FormatVPCFlow    = "vpcflow"
	FormatJSON       = "json"
	FormatText       = "text"
)

// Config configures a CloudWatch Logs source. The scheduling keys (every, cron, jitter) are
// read by the configuration package, not here.
type Config struct {
	// Account says how to reach AWS; several regions make several sources (see Expand).
	awsx.Account `yaml:",inline"`

	// LogGroups are log group names read exactly; LogGroupPrefixes select every group whose
	// name starts with one of them (resolved with DescribeLogGroups, refreshed every few
	// minutes); LogGroupARNs name groups by ARN (needed for groups shared from another account
	// to a monitoring account), read as given.
	LogGroups        []string `yaml:"log_groups"`
	LogGroupPrefixes []string `yaml:"log_group_prefixes"`
	LogGroupARNs     []string `yaml:"log_group_arns"`
	// LogStreamNames or LogStreamPrefix restrict every group to some streams (not both).
	LogStreamNames  []string `yaml:"log_stream_names"`
	LogStreamPrefix string   `yaml:"log_stream_prefix"`
	// FilterPattern is a CloudWatch Logs filter pattern applied by the service (empty: all).
	FilterPattern string `yaml:"filter_pattern"`
	// StartAt is where a group without a checkpoint starts: "now" (default), "earliest", a
	// negative duration such as "-24h", or an RFC 3339 time, resolved at the first poll (a
	// group that appears later is read from that same time).
	StartAt string `yaml:"start_at"`
	// Lag is how far each read reaches back before the previous read's end, for events
	// ingested late (default 5m). It grows by itself, up to MaxLag (default 1h), when events
	// arrive later than it.
	Lag    time.Duration `yaml:"lag"`
	MaxLag time.Duration `yaml:"max_lag"`
	// LogSource, when set, is the Sigma logsource of every record; otherwise it is recognised
	// from each record's shape (VPC flow log records: product aws, service vpcflowlogs).
	LogSource *LogSource `yaml:"logsource"`
	// Format says how to read messages: auto (default: JSON objects as JSON, VPC flow log
	// records as flow logs, anything else as text), cloudtrail, vpcflow, json or text.
	Format string `yaml:"format"`
	// VPCFlowFormat is the field list of a custom flow log format ("${version} ${srcaddr} …",
	// as in the flow log definition); empty: the default version-2 format.
	VPCFlowFormat string `yaml:"vpcflow_format"`
	// MaxBatch is the most records handed to the pipeline at once (default 1000).
	MaxBatch int `yaml:"max_batch"`
	// MaxTPS is the read rate budget, in calls per second, shared by every source reading the
	// same account and region (default 5, the FilterLogEvents quota). When sources sharing an
	// account and region set different values, the smallest wins.
	MaxTPS float64 `yaml:"max_tps"`
}

// LogSource is a Sigma logsource forced on every record.
type LogSource struct {
	Product  string `yaml:"product"`
	Service  string `yaml:"service"`
	Category string `yaml:"category"`
}

// Defaults.
const (
	DefaultLag      = 5 * time.Minute
	DefaultMaxLag   = time.Hour
	DefaultMaxBatch = 1000
	DefaultMaxTPS   = 5
)

// DefaultConfig returns the defaults: start now, 5 minutes of lag growing up to 1 hour,
// automatic formats, batches of 1000 records, 5 calls per second.
func DefaultConfig() Config {
	return Config{
		StartAt:  "now",
		Lag:      DefaultLag,
		MaxLag:   DefaultMaxLag,
		Format:   FormatAuto,
		MaxBatch: DefaultMaxBatch,
		MaxTPS:   DefaultMaxTPS,
	}
}

// Validate reports every problem of c at once. It makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := c.Account.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(c.LogGroups)+len(c.LogGroupPrefixes)+len(c.LogGroupARNs) == 0 {
		errs = append(errs, errors.New("set at least one of log_groups, log_group_prefixes, log_group_arns"))
	}
	for _, g := range c.LogGroups {
		if !validGroupName(g) {
			errs = append(errs, fmt.Errorf("log_groups: %q is not a log group name (1 to 512 of [A-Za-z0-9_-/.#])", g))
		}
	}
	for _, p := range c.LogGroupPrefixes {
		if !validGroupName(p) {
			errs = append(errs, fmt.Errorf("log_group_prefixes: %q is not a log group name prefix", p))
		}
	}
	for _, a := range c.LogGroupARNs {
		if _, ok := groupNameFromARN(a); !ok {
			errs = append(errs, fmt.Errorf("log_group_arns: %q is not a log group ARN (arn:aws:logs:<region>:<account>:log-group:<name>)", a))
		}
	}
	if len(c.LogStreamNames) > 0 && c.LogStreamPrefix != "" {
		errs = append(errs, errors.New("set log_stream_names or log_stream_prefix, not both"))
	}
	if len(c.LogStreamNames) > 100 {
		errs = append(errs, errors.New("log_stream_names: at most 100 streams"))
	}
	if _, err := parseStartAt(c.StartAt, time.Time{}); err != nil {
		errs = append(errs, err)
	}
	if c.Lag < 0 {
		errs = append(errs, errors.New("lag must not be negative"))
	}
	if c.MaxLag < c.Lag || c.MaxLag > 24*time.Hour {
		errs = append(errs, fmt.Errorf("max_lag (%s) must be between lag (%s) and 24h", c.MaxLag, c.Lag))
	}
	if l := c.LogSource; l != nil && l.Product == "" && l.Service == "" && l.Category == "" {
		errs = append(errs, errors.New("logsource: set product, service or category"))
	}
	switch c.Format {
	case FormatAuto, FormatVPCFlow:
	case FormatCloudTrail, FormatJSON, FormatText:
		if c.VPCFlowFormat != "" {
			errs = append(errs, fmt.Errorf("vpcflow_format needs format auto or vpcflow, not %s", c.Format))
		}
	default:
		errs = append(errs, fmt.Errorf("format must be auto, cloudtrail, vpcflow, json or text, not %q", c.Format))
	}
	if c.VPCFlowFormat != "" {
		if _, err := flowlog.ParseFormat(c.VPCFlowFormat); err != nil {
			errs = append(errs, fmt.Errorf("vpcflow_format: %w", err))
		}
	}
	if c.MaxBatch < 1 || c.MaxBatch > 100000 {
		errs = append(errs, fmt.Errorf("max_batch must be between 1 and 100000, not %d", c.MaxBatch))
	}
	if c.MaxTPS <= 0 || c.MaxTPS > 1000 {
		errs = append(errs, fmt.Errorf("max_tps must be above 0 and at most 1000, not %g", c.MaxTPS))
	}
	return errors.Join(errs...)
}

// logSource returns the forced logsource, or nil.
func (c Config) logSource() *event.LogSource {
	if c.LogSource == nil {
		return nil
	}
	return &event.LogSource{Product: c.LogSource.Product, Service: c.LogSource.Service, Category: c.LogSource.Category}
}

// flowFormat returns the flow log format in use.
func (c Config) flowFormat() (flowlog.Format, error) {
	if c.VPCFlowFormat == "" {
		return flowlog.DefaultFormat(), nil
	}
	f, err := flowlog.ParseFormat(c.VPCFlowFormat)
	if err != nil {
		return flowlog.Format{}, fmt.Errorf("vpcflow_format: %w", err)
	}
	return f, nil
}

func validGroupName(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-/.#", r)) {
			return false
		}
	}
	return true
}

// groupNameFromARN returns the group name of a log group ARN (with or without the ":*" suffix).
func groupNameFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	name := strings.TrimSuffix(parts[6], ":*")
	return name, validGroupName(name)
}

// parseStartAt resolves start_at against now. An empty value means now.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "" || s == "now":
		return now, nil
	case s == "earliest":
		return time.UnixMilli(0).UTC(), nil
	case strings.HasPrefix(s, "-"):
		d, err := time.ParseDuration(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("start_at %q: not a duration like -24h", s)
		}
		return now.Add(d), nil
	default:
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("start_at must be now, earliest, a negative duration (-24h) or an RFC 3339 time, not %q", s)
		}
		return t, nil
	}
}

// Instance is one source of a definition: a definition with several regions becomes one
// instance per region, named "<name>/<region>".
type Instance struct {
	Name   string
	Region string // empty: from the environment or profile
	Config Config // with Region set and Regions cleared
}

// Expand splits a definition into its sources. With no region or a single one, it returns one
// instance named name; with several regions, one per region named "<name>/<region>", each with
// its own checkpoints and metrics. The composition root calls it before New.
func Expand(name string, c Config) []Instance {
	var out []Instance
	roles := c.RoleARNs
	if len(roles) == 0 {
		roles = []string{c.RoleARN}
	}
	for _, role := range roles {
		base, label := c, name
		base.RoleARN, base.RoleARNs = role, nil
		if len(c.RoleARNs) > 0 {
			label = name + "/" + awsx.AccountOf(role)
		}
		regions := c.AllRegions()
		if len(regions) <= 1 {
			one := base
			one.Regions = nil
			if len(regions) == 1 {
				one.Region = regions[0]
			}
			out = append(out, Instance{Name: label, Region: one.Region, Config: one})
			continue
		}
		for _, r := range regions {
			one := base
			one.Region, one.Regions = r, nil
			out = append(out, Instance{Name: label + "/" + r, Region: r, Config: one})
		}
	}
	return out
}
