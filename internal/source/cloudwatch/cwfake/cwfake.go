// Package cwfake is an in-process fake of the CloudWatch Logs API for tests: an http.Handler
// speaking AWS JSON 1.1 (X-Amz-Target Logs_20140328.<Operation>) that the real SDK client
// reaches through its endpoint setting. It serves FilterLogEvents, DescribeLogGroups, and the
// Logs Insights pair StartQuery/GetQueryResults, and scripts the quirks a collector must survive
// (CLOUD-LOGS.md §1): events that become visible late, tiny pages, empty pages carrying a token,
// throttling on a share of calls, and many groups over several DescribeLogGroups pages.
//
// Typical use:
//
//	fake := cwfake.New(cwfake.Options{Now: clock.Now})
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	fake.PutEvents("/app", cwfake.Event{Stream: "s1", Timestamp: t0, Message: "hello"})
//	client := cwfake.NewClient(srv.URL) // or an awsx.Account with endpoint: srv.URL
//
// A Server is safe for concurrent use: tests may add events and change quirks while a client
// is reading.
package cwfake

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// Region and Account are what the fake reports in ARNs.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Event is one log event to add.
type Event struct {
	Stream    string
	Timestamp time.Time
	Message   string
	// VisibleAt is when the event becomes visible to reads (its ingestion time); zero: at
	// Timestamp. Set it later than Timestamp to script a late arrival.
	VisibleAt time.Time
}

// Options configure a Server.
type Options struct {
	// Now is the fake's clock, deciding which events are visible; nil: time.Now.
	Now func() time.Time
	// Seed seeds the throttling draw (the same seed gives the same sequence of throttles).
	Seed uint64
}

// Quirks script the service's awkward behaviours. The zero value behaves plainly.
type Quirks struct {
	// PageSize caps the events of one FilterLogEvents page (0: the request's limit or 10,000).
	PageSize int
	// EmptyPageEvery makes every n-th FilterLogEvents answer an empty page that still carries
	// a token (0: never).
	EmptyPageEvery int
	// ThrottleShare is the share of calls (0 to 1) answered with a ThrottlingException.
	ThrottleShare float64
	// GroupPageSize caps the groups of one DescribeLogGroups page (0: the request's limit or 50).
	GroupPageSize int
	// QueryPolls is how many GetQueryResults calls answer "Running" before the final status.
	QueryPolls int
	// QueryStatus is a query's final status (default "Complete"; "Failed", "Cancelled" and
	// "Timeout" script failures).
	QueryStatus string
}

// QueryFunc answers a Logs Insights query with its result rows. The default returns one row
// per visible event of the queried groups and time range (@timestamp, @message, @logStream,
// @log, @ptr), filtered by a `filter @message like /re/` clause when the query has one.
type QueryFunc func(q Query) [][]Field

// Query is a started Logs Insights query.
type Query struct {
	Groups      []string
	Start, End  time.Time
	QueryString string
	Limit       int
}

// Field is one field of a query result row.
type Field struct{ Name, Value string }

// Server is the fake service.
type Server struct {
	now func() time.Time

	mu       sync.Mutex
	rnd      *rand.Rand
	quirks   Quirks
	groups   map[string]*group
	seq      int64
	calls    map[string]int
	throttle int
	filters  int // FilterLogEvents answers, for EmptyPageEvery
	queries  map[string]*query
	queryFn  QueryFunc
}

type group struct {
	name    string
	created int64
	events  []stored // sorted by (timestamp, ingestion, seq)
	sorted  bool
}

type stored struct {
	id      string
	stream  string
	ts, ing int64 // milliseconds
	seq     int64
	message string
}

type query struct {
	polls  int
	rows   [][]Field
	status string
}

// New returns an empty fake.
func New(o Options) *Server {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Server{
		now:     now,
		rnd:     rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)),
		groups:  map[string]*group{},
		calls:   map[string]int{},
		queries: map[string]*query{},
	}
}

// NewClient returns a real SDK client for the fake at url, with static test credentials and
// the SDK's retries off (so that every throttle reaches the caller).
func NewClient(url string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", ""),
		RetryMaxAttempts: 1,
	})
}

// SetQuirks replaces the scripted quirks.
func (s *Server) SetQuirks(q Quirks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quirks = q
}

// SetQueryFunc replaces how Logs Insights queries are answered (nil: the default).
func (s *Server) SetQueryFunc(f QueryFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queryFn = f
}

// CreateLogGroup adds empty log groups (existing ones are kept).
func (s *Server) CreateLogGroup(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.group(n)
	}
}

func (s *Server) group(name string) *group {
	g := s.groups[name]
	if g == nil {
		g = &group{name: name, created: s.now().UnixMilli(), sorted: true}
		s.groups[name] = g
	}
	return g
}

// PutEvents adds events to a log group (created if needed) and returns their event ids.
func (s *Server) PutEvents(groupName string, evs ...Event) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(groupName)
	ids := make([]string, len(evs))
	for i, e := range evs {
		s.seq++
		ts := e.Timestamp.UnixMilli()
		ing := ts
		if !e.VisibleAt.IsZero() {
			ing = e.VisibleAt.UnixMilli()
		}
		st := stored{id: fmt.Sprintf("%026d%030d", ts, s.seq), stream: e.Stream, ts: ts, ing: ing, seq: s.seq, message: e.Message}
		if n := len(g.events); n > 0 && less(st, g.events[n-1]) {
			g.sorted = false
		}
		g.events = append(g.events, st)
		ids[i] = st.id
	}
	return ids
}

func less(a, b stored) bool { return compare(a, b) < 0 }

func compare(a, b stored) int {
	return cmp.Or(cmp.Compare(a.ts, b.ts), cmp.Compare(a.ing, b.ing), cmp.Compare(a.seq, b.seq))
}

// Calls returns how many calls of api (FilterLogEvents, DescribeLogGroups, …) the fake
// received, throttled ones included.
func (s *Server) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

// Throttled returns how many calls were answered with a ThrottlingException.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttle
}

// apiError is an AWS JSON 1.1 error answer.
type apiError struct {
	status int
	typ    string
	msg    string
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "Logs_20140328.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, apiError{http.StatusBadRequest, "UnknownOperationException", "unknown target " + target})
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, apiError{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, apiError{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if s.quirks.ThrottleShare > 0 && s.rnd.Float64() < s.quirks.ThrottleShare {
		s.throttle++
		writeError(w, apiError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"})
		return
	}
	var (
		out  any
		fail *apiError
	)
	switch op {
	case "FilterLogEvents":
		out, fail = s.filterLogEvents(body)
	case "DescribeLogGroups":
		out, fail = s.describeLogGroups(body)
	case "StartQuery":
		out, fail = s.startQuery(body)
	case "GetQueryResults":
		out, fail = s.getQueryResults(body)
	default:
		fail = &apiError{http.StatusBadRequest, "UnknownOperationException", "operation " + op + " is not faked"}
	}
	if fail != nil {
		writeError(w, *fail)
		return
	}
	b, merr := json.Marshal(out)
	if merr != nil {
		writeError(w, apiError{http.StatusInternalServerError, "InternalFailure", merr.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b) // a failed write is the client's problem
}

func writeError(w http.ResponseWriter, e apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}

func invalid(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterException", msg}
}

// field decodes one member of a request body into v (absent: left unchanged).
func field(body map[string]json.RawMessage, name string, v any) *apiError {
	raw, ok := body[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &apiError{http.StatusBadRequest, "SerializationException", name + ": " + err.Error()}
	}
	return nil
}

// groupName resolves a logGroupName or logGroupIdentifier (a name or an ARN).
func (s *Server) groupName(body map[string]json.RawMessage) (*group, *apiError) {
	var name, ident string
	if e := cmp.Or(field(body, "logGroupName", &name), field(body, "logGroupIdentifier", &ident)); e != nil {
		return nil, e
	}
	if (name == "") == (ident == "") {
		return nil, invalid("exactly one of logGroupName and logGroupIdentifier is required")
	}
	if ident != "" {
		name = ident
		if rest, ok := strings.CutPrefix(ident, "arn:"); ok {
			_, after, found := strings.Cut(rest, ":log-group:")
			if !found {
				return nil, invalid("malformed log group ARN " + ident)
			}
			name = strings.TrimSuffix(after, ":*")
		}
	}
	g := s.groups[name]
	if g == nil {
		return nil, &apiError{http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist."}
	}
	return g, nil
}

// filterToken is the fake's pagination token: the sort key of the last event returned.
type filterToken struct {
	TS, Ing, Seq int64
	Nonce        int
}

func (s *Server) filterLogEvents(body map[string]json.RawMessage) (any, *apiError) {
	g, e := s.groupName(body)
	if e != nil {
		return nil, e
	}
	var (
		start, end     *int64
		limit          int
		token, pattern string
		prefix         string
		streams        []string
	)
	if e := cmp.Or(field(body, "startTime", &start), field(body, "endTime", &end), field(body, "limit", &limit),
		field(body, "nextToken", &token), field(body, "filterPattern", &pattern),
		field(body, "logStreamNamePrefix", &prefix), field(body, "logStreamNames", &streams)); e != nil {
		return nil, e
	}
	if _, ok := body["nextToken"]; ok && token == "" {
		return nil, invalid("1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if prefix != "" && len(streams) > 0 {
		return nil, invalid("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	if !g.sorted {
		slices.SortFunc(g.events, compare)
		g.sorted = true
	}
	after := stored{ts: -1 << 62}
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		var t filterToken
		if err != nil || json.Unmarshal(raw, &t) != nil {
			return nil, invalid("The specified nextToken is invalid.")
		}
		after = stored{ts: t.TS, ing: t.Ing, seq: t.Seq}
	}
	s.filters++
	size := cmp.Or(limit, 10000)
	if s.quirks.PageSize > 0 && s.quirks.PageSize < size {
		size = s.quirks.PageSize
	}
	type outEvent struct {
		EventID       string `json:"eventId"`
		LogStreamName string `json:"logStreamName"`
		Timestamp     int64  `json:"timestamp"`
		IngestionTime int64  `json:"ingestionTime"`
		Message       string `json:"message"`
	}
	out := struct {
		Events             []outEvent `json:"events"`
		NextToken          *string    `json:"nextToken,omitempty"`
		SearchedLogStreams []any      `json:"searchedLogStreams"`
	}{Events: []outEvent{}, SearchedLogStreams: []any{}}
	mkToken := func(last stored) *string {
		raw, _ := json.Marshal(filterToken{TS: last.ts, Ing: last.ing, Seq: last.seq, Nonce: s.filters})
		t := base64.RawURLEncoding.EncodeToString(raw)
		return &t
	}
	if n := s.quirks.EmptyPageEvery; n > 0 && s.filters%n == 0 {
		out.NextToken = mkToken(after)
		return out, nil
	}
	now := s.now().UnixMilli()
	match := matcher(pattern)
	// First event after the token's position, found by the sort order.
	i, _ := slices.BinarySearchFunc(g.events, after, func(a, b stored) int {
		if compare(a, b) <= 0 {
			return -1
		}
		return 1
	})
	if start != nil {
		j, _ := slices.BinarySearchFunc(g.events, *start, func(a stored, t int64) int { return cmp.Compare(a.ts, t) })
		i = max(i, j)
	}
	last, more := after, false
	for ; i < len(g.events); i++ {
		ev := g.events[i]
		if end != nil && ev.ts > *end {
			break
		}
		if ev.ing > now || !streamMatch(ev.stream, prefix, streams) || !match(ev.message) {
			continue
		}
		if len(out.Events) == size {
			more = true
			break
		}
		out.Events = append(out.Events, outEvent{ev.id, ev.stream, ev.ts, ev.ing, ev.message})
		last = ev
	}
	if more || len(out.Events) == size {
		out.NextToken = mkToken(last) // a full page may be followed by an empty last one
	}
	return out, nil
}

func streamMatch(stream, prefix string, names []string) bool {
	if len(names) > 0 {
		return slices.Contains(names, stream)
	}
	return strings.HasPrefix(stream, prefix)
}

// matcher approximates a filter pattern: every term (quoted phrases kept whole) must occur in
// the message. JSON and space-delimited patterns are not faked.
func matcher(pattern string) func(string) bool {
	var terms []string
	for rest := strings.TrimSpace(pattern); rest != ""; rest = strings.TrimSpace(rest) {
		if rest[0] == '"' {
			if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
				terms = append(terms, rest[1:1+j])
				rest = rest[j+2:]
				continue
			}
		}
		t, r, _ := strings.Cut(rest, " ")
		terms, rest = append(terms, t), r
	}
	return func(m string) bool {
		for _, t := range terms {
			if !strings.Contains(m, t) {
				return false
			}
		}
		return true
	}
}

func (s *Server) describeLogGroups(body map[string]json.RawMessage) (any, *apiError) {
	var (
		limit         int
		token, prefix string
		pattern       string
	)
	if e := cmp.Or(field(body, "limit", &limit), field(body, "nextToken", &token),
		field(body, "logGroupNamePrefix", &prefix), field(body, "logGroupNamePattern", &pattern)); e != nil {
		return nil, e
	}
	if _, ok := body["logGroupNamePrefix"]; ok && prefix == "" {
		return nil, invalid("1 validation error detected: Value '' at 'logGroupNamePrefix' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if prefix != "" && pattern != "" {
		return nil, invalid("logGroupNamePrefix and logGroupNamePattern are mutually exclusive")
	}
	if limit < 0 || limit > 50 {
		return nil, invalid("limit must be between 1 and 50")
	}
	size := cmp.Or(limit, 50)
	if s.quirks.GroupPageSize > 0 && s.quirks.GroupPageSize < size {
		size = s.quirks.GroupPageSize
	}
	var names []string
	for n := range s.groups {
		if strings.HasPrefix(n, prefix) && strings.Contains(n, pattern) && n > token {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	type outGroup struct {
		LogGroupName string `json:"logGroupName"`
		Arn          string `json:"arn"`
		LogGroupArn  string `json:"logGroupArn"`
		CreationTime int64  `json:"creationTime"`
		StoredBytes  int64  `json:"storedBytes"`
	}
	out := struct {
		LogGroups []outGroup `json:"logGroups"`
		NextToken *string    `json:"nextToken,omitempty"`
	}{LogGroups: []outGroup{}}
	for i, n := range names {
		if i == size {
			last := names[i-1]
			out.NextToken = &last
			break
		}
		arn := "arn:aws:logs:" + Region + ":" + Account + ":log-group:" + n
		out.LogGroups = append(out.LogGroups, outGroup{n, arn + ":*", arn, s.groups[n].created, 0})
	}
	return out, nil
}

func (s *Server) startQuery(body map[string]json.RawMessage) (any, *apiError) {
	var (
		one         string
		names, ids  []string
		start, end  *int64
		queryString string
		limit       int
	)
	if e := cmp.Or(field(body, "logGroupName", &one), field(body, "logGroupNames", &names),
		field(body, "logGroupIdentifiers", &ids), field(body, "startTime", &start), field(body, "endTime", &end),
		field(body, "queryString", &queryString), field(body, "limit", &limit)); e != nil {
		return nil, e
	}
	if one != "" {
		names = append(names, one)
	}
	names = append(names, ids...)
	if len(names) == 0 || start == nil || end == nil || queryString == "" {
		return nil, invalid("log groups, startTime, endTime and queryString are required")
	}
	if *end < *start {
		return nil, invalid("endTime is before startTime")
	}
	q := Query{Start: time.Unix(*start, 0).UTC(), End: time.Unix(*end, 0).UTC(), QueryString: queryString, Limit: cmp.Or(limit, 10000)}
	for _, n := range names {
		b, _ := json.Marshal(map[string]string{"logGroupIdentifier": n})
		var req map[string]json.RawMessage
		_ = json.Unmarshal(b, &req)
		g, e := s.groupName(req)
		if e != nil {
			return nil, e
		}
		q.Groups = append(q.Groups, g.name)
	}
	fn := s.queryFn
	if fn == nil {
		fn = s.defaultQuery
	}
	rows := fn(q)
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	id := fmt.Sprintf("%08x-fake-4000-8000-%012x", len(s.queries)+1, s.now().UnixNano()&0xffffffffffff)
	s.queries[id] = &query{rows: rows, status: cmp.Or(s.quirks.QueryStatus, "Complete"), polls: s.quirks.QueryPolls}
	return map[string]string{"queryId": id}, nil
}

var likeRE = regexp.MustCompile(`filter\s+@message\s+like\s+/((?:[^/\\]|\\.)*)/`)

// defaultQuery is the QueryFunc used when none is set; the caller holds s.mu.
func (s *Server) defaultQuery(q Query) [][]Field {
	var re *regexp.Regexp
	if m := likeRE.FindStringSubmatch(q.QueryString); m != nil {
		re, _ = regexp.Compile(m[1]) // an invalid expression matches everything
	}
	now := s.now().UnixMilli()
	from, to := q.Start.UnixMilli(), q.End.UnixMilli()+999
	var rows [][]Field
	for _, name := range q.Groups {
		for _, ev := range s.groups[name].events {
			if ev.ts < from || ev.ts > to || ev.ing > now || (re != nil && !re.MatchString(ev.message)) {
				continue
			}
			rows = append(rows, []Field{
				{"@timestamp", time.UnixMilli(ev.ts).UTC().Format("2006-01-02 15:04:05.000")},
				{"@message", ev.message},
				{"@logStream", ev.stream},
				{"@log", Account + ":" + name},
				{"@ptr", ev.id},
			})
		}
	}
	return rows
}

func (s *Server) getQueryResults(body map[string]json.RawMessage) (any, *apiError) {
	var id string
	if e := field(body, "queryId", &id); e != nil {
		return nil, e
	}
	q := s.queries[id]
	if q == nil {
		return nil, &apiError{http.StatusBadRequest, "ResourceNotFoundException", "query " + id + " does not exist"}
	}
	type resultField struct {
		Field string `json:"field"`
		Value string `json:"value"`
	}
	out := struct {
		Status     string          `json:"status"`
		Results    [][]resultField `json:"results"`
		Statistics struct {
			RecordsMatched float64 `json:"recordsMatched"`
		} `json:"statistics"`
	}{Results: [][]resultField{}}
	if q.polls > 0 {
		q.polls--
		out.Status = "Running"
		return out, nil
	}
	out.Status = q.status
	if q.status == "Complete" {
		for _, row := range q.rows {
			r := make([]resultField, len(row))
			for i, f := range row {
				r[i] = resultField{f.Name, f.Value}
			}
			out.Results = append(out.Results, r)
		}
		out.Statistics.RecordsMatched = float64(len(q.rows))
	}
	return out, nil
}
