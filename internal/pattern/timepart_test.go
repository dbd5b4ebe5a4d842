package pattern

import "testing"

func TestParseTimePart(t *testing.T) {
	tests := []struct {
		name   string
		want   TimePart
		wantOK bool
	}{
		{"minute", Minute, true},
		{"hour", Hour, true},
		{"day", Day, true},
		{"week", Week, true},
		{"month", Month, true},
		{"year", Year, true},
		{"Year", 0, false},
		{"second", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseTimePart(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseTimePart(%q) = %v, %v, want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestExtractTimePart(t *testing.T) {
	// parts lists minute, hour, day, week, month, year.
	tests := []struct {
		in    string
		parts [6]int
	}{
		// RFC 3339, 0 to 9 fractional digits, Z or offsets; read in the value's own offset.
		{"2024-03-15T13:45:30Z", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-03-15T13:45:30.1Z", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-03-15T13:45:30.123456789Z", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-01-01T23:30:00+02:00", [6]int{30, 23, 1, 1, 1, 2024}},
		{"2023-12-31T23:59:59-05:30", [6]int{59, 23, 31, 52, 12, 2023}},
		{"2024-03-15 13:45:30Z", [6]int{45, 13, 15, 11, 3, 2024}},
		// Without zone: UTC.
		{"2024-03-15 13:45:30", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-03-15 13:45:30.250", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-03-15T13:45:30", [6]int{45, 13, 15, 11, 3, 2024}},
		{"2024-03-15T13:45:30.5", [6]int{45, 13, 15, 11, 3, 2024}},
		// Date only: midnight.
		{"2024-03-15", [6]int{0, 0, 15, 11, 3, 2024}},
		// ISO week: 2020-12-31 is in week 53, 2021-01-03 still in week 53 of 2020.
		{"2020-12-31", [6]int{0, 0, 31, 53, 12, 2020}},
		{"2021-01-03", [6]int{0, 0, 3, 53, 1, 2021}},
		{"2024-12-30", [6]int{0, 0, 30, 1, 12, 2024}},
		// Epoch seconds and milliseconds (>= 1e12), UTC.
		{"1710510330", [6]int{45, 13, 15, 11, 3, 2024}},
		{"1710510330.75", [6]int{45, 13, 15, 11, 3, 2024}},
		{"1710510330000", [6]int{45, 13, 15, 11, 3, 2024}},
		{"0", [6]int{0, 0, 1, 1, 1, 1970}},
		{"1000000000000", [6]int{46, 1, 9, 36, 9, 2001}},  // 1e12: milliseconds
		{"999999999", [6]int{46, 1, 9, 36, 9, 2001}},      // seconds
		{"999999999999", [6]int{46, 1, 27, 39, 9, 33658}}, // just below 1e12: still seconds
	}
	for _, tt := range tests {
		for p := Minute; p <= Year; p++ {
			got, ok := ExtractTimePart(p, tt.in)
			if !ok || got != tt.parts[p] {
				t.Errorf("ExtractTimePart(%v, %q) = %d, %v, want %d, true", p, tt.in, got, ok, tt.parts[p])
			}
		}
	}
}

func TestExtractTimePartInvalid(t *testing.T) {
	for _, in := range []string{
		"", "now", "2024-13-01", "2024-02-30", "2024-03-15T25:00:00Z", "2024-03-15T13:45",
		"15/03/2024", "2024-03-15Tx", "NaN", "1e30", "2024-03-15T13:45:30+2", "  ",
	} {
		if got, ok := ExtractTimePart(Hour, in); ok {
			t.Errorf("ExtractTimePart(hour, %q) = %d, true, want false", in, got)
		}
	}
	if _, ok := ExtractTimePart(TimePart(9), "2024-03-15"); ok {
		t.Errorf("ExtractTimePart(TimePart(9), …) ok = true, want false")
	}
}
