package notifytest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"picket/internal/notify"
)

// Request is one request a Receiver got.
type Request struct {
	Method   string
	Path     string // unescaped
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Response is how a Receiver answers.
type Response struct {
	Status int // default 200
	Header http.Header
	Body   string
	// Echo appends the whole request (method, URI, headers, body) to Body, as a careless
	// provider might in an error message: secret-leak tests use it.
	Echo bool
	// Hang makes the receiver wait until the client gives up (or the Receiver closes).
	Hang bool
}

// Receiver is an HTTP server that records the requests it gets and answers them as scripted:
// queued failures first (Fail), then Success. It is safe for concurrent use.
type Receiver struct {
	srv  *httptest.Server
	done chan struct{}

	mu       sync.Mutex
	reqs     []Request
	script   []Response
	success  Response
	closeOne sync.Once
}

// NewReceiver starts a Receiver answering 200 "ok"; it is closed when the test ends.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{done: make(chan struct{}), success: Response{Status: http.StatusOK, Body: "ok"}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// URL returns the receiver's base URL (http://127.0.0.1:port).
func (r *Receiver) URL() string { return r.srv.URL }

// Client returns an HTTP client for the receiver.
func (r *Receiver) Client() *http.Client { return r.srv.Client() }

// Deps returns notify.Deps using the receiver's client, a discarding logger and a clock fixed at
// Now.
func (r *Receiver) Deps() notify.Deps {
	return notify.Deps{
		Logger:     slog.New(slog.DiscardHandler),
		HTTPClient: r.Client(),
		Clock:      Now,
	}
}

// SetSuccess sets the answer given once the scripted failures are used up.
func (r *Receiver) SetSuccess(resp Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.success = resp
}

// Fail queues resp as the answer to the next times requests.
func (r *Receiver) Fail(resp Response, times int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range times {
		r.script = append(r.script, resp)
	}
}

// Requests returns the requests received so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Reset forgets the recorded requests and the scripted failures.
func (r *Receiver) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs, r.script = nil, nil
}

// Close stops the server; later requests fail to connect.
func (r *Receiver) Close() {
	r.closeOne.Do(func() {
		close(r.done)
		r.srv.Close()
	})
}

func (r *Receiver) serve(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	req := Request{Method: hr.Method, Path: hr.URL.Path, RawQuery: hr.URL.RawQuery, Header: hr.Header.Clone(), Body: body}
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	resp := r.success
	if len(r.script) > 0 {
		resp, r.script = r.script[0], r.script[1:]
	}
	r.mu.Unlock()

	if resp.Hang {
		select {
		case <-hr.Context().Done():
		case <-r.done:
		}
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	text := resp.Body
	if resp.Echo {
		var b strings.Builder
		b.WriteString(text + " " + hr.Method + " " + hr.URL.String() + " ")
		_ = hr.Header.Write(&b)
		b.Write(body)
		text = b.String()
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

// cancelled returns a context that is already cancelled.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
