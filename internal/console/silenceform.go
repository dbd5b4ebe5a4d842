package console

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"picket/internal/alert"
)

// silenceForm is the silences page's form, as typed: it is shown again with these values when
// it does not validate.
type silenceForm struct {
	Matchers string // one matcher a line
	Hours    string // duration in whole hours, 1 to maxSilenceHours
	Ends     string // end time in UTC (datetime-local); replaces Hours when given
	Comment  string
}

// silenceFormErrors are the problems of a silence form, next to the fields they concern. They
// are messages for people, not Go errors.
type silenceFormErrors struct {
	Matchers []string // one per bad line
	Duration string
	Comment  string
	Form     string // a problem of the whole silence (reported by the alert manager)
}

// Any reports whether there is a problem.
func (e silenceFormErrors) Any() bool {
	return len(e.Matchers) > 0 || e.Duration != "" || e.Comment != "" || e.Form != ""
}

// defaultSilenceForm is the empty form: four hours, as on the alert page.
func defaultSilenceForm() silenceForm {
	return silenceForm{Hours: "4"}
}

// readSilenceForm reads the form fields of a POST.
func readSilenceForm(v url.Values) silenceForm {
	return silenceForm{
		Matchers: strings.TrimSpace(strings.ReplaceAll(v.Get("matchers"), "\r\n", "\n")),
		Hours:    strings.TrimSpace(v.Get("hours")),
		Ends:     strings.TrimSpace(v.Get("ends")),
		Comment:  limitText(v.Get("comment")),
	}
}

// silence returns the silence the form describes, starting at now, without its author, and
// every problem of the form.
func (f silenceForm) silence(now time.Time) (alert.Silence, silenceFormErrors) {
	var errs silenceFormErrors
	ms, merrs := parseMatchers(f.Matchers)
	errs.Matchers = merrs
	end, problem := f.end(now)
	errs.Duration = problem
	if f.Comment == "" {
		errs.Comment = "Write a comment: say why these alerts need no notification."
	}
	return alert.Silence{Matchers: ms, Comment: f.Comment, StartsAt: now, EndsAt: end}, errs
}

// endLayouts are the accepted end times: what a datetime-local input sends, with or without
// seconds, in UTC, and RFC 3339 with a zone.
var endLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", time.RFC3339}

// end returns the end of a silence starting at now: the end time when given, else now plus
// the hours. The problem is a message for people, "" when there is none.
func (f silenceForm) end(now time.Time) (time.Time, string) {
	latest := now.Add(maxSilenceHours * time.Hour)
	if f.Ends != "" {
		var (
			t   time.Time
			err = errors.New("no layout")
		)
		for _, l := range endLayouts {
			if t, err = time.ParseInLocation(l, f.Ends, time.UTC); err == nil {
				break
			}
		}
		switch {
		case err != nil:
			return time.Time{}, "Give the end time as date and time in UTC, such as 2026-12-01T18:00."
		case !t.After(now):
			return time.Time{}, "The end time has passed: choose a time in the future (UTC)."
		case t.After(latest):
			return time.Time{}, fmt.Sprintf("The end time is too far ahead: a silence lasts at most %d hours (until %s).",
				maxSilenceHours, formatTime(latest))
		}
		return t.UTC(), ""
	}
	hours, err := strconv.Atoi(f.Hours)
	if err != nil || hours < 1 || hours > maxSilenceHours {
		return time.Time{}, fmt.Sprintf("The duration must be a whole number of hours between 1 and %d, or give an end time.", maxSilenceHours)
	}
	return now.Add(time.Duration(hours) * time.Hour), ""
}

// parseMatchers reads one matcher a line, skipping blank lines, and checks each one with the
// alert package's rules. The problems name their line.
func parseMatchers(text string) ([]alert.Matcher, []string) {
	var (
		ms       []alert.Matcher
		problems []string
	)
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m, err := alert.ParseMatcher(line)
		if err == nil {
			err = checkMatcher(m)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("Line %d: %v.", i+1, err))
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 && len(problems) == 0 {
		problems = append(problems, `Add at least one matcher, such as rule_id=root-login.`)
	}
	return ms, problems
}

// checkMatcher checks the field and the regular expression of m. The alert package exports no
// check of one matcher, so this validates a silence holding m alone, whose other fields are
// valid: Validate knows the fields and compiles regular expressions as silences run them.
func checkMatcher(m alert.Matcher) error {
	at := time.Unix(0, 0)
	probe := alert.Silence{Matchers: []alert.Matcher{m}, Author: "console", Comment: "check", EndsAt: at.Add(time.Hour)}
	err := probe.Validate(at)
	if err == nil {
		return nil
	}
	// Validate wraps alert.ErrInvalid and the problems; show the problems only.
	var multi interface{ Unwrap() []error }
	if errors.As(err, &multi) {
		if es := multi.Unwrap(); len(es) > 1 {
			return es[len(es)-1]
		}
	}
	return err
}
