package route

import (
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTimeIntervalContains(t *testing.T) {
	weekdaysNY := TimeInterval{Weekdays: []string{"monday:friday"}, Location: "America/New_York"}
	officeNY := TimeInterval{Times: []TimeRange{{StartTime: "09:00", EndTime: "17:00"}}, Weekdays: []string{"Monday:Friday"}, Location: "America/New_York"}
	tests := []struct {
		name string
		ti   TimeInterval
		at   string // UTC
		want bool
	}{
		{"empty interval is always", TimeInterval{}, "2025-06-07 12:00", true},
		{"Fri 22:00 NY is Sat UTC", weekdaysNY, "2025-06-07 02:00", true},
		{"Sun 23:00 NY is Mon UTC", weekdaysNY, "2025-06-09 03:00", false},
		{"Mon 00:00 NY", weekdaysNY, "2025-06-09 04:00", true},
		{"Sat 03:59 NY", weekdaysNY, "2025-06-07 07:59", false},
		{"office start inclusive", officeNY, "2025-06-09 13:00", true},
		{"office before start", officeNY, "2025-06-09 12:59", false},
		{"office end exclusive", officeNY, "2025-06-09 21:00", false},
		{"office last minute", officeNY, "2025-06-09 20:59", true},
		{"office weekend", officeNY, "2025-06-07 15:00", false},
		{"24:00 end", TimeInterval{Times: []TimeRange{{StartTime: "23:00", EndTime: "24:00"}}}, "2025-06-07 23:59", true},
		{"single weekday list", TimeInterval{Weekdays: []string{"saturday", "sunday"}}, "2025-06-08 10:00", true},
		{"last day of leap February", TimeInterval{DaysOfMonth: []string{"-1"}}, "2024-02-29 10:00", true},
		{"last day of February", TimeInterval{DaysOfMonth: []string{"-1"}}, "2025-02-28 10:00", true},
		{"not last day", TimeInterval{DaysOfMonth: []string{"-1"}}, "2025-02-27 10:00", false},
		{"last week of April starts 24th", TimeInterval{DaysOfMonth: []string{"-7:-1"}}, "2025-04-24 00:00", true},
		{"last week of April not 23rd", TimeInterval{DaysOfMonth: []string{"-7:-1"}}, "2025-04-23 23:59", false},
		{"first week", TimeInterval{DaysOfMonth: []string{"1:7"}}, "2025-04-07 10:00", true},
		{"first week ended", TimeInterval{DaysOfMonth: []string{"1:7"}}, "2025-04-08 10:00", false},
		{"range past February's end does not apply", TimeInterval{DaysOfMonth: []string{"29:31"}}, "2025-02-28 10:00", false},
		{"range ending past the month stops at its end", TimeInterval{DaysOfMonth: []string{"15:31"}}, "2025-02-28 10:00", true},
		{"positive to negative", TimeInterval{DaysOfMonth: []string{"15:-1"}}, "2025-04-30 10:00", true},
		{"day 1 in Tokyo is still May 31 in UTC", TimeInterval{DaysOfMonth: []string{"1"}, Location: "Asia/Tokyo"}, "2025-05-31 16:00", true},
		{"month range", TimeInterval{Months: []string{"march:may"}}, "2025-04-15 10:00", true},
		{"month range out", TimeInterval{Months: []string{"march:may"}}, "2025-06-01 00:00", false},
		{"numeric month", TimeInterval{Months: []string{"12"}}, "2025-12-31 23:59", true},
		{"new year in Sydney", TimeInterval{Years: []string{"2026"}, Location: "Australia/Sydney"}, "2025-12-31 13:00", true},
		{"year range", TimeInterval{Years: []string{"2024:2025"}}, "2026-01-01 00:00", false},
		{"invalid interval contains nothing", TimeInterval{Months: []string{"smarch"}}, "2025-01-01 00:00", false},
	}
	for _, tc := range tests {
		if got := tc.ti.Contains(utc(tc.at)); got != tc.want {
			t.Errorf("%s: %+v.Contains(%s UTC) = %v, want %v", tc.name, tc.ti, tc.at, got, tc.want)
		}
	}
}

// TestTimeIntervalDST checks time-of-day ranges on the days Berlin changes clocks: a range in
// the skipped hour never holds, one in the repeated hour holds twice, and ranges around the
// change are read in local wall time.
func TestTimeIntervalDST(t *testing.T) {
	berlin := func(start, end string) TimeInterval {
		return TimeInterval{Times: []TimeRange{{StartTime: start, EndTime: end}}, Location: "Europe/Berlin"}
	}
	minutesIn := func(ti TimeInterval, day string) int {
		n := 0
		for at := utc(day + " 00:00").Add(-3 * time.Hour); at.Before(utc(day + " 00:00").Add(27 * time.Hour)); at = at.Add(time.Minute) {
			if ti.Contains(at) && at.In(mustLoad(t, "Europe/Berlin")).Format("2006-01-02") == day {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name string
		ti   TimeInterval
		day  string
		want int // minutes of that local day inside the interval
	}{
		{"spring: skipped hour", berlin("02:00", "03:00"), "2025-03-30", 0},
		{"spring: 01:00-04:00 is two real hours", berlin("01:00", "04:00"), "2025-03-30", 120},
		{"autumn: repeated hour counts twice", berlin("02:00", "03:00"), "2025-10-26", 120},
		{"ordinary day", berlin("02:00", "03:00"), "2025-06-01", 60},
		{"spring: whole local day is 23 hours", TimeInterval{Location: "Europe/Berlin", Weekdays: []string{"sunday"}}, "2025-03-30", 23 * 60},
	}
	for _, tc := range tests {
		if got := minutesIn(tc.ti, tc.day); got != tc.want {
			t.Errorf("%s: minutes in %+v on %s = %d, want %d", tc.name, tc.ti.Times, tc.day, got, tc.want)
		}
	}
	spot := []struct {
		at   string
		want bool
	}{{"2025-03-30 00:30", true}, {"2025-03-30 01:30", true}, {"2025-03-30 02:00", false}}
	for _, s := range spot {
		if got := berlin("01:00", "04:00").Contains(utc(s.at)); got != s.want {
			t.Errorf("Berlin 01:00-04:00 Contains(%s UTC) = %v, want %v", s.at, got, s.want)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestIntervalsSameNameUnion(t *testing.T) {
	ivs, errs := compileIntervals([]TimeInterval{
		{Name: "off", Weekdays: []string{"saturday", "sunday"}}, // "saturday:sunday" would wrap: invalid
		{Name: "off", Times: []TimeRange{{StartTime: "00:00", EndTime: "08:00"}}},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for at, want := range map[string]bool{"2025-06-07 12:00": true, "2025-06-09 07:59": true, "2025-06-09 08:00": false} {
		if got := anyContains(ivs["off"], utc(at)); got != want {
			t.Errorf("off contains %s = %v, want %v", at, got, want)
		}
	}
}
