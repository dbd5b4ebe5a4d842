package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/config"
)

func TestNewSpecErrors(t *testing.T) {
	no := false
	tests := []struct {
		name string
		c    config.Schedule
		want []string // substrings of the error; none means valid
	}{
		{"every", config.Schedule{Every: time.Minute, Jitter: 10 * time.Second}, nil},
		{"cron with zone", config.Schedule{Cron: "0 3 * * *", TimeZone: "Europe/Paris", CatchUp: &no}, nil},
		{"descriptor", config.Schedule{Cron: "@daily"}, nil},
		{"nothing", config.Schedule{}, []string{"set every or cron"}},
		{"both", config.Schedule{Every: time.Minute, Cron: "* * * * *"}, []string{"not both"}},
		{"too short", config.Schedule{Every: time.Millisecond}, []string{"at least 1s"}},
		{"negative", config.Schedule{Every: -time.Minute, Jitter: -time.Second}, []string{"must be positive", "jitter must not be negative"}},
		{"jitter too long", config.Schedule{Every: time.Minute, Jitter: time.Minute}, []string{"shorter than every"}},
		{"every with cron settings", config.Schedule{Every: time.Minute, TimeZone: "UTC", CatchUp: &no}, []string{"timezone applies", "catch_up applies"}},
		{"bad cron and zone", config.Schedule{Cron: "61 * * * *", TimeZone: "Mars/Olympus"}, []string{`cron "61 * * * *"`, `timezone "Mars/Olympus"`}},
		{"six fields", config.Schedule{Cron: "0 0 3 * * *"}, []string{"expected exactly 5 fields"}},
		{"@every", config.Schedule{Cron: "@every 5m"}, []string{"use the every setting"}},
		{"TZ prefix", config.Schedule{Cron: "CRON_TZ=UTC 0 3 * * *"}, []string{"timezone setting"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSpec(tt.c)
			if (err != nil) != (len(tt.want) > 0) {
				t.Fatalf("NewSpec(%+v) = %v, want errors %q", tt.c, err, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("NewSpec(%+v) = %v, want it to mention %q", tt.c, err, w)
				}
			}
		})
	}
}

func TestSpecNext(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		name  string
		c     config.Schedule
		start string
		want  []string // successive Next times, UTC
	}{
		{"every", config.Schedule{Every: 90 * time.Second}, "2026-01-01T00:00:00Z",
			[]string{"2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z"}},
		{"cron UTC", config.Schedule{Cron: "*/15 * * * *"}, "2026-01-01T00:07:00Z",
			[]string{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z"}},
		{"descriptor", config.Schedule{Cron: "@daily"}, "2026-01-01T10:00:00Z",
			[]string{"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"}},
		{"time zone", config.Schedule{Cron: "0 9 * * 1-5", TimeZone: "America/New_York"}, "2026-01-02T15:00:00Z",
			[]string{"2026-01-05T14:00:00Z", "2026-01-06T14:00:00Z"}}, // Friday afternoon → Monday 9:00 EST
		{"DST forward keeps wall time", config.Schedule{Cron: "0 9 * * *", TimeZone: "Europe/Paris"}, "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"}},
		{"DST back keeps wall time", config.Schedule{Cron: "0 9 * * *", TimeZone: "Europe/Paris"}, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T08:00:00Z", "2026-10-26T08:00:00Z"}},
		{"nonexistent wall time is skipped", config.Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris"}, "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"}},
		{"repeated wall time runs once", config.Schedule{Cron: "30 2 * * *", TimeZone: "Europe/Paris"}, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := NewSpec(tt.c)
			if err != nil {
				t.Fatalf("NewSpec() = %v", err)
			}
			var got []string
			n := utc(tt.start)
			for range tt.want {
				n = sp.Next(n)
				got = append(got, n.Format(time.RFC3339))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Next() from %s (-want +got):\n%s", tt.start, diff)
			}
		})
	}
}

func TestSpecString(t *testing.T) {
	sp, err := NewSpec(config.Schedule{Cron: "0 3 * * *", TimeZone: "Europe/Paris", Jitter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sp.String(), "cron 0 3 * * * (Europe/Paris) jitter 1m0s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !sp.CatchUp() {
		t.Error("CatchUp() = false, want the default true")
	}
}
