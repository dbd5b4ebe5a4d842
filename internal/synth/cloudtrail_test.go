package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// record is the part of a CloudTrail record the tests look at.
type record struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext *struct {
			Attributes struct {
				CreationDate     string `json:"creationDate"`
				MFAAuthenticated string `json:"mfaAuthenticated"`
			} `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData map[string]any  `json:"additionalEventData"`
	EventID             string          `json:"eventID"`
	ReadOnly            *bool           `json:"readOnly"`
	EventType           string          `json:"eventType"`
	ManagementEvent     *bool           `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
}

func generate(t *testing.T, seed int64, n int) [][]byte {
	t.Helper()
	g := NewCloudTrail(seed)
	out := make([][]byte, n)
	for i := range out {
		out[i] = g.Next(nil)
	}
	return out
}

func TestRecordsAreValid(t *testing.T) {
	for _, seed := range []int64{0, 1, 42, -7, 1 << 40} {
		var prev time.Time
		for i, raw := range generate(t, seed, 3000) {
			if !json.Valid(raw) {
				t.Fatalf("seed %d record %d is not valid JSON: %s", seed, i, raw)
			}
			if bytes.ContainsAny(raw, "\n") {
				t.Fatalf("seed %d record %d contains a newline: %s", seed, i, raw)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("seed %d record %d: json.Unmarshal error = %v", seed, i, err)
			}
			for _, k := range []string{"eventID", "eventTime", "eventSource", "eventName", "userIdentity", "requestParameters", "responseElements"} {
				if _, ok := m[k]; !ok {
					t.Fatalf("seed %d record %d has no %s: %s", seed, i, k, raw)
				}
			}
			var r record
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("seed %d record %d: json.Unmarshal error = %v", seed, i, err)
			}
			if !strings.HasSuffix(r.EventSource, ".amazonaws.com") || r.EventName == "" {
				t.Fatalf("seed %d record %d: eventSource %q, eventName %q", seed, i, r.EventSource, r.EventName)
			}
			ts, err := time.Parse(time.RFC3339, r.EventTime)
			if err != nil || !strings.HasSuffix(r.EventTime, "Z") {
				t.Fatalf("seed %d record %d: eventTime %q: %v", seed, i, r.EventTime, err)
			}
			if ts.Before(prev) {
				t.Fatalf("seed %d record %d: eventTime %v before the previous record's %v", seed, i, ts, prev)
			}
			prev = ts
			if len(r.EventID) != 36 || r.EventID[14] != '4' {
				t.Fatalf("seed %d record %d: eventID %q is not a version 4 UUID", seed, i, r.EventID)
			}
			if r.EventVersion != "1.08" && r.EventVersion != "1.09" {
				t.Fatalf("seed %d record %d: eventVersion %q", seed, i, r.EventVersion)
			}
			if r.ReadOnly == nil || r.ManagementEvent == nil || r.RecipientAccountID == "" || r.AWSRegion == "" {
				t.Fatalf("seed %d record %d misses readOnly, managementEvent, recipientAccountId or awsRegion: %s", seed, i, raw)
			}
			if *r.ManagementEvent != (r.EventCategory == "Management") {
				t.Fatalf("seed %d record %d: managementEvent %v with eventCategory %q", seed, i, *r.ManagementEvent, r.EventCategory)
			}
		}
	}
}

// TestFieldOrder checks that top-level keys follow the order of real
// CloudTrail records.
func TestFieldOrder(t *testing.T) {
	order := []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements",
		"additionalEventData", "requestID", "eventID", "readOnly", "resources", "eventType", "apiVersion",
		"managementEvent", "recipientAccountId", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
		"eventCategory", "tlsDetails", "sessionCredentialFromConsole"}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i
	}
	for i, raw := range generate(t, 3, 3000) {
		keys := topLevelKeys(t, raw)
		last := -1
		for _, k := range keys {
			r, ok := rank[k]
			if !ok {
				t.Fatalf("record %d has unexpected key %q", i, k)
			}
			if r <= last {
				t.Fatalf("record %d: key %q out of order in %q", i, k, keys)
			}
			last = r
		}
	}
}

func topLevelKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestDeterministic(t *testing.T) {
	a, b := NewCloudTrail(99), NewCloudTrail(99)
	var bufA, bufB []byte
	for i := range 2000 {
		bufA, bufB = a.Next(bufA[:0]), b.Next(bufB[:0])
		if !bytes.Equal(bufA, bufB) {
			t.Fatalf("record %d differs for the same seed:\n%s\n%s", i, bufA, bufB)
		}
	}
	if bytes.Equal(NewCloudTrail(1).Next(nil), NewCloudTrail(2).Next(nil)) {
		t.Errorf("seeds 1 and 2 gave the same first record")
	}
}

func TestNextAppends(t *testing.T) {
	g := NewCloudTrail(5)
	dst := []byte("prefix:")
	got := g.Next(dst)
	want := NewCloudTrail(5).Next(nil)
	if !bytes.HasPrefix(got, []byte("prefix:")) || !bytes.Equal(got[len("prefix:"):], want) {
		t.Errorf("Next(%q) = %.60q…, want the prefix followed by %.60q…", dst, got, want)
	}
}

func TestDistribution(t *testing.T) {
	const n = 10_000
	names := map[string]int{}
	sources := map[string]bool{}
	idTypes := map[string]int{}
	var size, denied, ipv6, serviceIP, security, writes, data int
	securityNames := map[string]bool{}
	for _, c := range NewCloudTrail(7).calls {
		if c.security {
			securityNames[c.name] = true
		}
	}
	for _, raw := range generate(t, 7, n) {
		size += len(raw)
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		names[r.EventName]++
		sources[r.EventSource] = true
		idTypes[r.UserIdentity.Type]++
		if strings.Contains(r.ErrorCode, "AccessDenied") || r.ErrorCode == "Client.UnauthorizedOperation" {
			denied++
		}
		switch {
		case strings.Contains(r.SourceIPAddress, ":"):
			ipv6++
		case strings.HasSuffix(r.SourceIPAddress, ".amazonaws.com"):
			serviceIP++
		}
		if securityNames[r.EventName] {
			security++
		}
		if !*r.ReadOnly {
			writes++
		}
		if r.EventCategory == "Data" {
			data++
		}
	}
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"mean record size (bytes)", float64(size) / n, 800, 1300},
		{"distinct event names", float64(len(names)), 50, 100},
		{"distinct event sources", float64(len(sources)), 13, 20},
		{"AccessDenied share", float64(denied) / n, 0.02, 0.04},
		{"security-relevant share", float64(security) / n, 0.01, 0.02},
		{"IPv6 source share", float64(ipv6) / n, 0.03, 0.2},
		{"service-name source share", float64(serviceIP) / n, 0.05, 0.4},
		{"write share", float64(writes) / n, 0.05, 0.3},
		{"data event share", float64(data) / n, 0.05, 0.3},
		{"Root share", float64(idTypes["Root"]) / n, 0.0005, 0.01},
		{"GetObject share", float64(names["GetObject"]) / n, 0.04, 0.2},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %v, want within [%v, %v]", c.what, c.got, c.min, c.max)
		}
	}
	for _, typ := range []string{"IAMUser", "AssumedRole", "AWSService", "Root"} {
		if idTypes[typ] == 0 {
			t.Errorf("no record with userIdentity.type %q in %d records", typ, n)
		}
	}
	for _, name := range []string{"GetObject", "AssumeRole", "Decrypt", "ConsoleLogin", "CreateAccessKey",
		"AuthorizeSecurityGroupIngress", "PutBucketPolicy", "StopLogging", "DescribeInstances"} {
		if names[name] == 0 {
			t.Errorf("no %s record in %d records", name, n)
		}
	}
}

// TestShapes checks fields that detection rules key on.
func TestShapes(t *testing.T) {
	seen := map[string]bool{}
	for i, raw := range generate(t, 11, 20_000) {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		switch r.EventName {
		case "ConsoleLogin":
			seen["ConsoleLogin"] = true
			var resp struct{ ConsoleLogin string }
			if err := json.Unmarshal(r.ResponseElements, &resp); err != nil {
				t.Fatalf("record %d: ConsoleLogin responseElements %s: %v", i, r.ResponseElements, err)
			}
			mfa, _ := r.AdditionalEventData["MFAUsed"].(string)
			if r.EventType != "AwsConsoleSignIn" || (resp.ConsoleLogin != "Success" && resp.ConsoleLogin != "Failure") ||
				(mfa != "Yes" && mfa != "No") || string(r.RequestParameters) != "null" {
				t.Fatalf("record %d: malformed ConsoleLogin: %s", i, raw)
			}
		case "AuthorizeSecurityGroupIngress":
			var p struct {
				IPPermissions struct {
					Items []struct {
						IPRanges struct {
							Items []struct{ CidrIP string } `json:"items"`
						} `json:"ipRanges"`
					} `json:"items"`
				} `json:"ipPermissions"`
			}
			if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.IPPermissions.Items) == 0 || len(p.IPPermissions.Items[0].IPRanges.Items) == 0 ||
				!strings.Contains(p.IPPermissions.Items[0].IPRanges.Items[0].CidrIP, "/") {
				t.Fatalf("record %d: no ipPermissions.items[].ipRanges.items[].cidrIp: %s", i, r.RequestParameters)
			}
			seen["cidrIp"] = true
		case "PutUserPolicy":
			var p struct{ PolicyDocument string }
			if err := json.Unmarshal(r.RequestParameters, &p); err != nil || !json.Valid([]byte(p.PolicyDocument)) {
				t.Fatalf("record %d: policyDocument is not a JSON string holding JSON: %s", i, r.RequestParameters)
			}
			seen["policyDocument"] = true
		}
		if r.EventType == "AwsApiCall" && r.ReadOnly != nil && *r.ReadOnly && r.ErrorCode == "" &&
			r.EventSource != "s3.amazonaws.com" && r.EventName != "AssumeRole" && string(r.ResponseElements) != "null" {
			t.Fatalf("record %d: read-only %s has responseElements %s", i, r.EventName, r.ResponseElements)
		}
		if r.UserIdentity.Type == "AssumedRole" {
			sc := r.UserIdentity.SessionContext
			if sc == nil || sc.Attributes.CreationDate == "" || sc.Attributes.MFAAuthenticated == "" {
				t.Fatalf("record %d: AssumedRole without sessionContext.attributes: %s", i, raw)
			}
		}
		if r.UserIdentity.Type == "AWSService" && r.SourceIPAddress != r.UserIdentity.InvokedBy {
			t.Fatalf("record %d: AWSService call from %q, invokedBy %q", i, r.SourceIPAddress, r.UserIdentity.InvokedBy)
		}
	}
	for _, k := range []string{"ConsoleLogin", "cidrIp", "policyDocument"} {
		if !seen[k] {
			t.Errorf("no record exercised %s", k)
		}
	}
}

func TestWriteJSONL(t *testing.T) {
	for _, n := range []int{0, 1, 250} {
		var buf bytes.Buffer
		if err := NewCloudTrail(8).WriteJSONL(&buf, n); err != nil {
			t.Fatalf("WriteJSONL(%d) error = %v", n, err)
		}
		g := NewCloudTrail(8)
		sc := bufio.NewScanner(&buf)
		sc.Buffer(nil, 1<<20)
		lines := 0
		for sc.Scan() {
			if want := g.Next(nil); !bytes.Equal(sc.Bytes(), want) {
				t.Fatalf("WriteJSONL(%d) line %d = %.60q…, want %.60q…", n, lines, sc.Bytes(), want)
			}
			lines++
		}
		if lines != n {
			t.Errorf("WriteJSONL(%d) wrote %d lines, want %d", n, lines, n)
		}
	}
}

func TestWriteRecordsFile(t *testing.T) {
	for _, n := range []int{0, 1, 500} {
		var buf bytes.Buffer
		if err := NewCloudTrail(9).WriteRecordsFile(&buf, n); err != nil {
			t.Fatalf("WriteRecordsFile(%d) error = %v", n, err)
		}
		var file struct {
			Records []json.RawMessage
		}
		dec := json.NewDecoder(&buf)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			t.Fatalf("WriteRecordsFile(%d) output does not decode: %v", n, err)
		}
		if len(file.Records) != n || file.Records == nil {
			t.Fatalf("WriteRecordsFile(%d) has %d records, want %d", n, len(file.Records), n)
		}
		g := NewCloudTrail(9)
		for i, rec := range file.Records {
			if want := g.Next(nil); !bytes.Equal(rec, want) {
				t.Fatalf("WriteRecordsFile(%d) record %d = %.60q…, want %.60q…", n, i, rec, want)
			}
		}
	}
}

type failingWriter struct{ after int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after < len(p) {
		return 0, errWrite
	}
	w.after -= len(p)
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"WriteJSONL", func(w io.Writer) error { return NewCloudTrail(1).WriteJSONL(w, 1000) }},
		{"WriteRecordsFile", func(w io.Writer) error { return NewCloudTrail(1).WriteRecordsFile(w, 1000) }},
		{"WriteJSONL small", func(w io.Writer) error { return NewCloudTrail(1).WriteJSONL(w, 1) }},
		{"WriteRecordsFile empty", func(w io.Writer) error { return NewCloudTrail(1).WriteRecordsFile(w, 0) }},
	}
	for _, tt := range tests {
		err := tt.write(&failingWriter{after: 0})
		if !errors.Is(err, errWrite) {
			t.Errorf("%s to a failing writer: error = %v, want %v", tt.name, err, errWrite)
		}
	}
}

func TestAppendQuote(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"line\nbreak\ttab\rcr", `"line\nbreak\ttab\rcr"`},
		{"\x00\x1f", `"\u0000\u001f"`},
		{"résumé – 日本", `"résumé – 日本"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
		{"<&>", `"<&>"`},
	}
	for _, tt := range tests {
		got := string(appendQuote(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzAppendQuote(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\n", "é", "\xff", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := appendQuote(nil, s)
		var got string
		if err := json.Unmarshal(q, &got); err != nil {
			t.Fatalf("appendQuote(%q) = %s, not a JSON string: %v", s, q, err)
		}
		if !utf8.ValidString(s) {
			if !utf8.ValidString(string(q)) {
				t.Fatalf("appendQuote(%q) = %q, not valid UTF-8", s, q)
			}
			return
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("appendQuote(%q) decodes differently (-want +got):\n%s", s, diff)
		}
	})
}

func TestKebab(t *testing.T) {
	tests := map[string]string{
		"DescribeInstances": "describe-instances",
		"GetObject":         "get-object",
		"AssumeRole":        "assume-role",
		"ListFunctions":     "list-functions",
	}
	for in, want := range tests {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	g := NewCloudTrail(1)
	buf := make([]byte, 0, 4096)
	var total int64
	b.ReportAllocs()
	for b.Loop() {
		buf = g.Next(buf[:0])
		total += int64(len(buf))
	}
	b.SetBytes(total / int64(b.N))
}

func BenchmarkWriteJSONL(b *testing.B) {
	g := NewCloudTrail(1)
	var w countingWriter
	for b.Loop() {
		if err := g.WriteJSONL(&w, 1000); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(w.n / int64(b.N))
}

func BenchmarkNewCloudTrail(b *testing.B) {
	for b.Loop() {
		NewCloudTrail(1)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
