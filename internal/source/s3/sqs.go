package s3

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"picket/internal/source"
)

// maxReceives bounds the ReceiveMessage calls of one poll (10 messages each at most), so that
// a queue that never empties still lets Poll return and the scheduler run other work.
const maxReceives = 100

// ackTimeout bounds the DeleteMessage and ChangeMessageVisibility calls made after ctx ended,
// so that records already accepted are acknowledged and the rest released.
const ackTimeout = 10 * time.Second

// pollQueue receives messages until the queue answers empty (or maxReceives), reading the
// objects each message announces and deleting it once they were all accepted.
//
// Message handling, by case:
//   - S3 event notification, CloudTrail notification, either inside an SNS envelope: the
//     announced objects are read, then the message is deleted.
//   - s3:TestEvent, or only digest and non-log objects announced: deleted.
//   - an announced object that does not exist (removed by a lifecycle rule): reported,
//     counted (missing_object) and passed over; the message is deleted.
//   - a body in no known format: reported (Warn on its first receive only), counted
//     (bad_notification) and left in the queue untouched, so that its redrive policy moves
//     it to a dead-letter queue where it can be examined. Picket never destroys what it
//     does not understand; give the queue a redrive policy.
//   - a failure to read an object or of the sink: the message and those received with it
//     not yet handled are made visible again at once (visibility 0) and Poll returns the
//     error; SQS redelivers them, to this or another consumer.
func (s *Source) pollQueue(ctx context.Context, sink source.Sink) error {
	for range maxReceives {
		out, err := s.clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(s.cfg.QueueURL),
			MaxNumberOfMessages: int32(s.cfg.MaxMessages),
			WaitTimeSeconds:     int32(s.cfg.WaitTime / time.Second),
			VisibilityTimeout:   s.visibility(),
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
				sqstypes.MessageSystemAttributeNameApproximateReceiveCount,
				sqstypes.MessageSystemAttributeNameSentTimestamp,
			},
		})
		s.count("ReceiveMessage", err)
		if err != nil {
			return fmt.Errorf("receiving messages from %s: %w", s.cfg.QueueURL, err)
		}
		if len(out.Messages) == 0 {
			return nil
		}
		if err := s.handleMessages(ctx, sink, out.Messages); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// visibility is the visibility timeout in whole seconds.
func (s *Source) visibility() int32 {
	return int32(max(s.cfg.VisibilityTimeout/time.Second, 1))
}

// handleMessages handles the messages of one receive in order, keeping those not yet
// deleted invisible to other consumers meanwhile.
func (s *Source) handleMessages(ctx context.Context, sink source.Sink, msgs []sqstypes.Message) error {
	fl := &inflight{handles: map[string]string{}}
	for _, m := range msgs {
		fl.add(aws.ToString(m.ReceiptHandle), aws.ToString(m.MessageId))
	}
	hbCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.heartbeat(hbCtx, fl) })
	var err error
	for _, m := range msgs {
		if err = s.handleMessage(ctx, sink, m, fl); err != nil {
			break
		}
	}
	stop()
	wg.Wait()
	if err != nil {
		s.release(ctx, fl)
	}
	return err
}

// handleMessage reads the objects one message announces and deletes it.
func (s *Source) handleMessage(ctx context.Context, sink source.Sink, m sqstypes.Message, fl *inflight) error {
	handle, id := aws.ToString(m.ReceiptHandle), aws.ToString(m.MessageId)
	n, err := parseNotification([]byte(aws.ToString(m.Body)))
	if err != nil {
		fl.drop(handle)
		s.d.Metrics.Skipped.WithLabelValues(s.name, skipBadBody).Inc()
		lvl := s.log.Debug
		if receiveCount(m) <= 1 {
			lvl = s.log.Warn
		}
		lvl("message left for the queue's redrive policy", "message_id", id, "receive_count", receiveCount(m),
			"body", truncate(aws.ToString(m.Body), 512), "err", err)
		return nil
	}
	for _, o := range n.Objects {
		if reason := skipKey(o.Key); reason != "" {
			s.d.Metrics.Skipped.WithLabelValues(s.name, reason).Inc()
			s.log.Debug("object skipped", "object", "s3://"+o.Bucket+"/"+o.Key, "reason", reason)
			continue
		}
		err := s.readObject(ctx, sink, o)
		if errors.Is(err, errObjectGone) {
			s.d.Metrics.Skipped.WithLabelValues(s.name, skipMissing).Inc()
			s.log.Warn("announced object not found; passed over", "message_id", id, "err", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("message %s: %w", id, err)
		}
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	_, err = s.clients.SQS.DeleteMessage(actx, &sqs.DeleteMessageInput{QueueUrl: aws.String(s.cfg.QueueURL), ReceiptHandle: aws.String(handle)})
	s.count("DeleteMessage", err)
	if err != nil {
		// Its records were accepted: a redelivery reads them again, and the pipeline
		// drops the duplicates.
		return fmt.Errorf("deleting message %s: %w", id, err)
	}
	fl.drop(handle)
	if sent := sentTime(m); !sent.IsZero() {
		s.d.Metrics.Lag.WithLabelValues(s.name).Set(s.d.Clock().Sub(sent).Seconds())
		s.d.Status.SetCheckpoint(s.name, "last message sent "+sent.Format(time.RFC3339), sent)
	}
	return nil
}

// heartbeat extends the visibility of the messages in flight every third of the visibility
// timeout until ctx ends, so that a large object read past the timeout is not redelivered
// to another consumer meanwhile.
func (s *Source) heartbeat(ctx context.Context, fl *inflight) {
	every := max(s.cfg.VisibilityTimeout/3, 200*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for handle, id := range fl.snapshot() {
			_, err := s.clients.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(s.cfg.QueueURL), ReceiptHandle: aws.String(handle), VisibilityTimeout: s.visibility(),
			})
			if ctx.Err() != nil {
				return
			}
			s.count("ChangeMessageVisibility", err)
			if err != nil {
				s.log.Debug("extending message visibility failed", "message_id", id, "err", err)
			}
		}
	}
}

// release makes the messages still in flight visible again at once, for redelivery.
func (s *Source) release(ctx context.Context, fl *inflight) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	for handle, id := range fl.snapshot() {
		_, err := s.clients.SQS.ChangeMessageVisibility(actx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(s.cfg.QueueURL), ReceiptHandle: aws.String(handle), VisibilityTimeout: 0,
		})
		s.count("ChangeMessageVisibility", err)
		if err != nil {
			s.log.Debug("releasing message failed; it returns after its visibility timeout", "message_id", id, "err", err)
		}
	}
}

// inflight is the set of received messages neither deleted nor given up, by receipt handle.
// The message loop and the heartbeat share it.
type inflight struct {
	mu      sync.Mutex
	handles map[string]string // receipt handle → message id
}

func (f *inflight) add(handle, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handles[handle] = id
}

func (f *inflight) drop(handle string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.handles, handle)
}

func (f *inflight) snapshot() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.handles)
}

func receiveCount(m sqstypes.Message) int {
	n, _ := strconv.Atoi(m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	return n
}

func sentTime(m sqstypes.Message) time.Time {
	ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
