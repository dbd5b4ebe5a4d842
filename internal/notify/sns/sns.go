// Package sns publishes notifications to an AWS SNS topic: the message is the version "1"
// JSON payload of the webhook channel, with message attributes for subscription filter
// policies, and FIFO topics get the receiver's group as message group and the notification id
// as deduplication id, so a re-sent notification is dropped by SNS within its 5-minute window.
package sns

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"picket/internal/notify"
	"picket/internal/notify/webhook"
	"picket/internal/rule"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration of an SNS receiver.
func Sample() []byte { return append([]byte(nil), sample...) }

// Message attributes picket sets on every message.
const (
	AttrNotificationID = "picket.notification_id"
	AttrStatus         = "picket.status"
	AttrLevel          = "picket.level"
)

var reservedAttributes = [...]string{AttrNotificationID, AttrStatus, AttrLevel}

const (
	// maxMessageBytes is SNS's limit on a message (256 KiB, attributes included); the payload
	// keeps a margin for attributes.
	maxMessageBytes = 256*1024 - 8*1024
	maxSubjectChars = 99
	maxFIFOIDChars  = 128
)

// snsAPI is the part of the SNS client the notifier uses.
type snsAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Notifier publishes notifications to one topic. It is safe for concurrent use.
type Notifier struct {
	name    string
	cfg     Config
	api     snsAPI
	subject *texttemplate.Template
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns the notifier of receiver name publishing through api (an *sns.Client).
func New(name string, c Config, api snsAPI, _ notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("sns receiver %q: %w", name, err)
	}
	if api == nil {
		return nil, fmt.Errorf("sns receiver %q: no SNS client", name)
	}
	subject, err := parseSubject(c.Subject)
	if err != nil {
		return nil, fmt.Errorf("sns receiver %q: subject template: %w", name, err)
	}
	return &Notifier{name: name, cfg: c, api: api, subject: subject}, nil
}

// NewFromConfig builds the SNS client from c (region, profile, assumed role, endpoint) with the
// AWS SDK default credential chain, then calls New. It contacts no AWS service: credentials
// are fetched at the first Publish. The SDK does not retry: the dispatcher owns retries.
func NewFromConfig(ctx context.Context, name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("sns receiver %q: %w", name, err)
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(c.region()),
		awsconfig.WithRetryMaxAttempts(1),
	}
	if c.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(c.Profile))
	}
	// deps.HTTPClient is not used: the SDK's own client verifies TLS too, and a plain
	// *http.Client makes LoadDefaultConfig fail when AWS_CA_BUNDLE is set.
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("sns receiver %q: loading AWS configuration: %w", name, err)
	}
	if c.RoleARN != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), c.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "picket-" + name
			if c.ExternalID != "" {
				o.ExternalID = aws.String(c.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	client := sns.NewFromConfig(cfg, func(o *sns.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return New(name, c, client, deps)
}

// Notify publishes n. It returns retry=true for throttling, server errors and network
// failures, false for authorization, invalid parameters and missing topics.
func (s *Notifier) Notify(ctx context.Context, n *notify.Notification) (bool, error) {
	in, err := s.input(n)
	if err != nil {
		return false, fmt.Errorf("sns receiver %q: notification %s: %w", s.name, n.ID, err)
	}
	if _, err := s.api.Publish(ctx, in); err != nil {
		return retryable(err), fmt.Errorf("sns receiver %q: publishing notification %s to %s: %w",
			s.name, n.ID, s.cfg.TopicARN, err)
	}
	return false, nil
}

// input builds the Publish request of n.
func (s *Notifier) input(n *notify.Notification) (*sns.PublishInput, error) {
	body, err := messageBody(n)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	if err := s.subject.Execute(&sb, n); err != nil {
		return nil, fmt.Errorf("subject template: %w", err)
	}
	in := &sns.PublishInput{
		TopicArn:          aws.String(s.cfg.TopicARN),
		Message:           aws.String(string(body)),
		MessageAttributes: s.attributes(n),
	}
	if subj := cleanSubject(sb.String()); subj != "" {
		in.Subject = aws.String(subj)
	}
	if s.cfg.fifo() {
		group := n.GroupKey
		if group == "" {
			group = n.Receiver
		}
		in.MessageGroupId = aws.String(fifoID(group))
		in.MessageDeduplicationId = aws.String(fifoID(n.ID))
	}
	return in, nil
}

func (s *Notifier) attributes(n *notify.Notification) map[string]types.MessageAttributeValue {
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	attrs := make(map[string]types.MessageAttributeValue, len(s.cfg.MessageAttributes)+len(reservedAttributes))
	for k, v := range s.cfg.MessageAttributes {
		attrs[k] = str(v)
	}
	attrs[AttrNotificationID] = str(n.ID)
	attrs[AttrStatus] = str(string(n.Status))
	if l := maxLevel(n); l != rule.LevelUnknown {
		attrs[AttrLevel] = str(l.String())
	}
	return attrs
}

// maxLevel returns the highest level among the notification's alerts.
func maxLevel(n *notify.Notification) rule.Level {
	var l rule.Level
	for i := range n.Alerts {
		l = max(l, n.Alerts[i].Level)
	}
	return l
}

// cleanSubject keeps printable ASCII on one line, at most maxSubjectChars long: SNS rejects
// control characters and line breaks, and long subjects.
func cleanSubject(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if b.Len() >= maxSubjectChars {
			break
		}
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return strings.TrimSpace(b.String())
}

// fifoID returns s if SNS accepts it as a message group or deduplication id (at most 128
// characters, alphanumeric or punctuation), else a hex SHA-256 prefix of it.
func fifoID(s string) string {
	ok := s != "" && len(s) <= maxFIFOIDChars
	for _, r := range s {
		if r <= 0x20 || r >= 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// retryable classifies a Publish error.
func retryable(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
			"KMSThrottling", "KMSThrottlingException", "InternalError", "InternalFailure",
			"ServiceUnavailable":
			return true
		case "AuthorizationError", "InvalidParameter", "InvalidParameterValue", "NotFound",
			"InvalidSecurity", "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied",
			"AccessDeniedException", "KMSAccessDenied", "KMSDisabled", "KMSInvalidState",
			"KMSNotFound", "EndpointDisabled", "ValidationError", "FilterPolicyLimitExceeded":
			return false
		}
		if ae.ErrorFault() == smithy.FaultServer {
			return true
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 { // 0: no response (network error)
		code := re.HTTPStatusCode()
		return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
	}
	if ae != nil {
		return false // another client fault
	}
	// Network errors, timeouts, credential endpoints unreachable: worth another attempt.
	return true
}

// messageBody encodes n as the generic webhook's version 1 body, dropping evidence events
// (halving the first alert that still has some, counted in events_omitted) until it fits in an
// SNS message.
func messageBody(n *notify.Notification) ([]byte, error) {
	c := *n
	c.Alerts = slices.Clone(n.Alerts)
	for {
		body, err := webhook.Body(&c)
		if err != nil {
			return nil, err
		}
		if len(body) <= maxMessageBytes {
			return body, nil
		}
		i := slices.IndexFunc(c.Alerts, func(a notify.AlertView) bool { return len(a.Events) > 0 })
		if i < 0 {
			return nil, fmt.Errorf("payload of %d bytes exceeds the SNS limit even without evidence", len(body))
		}
		a := &c.Alerts[i]
		keep := len(a.Events) / 2
		a.EventsOmitted += len(a.Events) - keep
		a.Events = a.Events[:keep]
	}
}
