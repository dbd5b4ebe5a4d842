package route

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// span is an inclusive range of integers (days, months, years; minutes use [start, end)).
type span struct{ lo, hi int }

// interval is a compiled TimeInterval.
type interval struct {
	times  []span // minutes of the day, end exclusive
	wdays  []span // 0 = sunday
	mdays  []span // may be negative: counted from the end of the month
	months []span
	years  []span
	loc    *time.Location
}

var weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// Contains reports whether t lies in the interval. An interval that does not validate contains
// nothing.
func (ti TimeInterval) Contains(t time.Time) bool {
	iv, err := compileInterval(ti)
	return err == nil && iv.contains(t)
}

// Validate reports every problem of the interval.
func (ti TimeInterval) Validate() error {
	_, err := compileInterval(ti)
	return err
}

// compileInterval compiles ti, reporting every problem.
func compileInterval(ti TimeInterval) (*interval, error) {
	iv, errs := compileIntervalErrs(ti)
	return iv, errors.Join(errs...)
}

// compileIntervals compiles named intervals; entries sharing a name are OR-ed.
func compileIntervals(tis []TimeInterval) (map[string][]*interval, []error) {
	m := make(map[string][]*interval, len(tis))
	var errs []error
	for i, ti := range tis {
		path := fmt.Sprintf("time_intervals[%d]", i)
		if ti.Name == "" {
			errs = append(errs, fmt.Errorf("%s: missing name", path))
		}
		iv, ierrs := compileIntervalErrs(ti)
		for _, err := range ierrs {
			errs = append(errs, fmt.Errorf("%s.%w", path, err))
		}
		if len(ierrs) > 0 {
			continue
		}
		m[ti.Name] = append(m[ti.Name], iv)
	}
	return m, errs
}

// anyContains reports whether one of ivs contains t.
func anyContains(ivs []*interval, t time.Time) bool {
	return slices.ContainsFunc(ivs, func(iv *interval) bool { return iv.contains(t) })
}

// compileIntervalErrs compiles ti; each problem is prefixed with its field ("weekdays[1]: …").
func compileIntervalErrs(ti TimeInterval) (*interval, []error) {
	iv := &interval{loc: time.UTC}
	var errs []error
	if ti.Location != "" {
		loc, err := time.LoadLocation(ti.Location)
		if err != nil {
			errs = append(errs, fmt.Errorf("location: %w", err))
		} else {
			iv.loc = loc
		}
	}
	for i, tr := range ti.Times {
		s, err := parseTimeRange(tr)
		if err != nil {
			errs = append(errs, fmt.Errorf("times[%d]: %w", i, err))
			continue
		}
		iv.times = append(iv.times, s)
	}
	var serrs []error
	iv.wdays, serrs = parseSpans("weekdays", ti.Weekdays, func(s string) (int, error) { return parseName(s, weekdayNames, 0) }, nil)
	errs = append(errs, serrs...)
	iv.mdays, serrs = parseSpans("days_of_month", ti.DaysOfMonth, parseDayOfMonth, checkDayRange)
	errs = append(errs, serrs...)
	iv.months, serrs = parseSpans("months", ti.Months, parseMonth, nil)
	errs = append(errs, serrs...)
	iv.years, serrs = parseSpans("years", ti.Years, parseYear, nil)
	errs = append(errs, serrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return iv, nil
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 {
		return 0, fmt.Errorf("bad year %q", s)
	}
	return y, nil
}

// parseTimeRange parses "HH:MM" start and end into minutes of the day.
func parseTimeRange(tr TimeRange) (span, error) {
	lo, err := parseClock(tr.StartTime)
	if err != nil {
		return span{}, fmt.Errorf("start_time: %w", err)
	}
	hi, err := parseClock(tr.EndTime)
	if err != nil {
		return span{}, fmt.Errorf("end_time: %w", err)
	}
	if lo >= hi {
		return span{}, fmt.Errorf("start_time %s is not before end_time %s", tr.StartTime, tr.EndTime)
	}
	return span{lo, hi}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time %q: want HH:MM from 00:00 to 24:00", s)
	}
	return hh*60 + mm, nil
}

// parseSpans parses entries "a" or "a:b" with parse; check, when set, validates a range,
// otherwise lo <= hi is required. Problems are prefixed with label[index].
func parseSpans(label string, entries []string, parse func(string) (int, error), check func(span) error) ([]span, []error) {
	var out []span
	var errs []error
	for i, e := range entries {
		l, h, isRange := strings.Cut(strings.TrimSpace(e), ":")
		lo, err := parse(strings.TrimSpace(l))
		hi := lo
		if err == nil && isRange {
			hi, err = parse(strings.TrimSpace(h))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", label, i, err))
			continue
		}
		s := span{lo, hi}
		switch {
		case check != nil:
			err = check(s)
		case lo > hi:
			err = fmt.Errorf("range %q: start after end", e)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", label, i, err))
			continue
		}
		out = append(out, s)
	}
	return out, errs
}

// parseName parses a name of names (case-insensitive) into its index plus base.
func parseName(s string, names []string, base int) (int, error) {
	if i := slices.Index(names, strings.ToLower(s)); i >= 0 {
		return i + base, nil
	}
	return 0, fmt.Errorf("unknown name %q", s)
}

func parseMonth(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 12 {
			return 0, fmt.Errorf("month %d out of 1–12", n)
		}
		return n, nil
	}
	return parseName(s, monthNames, 1)
}

func parseDayOfMonth(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 || n < -31 || n > 31 {
		return 0, fmt.Errorf("bad day of month %q: want 1 to 31 or -31 to -1", s)
	}
	return n, nil
}

// checkDayRange allows ranges of same-signed days in order, and a positive start with a
// negative end ("15:-1"); a negative start with a positive end is ambiguous.
func checkDayRange(s span) error {
	switch {
	case s.lo < 0 && s.hi > 0:
		return fmt.Errorf("range %d:%d: a negative start needs a negative end", s.lo, s.hi)
	case (s.lo > 0) == (s.hi > 0) && s.lo > s.hi:
		return fmt.Errorf("range %d:%d: start after end", s.lo, s.hi)
	}
	return nil
}

func inSpans(spans []span, v int) bool {
	return len(spans) == 0 || slices.ContainsFunc(spans, func(s span) bool { return s.lo <= v && v <= s.hi })
}

// contains reports whether t, read in the interval's location, satisfies every non-empty list.
func (iv *interval) contains(t time.Time) bool {
	t = t.In(iv.loc)
	if len(iv.times) > 0 {
		m := t.Hour()*60 + t.Minute()
		if !slices.ContainsFunc(iv.times, func(s span) bool { return s.lo <= m && m < s.hi }) {
			return false
		}
	}
	if !inSpans(iv.wdays, int(t.Weekday())) || !inSpans(iv.months, int(t.Month())) || !inSpans(iv.years, t.Year()) {
		return false
	}
	if len(iv.mdays) == 0 {
		return true
	}
	// Days counted from the end are resolved against the month's length; a range starting
	// after the month's last day does not apply, one ending after it stops at it.
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, iv.loc).Day()
	abs := func(d int) int {
		if d < 0 {
			return last + d + 1
		}
		return d
	}
	return slices.ContainsFunc(iv.mdays, func(s span) bool {
		lo, hi := max(abs(s.lo), 1), min(abs(s.hi), last)
		return lo <= t.Day() && t.Day() <= hi
	})
}
