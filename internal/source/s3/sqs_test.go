package s3

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"picket/internal/source"
	"picket/internal/source/s3/sqsfake"
)

func TestSQSMessages(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	k1, k2 := key("us-east-1", at, "aaa"), key("us-east-1", at, "bbb")
	spaced := strings.Replace(k1, "_aaa", " spaced", 1)
	digest := strings.Replace(k1, "/CloudTrail/", "/CloudTrail-Digest/", 1)
	tests := []struct {
		name        string
		bodies      []string
		want        []string // eventIDs, sorted
		wantSkipped map[string]float64
	}{
		{name: "s3 event", bodies: []string{s3Event(k1)}, want: ids("a", 3)},
		{name: "s3 event with an encoded key", bodies: []string{s3Event(strings.ReplaceAll(spaced, " ", "+"))}, want: ids("s", 2)},
		{name: "s3 event in sns", bodies: []string{snsEnvelope(s3Event(k2))}, want: ids("b", 2)},
		{name: "cloudtrail notification, two objects", bodies: []string{cloudTrailNotice(k1, k2)}, want: append(ids("a", 3), ids("b", 2)...)},
		{name: "cloudtrail notification in sns", bodies: []string{snsEnvelope(cloudTrailNotice(k1))}, want: ids("a", 3)},
		{name: "test event deleted", bodies: []string{`{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"trail-bucket"}`}},
		{name: "digest skipped and deleted", bodies: []string{s3Event(digest), s3Event(k2)}, want: ids("b", 2),
			wantSkipped: map[string]float64{skipDigest: 1}},
		{name: "missing object passed over", bodies: []string{s3Event(key("us-east-1", at, "gone")), s3Event(k1)}, want: ids("a", 3),
			wantSkipped: map[string]float64{skipMissing: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.put(k1, ctFile(t, ids("a", 3)...))
			e.put(k2, ctFile(t, ids("b", 2)...))
			e.put(spaced, ctFile(t, ids("s", 2)...))
			e.put(digest, []byte(`{"awsAccountId":"123456789012","digestStartTime":"2026-11-25T17:20:00Z","logFiles":[]}`))
			for _, b := range tt.bodies {
				e.sqs.Send(e.queue, b)
			}
			s := e.source(e.config(true))
			var sk sink
			if err := s.Poll(context.Background(), &sk); err != nil {
				t.Fatalf("Poll() = %v", err)
			}
			got := sk.IDs()
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if st := e.sqs.Stats(e.queue); st.Deleted != len(tt.bodies) || st.Receives != len(tt.bodies) {
				t.Errorf("queue %+v, want all %d messages received once and deleted", st, len(tt.bodies))
			}
			for reason, want := range tt.wantSkipped {
				if got := testutil.ToFloat64(s.d.Metrics.Skipped.WithLabelValues("trail", reason)); got != want {
					t.Errorf("skipped{%s} = %v, want %v", reason, got, want)
				}
			}
			if got := testutil.ToFloat64(s.d.Metrics.Records.WithLabelValues("trail")); int(got) != len(tt.want) {
				t.Errorf("records metric = %v, want %d", got, len(tt.want))
			}
		})
	}
}

// TestSQSRedelivery: a sink failure leaves the message in the queue (released at once), the
// next poll reads it again, and nothing is lost.
func TestSQSRedelivery(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	k := key("us-east-1", at, "aaa")
	e.put(k, ctFile(t, ids("a", 5)...))
	id := e.sqs.Send(e.queue, s3Event(k))
	c := e.config(true)
	c.MaxBatch = 2
	s := e.source(c)
	sk := &sink{fail: func(n int, _ *source.Batch) error {
		if n == 2 {
			return errors.New("store unavailable")
		}
		return nil
	}}
	err := s.Poll(context.Background(), sk)
	if err == nil || !strings.Contains(err.Error(), "store unavailable") {
		t.Fatalf("Poll() = %v, want the sink's error", err)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 0 || st.Visible != 1 {
		t.Fatalf("after the failure the queue is %+v, want the message visible again, not deleted", st)
	}
	if err := s.Poll(context.Background(), sk); err != nil {
		t.Fatalf("second Poll() = %v", err)
	}
	got := sk.IDs()
	slices.Sort(got)
	got = slices.Compact(got) // the batch accepted before the failure is read twice
	if diff := cmp.Diff(ids("a", 5), got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if n := e.sqs.Receives(id); n != 2 {
		t.Errorf("message received %d times, want 2", n)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 1 {
		t.Errorf("queue %+v, want the message deleted", st)
	}
}

// TestSQSDeleteAfterProcessing: while the sink processes a message's records, the message
// is still in flight; it is deleted after the last batch.
func TestSQSDeleteAfterProcessing(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	k1, k2 := key("us-east-1", at, "aaa"), key("us-east-1", at, "bbb")
	e.put(k1, ctFile(t, ids("a", 4)...))
	e.put(k2, ctFile(t, ids("b", 4)...))
	e.sqs.Send(e.queue, cloudTrailNotice(k1, k2))
	c := e.config(true)
	c.MaxBatch = 3
	s := e.source(c)
	var seen []sqsfake.Stats
	sk := &sink{fail: func(int, *source.Batch) error {
		seen = append(seen, e.sqs.Stats(e.queue))
		return nil
	}}
	if err := s.Poll(context.Background(), sk); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	inFlight := sqsfake.Stats{InFlight: 1, Receives: 1}
	want := []sqsfake.Stats{inFlight, inFlight, inFlight, inFlight} // 3+1 and 3+1 records
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("queue seen by the sink (-want +got):\n%s", diff)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 1 {
		t.Errorf("queue %+v after Poll, want the message deleted", st)
	}
	// Line is the record's index in its object, across batches.
	want2 := map[string][]int{"s3://" + bucket + "/" + k1: {1, 2, 3, 4}, "s3://" + bucket + "/" + k2: {1, 2, 3, 4}}
	if diff := cmp.Diff(want2, sk.lines); diff != "" {
		t.Errorf("record lines (-want +got):\n%s", diff)
	}
}

// TestSQSBadNotification: an unknown body is counted and left for the redrive policy (not
// deleted, not released), and the messages after it are handled.
func TestSQSBadNotification(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	k := key("us-east-1", at, "aaa")
	e.put(k, ctFile(t, ids("a", 2)...))
	e.sqs.Send(e.queue, `{"hello":"world"}`)
	e.sqs.Send(e.queue, s3Event(k))
	s := e.source(e.config(true))
	var sk sink
	if err := s.Poll(context.Background(), &sk); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	if got := len(sk.IDs()); got != 2 {
		t.Errorf("read %d records, want 2", got)
	}
	if st := e.sqs.Stats(e.queue); st != (sqsfake.Stats{InFlight: 1, Deleted: 1, Receives: 2}) {
		t.Errorf("queue %+v, want the bad message in flight (left for the redrive policy) and the good one deleted", st)
	}
	if got := testutil.ToFloat64(s.d.Metrics.Skipped.WithLabelValues("trail", skipBadBody)); got != 1 {
		t.Errorf("skipped{bad_notification} = %v, want 1", got)
	}
}

// TestSQSVisibilityExtended: while a slow object is processed, the message's visibility is
// extended, and it is delivered once.
func TestSQSVisibilityExtended(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	k := key("us-east-1", at, "aaa")
	e.put(k, ctFile(t, ids("a", 2)...))
	id := e.sqs.Send(e.queue, s3Event(k))
	c := e.config(true)
	c.VisibilityTimeout = time.Second
	s := e.source(c)
	sk := &sink{fail: func(int, *source.Batch) error {
		deadline := time.Now().Add(10 * time.Second)
		for e.sqs.Calls("ChangeMessageVisibility") < 2 {
			if time.Now().After(deadline) {
				return errors.New("visibility never extended")
			}
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	}}
	if err := s.Poll(context.Background(), sk); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	if n := e.sqs.Receives(id); n != 1 {
		t.Errorf("message received %d times, want 1", n)
	}
	if got := testutil.ToFloat64(s.d.Metrics.APICalls.WithLabelValues("trail", "ChangeMessageVisibility")); got < 2 {
		t.Errorf("ChangeMessageVisibility calls = %v, want ≥ 2", got)
	}
}

// TestSQSReceiveError: a failing ReceiveMessage fails the poll, is counted, and the next poll
// works; throttling answers are counted as such.
func TestSQSReceiveError(t *testing.T) {
	e := newEnv(t)
	s := e.source(e.config(true))
	e.sqs.Fail("ReceiveMessage", "RequestThrottled", "RequestThrottled", "RequestThrottled")
	var sk sink
	if err := s.Poll(context.Background(), &sk); err == nil {
		t.Fatal("Poll() = nil, want the throttling error after the SDK's retries")
	}
	if got := testutil.ToFloat64(s.d.Metrics.Throttles.WithLabelValues("trail", "ReceiveMessage")); got != 1 {
		t.Errorf("throttles{ReceiveMessage} = %v, want 1", got)
	}
	if err := s.Poll(context.Background(), &sk); err != nil {
		t.Errorf("Poll() after the throttling = %v, want nil", err)
	}
}

// TestSQSCompetingConsumers: two sources on one queue read every record, and every message
// is deleted.
func TestSQSCompetingConsumers(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	var want []string
	for i := range 30 {
		k := key("us-east-1", at, strings.Repeat(string(rune('a'+i%26)), 3)+string(rune('0'+i/26)))
		recs := ids(k[len(k)-12:], 3)
		want = append(want, recs...)
		e.put(k, ctFile(t, recs...))
		e.sqs.Send(e.queue, s3Event(k))
	}
	c := e.config(true)
	c.MaxMessages = 3
	a, b := e.source(c), e.source(c)
	var sa, sb sink
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = a.Poll(context.Background(), &sa) })
	wg.Go(func() { errs[1] = b.Poll(context.Background(), &sb) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
	got := append(sa.IDs(), sb.IDs()...)
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records of both consumers (-want +got):\n%s", diff)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 30 || st.Receives != 30 {
		t.Errorf("queue %+v, want 30 messages each received once and deleted", st)
	}
}

// TestSQSCancel: a cancelled poll returns ctx.Err() and leaves the message for redelivery.
func TestSQSCancel(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 20, 0, 0, time.UTC)
	e := newEnv(t)
	k := key("us-east-1", at, "aaa")
	e.put(k, ctFile(t, ids("a", 4)...))
	e.sqs.Send(e.queue, s3Event(k))
	c := e.config(true)
	c.MaxBatch = 2
	s := e.source(c)
	ctx, cancel := context.WithCancel(context.Background())
	sk := &sink{fail: func(int, *source.Batch) error {
		cancel()
		return context.Canceled
	}}
	if err := s.Poll(ctx, sk); !errors.Is(err, context.Canceled) {
		t.Fatalf("Poll() = %v, want context.Canceled", err)
	}
	if st := e.sqs.Stats(e.queue); st.Deleted != 0 || st.Visible != 1 {
		t.Errorf("queue %+v after cancellation, want the message visible again", st)
	}
}
