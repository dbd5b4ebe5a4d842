package pattern

import (
	"math"
	"time"
)

// TimePart is a part of a timestamp extracted by the Sigma time modifiers
// (v2.1.0): minute, hour, day, week, month and year.
type TimePart uint8

// Time parts.
const (
	Minute TimePart = iota // 0–59
	Hour                   // 0–23
	Day                    // day of the month, 1–31
	Week                   // ISO 8601 week of the year, 1–53
	Month                  // 1–12
	Year                   // e.g. 2024
)

// String returns the modifier name of the part.
func (p TimePart) String() string {
	switch p {
	case Minute:
		return "minute"
	case Hour:
		return "hour"
	case Day:
		return "day"
	case Week:
		return "week"
	case Month:
		return "month"
	case Year:
		return "year"
	}
	return "TimePart(?)"
}

// ParseTimePart returns the part named by a Sigma modifier ("minute", "hour",
// "day", "week", "month" or "year"; lower case only, as modifiers are).
func ParseTimePart(name string) (TimePart, bool) {
	for p := Minute; p <= Year; p++ {
		if p.String() == name {
			return p, true
		}
	}
	return 0, false
}

// timeLayouts are the textual timestamp forms ExtractTimePart accepts. Go's
// parser accepts a fraction of any length after the seconds even when the
// layout has none.
const (
	layoutRFC3339      = "2006-01-02T15:04:05Z07:00"
	layoutRFC3339Space = "2006-01-02 15:04:05Z07:00"
	layoutLocalT       = "2006-01-02T15:04:05"
	layoutLocalSpace   = "2006-01-02 15:04:05"
	layoutDate         = "2006-01-02"
)

// ExtractTimePart parses s as a timestamp and returns part p of it. Accepted
// forms, tried in order:
//
//   - RFC 3339 with 0 to 9 fractional digits and "Z" or a numeric offset,
//     with "T" or a space between date and time;
//   - "2006-01-02T15:04:05" and "2006-01-02 15:04:05", with an optional
//     fraction and no zone, taken as UTC;
//   - a date "2006-01-02", at midnight UTC;
//   - a number (see ParseNumber), a Unix epoch: milliseconds from 1e12 up
//     (2001-09-09 in milliseconds), seconds below; in UTC.
//
// As the specification warns, time zones are not converted: the part is read
// in the value's own offset, so "2024-01-01T23:30:00+02:00" has hour 23.
// Week is the ISO 8601 week, which can be 53 although the specification says
// 1 to 52. ok is false when s is none of these forms.
func ExtractTimePart(p TimePart, s string) (int, bool) {
	t, ok := parseTimestamp(s)
	if !ok {
		return 0, false
	}
	switch p {
	case Minute:
		return t.Minute(), true
	case Hour:
		return t.Hour(), true
	case Day:
		return t.Day(), true
	case Week:
		_, w := t.ISOWeek()
		return w, true
	case Month:
		return int(t.Month()), true
	case Year:
		return t.Year(), true
	}
	return 0, false
}

func parseTimestamp(s string) (time.Time, bool) {
	if len(s) >= len(layoutDate) && s[4] == '-' {
		layouts := [...]string{layoutRFC3339, layoutRFC3339Space, layoutLocalT, layoutLocalSpace, layoutDate}
		for _, l := range layouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	x, ok := ParseNumber(s)
	if !ok {
		return time.Time{}, false
	}
	if math.Abs(x) >= 1e12 {
		x /= 1000
	}
	if math.Abs(x) > 1e14 { // beyond year 3 million: not a timestamp
		return time.Time{}, false
	}
	sec, frac := math.Modf(x)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
