package cli

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"picket/internal/parse"
)

// Reading (decompression and framing) runs in its own goroutine, ahead of evaluation, handing
// over batches of records copied into an arena: on two cores a scan reads and evaluates at once.
const (
	batchRecords = 512
	batchBytes   = 1 << 20
	batchesAhead = 4
)

// batchItem is one framed record, or one skipped record's error, in input order.
type batchItem struct {
	start, end int // record bytes in the batch arena
	text       bool
	line       int
	id         string
	time       time.Time
	skip       string // non-empty: a skipped record, "line: problem"
}

// recordBatch is a run of consecutive items of one input.
type recordBatch struct {
	arena []byte
	items []batchItem
	// Set on the last batch of an input.
	last  bool
	err   error // the input could not be read to its end
	stats parse.Stats
}

// readBatches reads rd to its end (or until ctx is done) and sends its records in batches on
// out, which it closes. Batches come back for reuse through free.
func readBatches(ctx context.Context, rd *parse.Reader, out chan<- *recordBatch, free chan *recordBatch) {
	defer close(out)
	get := func() *recordBatch {
		select {
		case b := <-free:
			b.arena, b.items = b.arena[:0], b.items[:0]
			return b
		default:
			return &recordBatch{arena: make([]byte, 0, batchBytes), items: make([]batchItem, 0, batchRecords)}
		}
	}
	b := get()
	send := func() bool {
		select {
		case out <- b:
			b = get()
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		rec, err := rd.Next()
		if err != nil {
			var re *parse.RecordError
			if errors.As(err, &re) {
				b.items = append(b.items, batchItem{line: re.Line, skip: strings.TrimPrefix(re.Error(), "line ")})
				continue
			}
			if !errors.Is(err, io.EOF) {
				b.err = err
			}
			b.last, b.stats = true, rd.Stats()
			send()
			return
		}
		start := len(b.arena)
		b.arena = append(b.arena, rec.Data...)
		b.items = append(b.items, batchItem{start: start, end: len(b.arena), text: rec.Text, line: rec.Line, id: rec.ID, time: rec.Time})
		if len(b.items) >= batchRecords || len(b.arena) >= batchBytes {
			if !send() {
				return
			}
		}
	}
}
