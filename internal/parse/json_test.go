package parse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReaderJSON(t *testing.T) {
	tests := []readerTest{
		{
			name: "pretty-printed objects",
			in: lines(
				`{`,
				`  "a": 1,`,
				`  "b": {"c": [1, 2]}`,
				`}`,
				``,
				`{"d": 4}{"e":`,
				`  5}`,
			),
			wantFormat: FormatJSON,
			want: []string{
				"1 {\n  \"a\": 1,\n  \"b\": {\"c\": [1, 2]}\n}",
				`6 {"d": 4}`,
				"6 {\"e\":\n  5}",
			},
			wantStats: Stats{Records: 3, Lines: 7},
		},
		{
			name: "top-level array, pretty-printed",
			in: lines(
				`[`,
				`  {"a": 1},`,
				`  {`,
				`    "b": [2, 3]`,
				`  },`,
				`  "s", 4.5e1, null`,
				`]`,
				`[]`,
				`{"c": 3}`,
			),
			wantFormat: FormatJSON,
			want: []string{
				`2 {"a": 1}`,
				"3 {\n    \"b\": [2, 3]\n  }",
				`6 "s"`, `6 4.5e1`, `6 null`,
				`9 {"c": 3}`,
			},
			wantStats: Stats{Records: 6, Lines: 9},
		},
		{
			name: "malformed value: resynchronise at the next line starting with {",
			in: lines(
				`{"a": 1}`,
				`{`,
				`  "b": [1,`,
				`}`,
				`  {"indented": "skipped"}`,
				`{`,
				`  "c": 3`,
				`}`,
			),
			opts:       Options{Format: FormatJSON},
			wantFormat: FormatJSON,
			want: []string{
				`1 {"a": 1}`,
				"malformed: line 2: malformed JSON: unexpected '}' (at line 4)",
				"6 {\n  \"c\": 3\n}",
			},
			wantStats: Stats{Records: 2, Skipped: map[string]int{"malformed": 1}, Lines: 8},
		},
		{
			name: "truncated object followed by a good one",
			in: lines(
				`{`,
				`  "a": {`,
				`{`,
				`  "b": 2`,
				`}`,
			),
			opts:       Options{Format: FormatJSON},
			wantFormat: FormatJSON,
			want: []string{
				"malformed: line 1: malformed JSON: unexpected end of input (at line 6)",
				"3 {\n  \"b\": 2\n}",
			},
			wantStats: Stats{Records: 1, Skipped: map[string]int{"malformed": 1}, Lines: 5},
		},
		{
			name:       "text between values is reported once",
			in:         lines(`{"a": 1}`, `garbage`, `more garbage`, `  "x": 1`, `{"b": 2}`),
			opts:       Options{Format: FormatJSON},
			wantFormat: FormatJSON,
			want:       []string{`1 {"a": 1}`, "not_json: line 2: not JSON: unexpected 'g'", `5 {"b": 2}`},
			wantStats:  Stats{Records: 2, Skipped: map[string]int{"not_json": 1}, Lines: 5},
		},
		{
			name:       "broken top-level array",
			in:         lines(`[`, `  {"a": 1}`, `  {"b": 2}`, `]`, `{"c": 3}`),
			wantFormat: FormatJSON,
			want: []string{
				`2 {"a": 1}`,
				"malformed: line 3: malformed JSON: unexpected '{' in array",
				`5 {"c": 3}`,
			},
			wantStats: Stats{Records: 2, Skipped: map[string]int{"malformed": 1}, Lines: 5},
		},
		{
			name:       "unterminated top-level array",
			in:         lines(`[`, `  {"a": 1},`),
			wantFormat: FormatJSON,
			want:       []string{`2 {"a": 1}`, "malformed: line 3: malformed JSON: unexpected end of input"},
			wantStats:  Stats{Records: 1, Skipped: map[string]int{"malformed": 1}, Lines: 2},
		},
		{
			name: "Azure records wrapper, pretty-printed",
			in: lines(
				`{`,
				`  "records": [`,
				`    {"time": "2024-01-02T03:04:05.1234567Z", "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE"},`,
				`    {"time": "2024-01-02T03:04:06Z", "category": "Administrative"}`,
				`  ]`,
				`}`,
			),
			wantFormat: FormatJSON,
			want: []string{
				`3 {"time": "2024-01-02T03:04:05.1234567Z", "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE"}`,
				`4 {"time": "2024-01-02T03:04:06Z", "category": "Administrative"}`,
			},
			wantStats: Stats{Records: 2, Lines: 6},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestReaderCloudTrail(t *testing.T) {
	tests := []readerTest{
		{
			name: "one-line file, keys after the array skipped",
			in:   `{"Records":[{"eventName":"A","x":"]}"},{"eventName":"B"}],"meta":{"k":["}",{"z":1}]},"n":1}` + "\n",
			want: []string{`1 {"eventName":"A","x":"]}"}`, `1 {"eventName":"B"}`},
			// Sniffed from the first key.
			wantFormat: FormatCloudTrail,
			wantStats:  Stats{Records: 2, Lines: 1},
		},
		{
			name: "pretty-printed, several files concatenated",
			in: lines(
				`{`,
				`  "Records" : [`,
				`    {`,
				`      "eventName": "A"`,
				`    },`,
				`    {"eventName": "B"}`,
				`  ]`,
				`}`,
				`{"Records":[{"eventName":"C"}]}{"Records":[]}`,
				`{"Records":[{"eventName":"D"}]}`,
			),
			wantFormat: FormatCloudTrail,
			want: []string{
				"3 {\n      \"eventName\": \"A\"\n    }",
				`6 {"eventName": "B"}`,
				`9 {"eventName":"C"}`,
				`10 {"eventName":"D"}`,
			},
			wantStats: Stats{Records: 4, Lines: 10},
		},
		{
			name:       "structure breaks mid-array",
			in:         lines(`{"Records":[`, `{"eventName":"A"},`, `{"eventName":"B"}`, `{"eventName":"C"}]}`),
			wantFormat: FormatCloudTrail,
			want: []string{
				`2 {"eventName":"A"}`,
				`3 {"eventName":"B"}`,
				"fatal: line 4: malformed CloudTrail file: unexpected '{' in array",
			},
			wantStats: Stats{Records: 2, Lines: 3},
		},
		{
			name:       "truncated file",
			in:         `{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventN`,
			wantFormat: FormatCloudTrail,
			want: []string{
				`1 {"eventName":"A"}`,
				`1 {"eventName":"B"}`,
				"fatal: line 1: malformed CloudTrail file: unexpected end of input",
			},
			wantStats: Stats{Records: 2, Lines: 1},
		},
		{
			name:       "truncated after the array",
			in:         lines(`{"Records":[{"eventName":"A"}],`, `"x": [`),
			wantFormat: FormatCloudTrail,
			want:       []string{`1 {"eventName":"A"}`, "fatal: line 3: malformed CloudTrail file: unexpected end of input"},
			wantStats:  Stats{Records: 1, Lines: 2},
		},
		{
			name:       "malformed element",
			in:         lines(`{"Records":[{"eventName":"A"},{"eventName":"B"]}]}`),
			wantFormat: FormatCloudTrail,
			want: []string{
				`1 {"eventName":"A"}`,
				"fatal: line 1: malformed CloudTrail file: unexpected ']'",
			},
			wantStats: Stats{Records: 1, Lines: 1},
		},
		{
			name:       "not JSON after a file",
			in:         lines(`{"Records":[{"eventName":"A"}]}`, `oops`),
			wantFormat: FormatCloudTrail,
			want:       []string{`1 {"eventName":"A"}`, "fatal: line 2: malformed CloudTrail file: not JSON: unexpected 'o'"},
			wantStats:  Stats{Records: 1, Lines: 1},
		},
		{
			name: "digest file given as cloudtrail",
			in: `{"awsAccountId":"123456789012","digestStartTime":"2024-01-02T03:00:00Z","digestEndTime":"2024-01-02T04:00:00Z",` +
				`"logFiles":[{"s3Bucket":"b","s3Object":"k","hashValue":"00","hashAlgorithm":"SHA-256"}]}`,
			opts:       Options{Format: FormatCloudTrail},
			wantFormat: FormatCloudTrail,
			want:       nil,
			wantStats:  Stats{Skipped: map[string]int{"digest": 1}, Lines: 1},
		},
		{
			name:       "S3 event notification",
			in:         `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k%3D1"}}}]}`,
			wantFormat: FormatCloudTrail,
			want:       []string{`1 {"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k%3D1"}}}`},
			wantStats:  Stats{Records: 1, Lines: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestReaderText(t *testing.T) {
	tests := []readerTest{
		{
			name:       "lines, CRLF, blank lines, no final newline",
			in:         "Jan  2 03:04:05 host sshd[1]: Accepted\r\n\r\n  \n\tindented line\nlast",
			wantFormat: FormatText,
			want:       []string{"1 text Jan  2 03:04:05 host sshd[1]: Accepted", "4 text \tindented line", "5 text last"},
			wantStats:  Stats{Records: 3, Lines: 5},
		},
		{
			name:       "JSON read as text",
			in:         lines(`{"a": 1}`, `{`),
			opts:       Options{Format: FormatText},
			wantFormat: FormatText,
			want:       []string{`1 text {"a": 1}`, `2 text {`},
			wantStats:  Stats{Records: 2, Lines: 2},
		},
		{
			name:       "BOM and invalid UTF-8",
			in:         "\xef\xbb\xbfcaf\xe9\nok\n",
			wantFormat: FormatText,
			want:       []string{"1 text caf\xe9", "2 text ok"},
			wantStats:  Stats{Records: 2, InvalidUTF8: 1, Lines: 2},
		},
		{
			name:       "oversized line",
			in:         lines("short", strings.Repeat("x", 100), "after"),
			opts:       Options{MaxRecordSize: 64},
			wantFormat: FormatText,
			want: []string{
				"1 text short",
				"oversized: line 2: line larger than 64 bytes skipped (raise the record size limit)",
				"3 text after",
			},
			wantStats: Stats{Records: 2, Skipped: map[string]int{"oversized": 1}, Lines: 3},
		},
		{
			name:       "empty input",
			in:         "",
			opts:       Options{Format: FormatText},
			wantFormat: FormatText,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

// TestResyncCost checks that recovering from malformed values costs linear time: each
// unterminated object below encloses everything after it, and every other line is a whole
// object to recover.
func TestResyncCost(t *testing.T) {
	const levels = 2000
	whole := `{"k":"` + strings.Repeat("x", 500) + `"}`
	var in strings.Builder
	for range levels {
		in.WriteString("{\n" + whole + "\n")
	}
	r := NewReader(strings.NewReader(in.String()), "x", Options{Format: FormatJSON})
	got := drain(t, r)
	want := []string{fmt.Sprintf("malformed: line 1: malformed JSON: unexpected end of input (at line %d)", 2*levels+1)}
	for i := range levels {
		want = append(want, fmt.Sprintf("%d %s", 2*i+2, whole))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records and errors (-want +got):\n%s", diff)
	}
	if limit := 3 * int64(in.Len()); r.scanned > limit {
		t.Errorf("scanned %d bytes to read %d, want at most %d", r.scanned, in.Len(), limit)
	}
}
