package parse

import (
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{in: "", want: FormatAuto},
		{in: "auto", want: FormatAuto},
		{in: "jsonl", want: FormatJSONL},
		{in: "json", want: FormatJSON},
		{in: " CloudTrail ", want: FormatCloudTrail},
		{in: "cloudwatch", want: FormatCloudWatch},
		{in: "text", want: FormatText},
		{in: "ndjson", wantErr: `unknown input format "ndjson" (valid: auto, jsonl, json, cloudtrail, cloudwatch, text)`},
	}
	for _, tc := range tests {
		got, err := ParseFormat(tc.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.wantErr {
			t.Errorf("ParseFormat(%q) = %q, %q; want %q, %q", tc.in, got, gotErr, tc.want, tc.wantErr)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	r := NewReader(strings.NewReader("{}"), "x", Options{Format: "xml"})
	_, err := r.Next()
	want := `unknown input format "xml" (valid: auto, jsonl, json, cloudtrail, cloudwatch, text)`
	if err == nil || err.Error() != want {
		t.Errorf("Next() with Format xml = %v, want %s", err, want)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Format
	}{
		{"empty", "", FormatAuto},
		{"blank", " \n\r\n\t\n", FormatAuto},
		{"jsonl", "{\"a\":1}\n{\"b\":2}\n", FormatJSONL},
		{"jsonl after blank lines", "\n\n  {\"a\":1}", FormatJSONL},
		{"jsonl, concatenated", `{"a":1}{"b":`, FormatJSONL},
		{"jsonl, malformed first line", "{\"a\":]}\n{\"b\":2}", FormatJSONL},
		{"jsonl, truncated first line", `{"a":"b`, FormatJSONL},
		{"json, pretty-printed", "{\n  \"a\": 1\n}\n", FormatJSON},
		{"json, first value spans lines", "{\"a\": [1,\n2]}", FormatJSON},
		{"json array", "[{\"a\":1}]", FormatJSON},
		{"json array after spaces", "  \n [", FormatJSON},
		{"cloudtrail", `{"Records":[{"eventVersion":"1.09"}]}`, FormatCloudTrail},
		{"cloudtrail, pretty-printed", "{\n  \"Records\" :\n  [\n", FormatCloudTrail},
		{"cloudtrail key not first", `{"x":1,"Records":[]}`, FormatJSONL},
		{"Records not an array", `{"Records":{}}`, FormatJSONL},
		{"Azure records", `{"records":[{"time":"2024-01-02T03:04:05Z"}]}`, FormatJSONL},
		{"Azure records, pretty-printed", "{\n\"records\": [\n{}\n]\n}", FormatJSON},
		{"cloudwatch decoded", `{"messageType":"DATA_MESSAGE","logEvents":[]}`, FormatCloudWatch},
		{"cloudwatch base64", "H4sIAAAAAAAA/wEAAP//AAAAAAAAAAA=\n", FormatCloudWatch},
		{"digest", `{"awsAccountId":"1","digestStartTime":"x"}`, FormatJSONL},
		{"text", "Jan  2 03:04:05 host sshd[1]: Accepted\n", FormatText},
		{"text starting with H", "Hello\n", FormatText},
		{"text that is a number", "42\n", FormatText},
		{"BOM then jsonl", "\xef\xbb\xbf{\"a\":1}", FormatJSONL},
		{"gzip of jsonl", string(gz(t, "{\"a\":1}\n")), FormatJSONL},
		{"gzip of cloudtrail", string(gz(t, `{"Records":[]}`)), FormatCloudTrail},
		{"first key longer than any envelope key", `{"awsAccountIdentifier":1}`, FormatJSONL},
		{"first key escaped", `{"Rec\u006frds":[]}`, FormatJSONL},
		{"object without keys", "{}\n{}", FormatJSONL},
		{"huge first line", `{"a":"` + strings.Repeat("x", 200) + `"}`, FormatJSONL},
		{"leading whitespace over the limit", strings.Repeat(" ", 300) + "{\n}", FormatJSON},
	}
	for _, tc := range tests {
		for _, r := range []*Reader{
			NewReader(strings.NewReader(tc.in), "x", Options{MaxRecordSize: 100}),
			NewReader(oneByteReader{strings.NewReader(tc.in)}, "x", Options{MaxRecordSize: 100}),
		} {
			_, _ = r.Next() // only the format matters here
			if got := r.Format(); got != tc.want {
				t.Errorf("%s: Format() after Next on %q = %q, want %q", tc.name, tc.in, got, tc.want)
			}
		}
	}
}
