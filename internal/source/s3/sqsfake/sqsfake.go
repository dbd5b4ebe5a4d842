// Package sqsfake is an in-process fake of Amazon SQS speaking the AWS JSON 1.0 protocol of
// aws-sdk-go-v2's sqs client (X-Amz-Target: AmazonSQS.<Action>), for tests of SQS consumers.
//
// It implements CreateQueue, GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage,
// DeleteMessage, DeleteMessageBatch and ChangeMessageVisibility with SQS's visibility
// semantics: a received message is hidden until its visibility timeout ends on the fake's
// clock, then delivered again (ApproximateReceiveCount grows) unless it was deleted with its
// latest receipt handle. Time never passes by itself: tests move the clock with Advance.
// ReceiveMessage never waits: a long poll on an empty queue answers empty at once. MD5s of
// bodies are correct, as the SDK checks them. A Server is safe for concurrent use.
package sqsfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultVisibility is a new queue's visibility timeout, as in SQS.
const DefaultVisibility = 30 * time.Second

// Server is a fake SQS endpoint.
type Server struct {
	srv *httptest.Server

	mu     sync.Mutex
	now    time.Time
	queues map[string]*queue // by name
	calls  map[string]int    // by action
	faults map[string][]string
	seq    int
}

type queue struct {
	name       string
	visibility time.Duration
	msgs       []*message // in send order
}

type message struct {
	id        string
	body      string
	sent      time.Time
	visibleAt time.Time
	handle    string // latest receipt handle; "" before the first receive
	receives  int
	firstRecv time.Time
	deleted   bool
}

// New starts a fake SQS server on a loopback port. Its clock starts at start (the current
// time when zero). Close it when done.
func New(start time.Time) *Server {
	if start.IsZero() {
		start = time.Now()
	}
	s := &Server{now: start.UTC(), queues: map[string]*queue{}, calls: map[string]int{}, faults: map[string][]string{}}
	s.srv = httptest.NewServer(s)
	return s
}

// ServeHTTP answers one SQS request, so that a test may route SQS requests to the fake from
// a server of its own (one endpoint for S3 and SQS, say: SQS requests carry X-Amz-Target).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

// URL returns the endpoint to give the SDK (sqs.Options.BaseEndpoint).
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Now returns the fake clock's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Advance moves the fake clock forward by d: messages whose visibility timeout ends
// meanwhile become visible again.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// CreateQueue creates the queue name (if it does not exist) and returns its URL.
func (s *Server) CreateQueue(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue(name)
	return s.queueURL(name)
}

// Send enqueues body on the queue of queueURL and returns the message id. It panics when the
// queue does not exist: a test bug.
func (s *Server) Send(queueURL, body string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueName(queueURL)]
	if q == nil {
		panic("sqsfake: no queue " + queueURL)
	}
	return s.send(q, body, 0)
}

// Stats describes a queue's messages.
type Stats struct {
	// Visible messages can be received now; InFlight ones were received and are hidden;
	// Deleted ones were deleted with their latest receipt handle.
	Visible, InFlight, Deleted int
	// Receives is the number of deliveries of all messages together.
	Receives int
}

// Stats returns the state of the queue of queueURL.
func (s *Server) Stats(queueURL string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st Stats
	q := s.queues[queueName(queueURL)]
	if q == nil {
		return st
	}
	for _, m := range q.msgs {
		st.Receives += m.receives
		switch {
		case m.deleted:
			st.Deleted++
		case m.visibleAt.After(s.now):
			st.InFlight++
		default:
			st.Visible++
		}
	}
	return st
}

// Receives returns how many times the message id was delivered.
func (s *Server) Receives(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queues {
		for _, m := range q.msgs {
			if m.id == id {
				return m.receives
			}
		}
	}
	return 0
}

// Calls returns how many requests of action ("ReceiveMessage", "DeleteMessage", …) the server
// answered, failed ones included.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Fail makes the next calls of action fail, one per code given, with that error code (for
// example "RequestThrottled" or "InternalError"; a code with "Internal" or "Unavailable"
// answers 500, others 400).
func (s *Server) Fail(action string, codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[action] = append(s.faults[action], codes...)
}

// The wire format, with SQS's field names.
type (
	sendIn struct {
		QueueUrl     string
		MessageBody  string
		DelaySeconds int
	}
	receiveIn struct {
		QueueUrl                    string
		MaxNumberOfMessages         int
		VisibilityTimeout           *int
		WaitTimeSeconds             int
		AttributeNames              []string
		MessageSystemAttributeNames []string
	}
	wireMessage struct {
		MessageId     string
		ReceiptHandle string
		Body          string
		MD5OfBody     string
		Attributes    map[string]string `json:",omitempty"`
	}
	handleIn struct {
		QueueUrl          string
		ReceiptHandle     string
		VisibilityTimeout int
	}
	batchEntry struct {
		Id            string
		ReceiptHandle string
	}
	batchIn struct {
		QueueUrl string
		Entries  []batchEntry
	}
	batchResultEntry struct {
		Id          string
		Code        string `json:",omitempty"`
		Message     string `json:",omitempty"`
		SenderFault bool   `json:",omitempty"`
	}
	queueIn struct {
		QueueName  string
		QueueUrl   string
		Attributes map[string]string
	}
)

// apiError is an error answer.
type apiError struct {
	status int
	code   string
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, apiError{http.StatusBadRequest, "InvalidAction", "not an AWS JSON 1.0 SQS request"})
		return
	}
	var in json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, apiError{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	s.mu.Lock()
	s.calls[action]++
	var out any
	var aerr *apiError
	if codes := s.faults[action]; len(codes) > 0 {
		s.faults[action] = codes[1:]
		status := http.StatusBadRequest
		if strings.Contains(codes[0], "Internal") || strings.Contains(codes[0], "Unavailable") {
			status = http.StatusInternalServerError
		}
		aerr = &apiError{status, codes[0], "injected failure"}
	} else {
		out, aerr = s.do(action, in)
	}
	s.mu.Unlock()
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// do runs one action under s.mu.
func (s *Server) do(action string, raw json.RawMessage) (any, *apiError) {
	switch action {
	case "CreateQueue":
		var in queueIn
		if err := json.Unmarshal(raw, &in); err != nil || in.QueueName == "" {
			return nil, badRequest("QueueName is required")
		}
		q := s.queue(in.QueueName)
		if v, ok := in.Attributes["VisibilityTimeout"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, badRequest("VisibilityTimeout is not a number")
			}
			q.visibility = time.Duration(n) * time.Second
		}
		return map[string]string{"QueueUrl": s.queueURL(in.QueueName)}, nil
	case "GetQueueUrl":
		var in queueIn
		_ = json.Unmarshal(raw, &in)
		if s.queues[in.QueueName] == nil {
			return nil, noQueue()
		}
		return map[string]string{"QueueUrl": s.queueURL(in.QueueName)}, nil
	case "GetQueueAttributes":
		var in queueIn
		_ = json.Unmarshal(raw, &in)
		q := s.queues[queueName(in.QueueUrl)]
		if q == nil {
			return nil, noQueue()
		}
		visible, inflight := 0, 0
		for _, m := range q.msgs {
			switch {
			case m.deleted:
			case m.visibleAt.After(s.now):
				inflight++
			default:
				visible++
			}
		}
		return map[string]map[string]string{"Attributes": {
			"ApproximateNumberOfMessages":           strconv.Itoa(visible),
			"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inflight),
			"VisibilityTimeout":                     strconv.Itoa(int(q.visibility / time.Second)),
		}}, nil
	case "SendMessage":
		var in sendIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, badRequest(err.Error())
		}
		q := s.queues[queueName(in.QueueUrl)]
		if q == nil {
			return nil, noQueue()
		}
		id := s.send(q, in.MessageBody, time.Duration(in.DelaySeconds)*time.Second)
		return map[string]string{"MessageId": id, "MD5OfMessageBody": md5Hex(in.MessageBody)}, nil
	case "ReceiveMessage":
		return s.receive(raw)
	case "DeleteMessage":
		var in handleIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, badRequest(err.Error())
		}
		if aerr := s.delete(in.QueueUrl, in.ReceiptHandle); aerr != nil {
			return nil, aerr
		}
		return struct{}{}, nil
	case "DeleteMessageBatch":
		var in batchIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, badRequest(err.Error())
		}
		ok, failed := []batchResultEntry{}, []batchResultEntry{}
		for _, e := range in.Entries {
			if aerr := s.delete(in.QueueUrl, e.ReceiptHandle); aerr != nil {
				failed = append(failed, batchResultEntry{Id: e.Id, Code: aerr.code, Message: aerr.msg, SenderFault: true})
				continue
			}
			ok = append(ok, batchResultEntry{Id: e.Id})
		}
		return map[string][]batchResultEntry{"Successful": ok, "Failed": failed}, nil
	case "ChangeMessageVisibility":
		var in handleIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, badRequest(err.Error())
		}
		q := s.queues[queueName(in.QueueUrl)]
		if q == nil {
			return nil, noQueue()
		}
		if in.VisibilityTimeout < 0 || in.VisibilityTimeout > 43200 {
			return nil, badRequest("VisibilityTimeout must be between 0 and 43200")
		}
		m, latest := q.byHandle(in.ReceiptHandle)
		switch {
		case m == nil:
			return nil, &apiError{http.StatusBadRequest, "ReceiptHandleIsInvalid", "unknown receipt handle"}
		case !latest || m.deleted:
			return nil, badRequest("the receipt handle has expired")
		case !m.visibleAt.After(s.now):
			return nil, &apiError{http.StatusBadRequest, "MessageNotInflight", "the message is not in flight"}
		}
		m.visibleAt = s.now.Add(time.Duration(in.VisibilityTimeout) * time.Second)
		return struct{}{}, nil
	}
	return nil, &apiError{http.StatusBadRequest, "InvalidAction", "sqsfake does not implement " + action}
}

// receive delivers up to MaxNumberOfMessages visible messages, hiding them for the
// visibility timeout.
func (s *Server) receive(raw json.RawMessage) (any, *apiError) {
	var in receiveIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, badRequest(err.Error())
	}
	q := s.queues[queueName(in.QueueUrl)]
	if q == nil {
		return nil, noQueue()
	}
	n := in.MaxNumberOfMessages
	if n == 0 {
		n = 1
	}
	if n < 1 || n > 10 || in.WaitTimeSeconds < 0 || in.WaitTimeSeconds > 20 {
		return nil, badRequest("MaxNumberOfMessages must be 1–10 and WaitTimeSeconds 0–20")
	}
	vis := q.visibility
	if in.VisibilityTimeout != nil {
		vis = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	attrs := len(in.AttributeNames)+len(in.MessageSystemAttributeNames) > 0
	out := []wireMessage{}
	for _, m := range q.msgs {
		if len(out) == n {
			break
		}
		if m.deleted || m.visibleAt.After(s.now) {
			continue
		}
		s.seq++
		m.handle = fmt.Sprintf("%s#%d", m.id, s.seq)
		m.receives++
		if m.receives == 1 {
			m.firstRecv = s.now
		}
		m.visibleAt = s.now.Add(vis)
		w := wireMessage{MessageId: m.id, ReceiptHandle: m.handle, Body: m.body, MD5OfBody: md5Hex(m.body)}
		if attrs {
			w.Attributes = map[string]string{
				"ApproximateReceiveCount":          strconv.Itoa(m.receives),
				"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
				"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
			}
		}
		out = append(out, w)
	}
	return map[string][]wireMessage{"Messages": out}, nil
}

// delete deletes the message of handle when handle is its latest; with an older handle it
// succeeds without deleting, as SQS does.
func (s *Server) delete(queueURL, handle string) *apiError {
	q := s.queues[queueName(queueURL)]
	if q == nil {
		return noQueue()
	}
	m, latest := q.byHandle(handle)
	if m == nil {
		return &apiError{http.StatusBadRequest, "ReceiptHandleIsInvalid", "unknown receipt handle"}
	}
	if latest {
		m.deleted = true
	}
	return nil
}

func (q *queue) byHandle(handle string) (m *message, latest bool) {
	id, _, ok := strings.Cut(handle, "#")
	if !ok {
		return nil, false
	}
	for _, m := range q.msgs {
		if m.id == id {
			return m, m.handle == handle
		}
	}
	return nil, false
}

func (s *Server) queue(name string) *queue {
	q := s.queues[name]
	if q == nil {
		q = &queue{name: name, visibility: DefaultVisibility}
		s.queues[name] = q
	}
	return q
}

func (s *Server) send(q *queue, body string, delay time.Duration) string {
	s.seq++
	id := fmt.Sprintf("%08d-0000-4000-8000-%012d", s.seq, s.seq)
	q.msgs = append(q.msgs, &message{id: id, body: body, sent: s.now, visibleAt: s.now.Add(delay)})
	return id
}

func (s *Server) queueURL(name string) string { return s.srv.URL + "/000000000000/" + name }

// queueName is the last path segment of a queue URL.
func queueName(url string) string {
	return url[strings.LastIndexByte(url, '/')+1:]
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func badRequest(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", msg}
}

func noQueue() *apiError {
	return &apiError{http.StatusBadRequest, "QueueDoesNotExist", "the specified queue does not exist"}
}

func writeError(w http.ResponseWriter, e apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Query-Error", e.code+";Sender")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.code, "message": e.msg})
}
