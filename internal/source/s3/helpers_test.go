package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"

	"picket/internal/source"
	"picket/internal/source/s3/sqsfake"
)

const (
	bucket  = "trail-bucket"
	account = "123456789012"
)

// env is one S3 fake (gofakes3) and one SQS fake behind a single endpoint, as a VPC endpoint
// or a test would give it: SQS requests carry X-Amz-Target, S3 requests do not.
type env struct {
	t     testing.TB
	url   string
	sqs   *sqsfake.Server
	queue string
	s3    *s3api.Client // the test's own client, to put objects
	cp    *memCheckpoints
	clock *clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	// awsx.Load takes credentials from the default chain: make it hermetic.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_ENDPOINT_URL": "",
	} {
		t.Setenv(k, v)
	}
	e := &env{t: t, cp: newMemCheckpoints(), clock: &clock{now: time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)}}
	e.sqs = sqsfake.New(e.clock.Now())
	t.Cleanup(e.sqs.Close)
	fake := gofakes3.New(s3mem.New(), gofakes3.WithTimeSkewLimit(0)).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
			e.sqs.ServeHTTP(w, r)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.queue = e.sqs.CreateQueue("trail")
	e.s3 = s3api.New(s3api.Options{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
	})
	if _, err := e.s3.CreateBucket(context.Background(), &s3api.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket() = %v", err)
	}
	return e
}

// config returns a configuration of the given mode pointed at the fakes.
func (e *env) config(sqsMode bool) Config {
	c := DefaultConfig()
	c.Region = "us-east-1"
	c.Endpoint = e.url
	c.UsePathStyle = true
	c.WaitTime = 0
	if sqsMode {
		c.QueueURL = e.queue
	} else {
		c.Bucket = bucket
	}
	return c
}

func (e *env) deps() source.Deps {
	return source.Deps{
		Logger:      slog.New(slog.DiscardHandler),
		Checkpoints: e.cp,
		Clock:       e.clock.Now,
		Metrics:     source.NewMetrics(nil),
		Status:      source.NewTracker(e.clock.Now),
	}
}

// source builds a source with New, the way the daemon does.
func (e *env) source(c Config) *Source {
	e.t.Helper()
	s, err := New(context.Background(), "trail", c, e.deps())
	if err != nil {
		e.t.Fatalf("New() = %v", err)
	}
	return s
}

func (e *env) put(key string, body []byte) {
	e.t.Helper()
	_, err := e.s3.PutObject(context.Background(), &s3api.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentEncoding: aws.String("gzip"),
	})
	if err != nil {
		e.t.Fatalf("PutObject(%s) = %v", key, err)
	}
}

// key returns a CloudTrail object key of account and region for the delivery time at.
func key(region string, at time.Time, unique string) string {
	return fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
		account, region, at.Format("2006/01/02"), account, region, at.Format("20060102T1504Z"), unique)
}

// ctRecord is one CloudTrail record with the given eventID.
func ctRecord(id string) string {
	return `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},` +
		`"eventTime":"2026-11-25T18:20:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey",` +
		`"awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":"` + id + `","readOnly":false}`
}

// ctFile is a gzip CloudTrail file holding records with the given eventIDs.
func ctFile(t testing.TB, ids ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	recs := make([]string, len(ids))
	for i, id := range ids {
		recs[i] = ctRecord(id)
	}
	if _, err := io.WriteString(zw, `{"Records":[`+strings.Join(recs, ",")+`]}`); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

// s3Event is an S3 event notification body for bucket and the (URL-encoded) key.
func s3Event(encodedKey string) string {
	return `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",` +
		`"eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"` + bucket +
		`","arn":"arn:aws:s3:::` + bucket + `"},"object":{"key":"` + encodedKey + `","size":1024,"sequencer":"0A1B2C3D4E5F678901"}}}]}`
}

// snsEnvelope wraps msg in an SNS notification envelope.
func snsEnvelope(msg string) string {
	m, _ := json.Marshal(msg)
	return `{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-east-1:123456789012:trail",` +
		`"Message":` + string(m) + `,"Timestamp":"2026-11-25T18:20:05.000Z","SignatureVersion":"1"}`
}

// cloudTrailNotice is CloudTrail's own SNS notification body.
func cloudTrailNotice(keys ...string) string {
	k, _ := json.Marshal(keys)
	return `{"s3Bucket":"` + bucket + `","s3ObjectKey":` + string(k) + `}`
}

// clock is a controllable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// memCheckpoints is an in-memory source.Checkpoints.
type memCheckpoints struct {
	mu   sync.Mutex
	m    map[string][]byte
	sets int
}

func newMemCheckpoints() *memCheckpoints { return &memCheckpoints{m: map[string][]byte{}} }

func (c *memCheckpoints) Checkpoint(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return bytes.Clone(v), ok, nil
}

func (c *memCheckpoints) SetCheckpoint(_ context.Context, key string, cursor []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = bytes.Clone(cursor)
	c.sets++
	return nil
}

// sink records the eventIDs of the records it accepts. fail, when set, is asked before each
// batch is accepted (n counts calls from 1) and may refuse it.
type sink struct {
	mu      sync.Mutex
	calls   int
	ids     []string
	origins map[string]int   // records accepted per origin
	lines   map[string][]int // their Line, per origin
	skipped map[string]int
	fail    func(n int, b *source.Batch) error
}

func (s *sink) Process(_ context.Context, name string, b *source.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if name != "trail" {
		return fmt.Errorf("source name %q, want trail", name)
	}
	if s.fail != nil {
		if err := s.fail(s.calls, b); err != nil {
			return err
		}
	}
	if s.origins == nil {
		s.origins, s.skipped, s.lines = map[string]int{}, map[string]int{}, map[string][]int{}
	}
	for _, r := range b.Records {
		var ev struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			return fmt.Errorf("record %s:%d: %w", r.Origin, r.Line, err)
		}
		s.ids = append(s.ids, ev.EventID)
		s.origins[r.Origin]++
		s.lines[r.Origin] = append(s.lines[r.Origin], r.Line)
	}
	for k, v := range b.Skipped {
		s.skipped[k] += v
	}
	return nil
}

func (s *sink) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

func (s *sink) Origins() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.origins {
		out[k] = v
	}
	return out
}
