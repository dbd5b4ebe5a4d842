package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"picket/internal/config"
)

// MinEvery is the shortest interval an `every` schedule may have.
const MinEvery = time.Second

// Spec says when a task runs: every fixed interval, or at the times of a five-field cron
// expression (descriptors such as @daily allowed) in an IANA time zone, each run delayed by a
// random jitter in [0, Jitter). A Spec is immutable.
type Spec struct {
	every   time.Duration
	expr    string
	sched   cron.Schedule
	loc     *time.Location
	jitter  time.Duration
	catchUp bool
}

// cronParser accepts the standard five fields and descriptors; "@every" is refused by NewSpec
// (the `every` setting says it).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NewSpec builds the Spec of a configured schedule and reports every problem at once. The
// time zone defaults to UTC; catch_up defaults to true and applies to cron schedules only.
func NewSpec(c config.Schedule) (Spec, error) {
	var errs []error
	s := Spec{every: c.Every, expr: strings.TrimSpace(c.Cron), jitter: c.Jitter, loc: time.UTC, catchUp: true}
	if c.CatchUp != nil {
		s.catchUp = *c.CatchUp
	}
	switch {
	case s.every == 0 && s.expr == "":
		errs = append(errs, errors.New("set every or cron"))
	case s.every != 0 && s.expr != "":
		errs = append(errs, errors.New("set every or cron, not both"))
	case s.every < 0:
		errs = append(errs, fmt.Errorf("every must be positive, not %v", s.every))
	case s.every > 0 && s.every < MinEvery:
		errs = append(errs, fmt.Errorf("every must be at least %v, not %v", MinEvery, s.every))
	}
	if s.jitter < 0 {
		errs = append(errs, fmt.Errorf("jitter must not be negative, not %v", s.jitter))
	} else if s.every > 0 && s.jitter >= s.every {
		errs = append(errs, fmt.Errorf("jitter (%v) must be shorter than every (%v)", s.jitter, s.every))
	}
	if s.every > 0 {
		if c.TimeZone != "" {
			errs = append(errs, errors.New("timezone applies to cron schedules only"))
		}
		if c.CatchUp != nil {
			errs = append(errs, errors.New("catch_up applies to cron schedules only: every schedules always run at start"))
		}
	}
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			errs = append(errs, fmt.Errorf("timezone %q: %w", c.TimeZone, err))
		} else {
			s.loc = loc
		}
	}
	if s.expr != "" {
		if err := s.parseCron(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func (s *Spec) parseCron() error {
	if strings.HasPrefix(s.expr, "@every") {
		return fmt.Errorf("cron %q: use the every setting for fixed intervals", s.expr)
	}
	if strings.HasPrefix(s.expr, "TZ=") || strings.HasPrefix(s.expr, "CRON_TZ=") {
		return fmt.Errorf("cron %q: set the time zone with the timezone setting", s.expr)
	}
	sched, err := cronParser.Parse(s.expr)
	if err != nil {
		return fmt.Errorf("cron %q: %w", s.expr, err)
	}
	if ss, ok := sched.(*cron.SpecSchedule); ok {
		ss.Location = s.loc // the parser defaults to the process's local zone
	}
	s.sched = sched
	return nil
}

// IsCron reports whether s is a cron schedule.
func (s Spec) IsCron() bool { return s.sched != nil }

// Every returns the interval of an every schedule, 0 for a cron one.
func (s Spec) Every() time.Duration { return s.every }

// Jitter returns the upper bound (exclusive) of the random delay added to each run.
func (s Spec) Jitter() time.Duration { return s.jitter }

// CatchUp reports whether a cron schedule runs once after downtime for the runs it missed
// (the catch_up setting, default true); the Task's CatchUp field is usually set from it.
func (s Spec) CatchUp() bool { return s.catchUp }

// Location returns the time zone of a cron schedule (UTC by default).
func (s Spec) Location() *time.Location { return s.loc }

// Next returns the first nominal run time strictly after t, without jitter: t + every for an
// every schedule, the next matching time for a cron one (zero if it never matches). Times are
// returned in UTC. Across daylight saving changes a cron schedule follows wall-clock time in
// its zone: a wall time that does not exist (02:30 on the day clocks go forward) is not run
// that day, and a wall time that occurs twice (clocks going back) runs once, at its first
// occurrence.
func (s Spec) Next(t time.Time) time.Time {
	if s.sched == nil {
		if s.every <= 0 {
			return time.Time{}
		}
		return t.Add(s.every).UTC()
	}
	n := s.sched.Next(t)
	if !n.IsZero() && wall(n, s.loc) == wall(t, s.loc) {
		// The clocks went back (end of daylight saving time) and the schedule matches the
		// repeated wall time again: each wall time runs once.
		n = s.sched.Next(n)
	}
	return n.UTC()
}

// wall returns t's local date and time in loc, without its offset.
func wall(t time.Time, loc *time.Location) [6]int {
	l := t.In(loc)
	return [6]int{l.Year(), int(l.Month()), l.Day(), l.Hour(), l.Minute(), l.Second()}
}

// String describes s for people: "every 5m0s" or "cron 0 3 * * * (Europe/Paris)".
func (s Spec) String() string {
	var b strings.Builder
	if s.sched == nil {
		fmt.Fprintf(&b, "every %v", s.every)
	} else {
		fmt.Fprintf(&b, "cron %s (%s)", s.expr, s.loc)
	}
	if s.jitter > 0 {
		fmt.Fprintf(&b, " jitter %v", s.jitter)
	}
	return b.String()
}
