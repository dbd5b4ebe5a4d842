package s3

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNotification(t *testing.T) {
	const k = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/123456789012_CloudTrail_us-east-1_20261125T1820Z_a.json.gz"
	one := notice{Objects: []object{{Bucket: bucket, Key: k}}}
	tests := []struct {
		name    string
		body    string
		want    notice
		wantErr bool
	}{
		{name: "s3 event", body: s3Event(k), want: one},
		{name: "s3 event url-encoded key", body: s3Event("logs/my+file%3A1%2B2.json.gz"),
			want: notice{Objects: []object{{Bucket: bucket, Key: "logs/my file:1+2.json.gz"}}}},
		{name: "s3 event in sns", body: snsEnvelope(s3Event(k)), want: one},
		{name: "cloudtrail notification", body: cloudTrailNotice(k, k+"x"),
			want: notice{Objects: []object{{Bucket: bucket, Key: k}, {Bucket: bucket, Key: k + "x"}}}},
		{name: "cloudtrail notification in sns", body: snsEnvelope(cloudTrailNotice(k)), want: one},
		{name: "cloudtrail keys are not decoded", body: cloudTrailNotice("a+b%20.json.gz"),
			want: notice{Objects: []object{{Bucket: bucket, Key: "a+b%20.json.gz"}}}},
		{name: "test event", body: `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-25T18:00:00.000Z","Bucket":"trail-bucket"}`,
			want: notice{Test: true}},
		{name: "test event in sns", body: snsEnvelope(`{"Event":"s3:TestEvent"}`), want: notice{Test: true}},
		{name: "removal announces nothing", body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}`},
		{name: "not json", body: `AWSLogs/x.json.gz`, wantErr: true},
		{name: "unknown shape", body: `{"hello":"world"}`, wantErr: true},
		{name: "cloudtrail records, not an s3 event", body: `{"Records":[{"eventSource":"iam.amazonaws.com","eventID":"x"}]}`, wantErr: true},
		{name: "bad escape in key", body: s3Event("a%zz"), wantErr: true},
		{name: "sns in sns is not unwrapped twice", body: snsEnvelope(snsEnvelope(s3Event(k))), wantErr: true},
		{name: "empty cloudtrail key", body: `{"s3Bucket":"b","s3ObjectKey":[""]}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNotification([]byte(tt.body))
			if tt.wantErr {
				if !errors.Is(err, errBadNotification) {
					t.Fatalf("parseNotification(%q) = %+v, %v; want errBadNotification", tt.body, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseNotification(%q) = %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseNotification(%q) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestSkipKey(t *testing.T) {
	tests := map[string]string{
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/123456789012_CloudTrail_us-east-1_20261125T1820Z_a.json.gz":                           "",
		"AWSLogs/o-abcdefghij/123456789012/CloudTrail-Insight/us-east-1/2026/11/25/x.json.gz":                                                       "",
		"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/25/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20261125T182000Z.json.gz": skipDigest,
		"CloudTrail-Digest/x.json.gz":                                skipDigest,
		"AWSLogs/123456789012/CloudTrail/":                           skipNotLog,
		"AWSLogs/123456789012/CloudTrail/ConfigWritabilityCheckFile": skipNotLog,
		"logs/app.jsonl":                                             "",
		".gz":                                                        skipNotLog,
		"":                                                           skipNotLog,
	}
	for k, want := range tests {
		if got := skipKey(k); got != want {
			t.Errorf("skipKey(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestDeliveryTime(t *testing.T) {
	got := deliveryTime("123456789012_CloudTrail_us-east-1_20261125T1820Z_AbC123.json.gz")
	if want := "2026-11-25T18:20:00Z"; got.Format("2006-01-02T15:04:05Z07:00") != want {
		t.Errorf("deliveryTime() = %v, want %s", got, want)
	}
	if got := deliveryTime("app.json.gz"); !got.IsZero() {
		t.Errorf("deliveryTime(app.json.gz) = %v, want zero", got)
	}
}

// FuzzParseNotification checks that any body is either rejected with errBadNotification or
// announces objects with a bucket and a key, and never panics.
func FuzzParseNotification(f *testing.F) {
	const k = "AWSLogs/1/CloudTrail/r/2026/11/25/f.json.gz"
	for _, seed := range []string{
		s3Event(k), s3Event("a+b%2Fc"), snsEnvelope(s3Event(k)), cloudTrailNotice(k), snsEnvelope(cloudTrailNotice(k)),
		`{"Event":"s3:TestEvent"}`, `{"Records":[]}`, `{"Type":"Notification","Message":"{"}`, `null`, `[]`, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := parseNotification(body)
		if err != nil {
			if !errors.Is(err, errBadNotification) {
				t.Fatalf("parseNotification(%q) = %v, not errBadNotification", body, err)
			}
			return
		}
		if n.Test && len(n.Objects) > 0 {
			t.Fatalf("parseNotification(%q) = %+v: a test event with objects", body, n)
		}
		for _, o := range n.Objects {
			if o.Bucket == "" || o.Key == "" {
				t.Fatalf("parseNotification(%q) announced %+v without bucket or key", body, o)
			}
		}
	})
}
