package insights

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"picket/internal/awsx"
)

// Type is the job type in the configuration file.
const Type = "aws_logs_insights"

// Config configures a scheduled Logs Insights query. The scheduling keys (every, cron, jitter)
// are read by the configuration package, not here.
type Config struct {
	// Account says how to reach AWS: one region (a query runs in one region).
	awsx.Account `yaml:",inline"`
	// LogGroups are the queried log groups: names, or ARNs for groups of another account
	// (at most 50).
	LogGroups []string `yaml:"log_groups"`
	// Query is the Logs Insights query (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html).
	Query string `yaml:"query"`
	// Window is the time range each run queries, ending at the run's time (default 1h).
	Window time.Duration `yaml:"window"`
	// Threshold, when above 0, makes a run return one result (the row count) when the query
	// returned at least Threshold rows, and nothing otherwise; when 0, every row is a result.
	Threshold int `yaml:"threshold"`
}

// DefaultWindow is the default time range of a run.
const DefaultWindow = time.Hour

// DefaultConfig returns the defaults: a one-hour window, one result per row.
func DefaultConfig() Config { return Config{Window: DefaultWindow} }

// Validate reports every problem of c at once. It makes no network call.
func (c Config) Validate() error {
	var errs []error
	if err := c.Account.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(c.RoleARNs) > 0 {
		errs = append(errs, errors.New("role_arns (several accounts) is for aws_cloudwatch sources; use one role_arn"))
	}
	if len(c.Regions) > 1 {
		errs = append(errs, errors.New("a Logs Insights job runs in one region: set region, not several regions"))
	}
	if len(c.LogGroups) == 0 || len(c.LogGroups) > 50 {
		errs = append(errs, fmt.Errorf("log_groups: give 1 to 50 log groups, not %d", len(c.LogGroups)))
	}
	for _, g := range c.LogGroups {
		if strings.TrimSpace(g) == "" {
			errs = append(errs, errors.New("log_groups: empty name"))
		}
	}
	if strings.TrimSpace(c.Query) == "" {
		errs = append(errs, errors.New("query is required"))
	}
	if c.Window <= 0 || c.Window > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("window must be above 0 and at most 720h, not %s", c.Window))
	}
	if c.Threshold < 0 {
		errs = append(errs, errors.New("threshold must not be negative"))
	}
	return errors.Join(errs...)
}
