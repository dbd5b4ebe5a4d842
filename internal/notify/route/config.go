package route

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Root timing defaults, used when the root route leaves a duration zero.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// Config is the notification routing part of picket's configuration: the routing tree, the
// inhibition rules and the named time intervals routes refer to.
type Config struct {
	Route         *Route         `yaml:"route" json:"route"`
	InhibitRules  []InhibitRule  `yaml:"inhibit_rules,omitempty" json:"inhibit_rules,omitempty"`
	TimeIntervals []TimeInterval `yaml:"time_intervals,omitempty" json:"time_intervals,omitempty"`
}

// Route is one node of the routing tree (Alertmanager semantics, see the package doc). All the
// conditions of a route (MatchEqual, MatchRE and Matchers) must hold for it to match; a route
// without conditions matches every alert.
type Route struct {
	// Receiver names the receiver of the alerts the route takes; inherited when empty, and
	// required on the root.
	Receiver string `yaml:"receiver,omitempty" json:"receiver,omitempty"`
	// MatchEqual (YAML key match) requires equality: the field has one of the listed values
	// (for tags: some tag does). Keys are alert fields (see Field). The Go name differs from
	// the key because Match is the routing method.
	MatchEqual map[string]StringOrList `yaml:"match,omitempty" json:"match,omitempty"`
	// MatchRE requires the field to match an RE2 expression anchored at both ends.
	MatchRE map[string]string `yaml:"match_re,omitempty" json:"match_re,omitempty"`
	// Matchers are Alertmanager-style conditions: field=value, field!=value, field=~regexp,
	// field!~regexp (see alert.ParseMatcher).
	Matchers []string `yaml:"matchers,omitempty" json:"matchers,omitempty"`
	// Continue lets the following siblings try the alert even when this route matched.
	Continue bool `yaml:"continue,omitempty" json:"continue,omitempty"`
	// GroupBy lists the fields whose values form an aggregation group; "..." alone groups by
	// every field (one group per alert). Inherited when absent (nil); an explicit empty list
	// puts all the route's alerts in one group.
	GroupBy []string `yaml:"group_by,omitempty" json:"group_by,omitempty"`
	// GroupWait, GroupInterval and RepeatInterval are inherited from the parent when zero; the
	// root defaults to DefaultGroupWait, DefaultGroupInterval and DefaultRepeatInterval.
	GroupWait      time.Duration `yaml:"group_wait,omitempty" json:"group_wait,omitempty"`
	GroupInterval  time.Duration `yaml:"group_interval,omitempty" json:"group_interval,omitempty"`
	RepeatInterval time.Duration `yaml:"repeat_interval,omitempty" json:"repeat_interval,omitempty"`
	// MuteTimeIntervals names time intervals during which the route sends nothing;
	// ActiveTimeIntervals, when set, the only intervals during which it sends. Neither is
	// inherited, and the root may have neither (as in Alertmanager).
	MuteTimeIntervals   []string `yaml:"mute_time_intervals,omitempty" json:"mute_time_intervals,omitempty"`
	ActiveTimeIntervals []string `yaml:"active_time_intervals,omitempty" json:"active_time_intervals,omitempty"`
	// Routes are the child routes, tried in order.
	Routes []*Route `yaml:"routes,omitempty" json:"routes,omitempty"`

	// path locates the route in its tree ("route.routes[0]"); set on the routes Match returns.
	path string
}

// Path locates a route returned by Match in its tree, e.g. "route.routes[1].routes[0]"; it is
// empty for a route that does not come from Match.
func (r *Route) Path() string { return r.path }

// StringOrList is a list of strings that YAML and JSON may also give as a single string.
type StringOrList []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (s *StringOrList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = StringOrList{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *StringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = StringOrList{one}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*s = l
	return nil
}

// InhibitRule mutes alerts: while an active (open or acknowledged) alert matches every source
// matcher, alerts that match every target matcher and have the same values for the Equal
// fields are not notified. An alert never inhibits itself.
type InhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers" json:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers" json:"target_matchers"`
	Equal          []string `yaml:"equal,omitempty" json:"equal,omitempty"`
}

// TimeInterval is a named recurring period with Alertmanager semantics: an instant is in it
// when it satisfies every non-empty list (any entry of each). Several entries with the same
// name form one interval, their union.
type TimeInterval struct {
	Name string `yaml:"name" json:"name"`
	// Times are time-of-day ranges, start inclusive, end exclusive ("09:00"–"17:00"; end may
	// be "24:00").
	Times []TimeRange `yaml:"times,omitempty" json:"times,omitempty"`
	// Weekdays are day names or inclusive ranges ("monday:friday", "saturday"); a range runs
	// from sunday to saturday, so it cannot wrap round the week.
	Weekdays []string `yaml:"weekdays,omitempty" json:"weekdays,omitempty"`
	// DaysOfMonth are days or inclusive ranges, 1 to 31 or -31 to -1 counted from the end of
	// the month ("1:7", "-1", "-7:-1", "15:-1").
	DaysOfMonth []string `yaml:"days_of_month,omitempty" json:"days_of_month,omitempty"`
	// Months are names or numbers, or inclusive ranges ("january:march", "1:3").
	Months []string `yaml:"months,omitempty" json:"months,omitempty"`
	// Years are years or inclusive ranges ("2025", "2025:2027").
	Years []string `yaml:"years,omitempty" json:"years,omitempty"`
	// Location is the IANA time zone the other fields are read in; UTC when empty ("Local"
	// is the host's zone).
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
}

// TimeRange is a time-of-day range in "HH:MM" form.
type TimeRange struct {
	StartTime string `yaml:"start_time" json:"start_time"`
	EndTime   string `yaml:"end_time" json:"end_time"`
}

// Validate checks the configuration against the names of the configured receivers and reports
// every problem at once, each prefixed with its place in the configuration
// ("route.routes[1].routes[0]: unknown receiver \"x\"", "inhibit_rules[0].equal[1]: …"). It
// makes no network calls.
func (c *Config) Validate(receivers map[string]bool) error {
	_, err := compileConfig(c, receivers, true)
	return err
}

// compiled is a validated configuration ready for use.
type compiled struct {
	root      *node
	inhibitor *Inhibitor
	intervals map[string][]*interval
}

// compileConfig validates and compiles c; receivers are checked when checkReceivers is set.
func compileConfig(c *Config, receivers map[string]bool, checkReceivers bool) (*compiled, error) {
	var errs []error
	intervals, ierrs := compileIntervals(c.TimeIntervals)
	errs = append(errs, ierrs...)
	inh, err := NewInhibitor(c.InhibitRules)
	if err != nil {
		errs = append(errs, err)
	}
	var root *node
	if c.Route == nil {
		errs = append(errs, errors.New("route: missing"))
	} else {
		tc := treeCompiler{intervals: intervals, receivers: receivers, checkReceivers: checkReceivers}
		root = tc.compile(c.Route, nil, "route")
		errs = append(errs, tc.errs...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &compiled{root: root, inhibitor: inh, intervals: intervals}, nil
}

// treeCompiler compiles a routing tree, collecting every problem.
type treeCompiler struct {
	intervals      map[string][]*interval // nil: interval names are not checked
	receivers      map[string]bool
	checkReceivers bool
	errs           []error
}

func (tc *treeCompiler) errorf(path, format string, args ...any) {
	tc.errs = append(tc.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// compile compiles r, whose parent's effective settings are parent (nil for the root).
func (tc *treeCompiler) compile(r *Route, parent *Route, path string) *node {
	if r == nil {
		tc.errorf(path, "empty route")
		return &node{path: path, route: &Route{path: path}, broken: true}
	}
	cs, errs := compileRouteConds(r)
	for _, err := range errs {
		tc.errs = append(tc.errs, fmt.Errorf("%s.%w", path, err))
	}
	n := &node{path: path, conds: cs, broken: len(errs) > 0}
	if parent == nil {
		tc.checkRoot(r, path)
	}
	n.route = effective(r, parent)
	n.route.path = path
	if r.Receiver != "" && tc.checkReceivers && !tc.receivers[r.Receiver] {
		tc.errorf(path, "unknown receiver %q", r.Receiver)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"group_wait", r.GroupWait}, {"group_interval", r.GroupInterval}, {"repeat_interval", r.RepeatInterval}} {
		if d.d < 0 {
			tc.errorf(path, "negative %s %s", d.name, d.d)
		}
	}
	tc.checkGroupBy(r.GroupBy, path)
	tc.checkIntervalNames(r.MuteTimeIntervals, path+".mute_time_intervals")
	tc.checkIntervalNames(r.ActiveTimeIntervals, path+".active_time_intervals")
	for i, c := range r.Routes {
		n.children = append(n.children, tc.compile(c, n.route, fmt.Sprintf("%s.routes[%d]", path, i)))
	}
	return n
}

func (tc *treeCompiler) checkRoot(r *Route, path string) {
	if r.Receiver == "" {
		tc.errorf(path, "the root route needs a receiver")
	}
	if len(r.MatchEqual) > 0 || len(r.MatchRE) > 0 || len(r.Matchers) > 0 {
		tc.errorf(path, "the root route must not have match, match_re or matchers: it takes every alert")
	}
	if r.Continue {
		tc.errorf(path, "the root route must not have continue")
	}
	if len(r.MuteTimeIntervals) > 0 || len(r.ActiveTimeIntervals) > 0 {
		tc.errorf(path, "the root route must not have mute_time_intervals or active_time_intervals")
	}
}

func (tc *treeCompiler) checkGroupBy(groupBy []string, path string) {
	seen := map[string]bool{}
	for i, f := range groupBy {
		switch {
		case f == fieldAll && len(groupBy) > 1:
			tc.errorf(fmt.Sprintf("%s.group_by[%d]", path, i), "%q must be the only group_by entry", fieldAll)
		case f == fieldAll:
		case f == "status":
			tc.errorf(fmt.Sprintf("%s.group_by[%d]", path, i), "cannot group by status: an alert must keep its group when it resolves")
		case !KnownField(f):
			tc.errorf(fmt.Sprintf("%s.group_by[%d]", path, i), "unknown alert field %q", f)
		case seen[f]:
			tc.errorf(fmt.Sprintf("%s.group_by[%d]", path, i), "duplicate field %q", f)
		}
		seen[f] = true
	}
}

func (tc *treeCompiler) checkIntervalNames(names []string, path string) {
	if tc.intervals == nil {
		return
	}
	for i, name := range names {
		if _, ok := tc.intervals[name]; !ok {
			tc.errorf(fmt.Sprintf("%s[%d]", path, i), "unknown time interval %q", name)
		}
	}
}

// effective returns a copy of r without children, with the inherited and default settings
// filled in from parent (nil for the root).
func effective(r *Route, parent *Route) *Route {
	e := *r
	e.Routes = nil
	if parent == nil {
		parent = &Route{GroupWait: DefaultGroupWait, GroupInterval: DefaultGroupInterval, RepeatInterval: DefaultRepeatInterval, GroupBy: []string{}}
	}
	if e.Receiver == "" {
		e.Receiver = parent.Receiver
	}
	if e.GroupBy == nil {
		e.GroupBy = parent.GroupBy
	}
	if e.GroupWait == 0 {
		e.GroupWait = parent.GroupWait
	}
	if e.GroupInterval == 0 {
		e.GroupInterval = parent.GroupInterval
	}
	if e.RepeatInterval == 0 {
		e.RepeatInterval = parent.RepeatInterval
	}
	return &e
}
