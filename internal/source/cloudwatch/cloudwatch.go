// Package cloudwatch is picket's CloudWatch Logs source (type aws_cloudwatch): it polls
// FilterLogEvents over the configured log groups and hands each log event to the pipeline.
//
// Each group keeps a checkpoint time T. A poll reads, for every group, event timestamps
// [start, now) where start = T − lag (never moving backwards), pages until the service returns
// no token (an empty page with a token is not the end), and drops events already delivered by
// their eventId: the ids of the overlap are kept with the checkpoint, so a restart delivers
// nothing twice. An event ingested more than lag after its timestamp raises the lag (up to
// max_lag) so that the next such event is not missed. Checkpoints move only after the sink
// accepted the batch holding the events they cover.
//
// Calls go through a token bucket shared per account and region (see Limiters); throttled and
// transient answers are retried with exponential back-off and full jitter. Groups are read
// page by page in turn, so a busy group does not starve the others.
package cloudwatch

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"picket/internal/awsx"
	"picket/internal/event"
	"picket/internal/source"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// groupRefresh is how long a resolved list of log groups is used before it is listed again.
const groupRefresh = 5 * time.Minute

// logsAPI is the part of the CloudWatch Logs client the source calls. Poll calls it from one
// goroutine at a time; errors are the SDK's (smithy.APIError for service answers).
type logsAPI interface {
	// FilterLogEvents reads one page of a group's events.
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
	// DescribeLogGroups lists one page of log groups, to resolve names and prefixes.
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// Source reads the log groups of one account and region.
type Source struct {
	name    string
	cfg     Config
	api     logsAPI
	d       source.Deps
	log     *slog.Logger
	limiter *Limiter
	retry   backoff
	framer  framer
	forced  *event.LogSource

	groups   []groupRef
	groupsAt time.Time
	states   map[string]*groupState // by group key; loaded from the checkpoints once
	startAt  time.Time              // start_at, resolved at the first poll
}

// groupRef is one resolved log group.
type groupRef struct {
	key   string // name, or ARN for groups given by ARN: the checkpoint key suffix
	ident string // what FilterLogEvents is given (name or ARN)
	byARN bool
}

// New builds the source of one instance (see Expand) with the SDK client of its account and
// region. It contacts no service: credentials are fetched at the first call. limiters is the
// registry shared by all sources of the process (nil: this source gets a limiter of its own).
func New(ctx context.Context, name string, c Config, d source.Deps, limiters *Limiters) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	cfg, err := awsx.Load(ctx, c.Account, c.Region, name, 1) // retries are ours, to count throttles
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	client := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return NewWithClient(name, c, client, d, limiters)
}

// NewWithClient builds a source around api (a *cloudwatchlogs.Client or a test double); the
// rest is as New.
func NewWithClient(name string, c Config, api logsAPI, d source.Deps, limiters *Limiters) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	flow, err := c.flowFormat()
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d.Status.Register(name, Type)
	return &Source{
		name:    name,
		cfg:     c,
		api:     api,
		d:       d,
		log:     log.With("source", name),
		limiter: limiters.For(c.Account, c.Region, c.MaxTPS),
		retry:   defaultBackoff(),
		framer:  framer{format: c.Format, flow: flow},
		forced:  c.logSource(),
		states:  map[string]*groupState{},
	}, nil
}

// Name returns the source's configured name.
func (s *Source) Name() string { return s.name }

// Poll reads every group from its checkpoint to now. See the package documentation.
func (s *Source) Poll(ctx context.Context, sink source.Sink) (err error) {
	p := &poll{s: s, sink: sink, pending: map[string]bool{}}
	defer func() {
		if err != nil {
			// The daemon counts the failure (Metrics.Errors). What was read but not checkpointed is forgotten: the next poll starts again
			// from the stored checkpoints.
			for key := range p.pending {
				delete(s.states, key)
			}
		}
	}()
	if s.startAt.IsZero() {
		s.startAt, err = parseStartAt(s.cfg.StartAt, s.d.Clock())
		if err != nil {
			return fmt.Errorf("source %q: %w", s.name, err)
		}
	}
	groups, err := s.resolve(ctx)
	if err != nil {
		return err
	}
	end := s.d.Clock().UnixMilli()
	var active []*readState
	for _, g := range groups {
		st, err := s.state(ctx, g)
		if err != nil {
			return err
		}
		st.end, st.token, st.done, st.reached = end, nil, false, 0
		p.pending[g.key] = true
		if st.start >= end {
			st.done = true
			continue
		}
		active = append(active, &readState{g: g, st: st})
	}
	// Round robin: one page of each group in turn.
	for len(active) > 0 {
		next := active[:0]
		for _, r := range active {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := p.page(ctx, r); err != nil {
				return err
			}
			if !r.st.done {
				next = append(next, r)
			}
			if p.n >= s.cfg.MaxBatch {
				if err := p.flush(ctx); err != nil {
					return err
				}
			}
		}
		active = next
	}
	return p.flush(ctx)
}

// readState is one group being read in a poll.
type readState struct {
	g  groupRef
	st *groupState
}

// poll holds the records read and not yet accepted by the sink.
type poll struct {
	s       *Source
	sink    source.Sink
	batches [numKinds][]source.Record
	skipped map[string]int
	bytes   int
	n       int
	pending map[string]bool // groups changed since their last checkpoint
}

// state returns a group's state, loading its checkpoint or starting it.
func (s *Source) state(ctx context.Context, g groupRef) (*groupState, error) {
	if st := s.states[g.key]; st != nil {
		return st, nil
	}
	cur, ok, err := s.d.Checkpoints.Checkpoint(ctx, s.checkpointKey(g))
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoint of log group %q: %w", g.key, err)
	}
	var st *groupState
	if ok {
		if st, err = decodeState(cur); err != nil {
			return nil, fmt.Errorf("log group %q: %w", g.key, err)
		}
		st.lag = max(st.lag, s.cfg.Lag)
	} else {
		// Not the group's creation time: a new group may receive events dated before it.
		st = &groupState{t: s.startAt.UnixMilli(), lag: s.cfg.Lag, seen: map[uint64]int64{}}
		st.start = max(0, st.t-st.lag.Milliseconds())
	}
	s.states[g.key] = st
	return st, nil
}

func (s *Source) checkpointKey(g groupRef) string {
	return "source/" + Type + "/" + s.name + "/" + g.key
}

// page reads one page of a group and frames its events.
func (p *poll) page(ctx context.Context, r *readState) error {
	s, st := p.s, r.st
	in := &cloudwatchlogs.FilterLogEventsInput{
		StartTime: aws.Int64(st.start),
		EndTime:   aws.Int64(st.end - 1), // endTime is inclusive
		NextToken: st.token,
	}
	if r.g.byARN {
		in.LogGroupIdentifier = aws.String(r.g.ident)
	} else {
		in.LogGroupName = aws.String(r.g.ident)
	}
	if len(s.cfg.LogStreamNames) > 0 {
		in.LogStreamNames = s.cfg.LogStreamNames
	}
	if s.cfg.LogStreamPrefix != "" {
		in.LogStreamNamePrefix = aws.String(s.cfg.LogStreamPrefix)
	}
	if s.cfg.FilterPattern != "" {
		in.FilterPattern = aws.String(s.cfg.FilterPattern)
	}
	out, err := call(ctx, s, "FilterLogEvents", func(ctx context.Context) (*cloudwatchlogs.FilterLogEventsOutput, error) {
		return s.api.FilterLogEvents(ctx, in)
	})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException" {
			s.log.Info("log group no longer exists", "log_group", r.g.key)
			s.groupsAt = time.Time{} // list the groups again at the next poll
			st.done = true
			return nil
		}
		return fmt.Errorf("reading log group %q: %w", r.g.key, err)
	}
	for i := range out.Events {
		p.add(r, &out.Events[i])
	}
	if out.NextToken == nil || *out.NextToken == "" {
		st.done = true
		return nil
	}
	if st.token != nil && *st.token == *out.NextToken && len(out.Events) == 0 {
		// The same token again with nothing: treat as the end rather than loop.
		st.done = true
		return nil
	}
	st.token = out.NextToken
	return nil
}

// add frames one event unless it was delivered already.
func (p *poll) add(r *readState, ev *types.FilteredLogEvent) {
	s, st := p.s, r.st
	ts := aws.ToInt64(ev.Timestamp)
	stream, id := aws.ToString(ev.LogStreamName), aws.ToString(ev.EventId)
	h := idHash(stream, id)
	if _, dup := st.seen[h]; dup {
		return
	}
	st.seen[h] = ts
	st.reached = max(st.reached, ts)
	st.dirty = true
	if ing := aws.ToInt64(ev.IngestionTime); ing > 0 {
		if late := time.Duration(ing-ts) * time.Millisecond; late > st.lag && st.lag < s.cfg.MaxLag {
			raised := min(s.cfg.MaxLag, (late + late/2).Round(time.Second))
			s.log.Info("raising the lag after a late event", "log_group", r.g.key, "late", late, "lag", raised)
			st.lag = raised
		}
	}
	msg := []byte(aws.ToString(ev.Message))
	p.bytes += len(msg)
	data, text, kind, skip := s.framer.frame(msg)
	if skip != "" {
		if p.skipped == nil {
			p.skipped = map[string]int{}
		}
		p.skipped[skip]++
		return
	}
	if s.forced != nil {
		kind = kindDetect
	}
	p.batches[kind] = append(p.batches[kind], source.Record{
		Data:   data,
		Text:   text,
		ID:     id,
		Time:   time.UnixMilli(ts).UTC(),
		Origin: r.g.key + "/" + stream,
	})
	p.n++
}

// flush hands the records read to the sink, then checkpoints every group changed.
func (p *poll) flush(ctx context.Context) error {
	s := p.s
	for k := range p.batches {
		recs := p.batches[k]
		if len(recs) == 0 && (k != int(kindDetect) || len(p.skipped) == 0) {
			continue
		}
		ls := kindLogSource(shapeKind(k))
		if s.forced != nil {
			ls = s.forced
		}
		b := &source.Batch{Records: recs, LogSource: ls}
		if k == int(kindDetect) {
			b.Skipped = p.skipped
		}
		if err := p.sink.Process(ctx, s.name, b); err != nil {
			return fmt.Errorf("processing %d records: %w", len(recs), err)
		}
		s.d.Metrics.Records.WithLabelValues(s.name).Add(float64(len(recs)))
		s.d.Status.AddRecords(s.name, len(recs))
		for reason, n := range b.Skipped {
			s.d.Metrics.Skipped.WithLabelValues(s.name, reason).Add(float64(n))
		}
		p.batches[k] = nil
		if k == int(kindDetect) {
			p.skipped = nil
		}
	}
	s.d.Metrics.Bytes.WithLabelValues(s.name).Add(float64(p.bytes))
	p.bytes, p.n = 0, 0
	return p.checkpoint(ctx)
}

// checkpoint writes the checkpoint of every group changed since its last write.
func (p *poll) checkpoint(ctx context.Context) error {
	s := p.s
	keys := make([]string, 0, len(p.pending))
	for k := range p.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		st := s.states[key]
		t := st.reached
		if st.done {
			t = st.end
		}
		if t == 0 && !st.dirty {
			continue // nothing read yet in this poll
		}
		if n := st.advance(t); n > 0 {
			s.log.Warn("too many events in the overlap window: forgot the oldest event ids", "log_group", key, "forgotten", n)
		}
		cur, err := st.encode()
		if err != nil {
			return fmt.Errorf("encoding the checkpoint of log group %q: %w", key, err)
		}
		if err := s.d.Checkpoints.SetCheckpoint(ctx, "source/"+Type+"/"+s.name+"/"+key, cur); err != nil {
			return fmt.Errorf("saving the checkpoint of log group %q: %w", key, err)
		}
		st.dirty = false
		if st.done {
			delete(p.pending, key)
		}
	}
	s.report()
	return nil
}

// report publishes the oldest checkpoint as the source's lag and status.
func (s *Source) report() {
	var oldest int64 = -1
	for _, st := range s.states {
		if oldest < 0 || st.t < oldest {
			oldest = st.t
		}
	}
	if oldest < 0 {
		return
	}
	at := time.UnixMilli(oldest).UTC()
	s.d.Metrics.Lag.WithLabelValues(s.name).Set(s.d.Clock().Sub(at).Seconds())
	s.d.Status.SetCheckpoint(s.name, fmt.Sprintf("%s (oldest of %d log groups)", at.Format(time.RFC3339), len(s.states)), at)
}

// resolve returns the log groups to read, listing them again every groupRefresh.
func (s *Source) resolve(ctx context.Context) ([]groupRef, error) {
	now := s.d.Clock()
	if s.groups != nil && now.Sub(s.groupsAt) < groupRefresh {
		return s.groups, nil
	}
	byKey := map[string]groupRef{}
	list := func(prefix string, exact bool) error {
		in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix), Limit: aws.Int32(50)}
		for {
			out, err := call(ctx, s, "DescribeLogGroups", func(ctx context.Context) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
				return s.api.DescribeLogGroups(ctx, in)
			})
			if err != nil {
				return fmt.Errorf("listing log groups with prefix %q: %w", prefix, err)
			}
			for _, lg := range out.LogGroups {
				name := aws.ToString(lg.LogGroupName)
				if exact && name != prefix {
					continue
				}
				byKey[name] = groupRef{key: name, ident: name}
			}
			if out.NextToken == nil || *out.NextToken == "" {
				return nil
			}
			in.NextToken = out.NextToken
		}
	}
	for _, p := range s.cfg.LogGroupPrefixes {
		if err := list(p, false); err != nil {
			return s.staleGroups(err)
		}
	}
	for _, n := range s.cfg.LogGroups {
		if _, ok := byKey[n]; ok {
			continue
		}
		if err := list(n, true); err != nil {
			return s.staleGroups(err)
		}
		if _, ok := byKey[n]; !ok {
			s.log.Warn("log group not found", "log_group", n)
		}
	}
	for _, a := range s.cfg.LogGroupARNs {
		arn := strings.TrimSuffix(a, ":*")
		byKey[arn] = groupRef{key: arn, ident: arn, byARN: true}
	}
	groups := make([]groupRef, 0, len(byKey))
	for _, g := range byKey {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b groupRef) int { return strings.Compare(a.key, b.key) })
	s.groups, s.groupsAt = groups, now
	return groups, nil
}

// staleGroups keeps reading the groups listed before when listing them again failed.
func (s *Source) staleGroups(err error) ([]groupRef, error) {
	if s.groups == nil {
		return nil, err
	}
	s.log.Warn("listing log groups failed; reading the groups listed before", "err", err)
	return s.groups, nil
}

// call makes one API call under the rate budget, retrying throttled and transient answers.
func call[T any](ctx context.Context, s *Source, api string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	for attempt := 0; ; attempt++ {
		if err := s.limiter.Wait(ctx); err != nil {
			return zero, err
		}
		s.d.Metrics.APICalls.WithLabelValues(s.name, api).Inc()
		out, err := fn(ctx)
		if err == nil {
			return out, nil
		}
		retry, throttled := classify(err)
		if throttled {
			s.d.Metrics.Throttles.WithLabelValues(s.name, api).Inc()
		}
		if !retry || attempt+1 >= s.retry.attempts || ctx.Err() != nil {
			return zero, err
		}
		if !sleep(ctx, s.retry.delay(attempt)) {
			return zero, ctx.Err()
		}
	}
}
