package parse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// This file unwraps CloudWatch Logs subscription payloads: the base64 lines that Kinesis
// and Lambda receive, and the decoded JSON that Firehose writes.

// Message types of a subscription payload.
const (
	cwData    = "DATA_MESSAGE"
	cwControl = "CONTROL_MESSAGE"
)

// cwPayload is a decoded subscription payload.
type cwPayload struct {
	MessageType string    `json:"messageType"`
	Owner       string    `json:"owner"`
	LogGroup    string    `json:"logGroup"`
	LogStream   string    `json:"logStream"`
	LogEvents   []cwEvent `json:"logEvents"`
}

// cwEvent is one log event of a payload.
type cwEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// cloudWatch hands out the log events of one decoded payload.
type cloudWatch struct {
	payload cwPayload
	pending int    // index of the next event in payload.LogEvents
	line    int    // line of the payload
	scratch []byte // Data of the last record returned

	// Decoding base64 lines, reused from line to line.
	b64  []byte
	zsrc bytes.Reader
	gz   *gzip.Reader
	out  bytes.Buffer // the decoded payload, read by Reader.sub
}

// load takes the payload in data, which starts at line, and reports whether it is one: an
// object that does not decode as a DATA_MESSAGE or CONTROL_MESSAGE is left to be a record.
func (cw *cloudWatch) load(data []byte, line int, st *counters) bool {
	// Unmarshal decodes into the elements already in the array, keeping the fields an
	// event lacks: start from zeroed ones.
	events := cw.payload.LogEvents[:cap(cw.payload.LogEvents)]
	clear(events)
	cw.payload = cwPayload{LogEvents: events[:0]}
	cw.pending = 0
	if err := json.Unmarshal(data, &cw.payload); err != nil {
		cw.payload.LogEvents = cw.payload.LogEvents[:0]
		return false
	}
	switch cw.payload.MessageType {
	case cwControl:
		cw.payload.LogEvents = cw.payload.LogEvents[:0]
		st.skip(ReasonControlMessage)
		return true
	case cwData:
		cw.pending = 0
		cw.line = line
		return true
	}
	cw.payload.LogEvents = cw.payload.LogEvents[:0]
	return false
}

// next returns the payload's next log event as a record: JSON when the message is a JSON
// object, text otherwise. Empty messages are counted and skipped.
func (cw *cloudWatch) next(st *counters) (Record, bool) {
	for cw.pending < len(cw.payload.LogEvents) {
		ev := &cw.payload.LogEvents[cw.pending]
		cw.pending++
		rec := Record{
			Line:      cw.line,
			ID:        ev.ID,
			LogGroup:  cw.payload.LogGroup,
			LogStream: cw.payload.LogStream,
			Owner:     cw.payload.Owner,
		}
		if ev.Timestamp != 0 {
			rec.Time = time.UnixMilli(ev.Timestamp).UTC()
		}
		if msg := strings.TrimSpace(ev.Message); strings.HasPrefix(msg, "{") {
			cw.scratch = append(cw.scratch[:0], msg...)
			if json.Valid(cw.scratch) {
				rec.Data = cw.scratch
				return rec, true
			}
		}
		msg := strings.TrimSuffix(strings.TrimSuffix(ev.Message, "\n"), "\r")
		if msg == "" {
			st.skip(ReasonEmpty)
			continue
		}
		cw.scratch = append(cw.scratch[:0], msg...)
		rec.Data = cw.scratch
		rec.Text = true
		return rec, true
	}
	return Record{}, false
}

// cloudWatchLine reads a line holding a base64, gzip-compressed payload and starts
// reading what it decodes to.
func (r *Reader) cloudWatchLine() (rec Record, emit bool, err error) {
	line := r.in.line
	n, st := r.lineEnd()
	switch st {
	case lineLong:
		r.in.skipLine()
		return Record{}, true, r.fail(line, ReasonOversized, r.tooLarge("line"))
	case lineFailed:
		return Record{}, true, r.in.readErr()
	}
	payload, reason, err := r.decodePayload(bytes.TrimSpace(r.in.avail()[:n]))
	r.in.consume(n)
	if err != nil {
		return Record{}, true, r.fail(line, reason, err)
	}
	r.startSub(payload, line)
	return Record{}, false, nil
}

// decodePayload decodes base64 of gzip, keeping the result under the size limit. On
// error it also returns the reason to report.
func (r *Reader) decodePayload(text []byte) ([]byte, string, error) {
	c := &r.cw
	c.b64 = grow(c.b64, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(c.b64, text)
	if err != nil {
		return nil, ReasonMalformed, fmt.Errorf("malformed CloudWatch payload: decoding base64: %w", err)
	}
	c.zsrc.Reset(c.b64[:n])
	if c.gz == nil {
		c.gz, err = gzip.NewReader(&c.zsrc)
	} else {
		err = c.gz.Reset(&c.zsrc)
	}
	if err == nil {
		c.out.Reset()
		_, err = c.out.ReadFrom(io.LimitReader(c.gz, int64(r.max)+1))
	}
	if err != nil {
		return nil, ReasonMalformed, fmt.Errorf("malformed CloudWatch payload: decompressing: %w", err)
	}
	if c.out.Len() > r.max {
		return nil, ReasonOversized, r.tooLarge("decoded CloudWatch payload")
	}
	return c.out.Bytes(), "", nil
}

// grow returns b resized to n bytes, reusing its array when it is large enough.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
