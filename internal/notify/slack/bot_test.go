package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/notifytest"
)

const botToken = "xoxb-0000-SECRETbotTOKEN42"

// fakeSlack is a fake of Slack's Web API (chat.postMessage, chat.update): it records the calls
// and answers them as scripted, else with ok:true and a new ts.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	calls  []apiCall
	script map[string][]fakeAnswer // by method
	seq    int
}

// apiCall is one recorded Web API call.
type apiCall struct {
	Method string // "chat.postMessage", "chat.update"
	Auth   string
	Type   string
	Body   []byte
	Msg    message
}

// fakeAnswer is a scripted answer: an HTTP status (default 200), headers and a body.
type fakeAnswer struct {
	Status int
	Header http.Header
	Body   string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, script: map[string][]fakeAnswer{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	c := apiCall{Method: method, Auth: r.Header.Get("Authorization"), Type: r.Header.Get("Content-Type"), Body: body}
	if err := json.Unmarshal(body, &c.Msg); err != nil {
		f.t.Errorf("%s body is not JSON: %v", method, err)
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	var ans *fakeAnswer
	if q := f.script[method]; len(q) > 0 {
		ans, f.script[method] = &q[0], q[1:]
	}
	f.seq++
	ts := fmt.Sprintf("1741944600.%06d", f.seq)
	f.mu.Unlock()
	if ans != nil {
		for k, vs := range ans.Header {
			w.Header()[k] = vs
		}
		if ans.Status != 0 {
			w.WriteHeader(ans.Status)
		}
		_, _ = io.WriteString(w, ans.Body)
		return
	}
	if method != "chat.postMessage" && method != "chat.update" {
		_, _ = io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		return
	}
	if method == "chat.update" {
		ts = c.Msg.TS
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"ok":true,"channel":"C0SECOPS","ts":%q,"message":{"text":"x"}}`, ts)
}

// answer queues answers to the next calls of method.
func (f *fakeSlack) answer(method string, a ...fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[method] = append(f.script[method], a...)
}

func (f *fakeSlack) Calls() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

// summary describes the calls as "method channel ts thread_ts" lines.
func (f *fakeSlack) summary() []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s ts=%s thread=%s", c.Method, c.Msg.Channel, c.Msg.TS, c.Msg.ThreadTS)))
	}
	return out
}

// memKV is an in-memory notify.KV; failSet makes SetCheckpoint fail.
type memKV struct {
	mu      sync.Mutex
	m       map[string][]byte
	failSet error
}

func newMemKV() *memKV { return &memKV{m: map[string][]byte{}} }

func (kv *memKV) Checkpoint(_ context.Context, key string) ([]byte, bool, error) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	v, ok := kv.m[key]
	return append([]byte(nil), v...), ok, nil
}

func (kv *memKV) SetCheckpoint(_ context.Context, key string, v []byte) error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.failSet != nil {
		return kv.failSet
	}
	kv.m[key] = append([]byte(nil), v...)
	return nil
}

func (kv *memKV) keys() []string {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	var out []string
	for k := range kv.m {
		out = append(out, k)
	}
	return out
}

func botConfig(apiURL string) Config {
	c := DefaultConfig()
	c.Token = config.Secret(botToken)
	c.Channel = "#secops"
	c.APIURL = apiURL
	return c
}

// newBot returns a bot-mode notifier against f with state kv (nil for none) and the log buffer.
func newBot(t *testing.T, f *fakeSlack, kv notify.KV) (*Notifier, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	deps := notify.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil)), HTTPClient: f.srv.Client(), Clock: notifytest.Now}
	if kv != nil {
		deps.State = kv
	}
	n, err := New("secops", botConfig(f.srv.URL+"/api"), deps)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n, &logs
}

func mustNotify(t *testing.T, n *Notifier, notif *notify.Notification) {
	t.Helper()
	if retry, err := n.Notify(context.Background(), notif); err != nil {
		t.Fatalf("Notify(%s) = %v, %v; want nil", notif.ID, retry, err)
	}
}

// otherGroup returns a firing notification of another aggregation group.
func otherGroup() *notify.Notification {
	n := notifytest.Notification()
	n.ID = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
	n.GroupKey = `{}/{level=~"high|critical"}:{account="210987654321"}`
	n.GroupLabels = map[string]string{"account": "210987654321"}
	return n
}

func TestBotThreads(t *testing.T) {
	f := newFakeSlack(t)
	kv := newMemKV()
	n, logs := newBot(t, f, kv)

	first := notifytest.Notification()
	mustNotify(t, n, first)
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("first notification: %d calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Auth != "Bearer "+botToken || !strings.HasPrefix(c.Type, "application/json") {
		t.Errorf("chat.postMessage headers: Authorization %q, Content-Type %q; want the bearer token and JSON", c.Auth, c.Type)
	}
	notifytest.Golden(t, filepath.Join("testdata", "bot_post.json"), c.Body, *update)

	mustNotify(t, n, otherGroup())
	resolved := notifytest.Resolved()
	resolved.CreatedAt = resolved.CreatedAt.Add(time.Minute)
	mustNotify(t, n, resolved)
	repeat := notifytest.Acknowledged()
	repeat.CreatedAt = resolved.CreatedAt.Add(time.Minute)
	mustNotify(t, n, repeat)

	want := []string{
		"chat.postMessage #secops ts= thread=",                   // first: top-level
		"chat.postMessage #secops ts= thread=",                   // other group: its own thread
		"chat.postMessage C0SECOPS ts= thread=1741944600.000001", // resolved: a reply
		"chat.update C0SECOPS ts=1741944600.000001 thread=",      // the parent shows it
		"chat.postMessage C0SECOPS ts= thread=1741944600.000001", // another reply
		"chat.update C0SECOPS ts=1741944600.000001 thread=",
	}
	if diff := cmp.Diff(want, f.summary()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	calls = f.Calls()
	upd := calls[3]
	if upd.Msg.Username != "" || upd.Msg.IconEmoji != "" || !strings.Contains(upd.Msg.Text, "Resolved") {
		t.Errorf("chat.update = %+v, want the resolved message without username or icon", upd.Msg)
	}
	if upd.Auth != "Bearer "+botToken {
		t.Errorf("chat.update Authorization = %q, want the bearer token", upd.Auth)
	}
	notifytest.Golden(t, filepath.Join("testdata", "bot_update.json"), upd.Body, *update)
	if calls[2].Msg.Text != upd.Msg.Text {
		t.Errorf("reply text %q, parent text %q; want the same content", calls[2].Msg.Text, upd.Msg.Text)
	}

	var thr threadRecord
	if ok, err := n.load(context.Background(), n.threadKey(first), &thr); !ok || err != nil {
		t.Fatalf("thread record of the first group: %v, %v", ok, err)
	}
	if want := (threadRecord{Channel: "C0SECOPS", TS: "1741944600.000001", Configured: "#secops", Shown: repeat.CreatedAt}); thr != want {
		t.Errorf("thread record = %+v, want %+v", thr, want)
	}
	for _, k := range kv.keys() {
		if !strings.HasPrefix(k, "notify/slack/secops/thread/") && !strings.HasPrefix(k, "notify/slack/secops/sent/") {
			t.Errorf("state key %q, want notify/slack/secops/{thread,sent}/…", k)
		}
	}
	if len(kv.keys()) != 6 { // 2 threads + 4 sent
		t.Errorf("state has %d keys, want 6: %q", len(kv.keys()), kv.keys())
	}
	if logs.Len() != 0 {
		t.Errorf("logs = %q, want none", logs)
	}
}

func TestBotOlderNotificationDoesNotOverwriteParent(t *testing.T) {
	f := newFakeSlack(t)
	n, _ := newBot(t, f, newMemKV())
	first := notifytest.Notification()
	mustNotify(t, n, first)
	newer := notifytest.Resolved()
	newer.CreatedAt = first.CreatedAt.Add(2 * time.Minute)
	mustNotify(t, n, newer)
	late := notifytest.Acknowledged()
	late.CreatedAt = first.CreatedAt.Add(time.Minute)
	mustNotify(t, n, late)
	want := []string{
		"chat.postMessage #secops ts= thread=",
		"chat.postMessage C0SECOPS ts= thread=1741944600.000001",
		"chat.update C0SECOPS ts=1741944600.000001 thread=",
		"chat.postMessage C0SECOPS ts= thread=1741944600.000001", // no update: the parent shows newer
	}
	if diff := cmp.Diff(want, f.summary()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestBotAlreadyPosted(t *testing.T) {
	t.Run("same notification twice", func(t *testing.T) {
		f := newFakeSlack(t)
		n, _ := newBot(t, f, newMemKV())
		mustNotify(t, n, notifytest.Notification())
		mustNotify(t, n, notifytest.Notification())
		if got := len(f.Calls()); got != 1 {
			t.Errorf("%d calls for one notification sent twice, want 1: %q", got, f.summary())
		}
	})
	t.Run("recorded before a crash", func(t *testing.T) {
		f := newFakeSlack(t)
		kv := newMemKV()
		n, _ := newBot(t, f, kv)
		notif := notifytest.Notification()
		kv.m[n.key("sent", notif.ID)] = []byte(`{"channel":"C0SECOPS","ts":"1741940000.000001"}`)
		mustNotify(t, n, notif)
		if got := len(f.Calls()); got != 0 {
			t.Errorf("%d calls for a recorded notification, want 0: %q", got, f.summary())
		}
		// The thread the crash did not record is recorded now.
		var thr threadRecord
		if ok, _ := n.load(context.Background(), n.threadKey(notif), &thr); !ok || thr.TS != "1741940000.000001" {
			t.Errorf("thread record = %+v, %v; want ts 1741940000.000001", thr, ok)
		}
	})
	t.Run("update failed after the reply", func(t *testing.T) {
		f := newFakeSlack(t)
		n, _ := newBot(t, f, newMemKV())
		mustNotify(t, n, notifytest.Notification())
		f.answer("chat.update", fakeAnswer{Body: `{"ok":false,"error":"internal_error"}`})
		retry, err := n.Notify(context.Background(), notifytest.Resolved())
		if err == nil || !retry {
			t.Fatalf("Notify() with a failing chat.update = %v, %v; want retry true and an error", retry, err)
		}
		mustNotify(t, n, notifytest.Resolved()) // the retry
		want := []string{
			"chat.postMessage #secops ts= thread=",
			"chat.postMessage C0SECOPS ts= thread=1741944600.000001",
			"chat.update C0SECOPS ts=1741944600.000001 thread=",
			"chat.update C0SECOPS ts=1741944600.000001 thread=", // the retry updates, does not post
		}
		if diff := cmp.Diff(want, f.summary()); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
	t.Run("update refused", func(t *testing.T) {
		f := newFakeSlack(t)
		n, logs := newBot(t, f, newMemKV())
		mustNotify(t, n, notifytest.Notification())
		f.answer("chat.update", fakeAnswer{Body: `{"ok":false,"error":"cant_update_message"}`})
		mustNotify(t, n, notifytest.Resolved()) // the reply is delivered
		if !strings.Contains(logs.String(), "cant_update_message") {
			t.Errorf("logs = %q, want a warning naming cant_update_message", logs)
		}
	})
}

func TestBotStateWriteFails(t *testing.T) {
	f := newFakeSlack(t)
	kv := newMemKV()
	kv.failSet = errors.New("database is locked")
	n, logs := newBot(t, f, kv)
	mustNotify(t, n, notifytest.Notification()) // posted: success, not a retry that posts again
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("logs = %q, want a warning about the state", logs)
	}
}

func TestBotThreadGone(t *testing.T) {
	f := newFakeSlack(t)
	kv := newMemKV()
	n, _ := newBot(t, f, kv)
	mustNotify(t, n, notifytest.Notification())
	f.answer("chat.postMessage", fakeAnswer{Body: `{"ok":false,"error":"thread_not_found"}`})
	resolved := notifytest.Resolved()
	resolved.CreatedAt = resolved.CreatedAt.Add(time.Minute)
	mustNotify(t, n, resolved)
	want := []string{
		"chat.postMessage #secops ts= thread=",
		"chat.postMessage C0SECOPS ts= thread=1741944600.000001",
		"chat.postMessage #secops ts= thread=", // a new thread
	}
	if diff := cmp.Diff(want, f.summary()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	var thr threadRecord
	if ok, _ := n.load(context.Background(), n.threadKey(resolved), &thr); !ok || thr.TS != "1741944600.000003" {
		t.Errorf("thread record = %+v, %v; want the new thread 1741944600.000003", thr, ok)
	}
}

func TestBotChannelChangedStartsNewThread(t *testing.T) {
	f := newFakeSlack(t)
	kv := newMemKV()
	n, _ := newBot(t, f, kv)
	mustNotify(t, n, notifytest.Notification())
	c := botConfig(f.srv.URL + "/api")
	c.Channel = "#secops-new"
	n2, err := New("secops", c, notify.Deps{HTTPClient: f.srv.Client(), State: kv})
	if err != nil {
		t.Fatal(err)
	}
	mustNotify(t, n2, notifytest.Resolved())
	want := []string{"chat.postMessage #secops ts= thread=", "chat.postMessage #secops-new ts= thread="}
	if diff := cmp.Diff(want, f.summary()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestBotWithoutState(t *testing.T) {
	f := newFakeSlack(t)
	n, _ := newBot(t, f, nil)
	mustNotify(t, n, notifytest.Notification())
	mustNotify(t, n, notifytest.Resolved())
	mustNotify(t, n, notifytest.Resolved())
	want := []string{
		"chat.postMessage #secops ts= thread=",
		"chat.postMessage #secops ts= thread=",
		"chat.postMessage #secops ts= thread=",
	}
	if diff := cmp.Diff(want, f.summary()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestBotConcurrentGroup(t *testing.T) {
	f := newFakeSlack(t)
	n, _ := newBot(t, f, newMemKV())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			notif := notifytest.Notification()
			notif.ID = fmt.Sprintf("concurrent-%d", i)
			if _, err := n.Notify(context.Background(), notif); err != nil {
				t.Errorf("Notify() = %v", err)
			}
		})
	}
	wg.Wait()
	top := 0
	for _, c := range f.Calls() {
		if c.Method == "chat.postMessage" && c.Msg.ThreadTS == "" {
			top++
		}
	}
	if top != 1 {
		t.Errorf("%d top-level messages for one group, want 1: %q", top, f.summary())
	}
}

func TestBotErrors(t *testing.T) {
	tests := []struct {
		name      string
		ans       fakeAnswer
		wantRetry bool
		wantAfter time.Duration
		wantCode  string // APIError code, if any
		wantText  string
	}{
		{"ratelimited", fakeAnswer{Header: http.Header{"Retry-After": {"5"}}, Body: `{"ok":false,"error":"ratelimited"}`}, true, 5 * time.Second, "ratelimited", "ratelimited"},
		{"ratelimited without header", fakeAnswer{Body: `{"ok":false,"error":"ratelimited"}`}, true, defaultRateLimitWait, "ratelimited", "ratelimited"},
		{"rate_limited", fakeAnswer{Body: `{"ok":false,"error":"rate_limited"}`}, true, defaultRateLimitWait, "rate_limited", "rate_limited"},
		{"429 Retry-After", fakeAnswer{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, true, 7 * time.Second, "", "429"},
		{"invalid_auth", fakeAnswer{Body: `{"ok":false,"error":"invalid_auth"}`}, false, 0, "invalid_auth", "check token"},
		{"channel_not_found", fakeAnswer{Body: `{"ok":false,"error":"channel_not_found"}`}, false, 0, "channel_not_found", "channel_not_found"},
		{"not_in_channel", fakeAnswer{Body: `{"ok":false,"error":"not_in_channel"}`}, false, 0, "not_in_channel", "invite the bot"},
		{"token_revoked", fakeAnswer{Body: `{"ok":false,"error":"token_revoked"}`}, false, 0, "token_revoked", "token_revoked"},
		{"unknown code", fakeAnswer{Body: `{"ok":false,"error":"something_new"}`}, false, 0, "something_new", "something_new"},
		{"no code", fakeAnswer{Body: `{"ok":false}`}, false, 0, "unknown_error", "unknown_error"},
		{"internal_error", fakeAnswer{Body: `{"ok":false,"error":"internal_error"}`}, true, 0, "internal_error", "internal_error"},
		{"500", fakeAnswer{Status: 500, Body: "boom"}, true, 0, "", "500"},
		{"503", fakeAnswer{Status: 503}, true, 0, "", "503"},
		{"400", fakeAnswer{Status: 400, Body: "invalid_payload"}, false, 0, "", "400"},
		{"200 not JSON", fakeAnswer{Body: "<html>proxy</html>"}, true, 0, "", "not a Web API response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			n, _ := newBot(t, f, newMemKV())
			f.answer("chat.postMessage", tt.ans)
			retry, err := n.Notify(context.Background(), notifytest.Notification())
			if err == nil {
				t.Fatal("Notify() = nil error, want one")
			}
			if retry != tt.wantRetry {
				t.Errorf("Notify() retry = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			after, ok := notify.RetryAfter(err)
			if after != tt.wantAfter || ok != (tt.wantAfter != 0) {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v", err, after, ok, tt.wantAfter)
			}
			var aerr *APIError
			if got := errors.As(err, &aerr); got != (tt.wantCode != "") || (got && aerr.Code != tt.wantCode) {
				t.Errorf("Notify() error %v: APIError %v, want code %q", err, aerr, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Notify() error %q, want it to contain %q", err, tt.wantText)
			}
			notifytest.AssertNoSecretLeak(t, err, botToken)
			// Nothing was recorded: the next attempt posts.
			mustNotify(t, n, notifytest.Notification())
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		f := newFakeSlack(t)
		n, _ := newBot(t, f, newMemKV())
		f.srv.Close()
		retry, err := n.Notify(context.Background(), notifytest.Notification())
		if err == nil || !retry {
			t.Errorf("Notify() against a closed API = %v, %v; want retry true and an error", retry, err)
		}
		notifytest.AssertNoSecretLeak(t, err, botToken)
	})
}

// botReceiver returns a bot-mode notifier against a notifytest.Receiver that answers success
// like the Web API.
func botReceiver(t *testing.T, r *notifytest.Receiver) notify.Notifier {
	t.Helper()
	r.SetSuccess(notifytest.Response{Status: 200, Body: `{"ok":true,"channel":"C0SECOPS","ts":"1741944600.000001"}`})
	n, err := New("secops", botConfig(r.URL()+"/api"), r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestBotRetry(t *testing.T) {
	notifytest.RunRetryTests(t, botReceiver)
}

// TestBotNoSecretLeak adds bot-mode cases to TestNoSecretLeak (which runs the shared suite
// with the token).
func TestBotNoSecretLeak(t *testing.T) {
	t.Run("ok false echoing the token", func(t *testing.T) {
		for _, method := range []string{"chat.postMessage", "chat.update"} {
			f := newFakeSlack(t)
			n, logs := newBot(t, f, newMemKV())
			mustNotify(t, n, notifytest.Notification())
			f.answer(method, fakeAnswer{Body: `{"ok":false,"error":"invalid_auth Bearer ` + botToken + `"}`})
			_, err := n.Notify(context.Background(), notifytest.Resolved())
			notifytest.AssertNoSecretLeak(t, err, botToken)
			if strings.Contains(logs.String(), botToken) {
				t.Errorf("%s: logs leak the token: %q", method, logs)
			}
		}
	})
	t.Run("config", func(t *testing.T) {
		c := botConfig("https://slack.com/api")
		for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
			if strings.Contains(s, botToken) {
				t.Errorf("formatted config leaks the token: %s", s)
			}
		}
	})
}

func TestValidateBot(t *testing.T) {
	tok := config.Secret("xoxb-1-zzz")
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"token", Config{Token: tok, Channel: "C0123456789"}, nil},
		{"token file", Config{TokenFile: "/run/slack-token", Channel: "#secops"}, nil},
		{"token and api_url", Config{Token: tok, Channel: "C1", APIURL: "http://127.0.0.1:8080/api"}, nil},
		{"no channel", Config{Token: tok}, []string{"channel is required with token"}},
		{"token and token_file", Config{Token: tok, TokenFile: "/f", Channel: "C1"}, []string{"token and token_file are both set"}},
		{"token and webhook", Config{Token: tok, WebhookURL: "https://hooks.slack.com/services/T/B/zzz", Channel: "C1"}, []string{"webhook_url and token are both set"}},
		{"token file and webhook file", Config{TokenFile: "/t", WebhookURLFile: "/w", Channel: "C1"}, []string{"both set"}},
		{"bad api_url", Config{Token: tok, Channel: "C1", APIURL: "slack.com/api"}, []string{"api_url: the scheme must be http or https"}},
		{"padded token", Config{Token: " xoxb-1-zzz\n", Channel: "C1"}, []string{"token: has leading or trailing space"}},
		{"nothing", Config{}, []string{"webhook_url is required", "token"}},
		{"every problem", Config{Token: tok, TokenFile: "/f", APIURL: "ftp://x", IconEmoji: "shield", Title: "{{.Nope"},
			[]string{"token and token_file are both set", "channel is required", "api_url", "icon_emoji", "parsing title template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			notifytest.AssertProblems(t, err, tt.want)
			notifytest.AssertNoSecretLeak(t, err, "zzz")
		})
	}
}

func TestNewBotTokenFile(t *testing.T) {
	f := newFakeSlack(t)
	path := filepath.Join(t.TempDir(), "token")
	if err := writeFile(path, botToken+"\n"); err != nil {
		t.Fatal(err)
	}
	c := botConfig(f.srv.URL + "/api")
	c.Token, c.TokenFile = "", path
	n, err := New("secops", c, notify.Deps{HTTPClient: f.srv.Client()})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	mustNotify(t, n, notifytest.Notification())
	if got := f.Calls()[0].Auth; got != "Bearer "+botToken {
		t.Errorf("Authorization = %q, want the token from token_file", got)
	}
}

func TestSampleBotMode(t *testing.T) {
	// The commented bot example, uncommented in place of the webhook, decodes and validates.
	var lines []string
	for _, l := range strings.Split(string(Sample()), "\n") {
		switch {
		case strings.HasPrefix(l, "webhook_url:"):
			continue
		case strings.HasPrefix(l, "# token:"), strings.HasPrefix(l, "# channel: C"), strings.HasPrefix(l, "# api_url:"):
			l = strings.TrimPrefix(l, "# ")
		}
		lines = append(lines, l)
	}
	c := DefaultConfig()
	notifytest.DecodeStrict(t, []byte(strings.Join(lines, "\n")), &c, map[string]string{"SLACK_BOT_TOKEN": botToken})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml in bot mode: Validate() = %v", err)
	}
	if c.Token.Reveal() != botToken || c.Channel == "" || c.APIURL != DefaultAPIURL {
		t.Errorf("sample.yaml in bot mode decodes to %+v, want token, channel and the default api_url", c)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
