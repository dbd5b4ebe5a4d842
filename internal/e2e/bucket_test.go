package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"

	"picket/internal/source/s3/sqsfake"
)

// trailBucket is a CloudTrail bucket (gofakes3) whose new objects are announced on an SQS
// queue (sqsfake), both behind one endpoint as a VPC endpoint or a test gives them: SQS
// requests carry X-Amz-Target, S3 requests do not.
type trailBucket struct {
	t     *testing.T
	URL   string // the endpoint of both services
	SQS   *sqsfake.Server
	Queue string // the queue URL
	s3    *s3api.Client
}

func newTrailBucket(t *testing.T) *trailBucket {
	t.Helper()
	sqs := sqsfake.New(time.Now().UTC())
	t.Cleanup(sqs.Close)
	s3fake := gofakes3.New(s3mem.New(), gofakes3.WithTimeSkewLimit(0)).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
			sqs.ServeHTTP(w, r)
			return
		}
		s3fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b := &trailBucket{t: t, URL: srv.URL, SQS: sqs, Queue: sqs.CreateQueue("trail"),
		s3: s3api.New(s3api.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
			BaseEndpoint: aws.String(srv.URL), UsePathStyle: true})}
	if _, err := b.s3.CreateBucket(context.Background(), &s3api.CreateBucketInput{Bucket: aws.String("trail-bucket")}); err != nil {
		t.Fatal(err)
	}
	return b
}

// put stores a gzip CloudTrail file of records under key and announces it on the queue with an
// S3 event notification.
func (b *trailBucket) put(key string, records []string) {
	b.t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintf(zw, `{"Records":[%s]}`, strings.Join(records, ","))
	zw.Close()
	if _, err := b.s3.PutObject(context.Background(), &s3api.PutObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String(key), Body: bytes.NewReader(buf.Bytes())}); err != nil {
		b.t.Fatal(err)
	}
	b.SQS.Send(b.Queue, fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"trail-bucket"},"object":{"key":%q}}}]}`, key))
}
