package s3

import (
	"bytes"
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"picket/internal/source"
)

// bigCloudTrail returns a gzip CloudTrail file of at least size uncompressed bytes and its
// record count. Each record's ids, keys and addresses are random hex, so that the file
// compresses about like real ones (7:1); they are written into a template rather than
// formatted, to keep the test fast under -race.
func bigCloudTrail(t testing.TB, size int) ([]byte, int) {
	t.Helper()
	const h = "################" // 16 hex digits each
	tmpl := []byte(`{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROA` + h + `:session-` + h + `",` +
		`"arn":"arn:aws:sts::123456789012:assumed-role/app/session-` + h + `","accountId":"123456789012","accessKeyId":"ASIA` + h + `",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLEID","arn":"arn:aws:iam::123456789012:role/app",` +
		`"accountId":"123456789012","userName":"app"},"attributes":{"creationDate":"2026-11-25T17:00:00Z","mfaAuthenticated":"false"}}},` +
		`"eventTime":"2026-11-25T18:20:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",` +
		`"sourceIPAddress":"10.0.0.1","userAgent":"[aws-sdk-go-v2/1.40.0 os/linux lang/go#1.26]",` +
		`"requestParameters":{"bucketName":"data","key":"objects/` + h + `/` + h + `.parquet"},"responseElements":null,` +
		`"requestID":"` + h + `","eventID":"` + h + h + `","readOnly":true,"eventType":"AwsApiCall",` +
		`"managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}`)
	var holes []int
	for i := 0; ; {
		j := bytes.Index(tmpl[i:], []byte(h))
		if j < 0 {
			break
		}
		holes = append(holes, i+j)
		i += j + len(h)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	written, n := 0, 0
	write := func(b []byte) {
		if _, err := zw.Write(b); err != nil {
			t.Fatal(err)
		}
		written += len(b)
	}
	write([]byte(`{"Records":[`))
	for written < size {
		if n > 0 {
			write([]byte{','})
		}
		for _, at := range holes {
			v := rng.Uint64()
			for k := range 16 {
				tmpl[at+k] = "0123456789abcdef"[v>>(4*k)&15]
			}
		}
		write(tmpl)
		n++
	}
	write([]byte(`]}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), n
}

// countSink counts records and bytes without keeping them.
type countSink struct {
	records, bytes atomic.Int64
}

func (c *countSink) Process(_ context.Context, _ string, b *source.Batch) error {
	c.records.Add(int64(len(b.Records)))
	for _, r := range b.Records {
		c.bytes.Add(int64(len(r.Data)))
	}
	return nil
}

// heapPeak samples the live heap every few milliseconds until stop is called, and returns
// the highest value seen.
func heapPeak() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// TestLargeObject reads a 100 MB (uncompressed) CloudTrail object announced over SQS in
// bounded memory: the peak live heap of the whole test process, fakes and the compressed
// object included, stays under 64 MiB.
func TestLargeObject(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100 MB object")
	}
	const size, limit = 100 << 20, 64 << 20
	e := newEnv(t)
	obj, n := bigCloudTrail(t, size)
	k := key("us-east-1", time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC), "big")
	e.put(k, obj)
	compressed := len(obj)
	obj = nil
	e.sqs.Send(e.queue, s3Event(k))
	s := e.source(e.config(true))

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := heapPeak()
	start := time.Now()
	var sk countSink
	err := s.Poll(context.Background(), &sk)
	elapsed := time.Since(start)
	peak := stop()
	if err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	if got := sk.records.Load(); got != int64(n) {
		t.Errorf("read %d records, want %d", got, n)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 1 {
		t.Errorf("queue %+v, want the message deleted", st)
	}
	t.Logf("%d records, %d MiB uncompressed, %.1f MiB compressed: %v (%.0f records/s); heap before %.1f MiB, peak %.1f MiB; %v GetObject bytes",
		n, sk.bytes.Load()>>20, float64(compressed)/(1<<20), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
		float64(base.HeapAlloc)/(1<<20), float64(peak)/(1<<20), testutil.ToFloat64(s.d.Metrics.Bytes.WithLabelValues("trail")))
	if peak > limit {
		t.Errorf("peak heap %.1f MiB, want < %d MiB", float64(peak)/(1<<20), limit>>20)
	}
}
