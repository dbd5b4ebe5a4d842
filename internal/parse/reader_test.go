package parse

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readerTest is one input and everything expected from reading it.
type readerTest struct {
	name       string
	in         string
	opts       Options
	wantFormat Format
	want       []string // as rendered by drain
	wantStats  Stats
}

// check reads tc.in whole, one byte at a time and gzip-compressed, and compares each
// outcome with what tc wants: how the input is chunked or compressed must not matter.
func (tc readerTest) check(t *testing.T) {
	t.Helper()
	inputs := []struct {
		how string
		r   io.Reader
	}{
		{"whole", strings.NewReader(tc.in)},
		{"byte by byte", oneByteReader{strings.NewReader(tc.in)}},
		{"gzip", bytes.NewReader(gz(t, tc.in))},
	}
	for _, input := range inputs {
		r := NewReader(input.r, "test", tc.opts)
		got := drain(t, r)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: records and errors (-want +got):\n%s", input.how, diff)
		}
		if got := r.Format(); got != tc.wantFormat {
			t.Errorf("%s: Format() = %q, want %q", input.how, got, tc.wantFormat)
		}
		if diff := cmp.Diff(tc.wantStats, r.Stats(), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Stats() (-want +got):\n%s", input.how, diff)
		}
	}
}

func TestReaderJSONL(t *testing.T) {
	tests := []readerTest{
		{
			name:       "one object per line, blank lines, CRLF",
			in:         "{\"a\":1}\r\n\r\n{\"b\":\"x\"}\n\n   \n{\"c\":[1,{\"d\":null}]}",
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":1}`, `3 {"b":"x"}`, `6 {"c":[1,{"d":null}]}`},
			wantStats:  Stats{Records: 3, Lines: 6},
		},
		{
			name:       "concatenated values on one line",
			in:         lines(`{"a":1}{"b":2} {"c":3}`, `{"d":4}`),
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":1}`, `1 {"b":2}`, `1 {"c":3}`, `2 {"d":4}`},
			wantStats:  Stats{Records: 4, Lines: 2},
		},
		{
			name:       "brackets and escaped quotes in strings",
			in:         lines(`{"a":"}{][","b":"say \"{\" \\","c":"\\\\"}`, `{"e":"\u00e9"}`),
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":"}{][","b":"say \"{\" \\","c":"\\\\"}`, `2 {"e":"\u00e9"}`},
			wantStats:  Stats{Records: 2, Lines: 2},
		},
		{
			name: "malformed lines between good ones",
			in: lines(
				`{"a":1}`,
				`{"b":`,
				`{"c":3}`,
				`{"d":[1,2}`,
				`{"e":"unterminated}`,
				`{"f":6}`,
			),
			wantFormat: FormatJSONL,
			want: []string{
				`1 {"a":1}`,
				"malformed: line 2: malformed JSON: value continues past the end of the line",
				`3 {"c":3}`,
				"malformed: line 4: malformed JSON: unexpected '}'",
				"malformed: line 5: malformed JSON: unterminated string",
				`6 {"f":6}`,
			},
			wantStats: Stats{Records: 3, Skipped: map[string]int{"malformed": 3}, Lines: 6},
		},
		{
			name:       "truncated last line",
			in:         "{\"a\":1}\n{\"b\":[",
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":1}`, "malformed: line 2: malformed JSON: unexpected end of input"},
			wantStats:  Stats{Records: 1, Skipped: map[string]int{"malformed": 1}, Lines: 2},
		},
		{
			name:       "lines that are not JSON",
			in:         lines(`{"a":1}`, `plain text`, `  42`, `"str"`, `{"b":2} trailing`, `{"c":3}`),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want: []string{
				`1 {"a":1}`,
				"not_json: line 2: not JSON: unexpected 'p'",
				"not_json: line 3: not JSON: unexpected '4'",
				`not_json: line 4: not JSON: unexpected '"'`,
				`5 {"b":2}`,
				"not_json: line 5: not JSON: unexpected 't'",
				`6 {"c":3}`,
			},
			wantStats: Stats{Records: 3, Skipped: map[string]int{"not_json": 4}, Lines: 6},
		},
		{
			name:       "pretty-printed value read as jsonl",
			in:         lines(`{"a":1}`, `{`, `"b": 2}`, `{"c":3}`),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want: []string{
				`1 {"a":1}`,
				"malformed: line 2: malformed JSON: value continues past the end of the line",
				`not_json: line 3: not JSON: unexpected '"'`,
				`4 {"c":3}`,
			},
			wantStats: Stats{Records: 2, Skipped: map[string]int{"malformed": 1, "not_json": 1}, Lines: 4},
		},
		{
			name:       "array lines are streamed",
			in:         lines(`{"a":1}`, `[{"b":2}, 3, "x", true, [4]]`, `[]`, `[{"c":3},`, `{"d":4}`),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want: []string{
				`1 {"a":1}`, `2 {"b":2}`, `2 3`, `2 "x"`, `2 true`, `2 [4]`,
				`4 {"c":3}`,
				"malformed: line 4: malformed JSON: array continues past the end of the line",
				`5 {"d":4}`,
			},
			wantStats: Stats{Records: 8, Skipped: map[string]int{"malformed": 1}, Lines: 5},
		},
		{
			name:       "broken arrays",
			in:         lines(`[1 2]`, `[,1]`, `[1,}`, `[1:2]`, `{"Records":[{"a":1} {"b":2}]}`, `{"ok":1}`),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want: []string{
				`1 1`,
				"malformed: line 1: malformed JSON: unexpected '2' in array",
				"malformed: line 2: malformed JSON: unexpected ',' in array",
				`3 1`,
				"malformed: line 3: malformed JSON: unexpected '}'",
				`4 1`,
				"malformed: line 4: malformed JSON: unexpected ':' in array",
				`5 {"a":1}`,
				"malformed: line 5: malformed JSON: unexpected '{' in array",
				`6 {"ok":1}`,
			},
			wantStats: Stats{Records: 5, Skipped: map[string]int{"malformed": 5}, Lines: 6},
		},
		{
			name: "Records and records envelopes on lines",
			in: lines(
				`{"Records":[{"eventName":"A"},{"eventName":"B"}],"extra":{"x":[1,"]"]}}`,
				`{"records":[{"time":"2024-01-02T03:04:05Z","operationName":"X"}]}`,
				`{"records":{"not":"an array"}}`,
				`{"Records":[]}`,
			),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want: []string{
				`1 {"eventName":"A"}`,
				`1 {"eventName":"B"}`,
				`2 {"time":"2024-01-02T03:04:05Z","operationName":"X"}`,
				`3 {"records":{"not":"an array"}}`,
			},
			wantStats: Stats{Records: 4, Lines: 4},
		},
		{
			name: "envelope split over lines is not one in jsonl",
			in:   lines(`{"Records":`, `[{"a":1}]}`),
			opts: Options{Format: FormatJSONL},
			want: []string{
				"malformed: line 1: malformed JSON: value continues past the end of the line",
				`2 {"a":1}`,
				"not_json: line 2: not JSON: unexpected '}'",
			},
			wantFormat: FormatJSONL,
			wantStats:  Stats{Records: 1, Skipped: map[string]int{"malformed": 1, "not_json": 1}, Lines: 2},
		},
		{
			name:       "BOM",
			in:         "\xef\xbb\xbf{\"a\":1}\n{\"b\":2}\n",
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":1}`, `2 {"b":2}`},
			wantStats:  Stats{Records: 2, Lines: 2},
		},
		{
			name:       "invalid UTF-8 is passed through and counted",
			in:         lines("{\"a\":\"caf\xe9\"}", "{\"b\":\"\xff\xfe\"}", `{"c":"ok"}`),
			wantFormat: FormatJSONL,
			want:       []string{"1 {\"a\":\"caf\xe9\"}", "2 {\"b\":\"\xff\xfe\"}", `3 {"c":"ok"}`},
			wantStats:  Stats{Records: 3, InvalidUTF8: 2, Lines: 3},
		},
		{
			name:       "deep nesting",
			in:         lines(`{"a":`+strings.Repeat("[", maxDepth)+strings.Repeat("]", maxDepth)+`}`, `{"a":1}`),
			opts:       Options{Format: FormatJSONL},
			wantFormat: FormatJSONL,
			want:       []string{"malformed: line 1: malformed JSON: nesting too deep", `2 {"a":1}`},
			wantStats:  Stats{Records: 1, Skipped: map[string]int{"malformed": 1}, Lines: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
