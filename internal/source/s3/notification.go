package s3

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// object names one S3 object announced by a notification or found by listing.
type object struct {
	Bucket string
	Key    string
}

// notice is what one SQS message announces.
type notice struct {
	// Objects are the created objects, in the message's order.
	Objects []object
	// Test marks S3's s3:TestEvent, sent when a notification is configured.
	Test bool
}

// errBadNotification marks a message body that is none of the notification formats.
var errBadNotification = errors.New("not an S3 event notification, SNS envelope or CloudTrail notification")

// body is the union of the JSON shapes a message body can take.
type body struct {
	// SNS envelope (raw message delivery off).
	Type    string  `json:"Type"`
	Message *string `json:"Message"`
	// S3 event notification.
	Records []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          *struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	Event string `json:"Event"`
	// CloudTrail's SNS notification.
	S3Bucket    string   `json:"s3Bucket"`
	S3ObjectKey []string `json:"s3ObjectKey"`
}

// parseNotification reads an SQS message body: an S3 event notification, CloudTrail's
// {"s3Bucket","s3ObjectKey"} notification, or either wrapped in an SNS envelope. S3 event keys
// are URL-decoded ('+' is a space); CloudTrail's are not encoded. Events other than
// ObjectCreated:* announce nothing.
func parseNotification(data []byte) (notice, error) {
	return parseBody(data, true)
}

func parseBody(data []byte, unwrap bool) (notice, error) {
	var b body
	if err := json.Unmarshal(data, &b); err != nil {
		return notice{}, fmt.Errorf("%w: %v", errBadNotification, err)
	}
	switch {
	case b.Type == "Notification" && b.Message != nil && unwrap:
		return parseBody([]byte(*b.Message), false)
	case b.Event == "s3:TestEvent":
		return notice{Test: true}, nil
	case b.S3Bucket != "" && len(b.S3ObjectKey) > 0:
		n := notice{}
		for _, k := range b.S3ObjectKey {
			if k == "" {
				return notice{}, fmt.Errorf("%w: empty s3ObjectKey", errBadNotification)
			}
			n.Objects = append(n.Objects, object{Bucket: b.S3Bucket, Key: k})
		}
		return n, nil
	case len(b.Records) > 0:
		n := notice{}
		for _, r := range b.Records {
			if r.EventSource != "aws:s3" || r.S3 == nil {
				return notice{}, fmt.Errorf("%w: a record with eventSource %q", errBadNotification, r.EventSource)
			}
			if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
				continue
			}
			key, err := url.QueryUnescape(r.S3.Object.Key)
			if err != nil {
				return notice{}, fmt.Errorf("%w: object key %q: %v", errBadNotification, r.S3.Object.Key, err)
			}
			if r.S3.Bucket.Name == "" || key == "" {
				return notice{}, fmt.Errorf("%w: a record without bucket or key", errBadNotification)
			}
			n.Objects = append(n.Objects, object{Bucket: r.S3.Bucket.Name, Key: key})
		}
		return n, nil
	}
	return notice{}, errBadNotification
}

// Reasons an announced object is not read, as Skipped metric labels.
const (
	skipDigest  = "digest_object"
	skipNotLog  = "not_log_object"
	skipMissing = "missing_object"
	skipBadBody = "bad_notification"
)

// skipKey says why key is not a log object to read, "" when it is one: CloudTrail digest
// files, folder markers and objects whose name has no JSON or gzip extension (such as AWS
// Config's ConfigWritabilityCheckFile or S3 access logs) are skipped.
func skipKey(key string) string {
	switch {
	case strings.Contains("/"+key, "/CloudTrail-Digest/"):
		return skipDigest
	case key == "" || strings.HasSuffix(key, "/"):
		return skipNotLog
	}
	base := path.Base(key)
	for _, ext := range []string{".json.gz", ".json", ".jsonl", ".jsonl.gz", ".gz"} {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			return ""
		}
	}
	return skipNotLog
}
