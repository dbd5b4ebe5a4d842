package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"picket/internal/parse"
	"picket/internal/source"
)

// batch accumulates records; their data is copied into one arena, which stays valid until the
// sink returns.
type batch struct {
	arena   []byte
	recs    []source.Record
	spans   [][2]int
	skipped map[string]int
}

func (b *batch) add(r parse.Record, id, origin string, line int) {
	start := len(b.arena)
	b.arena = append(b.arena, r.Data...)
	b.spans = append(b.spans, [2]int{start, len(b.arena)})
	b.recs = append(b.recs, source.Record{Text: r.Text, ID: id, Time: r.Time, Origin: origin, Line: line})
}

func (b *batch) skip(reason string, n int) {
	if n <= 0 {
		return
	}
	if b.skipped == nil {
		b.skipped = map[string]int{}
	}
	b.skipped[reason] += n
}

func (b *batch) empty() bool { return len(b.recs) == 0 && len(b.skipped) == 0 }

func (b *batch) reset() {
	b.arena, b.recs, b.spans, b.skipped = b.arena[:0], b.recs[:0], b.spans[:0], nil
}

// counted are the reasons parse counts in Stats without returning a RecordError.
var counted = [...]string{parse.ReasonControlMessage, parse.ReasonDigest, parse.ReasonEmpty}

// countedSince adds to b the skips counted by rd since base, and returns the new base.
func countedSince(b *batch, rd *parse.Reader, base map[string]int) map[string]int {
	now := rd.Stats().Skipped
	for _, r := range counted {
		b.skip(r, now[r]-base[r])
	}
	return maps.Clone(now)
}

// process hands b to the sink and counts it. The caller saves the checkpoint afterwards.
func (s *Source) process(ctx context.Context, sink source.Sink, b *batch, bytesRead int64) error {
	for i, sp := range b.spans {
		b.recs[i].Data = b.arena[sp[0]:sp[1]:sp[1]]
	}
	err := sink.Process(ctx, s.name, &source.Batch{Records: b.recs, LogSource: s.logSource, Skipped: b.skipped})
	if err != nil {
		return &fatalError{fmt.Errorf("processing a batch: %w", err)}
	}
	m := s.d.Metrics
	m.Records.WithLabelValues(s.name).Add(float64(len(b.recs)))
	m.Bytes.WithLabelValues(s.name).Add(float64(bytesRead))
	for r, n := range b.skipped {
		m.Skipped.WithLabelValues(s.name, r).Add(float64(n))
	}
	s.d.Status.AddRecords(s.name, len(b.recs))
	return nil
}

func (s *Source) full(b *batch) bool {
	return len(b.recs) >= s.cfg.MaxBatch || len(b.arena) >= maxBatchBytes
}

func (s *Source) options(c *cursor) parse.Options {
	return parse.Options{Format: parse.Format(c.Format), MaxRecordSize: s.cfg.MaxRecordSize}
}

// readStream reads the complete lines after c.Offset. A batch ends only at a line start,
// which becomes the checkpoint.
func (s *Source) readStream(ctx context.Context, sink source.Sink, o opened, c *cursor) (bool, error) {
	end, err := lastLineEnd(o.f, c.Offset, o.size)
	if err != nil || end <= c.Offset {
		return err == nil, err
	}
	idx := newLineIndex(io.NewSectionReader(o.f, c.Offset, end-c.Offset), c.Offset)
	rd := parse.NewReader(idx, o.f.Name(), s.options(c))
	var (
		b         batch
		base      map[string]int
		lastLine  int
		ordinal   int
		lineShift = c.Lines // lines before the region
	)
	flush := func(next int64, linesBefore int) error {
		base = countedSince(&b, rd, base)
		if !b.empty() {
			if err := s.process(ctx, sink, &b, next-c.Offset); err != nil {
				return err
			}
			b.reset()
		}
		c.Offset, c.Lines = next, linesBefore
		return s.save(ctx, o.id, c)
	}
	for {
		rec, err := rd.Next()
		var re *parse.RecordError
		switch {
		case errors.As(err, &re):
			b.skip(re.Reason, 1)
			s.log.Debug("skipped a record", "path", o.f.Name(), "line", lineShift+re.Line, "err", re.Err)
			continue
		case errors.Is(err, io.EOF):
			return true, flush(end, lineShift+idx.newlines)
		case err != nil:
			return false, fmt.Errorf("reading %s: %w", o.f.Name(), err)
		}
		at := idx.start(rec.Line)
		if rec.Line != lastLine {
			if s.full(&b) {
				if err := flush(at, lineShift+rec.Line-1); err != nil {
					return false, err
				}
				if err := ctx.Err(); err != nil {
					return false, &fatalError{err}
				}
			}
			lastLine, ordinal = rec.Line, 0
		} else {
			ordinal++
		}
		b.add(rec, recordID(o.id, c.Gen, at, ordinal), o.f.Name(), lineShift+rec.Line)
	}
}

// readWhole reads a whole file from its start when its size changed since it was last read,
// skipping the c.Events results already processed.
func (s *Source) readWhole(ctx context.Context, sink source.Sink, o opened, c *cursor) (bool, error) {
	if c.Done || c.Offset == o.size { // read at this size already (or empty)
		return true, nil
	}
	gz := isGzip(o)
	endsNL := true
	if o.size > 0 {
		last := make([]byte, 1)
		if _, err := o.f.ReadAt(last, o.size-1); err != nil {
			return false, fmt.Errorf("reading %s: %w", o.f.Name(), err)
		}
		endsNL = last[0] == '\n'
	}
	rd := parse.NewReader(io.NewSectionReader(o.f, 0, o.size), o.f.Name(), s.options(c))
	var (
		b       batch
		base    map[string]int
		events  int64
		pending *parse.RecordError
		done    = c.Events
	)
	if done == 0 {
		base = map[string]int{}
	}
	commit := func() { // counts one result of the reader
		events++
		if events == done {
			base = maps.Clone(rd.Stats().Skipped)
		}
	}
	commitPending := func() {
		if pending != nil {
			commit()
			if events > done {
				b.skip(pending.Reason, 1)
			}
			pending = nil
		}
	}
	flush := func(final, clean bool) error {
		if base != nil {
			base = countedSince(&b, rd, base)
		}
		if !b.empty() {
			if err := s.process(ctx, sink, &b, 0); err != nil {
				return err
			}
			b.reset()
		}
		c.Events = events
		if final {
			c.Offset = o.size
			c.Done = gz && clean
			s.d.Metrics.Bytes.WithLabelValues(s.name).Add(float64(o.size))
		}
		return s.save(ctx, o.id, c)
	}
	for {
		rec, err := rd.Next()
		var re *parse.RecordError
		switch {
		case errors.As(err, &re):
			commitPending()
			pending = re
			continue
		case errors.Is(err, io.EOF):
			if gz || endsNL {
				commitPending() // otherwise the bad value may be one still being written
			}
			return true, flush(true, true)
		case err != nil:
			commitPending()
			if events >= done {
				b.skip(parse.ReasonMalformed, 1)
			}
			s.log.Debug("file unreadable past a point", "path", o.f.Name(), "err", err)
			return true, flush(true, false)
		}
		commitPending()
		if events >= done && s.full(&b) {
			if err := flush(false, false); err != nil {
				return false, err
			}
			if err := ctx.Err(); err != nil {
				return false, &fatalError{err}
			}
		}
		commit()
		if events > done {
			b.add(rec, recordID(o.id, c.Gen, events-1, -1), o.f.Name(), rec.Line)
		}
	}
}

func isGzip(o opened) bool {
	head, _, err := readPrefix(o.f, 2)
	return err == nil && len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b
}
