package sns

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/notify/notifytest"
	"picket/internal/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	topicARN     = "arn:aws:sns:eu-west-1:123456789012:picket-alerts"
	fifoTopicARN = "arn:aws:sns:eu-west-1:123456789012:picket-alerts.fifo"
)

func testNotification() *notify.Notification {
	t0 := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	return &notify.Notification{
		ID:          "n-7f3a9c",
		Receiver:    "aws-sns",
		Status:      notify.StatusFiring,
		GroupKey:    "root/rule_id=aws-root-login",
		GroupLabels: map[string]string{"rule_id": "aws-root-login"},
		CreatedAt:   t0.Add(5 * time.Minute),
		Alerts: []notify.AlertView{
			{
				Alert: alert.Alert{
					ID: "a1", Fingerprint: "fp1", RuleID: "aws-root-login", RuleTitle: "AWS root account console login",
					Level: rule.Critical, Tags: []string{"attack.t1078"}, Kind: "detection", Source: "cloudtrail",
					Group:  map[string]string{"userIdentity.arn": "arn:aws:iam::123456789012:root"},
					Status: alert.StatusOpen, FirstSeen: t0, LastSeen: t0.Add(2 * time.Minute), Count: 3,
				},
				Events: []notify.Event{{
					ID: "ev-1", Time: t0, Source: "cloudtrail",
					Data: json.RawMessage(`{"eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.9","userAgent":"<b>x</b> & y"}`),
				}},
				EventsOmitted: 2,
				URL:           "https://picket.example.com/alerts/a1",
			},
			{
				Alert: alert.Alert{
					ID: "a2", Fingerprint: "fp2", RuleID: "aws-root-login", RuleTitle: "AWS root account console login",
					Level: rule.High, Status: alert.StatusResolved, FirstSeen: t0, LastSeen: t0, Count: 1,
				},
			},
		},
	}
}

// fakeSNS speaks the SNS query protocol: it records Publish requests and answers each with
// the next scripted status and error code ("" for success).
type fakeSNS struct {
	mu       sync.Mutex
	requests []url.Values
	auth     []string
	script   []fakeReply
}

type fakeReply struct {
	status int
	code   string
}

func (f *fakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, r.PostForm)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	var reply fakeReply
	if len(f.script) > 0 {
		reply, f.script = f.script[0], f.script[1:]
	}
	n := len(f.requests)
	f.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml")
	if r.PostForm.Get("Action") == "AssumeRole" {
		fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>ROLESECRET</SecretAccessKey>
<SessionToken>ROLETOKEN</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/picket/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
		return
	}
	if r.PostForm.Get("Action") != "Publish" {
		reply = fakeReply{http.StatusBadRequest, "InvalidAction"}
	}
	if reply.code != "" {
		typ := "Sender"
		if reply.status >= 500 {
			typ = "Receiver"
		}
		w.WriteHeader(reply.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>%s</Type><Code>%s</Code><Message>scripted %s</Message></Error>
  <RequestId>req-%d</RequestId>
</ErrorResponse>`, typ, reply.code, reply.code, n)
		return
	}
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>msg-%d</MessageId></PublishResult>
  <ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata>
</PublishResponse>`, n, n)
}

func (f *fakeSNS) published() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.requests...)
}

// startFake returns the fake and a real SDK client pointed at it, with static credentials and
// no SDK retries.
func startFake(t *testing.T, script ...fakeReply) (*fakeSNS, *sns.Client) {
	t.Helper()
	f := &fakeSNS{script: script}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	client := sns.New(sns.Options{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		BaseEndpoint:     aws.String(ts.URL),
		RetryMaxAttempts: 1,
	})
	return f, client
}

// attributes decodes MessageAttributes.entry.N.* form fields.
func attributes(v url.Values) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		p := fmt.Sprintf("MessageAttributes.entry.%d.", i)
		name := v.Get(p + "Name")
		if name == "" {
			return out
		}
		out[name] = v.Get(p+"Value.DataType") + ":" + v.Get(p+"Value.StringValue")
	}
}

func TestPublish(t *testing.T) {
	f, client := startFake(t)
	c := DefaultConfig()
	c.TopicARN = topicARN
	c.MessageAttributes = map[string]string{"environment": "production"}
	n, err := New("aws-sns", c, client, notify.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := n.Notify(t.Context(), testNotification()); err != nil {
		t.Fatalf("Notify: retry=%v err=%v", retry, err)
	}
	reqs := f.published()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	got := map[string]string{
		"Action":   r.Get("Action"),
		"TopicArn": r.Get("TopicArn"),
		"Subject":  r.Get("Subject"),
	}
	want := map[string]string{
		"Action":   "Publish",
		"TopicArn": topicARN,
		"Subject":  "[picket] FIRING:2 AWS root account console login (critical)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request fields (-want +got):\n%s", diff)
	}
	wantAttrs := map[string]string{
		"picket.notification_id": "String:n-7f3a9c",
		"picket.status":          "String:firing",
		"picket.level":           "String:critical",
		"environment":            "String:production",
	}
	if diff := cmp.Diff(wantAttrs, attributes(r)); diff != "" {
		t.Errorf("message attributes (-want +got):\n%s", diff)
	}
	for _, k := range []string{"MessageGroupId", "MessageDeduplicationId"} {
		if r.Has(k) {
			t.Errorf("standard topic got %s=%q", k, r.Get(k))
		}
	}
	if !json.Valid([]byte(r.Get("Message"))) {
		t.Fatalf("Message is not JSON: %s", r.Get("Message"))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(r.Get("Message")), "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "message.golden.json", pretty.String()+"\n")
	if auth := f.auth[0]; !strings.Contains(auth, "Credential=AKIDTEST/") || !strings.Contains(auth, "/eu-west-1/sns/aws4_request") {
		t.Errorf("request not signed for SNS in eu-west-1: %q", auth)
	}
}

func TestPublishFIFO(t *testing.T) {
	tests := []struct {
		name      string
		groupKey  string
		wantGroup string
	}{
		{"group key as is", "root/rule_id=aws-root-login", "root/rule_id=aws-root-login"},
		{"long group key hashed", strings.Repeat("g", 200), fifoID(strings.Repeat("g", 200))},
		{"empty group key uses receiver", "", "aws-sns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, client := startFake(t)
			c := DefaultConfig()
			c.TopicARN = fifoTopicARN
			n, err := New("aws-sns", c, client, notify.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			nt := testNotification()
			nt.GroupKey = tt.groupKey
			if _, err := n.Notify(t.Context(), nt); err != nil {
				t.Fatal(err)
			}
			r := f.published()[0]
			got := [2]string{r.Get("MessageGroupId"), r.Get("MessageDeduplicationId")}
			if diff := cmp.Diff([2]string{tt.wantGroup, "n-7f3a9c"}, got); diff != "" {
				t.Errorf("FIFO ids (-want +got):\n%s", diff)
			}
			if len(got[0]) > 128 {
				t.Errorf("MessageGroupId has %d characters", len(got[0]))
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	tests := []struct {
		reply     fakeReply
		wantRetry bool
	}{
		{fakeReply{http.StatusBadRequest, "Throttling"}, true},
		{fakeReply{http.StatusForbidden, "AuthorizationError"}, false},
		{fakeReply{http.StatusBadRequest, "InvalidParameter"}, false},
		{fakeReply{http.StatusNotFound, "NotFound"}, false},
		{fakeReply{http.StatusInternalServerError, "InternalError"}, true},
		{fakeReply{http.StatusServiceUnavailable, "ServiceUnavailable"}, true},
		{fakeReply{http.StatusBadRequest, "SomethingNew"}, false},
		{fakeReply{http.StatusBadGateway, "SomethingNew"}, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.reply.status, tt.reply.code), func(t *testing.T) {
			f, client := startFake(t, tt.reply)
			c := DefaultConfig()
			c.TopicARN = topicARN
			n, err := New("aws-sns", c, client, notify.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			retry, err := n.Notify(t.Context(), testNotification())
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if retry != tt.wantRetry {
				t.Errorf("retry = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			if !strings.Contains(err.Error(), tt.reply.code) {
				t.Errorf("error %q does not name %s", err, tt.reply.code)
			}
			if strings.Contains(err.Error(), "SECRETTEST") {
				t.Errorf("error leaks the secret key: %v", err)
			}
			if got := len(f.published()); got != 1 {
				t.Errorf("SDK sent %d requests, want 1 (the dispatcher owns retries)", got)
			}
		})
	}
}

func TestNetworkErrorRetries(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	endpoint := ts.URL
	ts.Close()
	client := sns.New(sns.Options{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
	c := DefaultConfig()
	c.TopicARN = topicARN
	n, err := New("aws-sns", c, client, notify.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := n.Notify(t.Context(), testNotification()); err == nil || !retry {
		t.Errorf("Notify = %v, %v; want a retryable error", retry, err)
	}
}

// TestNewFromConfig builds the client the way picket does (default chain, endpoint override),
// with static credentials supplied through the environment for the test only.
func TestNewFromConfig(t *testing.T) {
	f, _ := startFake(t)
	ts := httptest.NewServer(f)
	defer ts.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	c := DefaultConfig()
	c.TopicARN = topicARN
	c.Endpoint = ts.URL
	n, err := NewFromConfig(t.Context(), "aws-sns", c, notify.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Notify(t.Context(), testNotification()); err != nil {
		t.Fatal(err)
	}
	if auth := f.auth[0]; !strings.Contains(auth, "Credential=AKIDENV/") || !strings.Contains(auth, "/eu-west-1/sns/") {
		t.Errorf("Authorization = %q, want env credentials and the topic's region", auth)
	}
}

// TestNewFromConfigAssumeRole checks that role_arn and external_id reach STS and that the
// role's credentials sign the Publish.
func TestNewFromConfigAssumeRole(t *testing.T) {
	f := &fakeSNS{}
	ts := httptest.NewServer(f)
	defer ts.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_ENDPOINT_URL_STS", ts.URL)
	c := DefaultConfig()
	c.TopicARN = topicARN
	c.Endpoint = ts.URL
	c.RoleARN, c.ExternalID = "arn:aws:iam::123456789012:role/picket", "ext-42"
	n, err := NewFromConfig(t.Context(), "aws-sns", c, notify.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Notify(t.Context(), testNotification()); err != nil {
		t.Fatal(err)
	}
	reqs := f.published()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want AssumeRole then Publish", len(reqs))
	}
	got := []string{reqs[0].Get("Action"), reqs[0].Get("RoleArn"), reqs[0].Get("ExternalId"), reqs[1].Get("Action")}
	want := []string{"AssumeRole", c.RoleARN, "ext-42", "Publish"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.auth[1], "Credential=ASIAROLE/") {
		t.Errorf("Publish not signed with the role's credentials: %q", f.auth[1])
	}
}

func TestCleanSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines\t here", "two lines here"},
		{"non-ascii é ✓", "non-ascii ? ?"},
		{strings.Repeat("x", 150), strings.Repeat("x", 99)},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := cleanSubject(tt.in); got != tt.want {
			t.Errorf("cleanSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMessageBodyFitsSNS(t *testing.T) {
	nt := testNotification()
	big := json.RawMessage(`{"blob":"` + strings.Repeat("a", 10*1024) + `"}`)
	for i := range 60 {
		nt.Alerts[0].Events = append(nt.Alerts[0].Events, notify.Event{ID: fmt.Sprint("big-", i), Data: big})
	}
	body, err := messageBody(nt)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > maxMessageBytes {
		t.Fatalf("body has %d bytes", len(body))
	}
	var p struct {
		Alerts []struct {
			Events        []json.RawMessage `json:"events"`
			EventsOmitted int               `json:"events_omitted"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	a := p.Alerts[0]
	if total := len(a.Events) + a.EventsOmitted; total != 61+2 {
		t.Errorf("events %d + omitted %d, want 63 in all", len(a.Events), a.EventsOmitted)
	}
}

func decodeStrict(t *testing.T, data []byte) Config {
	t.Helper()
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return c
}

func TestSampleDecodesAndValidates(t *testing.T) {
	c := decodeStrict(t, Sample())
	if err := c.Validate(); err != nil {
		t.Fatalf("sample does not validate: %v", err)
	}
	if c.TopicARN == "" || c.region() != "eu-west-1" {
		t.Errorf("sample decoded to %+v", c)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string
	}{
		{"valid", func(*Config) {}, nil},
		{"valid with role", func(c *Config) {
			c.RoleARN, c.ExternalID = "arn:aws:iam::123456789012:role/picket", "x"
			c.Endpoint = "https://vpce.example.com"
		}, nil},
		{"empty", func(c *Config) { *c = Config{} }, []string{"topic_arn is required"}},
		{"everything wrong", func(c *Config) {
			c.TopicARN = "arn:aws:sqs:eu-west-1:123456789012:queue"
			c.ExternalID = "x"
			c.Endpoint = "ftp://x"
			c.Subject = "{{"
			c.MessageAttributes = map[string]string{"picket.x": "1", "bad name": "2", "ok": ""}
		}, []string{"not an SNS topic ARN", "external_id is set without role_arn", "endpoint", "subject template",
			`"picket.x" is reserved`, `invalid name "bad name"`, `"ok" has an empty value`}},
		{"bad role", func(c *Config) { c.RoleARN = "arn:aws:iam::123456789012:user/x" }, []string{"not an IAM role ARN"}},
		{"too many attributes", func(c *Config) {
			c.MessageAttributes = map[string]string{}
			for i := range 8 {
				c.MessageAttributes[fmt.Sprint("a", i)] = "v"
			}
		}, []string{"message_attributes has 8 entries"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.TopicARN = topicARN
			tt.modify(&c)
			err := c.Validate()
			notifytest.AssertProblems(t, err, tt.want)
			if err == nil {
				return
			}
			if got := len(strings.Split(err.Error(), "\n")); got != len(tt.want) {
				t.Errorf("got %d problems, want %d: %v", got, len(tt.want), err)
			}
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
