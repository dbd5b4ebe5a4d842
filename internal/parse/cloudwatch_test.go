package parse

import (
	"strings"
	"testing"
)

// cwDataPayload is a DATA_MESSAGE with a JSON message, a text message, a message that looks like
// JSON but is not, and an empty one.
const cwDataPayload = `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/f",` +
	`"logStream":"2024/01/02/[$LATEST]abc","subscriptionFilters":["all"],"logEvents":[` +
	`{"id":"3781","timestamp":1704164645123,"message":"  {\"level\":\"info\",\"msg\":\"hi\"}\n"},` +
	`{"id":"3782","timestamp":1704164645124,"message":"START RequestId: 42\n"},` +
	`{"id":"3783","timestamp":1704164645125,"message":"{not json"},` +
	`{"id":"3784","timestamp":1704164645126,"message":""}]}`

// cwControlPayload is a CONTROL_MESSAGE.
const cwControlPayload = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",` +
	`"subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1704164645000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}`

func TestReaderCloudWatch(t *testing.T) {
	event := func(line, id, ms, data string, text bool) string {
		kind := ""
		if text {
			kind = "text "
		}
		return line + " " + kind + data + " [id=" + id + " time=2024-01-02T03:04:05." + ms +
			"Z group=/aws/lambda/f stream=2024/01/02/[$LATEST]abc owner=123456789012]"
	}
	events := func(line string) []string {
		return []string{
			event(line, "3781", "123", `{"level":"info","msg":"hi"}`, false),
			event(line, "3782", "124", "START RequestId: 42", true),
			event(line, "3783", "125", "{not json", true),
		}
	}
	concat := func(parts ...[]string) []string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	tests := []readerTest{
		{
			name:       "decoded payloads, one per line",
			in:         lines(cwControlPayload, cwDataPayload, `{"messageType":"DATA_MESSAGE","logEvents":[]}`, cwDataPayload),
			wantFormat: FormatCloudWatch,
			want:       concat(events("2"), events("4")),
			wantStats:  Stats{Records: 6, Skipped: map[string]int{"control_message": 1, "empty": 2}, Lines: 4},
		},
		{
			name:       "decoded payloads concatenated by Firehose",
			in:         cwDataPayload + cwControlPayload + cwDataPayload,
			wantFormat: FormatCloudWatch,
			want:       concat(events("1"), events("1")),
			wantStats:  Stats{Records: 6, Skipped: map[string]int{"control_message": 1, "empty": 2}, Lines: 1},
		},
		{
			name:       "base64 lines",
			in:         lines(b64gz(t, cwControlPayload), "", b64gz(t, cwDataPayload)+"\r", b64gz(t, cwDataPayload+cwDataPayload)),
			wantFormat: FormatCloudWatch,
			want:       concat(events("3"), events("4"), events("4")),
			wantStats:  Stats{Records: 9, Skipped: map[string]int{"control_message": 1, "empty": 3}, Lines: 4},
		},
		{
			name: "bad base64 lines between good ones",
			in: lines(
				b64gz(t, cwDataPayload),
				"H4sI!!!!",
				"H4sIAAAA",
				b64gz(t, cwDataPayload)[:40],
				b64gz(t, `{"a":1}{"b":`),
				b64gz(t, "H4sI"),
				b64gz(t, cwDataPayload),
			),
			wantFormat: FormatCloudWatch,
			want: concat(
				events("1"),
				[]string{
					"malformed: line 2: malformed CloudWatch payload: decoding base64: illegal base64 data at input byte 4",
					"malformed: line 3: malformed CloudWatch payload: decompressing: unexpected EOF",
					"malformed: line 4: malformed CloudWatch payload: decompressing: unexpected EOF",
					`5 {"a":1}`,
					"malformed: line 5: decoded payload line 1: malformed JSON: unexpected end of input",
					"not_json: line 6: decoded payload line 1: not JSON: unexpected 'H'",
				},
				events("7"),
			),
			wantStats: Stats{Records: 7, Skipped: map[string]int{"empty": 2, "malformed": 4, "not_json": 1}, Lines: 7},
		},
		{
			name:       "base64 line in jsonl, holding a Records file",
			in:         lines(`{"a":1}`, b64gz(t, `{"Records":[{"eventName":"A"},{"eventName":"B"}]}`), `{"b":2}`),
			wantFormat: FormatJSONL,
			want:       []string{`1 {"a":1}`, `2 {"eventName":"A"}`, `2 {"eventName":"B"}`, `3 {"b":2}`},
			wantStats:  Stats{Records: 4, Lines: 3},
		},
		{
			name:       "not a subscription payload",
			in:         lines(`{"messageType":"order","id":1}`, `{"messageType":"DATA_MESSAGE","logEvents":"oops"}`),
			opts:       Options{Format: FormatCloudWatch},
			wantFormat: FormatCloudWatch,
			want:       []string{`1 {"messageType":"order","id":1}`, `2 {"messageType":"DATA_MESSAGE","logEvents":"oops"}`},
			wantStats:  Stats{Records: 2, Lines: 2},
		},
		{
			name:       "text line in cloudwatch format",
			in:         lines(b64gz(t, cwControlPayload), "not a payload", b64gz(t, cwControlPayload)),
			wantFormat: FormatCloudWatch,
			want:       []string{"not_json: line 2: not JSON: unexpected 'n'"},
			wantStats:  Stats{Skipped: map[string]int{"control_message": 2, "not_json": 1}, Lines: 3},
		},
		{
			name:       "payload over the size limit",
			in:         lines(b64gz(t, `{"big":"`+strings.Repeat("x", 5000)+`"}`), b64gz(t, `{"small":1}`)),
			opts:       Options{MaxRecordSize: 4096},
			wantFormat: FormatCloudWatch,
			want: []string{
				"oversized: line 1: decoded CloudWatch payload larger than 4 KiB skipped (raise the record size limit)",
				`2 {"small":1}`,
			},
			wantStats: Stats{Records: 1, Skipped: map[string]int{"oversized": 1}, Lines: 2},
		},
		{
			name:       "base64 line over the size limit",
			in:         lines("H4sI"+strings.Repeat("A", 5000), b64gz(t, `{"small":1}`)),
			opts:       Options{MaxRecordSize: 4096},
			wantFormat: FormatCloudWatch,
			want: []string{
				"oversized: line 1: line larger than 4 KiB skipped (raise the record size limit)",
				`2 {"small":1}`,
			},
			wantStats: Stats{Records: 1, Skipped: map[string]int{"oversized": 1}, Lines: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
