// Package s3 is the aws_s3 source: CloudTrail log files (and other JSON logs) stored in S3,
// read either as S3 or CloudTrail notifications arrive on an SQS queue (SQS mode, the
// recommended one) or by listing the bucket's CloudTrail day folders (listing mode, for
// buckets without notifications and for back-fill).
//
// Invariants:
//   - Nothing is acknowledged before the sink accepted it: an SQS message is deleted only
//     after every record of every object it announces was accepted by Sink.Process, and in
//     listing mode an object is recorded as read only after its records were accepted. A
//     crash re-reads at most what was in flight; the pipeline deduplicates on eventID.
//   - Objects are streamed: gzip is decompressed and {"Records":[...]} framed element by
//     element by parse.Reader, and batches are bounded in records and bytes, so memory does
//     not grow with the size of an object.
//   - Listing mode never relies on key order (CloudTrail's keys are not monotonic in delivery
//     order): it keeps the set of keys read per day folder and lists the last `revisit` of
//     day folders again for late files.
package s3

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"picket/internal/awsx"
	"picket/internal/event"
	"picket/internal/parse"
	"picket/internal/source"
)

// Type is the source type in configuration files.
const Type = "aws_s3"

// maxBatchBytes bounds the record bytes held in one batch, whatever max_batch says.
const maxBatchBytes = 16 << 20

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// S3API is the part of the S3 client the source calls (an *s3.Client). Calls come from Poll,
// one at a time; an error fails the object or listing being read.
type S3API interface {
	GetObject(ctx context.Context, in *s3api.GetObjectInput, opts ...func(*s3api.Options)) (*s3api.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3api.ListObjectsV2Input, opts ...func(*s3api.Options)) (*s3api.ListObjectsV2Output, error)
}

// SQSAPI is the part of the SQS client the source calls in SQS mode (an *sqs.Client).
// ChangeMessageVisibility is called from a heartbeat goroutine while Poll reads objects, so
// the client must be safe for concurrent use, as the SDK's is.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Clients are the AWS clients a Source uses. SQS is needed in SQS mode only.
type Clients struct {
	S3  S3API
	SQS SQSAPI
}

// Source reads CloudTrail files from S3. Poll must not be called concurrently.
type Source struct {
	name    string
	cfg     Config
	clients Clients
	d       source.Deps
	log     *slog.Logger
	ls      *event.LogSource
	// pageSize is ListObjectsV2's MaxKeys; 0 keeps S3's 1000 (tests page smaller).
	pageSize int32
}

// New builds the S3 and SQS clients from c with the AWS SDK default credential chain (and the
// role to assume, if any), then calls NewWithClients. It contacts no AWS service: credentials
// are fetched at the first call.
func New(ctx context.Context, name string, c Config, d source.Deps) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("aws_s3 source %q: %w", name, err)
	}
	cfg, err := awsx.Load(ctx, c.Account, c.region(), name, 0)
	if err != nil {
		return nil, fmt.Errorf("aws_s3 source %q: %w", name, err)
	}
	cl := Clients{S3: s3api.NewFromConfig(cfg, func(o *s3api.Options) {
		if ep := first(c.S3Endpoint, c.Endpoint); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
		o.UsePathStyle = c.UsePathStyle
		// CloudTrail's objects carry no checksum; do not log that for every GetObject.
		o.DisableLogOutputChecksumValidationSkipped = true
	})}
	if c.QueueURL != "" {
		cl.SQS = sqs.NewFromConfig(cfg, func(o *sqs.Options) {
			if ep := first(c.SQSEndpoint, c.Endpoint); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
	}
	return NewWithClients(name, c, cl, d)
}

// NewWithClients returns the source name reading through the given clients (tests inject
// clients pointed at fakes, or fakes of S3API and SQSAPI).
func NewWithClients(name string, c Config, cl Clients, d source.Deps) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("aws_s3 source %q: %w", name, err)
	}
	switch {
	case cl.S3 == nil:
		return nil, fmt.Errorf("aws_s3 source %q: no S3 client", name)
	case c.QueueURL != "" && cl.SQS == nil:
		return nil, fmt.Errorf("aws_s3 source %q: no SQS client", name)
	case d.Checkpoints == nil || d.Clock == nil || d.Metrics == nil || d.Status == nil:
		return nil, fmt.Errorf("aws_s3 source %q: incomplete dependencies (checkpoints, clock, metrics and status are required)", name)
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d.Status.Register(name, Type)
	return &Source{name: name, cfg: c, clients: cl, d: d, log: log.With("source", name), ls: c.logSource()}, nil
}

// Name returns the source's configured name.
func (s *Source) Name() string { return s.name }

// Poll reads what is new: in SQS mode the messages waiting in the queue (at most
// maxReceives receives per poll), in listing mode the unread objects of the day folders from
// the checkpoint to today. It returns ctx.Err() when ctx ends.
func (s *Source) Poll(ctx context.Context, sink source.Sink) error {
	var err error
	if s.cfg.QueueURL != "" {
		err = s.pollQueue(ctx, sink)
	} else {
		err = s.pollBucket(ctx, sink)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err // the daemon counts failures and records successes (Metrics.Errors, LastSuccess)
}

// errObjectGone marks an announced object that no longer exists: it can never be read.
var errObjectGone = errors.New("object not found")

// readObject streams the records of one object to sink, in batches of at most max_batch
// records and maxBatchBytes bytes. A broken object (corrupt gzip, broken JSON structure) is
// read up to the break, the rest counted as skipped and nil returned: reading it again would
// not help. A failure to fetch the object or of the sink is returned.
func (s *Source) readObject(ctx context.Context, sink source.Sink, o object) error {
	out, err := s.clients.S3.GetObject(ctx, &s3api.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	s.count("GetObject", err)
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return fmt.Errorf("getting s3://%s/%s: %w", o.Bucket, o.Key, errObjectGone)
		}
		return fmt.Errorf("getting s3://%s/%s: %w", o.Bucket, o.Key, err)
	}
	defer out.Body.Close()
	body := &countingReader{r: out.Body}
	origin := "s3://" + o.Bucket + "/" + o.Key
	rd := parse.NewReader(body, origin, parse.Options{})
	b := newBatch(s.cfg.MaxBatch, s.ls)
	var prev map[string]int
	flush := func() error {
		st := rd.Stats()
		b.skippedSince(prev, st.Skipped)
		prev = maps.Clone(st.Skipped)
		if b.empty() {
			return nil
		}
		n := len(b.b.Records)
		if err := sink.Process(ctx, s.name, &b.b); err != nil {
			return fmt.Errorf("processing records of %s: %w", origin, err)
		}
		s.d.Metrics.Records.WithLabelValues(s.name).Add(float64(n))
		s.d.Status.AddRecords(s.name, n)
		b.reset()
		return nil
	}
	defer func() { s.d.Metrics.Bytes.WithLabelValues(s.name).Add(float64(body.n)) }()
	for {
		rec, err := rd.Next()
		var re *parse.RecordError
		switch {
		case err == nil:
			b.add(rec, origin)
			if b.full() {
				if err := flush(); err != nil {
					return err
				}
			}
			continue
		case errors.As(err, &re):
			s.log.Debug("record skipped", "object", origin, "line", re.Line, "reason", re.Reason, "err", re.Err)
			continue
		case errors.Is(err, io.EOF):
		case body.err != nil && !errors.Is(body.err, io.EOF):
			// The download broke (network, ctx): read the object again next time.
			return fmt.Errorf("reading %s: %w", origin, err)
		default:
			s.log.Warn("object broken; records after the break skipped", "object", origin, "err", err)
			b.skip("broken_object")
		}
		return flush()
	}
}

// batch accumulates the records of one sink batch, copying their bytes into an arena
// reused from batch to batch.
type batch struct {
	b     source.Batch
	arena []byte
	max   int
	index int // records added from the object so far: the next record's Line - 1
}

func newBatch(maxRecords int, ls *event.LogSource) *batch {
	return &batch{b: source.Batch{Records: make([]source.Record, 0, min(maxRecords, 1024)), LogSource: ls}, max: maxRecords}
}

func (b *batch) add(r parse.Record, origin string) {
	if len(b.arena)+len(r.Data) > cap(b.arena) {
		// A new arena: records already added keep pointing into the old one.
		b.arena = make([]byte, 0, max(2*cap(b.arena), len(r.Data), 64<<10))
	}
	start := len(b.arena)
	b.arena = append(b.arena, r.Data...)
	b.index++
	b.b.Records = append(b.b.Records, source.Record{
		Data: b.arena[start:len(b.arena):len(b.arena)], Text: r.Text, ID: r.ID, Time: r.Time,
		Origin: origin, Line: b.index,
	})
}

func (b *batch) full() bool {
	return len(b.b.Records) >= b.max || len(b.arena) >= maxBatchBytes
}

func (b *batch) empty() bool { return len(b.b.Records) == 0 && len(b.b.Skipped) == 0 }

func (b *batch) skip(reason string) {
	if b.b.Skipped == nil {
		b.b.Skipped = map[string]int{}
	}
	b.b.Skipped[reason]++
}

// skippedSince adds the skips counted since prev.
func (b *batch) skippedSince(prev, now map[string]int) {
	for k, v := range now {
		if d := v - prev[k]; d > 0 {
			if b.b.Skipped == nil {
				b.b.Skipped = map[string]int{}
			}
			b.b.Skipped[k] += d
		}
	}
}

// reset empties the batch, keeping its memory; Line numbering continues.
func (b *batch) reset() {
	clear(b.b.Records)
	b.b.Records = b.b.Records[:0]
	b.b.Skipped = nil
	if cap(b.arena) > maxBatchBytes*2 {
		b.arena = nil
	}
	b.arena = b.arena[:0]
}

// countingReader counts the bytes read and remembers the read error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// count records one API call and whether it was throttled.
func (s *Source) count(api string, err error) {
	s.d.Metrics.APICalls.WithLabelValues(s.name, api).Inc()
	if err != nil && throttled(err) {
		s.d.Metrics.Throttles.WithLabelValues(s.name, api).Inc()
	}
}

// throttled reports whether err is a throttling answer of S3 or SQS.
func throttled(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
			"RequestLimitExceeded", "TooManyRequestsException", "RequestThrottledException",
			"AWS.SimpleQueueService.RequestThrottled", "KMSThrottlingException":
			return true
		}
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
