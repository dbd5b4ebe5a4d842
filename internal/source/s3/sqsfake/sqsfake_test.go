package sqsfake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func client(t *testing.T, s *Server) *sqs.Client {
	t.Helper()
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(s.URL()),
	})
}

func receive(t *testing.T, c *sqs.Client, url string, vis int32) []string {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: vis,
	})
	if err != nil {
		t.Fatalf("ReceiveMessage() = %v", err)
	}
	var handles []string
	for _, m := range out.Messages {
		handles = append(handles, aws.ToString(m.ReceiptHandle))
	}
	return handles
}

func TestLifecycle(t *testing.T) {
	s := New(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()

	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatalf("CreateQueue() = %v", err)
	}
	url := aws.ToString(q.QueueUrl)
	for _, body := range []string{"one", "two ünïcode"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatalf("SendMessage(%q) = %v (MD5 checked by the SDK)", body, err)
		}
	}

	steps := []struct {
		name string
		do   func() error
		want Stats
	}{
		{"receive hides both", func() error {
			if h := receive(t, c, url, 10); len(h) != 2 {
				t.Errorf("first receive got %d messages, want 2", len(h))
			}
			return nil
		}, Stats{InFlight: 2, Receives: 2}},
		{"nothing visible while in flight", func() error {
			if h := receive(t, c, url, 10); len(h) != 0 {
				t.Errorf("receive in flight got %d messages, want 0", len(h))
			}
			return nil
		}, Stats{InFlight: 2, Receives: 2}},
		{"visibility expiry redelivers; delete with the latest handle", func() error {
			s.Advance(11 * time.Second)
			h := receive(t, c, url, 10)
			if len(h) != 2 {
				t.Fatalf("receive after expiry got %d messages, want 2", len(h))
			}
			_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(h[0])})
			return err
		}, Stats{InFlight: 1, Deleted: 1, Receives: 4}},
		{"change visibility to 0 releases", func() error {
			s.Advance(11 * time.Second)
			h := receive(t, c, url, 10)
			if len(h) != 1 {
				t.Fatalf("receive got %d messages, want 1", len(h))
			}
			_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(h[0]), VisibilityTimeout: 0})
			return err
		}, Stats{Visible: 1, Deleted: 1, Receives: 5}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := s.Stats(url); got != st.want {
			t.Errorf("%s: Stats() = %+v, want %+v", st.name, got, st.want)
		}
	}
}

func TestStaleHandle(t *testing.T) {
	s := New(time.Time{})
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	url := s.CreateQueue("q")
	s.Send(url, "body")
	old := receive(t, c, url, 5)
	s.Advance(6 * time.Second)
	latest := receive(t, c, url, 5)
	if len(old) != 1 || len(latest) != 1 {
		t.Fatalf("receives got %d and %d messages, want 1 and 1", len(old), len(latest))
	}
	// A stale handle: the delete succeeds and deletes nothing; extending fails.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(old[0])}); err != nil {
		t.Fatalf("DeleteMessage(stale) = %v, want nil", err)
	}
	if got := s.Stats(url); got.Deleted != 0 {
		t.Errorf("after a stale delete Stats() = %+v, want nothing deleted", got)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(old[0]), VisibilityTimeout: 30}); err == nil {
		t.Errorf("ChangeMessageVisibility(stale) = nil, want an error")
	}
	out, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.DeleteMessageBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: aws.String(latest[0])}}})
	if err != nil || len(out.Successful) != 1 {
		t.Fatalf("DeleteMessageBatch() = %+v, %v; want one success", out, err)
	}
	if got := s.Stats(url); got.Deleted != 1 {
		t.Errorf("after the batch delete Stats() = %+v, want 1 deleted", got)
	}
}

func TestFail(t *testing.T) {
	s := New(time.Time{})
	defer s.Close()
	c := client(t, s)
	url := s.CreateQueue("q")
	s.Fail("ReceiveMessage", "RequestThrottled")
	_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "RequestThrottled" {
		t.Fatalf("ReceiveMessage() = %v, want a RequestThrottled API error", err)
	}
	if _, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); err != nil {
		t.Errorf("ReceiveMessage() after the injected failure = %v, want nil", err)
	}
	if got := s.Calls("ReceiveMessage"); got != 2 {
		t.Errorf("Calls(ReceiveMessage) = %d, want 2", got)
	}
}
