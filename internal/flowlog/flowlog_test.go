package flowlog

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	custom, err := ParseFormat("${version} ${vpc-id} ${srcaddr} ${pkt-srcaddr} ${tcp-flags} ${flow-direction} ${traffic-path} ${reject-reason} ${log-status}")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		format  Format
		line    string
		want    map[string]any
		wantErr error
	}{
		{
			name:   "default accept",
			format: DefaultFormat(),
			line:   "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			want: map[string]any{"version": 2.0, "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789",
				"srcaddr": "172.31.16.139", "dstaddr": "172.31.16.21", "srcport": 20641.0, "dstport": 22.0, "protocol": 6.0,
				"packets": 20.0, "bytes": 4249.0, "start": 1418530010.0, "end": 1418530070.0, "action": "ACCEPT", "log-status": "OK"},
		},
		{
			name:   "default reject ipv6",
			format: DefaultFormat(),
			line:   "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 REJECT OK",
			want: map[string]any{"version": 2.0, "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789",
				"srcaddr": "2001:db8:1234:a100:8d6e:3477:df66:f105", "dstaddr": "2001:db8:1234:a102:3304:8879:34cf:4071",
				"srcport": 34892.0, "dstport": 22.0, "protocol": 6.0, "packets": 54.0, "bytes": 8855.0,
				"start": 1477913708.0, "end": 1477913820.0, "action": "REJECT", "log-status": "OK"},
		},
		{
			name:   "nodata leaves dashes out",
			format: DefaultFormat(),
			line:   "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			want: map[string]any{"version": 2.0, "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789",
				"start": 1431280876.0, "end": 1431280934.0, "log-status": "NODATA"},
		},
		{
			name:   "skipdata",
			format: DefaultFormat(),
			line:   "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
			want: map[string]any{"version": 2.0, "account-id": "123456789010", "interface-id": "eni-11111111aaaaaaaaa",
				"start": 1431280876.0, "end": 1431280934.0, "log-status": "SKIPDATA"},
		},
		{
			name:   "custom format",
			format: custom,
			line:   "8 vpc-abcdefab012345678 10.0.0.5 10.0.0.5 19 egress 1 BPA OK",
			want: map[string]any{"version": 8.0, "vpc-id": "vpc-abcdefab012345678", "srcaddr": "10.0.0.5", "pkt-srcaddr": "10.0.0.5",
				"tcp-flags": 19.0, "flow-direction": "egress", "traffic-path": 1.0, "reject-reason": "BPA", "log-status": "OK"},
		},
		{
			name:   "tabs and extra spaces",
			format: DefaultFormat(),
			line:   " 2\t123456789010  eni-1 10.0.0.1 10.0.0.2 1 2 17 1 60 10 20 ACCEPT OK \n",
			want: map[string]any{"version": 2.0, "account-id": "123456789010", "interface-id": "eni-1", "srcaddr": "10.0.0.1",
				"dstaddr": "10.0.0.2", "srcport": 1.0, "dstport": 2.0, "protocol": 17.0, "packets": 1.0, "bytes": 60.0,
				"start": 10.0, "end": 20.0, "action": "ACCEPT", "log-status": "OK"},
		},
		{name: "too few", format: DefaultFormat(), line: "2 123456789010 eni-1 ACCEPT OK", wantErr: ErrFieldCount},
		{name: "too many", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 60 10 20 ACCEPT OK extra", wantErr: ErrFieldCount},
		{name: "empty", format: DefaultFormat(), line: "", wantErr: ErrFieldCount},
		{name: "bad port", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.1 10.0.0.2 http 2 17 1 60 10 20 ACCEPT OK", wantErr: ErrValue},
		{name: "leading zero", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.1 10.0.0.2 01 2 17 1 60 10 20 ACCEPT OK", wantErr: ErrValue},
		{name: "bad address", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.300 10.0.0.2 1 2 17 1 60 10 20 ACCEPT OK", wantErr: ErrValue},
		{name: "bad action", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 60 10 20 ALLOW OK", wantErr: ErrValue},
		{name: "bad status", format: DefaultFormat(), line: "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 60 10 20 ACCEPT FINE", wantErr: ErrValue},
		{name: "quote in string", format: DefaultFormat(), line: `2 1 eni-"1 10.0.0.1 10.0.0.2 1 2 17 1 60 10 20 ACCEPT OK`, wantErr: ErrValue},
		{name: "text line", format: DefaultFormat(), line: "2026-11-25 10:00:00 INFO started the server on port 8080 after 3 retries, ok now", wantErr: ErrValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("keep")
			got, err := tt.format.Parse(prefix, []byte(tt.line))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.line, err, tt.wantErr)
				}
				if string(got) != "keep" {
					t.Errorf("Parse(%q) on error returned %q, want dst unchanged", tt.line, got)
				}
				if tt.format.Match([]byte(tt.line)) {
					t.Errorf("Match(%q) = true, want false", tt.line)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.line, err)
			}
			if !tt.format.Match([]byte(tt.line)) {
				t.Errorf("Match(%q) = false, want true", tt.line)
			}
			var obj map[string]any
			if err := json.Unmarshal(got[len("keep"):], &obj); err != nil {
				t.Fatalf("Parse(%q) = %q: not JSON: %v", tt.line, got, err)
			}
			if diff := cmp.Diff(tt.want, obj); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "${version} ${srcaddr} ${log-status}", want: []string{"version", "srcaddr", "log-status"}},
		{in: "version srcaddr log-status", want: []string{"version", "srcaddr", "log-status"}},
		{in: "${ecs-cluster-arn} ${some-future-field2}", want: []string{"ecs-cluster-arn", "some-future-field2"}},
		{in: "", wantErr: true},
		{in: "${version} ${version}", wantErr: true},
		{in: "${Version}", wantErr: true},
		{in: "${src addr}", wantErr: true},
		{in: "${-x}", wantErr: true},
	}
	for _, tt := range tests {
		f, err := ParseFormat(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseFormat(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, f.Fields()); !tt.wantErr && diff != "" {
			t.Errorf("ParseFormat(%q) fields (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestIsHeader(t *testing.T) {
	d := DefaultFormat()
	tests := []struct {
		line string
		want bool
	}{
		{defaultFields, true},
		{defaultFields + "\n", true},
		{"version account-id", false},
		{defaultFields + " extra", false},
		{"2 123456789010 eni-1 - - - - - - - 1 2 - NODATA", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := d.IsHeader([]byte(tt.line)); got != tt.want {
			t.Errorf("IsHeader(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
	if got, want := d.String(), defaultFields; got != want {
		t.Errorf("DefaultFormat().String() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	f.Add("version log-status", "2 NODATA")
	f.Add("${srcaddr} ${type}", "::1 IPv6")
	f.Add("a b c", "- - -")
	f.Fuzz(func(t *testing.T, format, line string) {
		fm, err := ParseFormat(format)
		if err != nil {
			return
		}
		out, err := fm.Parse(nil, []byte(line))
		if match := fm.Match([]byte(line)); match != (err == nil) {
			t.Fatalf("Match(%q) = %v, but Parse error = %v", line, match, err)
		}
		if err != nil {
			if len(out) != 0 {
				t.Fatalf("Parse(%q) returned %q with error %v", line, out, err)
			}
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(out, &obj); err != nil {
			t.Fatalf("Parse(%q) = %q: not a JSON object: %v", line, out, err)
		}
		if len(obj) > len(fm.Fields()) {
			t.Fatalf("Parse(%q) has %d keys, format has %d fields", line, len(obj), len(fm.Fields()))
		}
	})
}
