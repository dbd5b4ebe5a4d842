package alert

import (
	"errors"
	"fmt"
	"time"
)

// Keys of Options.GroupBy and Options.AutoResolve besides rule ids.
const (
	// AnyRule is the default for rules without their own entry.
	AnyRule = "*"
	// CorrelationRules is the default for correlation rules without their own entry (it takes
	// precedence over AnyRule for them).
	CorrelationRules = "@correlation"
)

// Default option values.
const (
	DefaultDedupWindow     = 24 * time.Hour
	DefaultRealertInterval = 4 * time.Hour
	DefaultRealertMax      = 24 * time.Hour
	DefaultMaxEvidence     = 20
)

// RealertMode says how often an alert that keeps receiving detections notifies again.
type RealertMode string

// Re-alert modes.
const (
	// RealertFixed notifies at most once per Interval.
	RealertFixed RealertMode = "fixed"
	// RealertExponential doubles the interval after each notification, up to Max, as
	// ElastAlert's exponential_realert; the interval goes back to Interval once the alert has
	// been without detections for Quiet.
	RealertExponential RealertMode = "exponential"
)

// RealertPolicy is the re-alert schedule of open alerts.
type RealertPolicy struct {
	Mode     RealertMode   // default RealertFixed
	Interval time.Duration // default DefaultRealertInterval
	Max      time.Duration // exponential only: the longest interval (default DefaultRealertMax)
	Quiet    time.Duration // exponential only: quiet time that resets the interval (default Max)
}

// interval returns the wait after a notification sent at exponent step.
func (p RealertPolicy) interval(step int) time.Duration {
	if p.Mode != RealertExponential {
		return p.Interval
	}
	d := p.Interval
	for range step {
		if d >= p.Max/2 {
			return p.Max
		}
		d *= 2
	}
	return min(d, p.Max)
}

// Options configure a Manager. The zero value (with a Repository) is usable.
type Options struct {
	// Clock returns the current (processing) time; default time.Now.
	Clock func() time.Time
	// DedupWindow: a detection folds into an alert with its fingerprint whose event-time span
	// [FirstSeen, LastSeen] comes within DedupWindow of the detection's event time (inclusive);
	// else it starts a new alert. Default DefaultDedupWindow.
	DedupWindow time.Duration
	// GroupBy lists, per rule id, the event fields whose values split a rule's alerts (dotted
	// paths); AnyRule and CorrelationRules give defaults. Without an entry a rule has one alert
	// per dedup window. Correlation detections group by their hit's group instead.
	GroupBy map[string][]string
	// AccountFields are the event fields read, in order, for the account of a detection that
	// has none (default DefaultAccountFields).
	AccountFields []string
	// Realert is the re-alert policy.
	Realert RealertPolicy
	// AutoResolve gives, per rule id (or AnyRule, CorrelationRules), the quiet time after which
	// an open or acknowledged alert without new detections (processing time) is resolved by
	// AutoResolve. Rules without an entry never auto-resolve.
	AutoResolve map[string]time.Duration
	// MaxEvidence caps Alert.Evidence: the earliest MaxEvidence/2 and the latest remaining
	// references by event time are kept (default DefaultMaxEvidence).
	MaxEvidence int
}

// DefaultAccountFields returns the account fields of CloudTrail, GCP audit logs and Azure
// activity logs.
func DefaultAccountFields() []string {
	return []string{
		"recipientAccountId", "userIdentity.accountId", // AWS CloudTrail
		"resource.labels.project_id",                  // GCP
		"subscriptionId", "properties.subscriptionId", // Azure
	}
}

// withDefaults returns o with defaults filled in, or an error listing every invalid setting.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.DedupWindow < 0 {
		errs = append(errs, fmt.Errorf("dedup window %s is negative", o.DedupWindow))
	} else if o.DedupWindow == 0 {
		o.DedupWindow = DefaultDedupWindow
	}
	if o.AccountFields == nil {
		o.AccountFields = DefaultAccountFields()
	}
	p := &o.Realert
	switch p.Mode {
	case "":
		p.Mode = RealertFixed
	case RealertFixed, RealertExponential:
	default:
		errs = append(errs, fmt.Errorf("re-alert mode %q: want fixed or exponential", p.Mode))
	}
	if p.Interval < 0 || p.Max < 0 || p.Quiet < 0 {
		errs = append(errs, errors.New("re-alert durations must not be negative"))
	}
	if p.Interval == 0 {
		p.Interval = DefaultRealertInterval
	}
	if p.Max == 0 {
		p.Max = max(DefaultRealertMax, p.Interval)
	}
	if p.Max < p.Interval {
		errs = append(errs, fmt.Errorf("re-alert max %s is below the interval %s", p.Max, p.Interval))
	}
	if p.Quiet == 0 {
		p.Quiet = p.Max
	}
	for id, d := range o.AutoResolve {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("auto-resolve of %q: %s is not positive", id, d))
		}
	}
	if o.MaxEvidence < 0 {
		errs = append(errs, fmt.Errorf("max evidence %d is negative", o.MaxEvidence))
	} else if o.MaxEvidence == 0 {
		o.MaxEvidence = DefaultMaxEvidence
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("alert options: %w: %w", ErrInvalid, errors.Join(errs...))
	}
	return o, nil
}

// lookup returns the entry of m for a rule: its id, else CorrelationRules for a correlation,
// else AnyRule.
func lookup[V any](m map[string]V, ruleID string, correlation bool) (V, bool) {
	if v, ok := m[ruleID]; ok {
		return v, true
	}
	if correlation {
		if v, ok := m[CorrelationRules]; ok {
			return v, true
		}
	}
	v, ok := m[AnyRule]
	return v, ok
}
