package parse

import (
	"fmt"
	"io"
	"maps"
	"time"
	"unicode/utf8"
)

// DefaultMaxRecordSize is the record size limit used when Options.MaxRecordSize is 0.
const DefaultMaxRecordSize = 8 << 20

// Record is one log event's bytes as framed from the input.
type Record struct {
	// Data is one JSON value (usually an object) or, when Text, one line without its line
	// ending. It is valid only until the next call of Next: callers copy what they keep.
	Data []byte
	// Text reports that Data is a plain text line, not JSON.
	Text bool
	// Line is the 1-based line in the (decompressed) input where the record starts; for
	// records unwrapped from a CloudWatch payload, the line of the payload.
	Line int
	// ID is the envelope's event ID (CloudWatch logEvents[].id), "" if none.
	ID string
	// Time is the envelope's event time (CloudWatch logEvents[].timestamp), in UTC; zero if
	// none.
	Time time.Time
	// LogGroup, LogStream and Owner are the CloudWatch envelope's fields, "" otherwise.
	LogGroup, LogStream, Owner string
}

// Options tune a Reader; the zero value means auto-detection and the default limits.
type Options struct {
	// Format is the input framing; "" means FormatAuto.
	Format Format
	// MaxRecordSize is the largest record, in bytes; 0 means DefaultMaxRecordSize. A longer
	// record is skipped with a RecordError, without buffering it whole.
	MaxRecordSize int
}

// Stats counts what a Reader has seen so far.
type Stats struct {
	// Records is the number of records returned.
	Records int
	// Skipped counts records skipped, by reason (the Reason constants): those reported by a
	// RecordError and those dropped on purpose (control messages, digest files). Reasons
	// with no skips are absent.
	Skipped map[string]int
	// InvalidUTF8 is the number of returned records whose Data is not valid UTF-8. They are
	// returned all the same.
	InvalidUTF8 int
	// Lines is the number of input lines read, a final line without a newline included.
	Lines int
}

// counters are the mutable part of Stats, shared with a nested reader.
type counters struct {
	skipped map[string]int
}

// skip counts one skipped record.
func (c *counters) skip(reason string) {
	if c.skipped == nil {
		c.skipped = make(map[string]int)
	}
	c.skipped[reason]++
}

// Reader frames records from a byte stream. It is not safe for concurrent use.
type Reader struct {
	format  Format
	max     int
	started bool
	err     error // sticky: io.EOF or the error that ended reading

	in      input
	sc      scanner
	st      *counters
	own     counters
	records int
	invalid int

	// Streaming the elements of an array: a top-level one, or the value of a Records key.
	inArray       bool
	arrayEnvelope bool // after ']', skip the rest of the enclosing object
	afterElement  bool // an element was read; a ',' or ']' comes next
	skipRest      bool // skipping the rest of an envelope object after its array
	resync        bool // after an error in multi-line JSON: skip to a line starting with '{'
	region        region
	scanned       int64 // bytes passed to the scanner by frame, a measure of work

	cw     cloudWatch // decoded subscription payload being unwrapped
	nested bool       // reads a decoded CloudWatch payload: no gzip, no base64 lines
	sub    *Reader    // reads the payload of a base64 line, while subOn
	subOn  bool
	subAt  int // line of that base64 line
}

// NewReader returns a Reader of the records in r. name is the input's name (a file path or
// "-"); it does not appear in errors, which callers prefix with it.
func NewReader(r io.Reader, name string, opts Options) *Reader {
	rd := &Reader{format: opts.Format, max: opts.MaxRecordSize}
	if rd.format == "" {
		rd.format = FormatAuto
	}
	if rd.max <= 0 {
		rd.max = DefaultMaxRecordSize
	}
	rd.in.src = r
	rd.in.line = 1
	rd.st = &rd.own
	return rd
}

// Next returns the next record. Its error is
//   - a *RecordError for a bad record that was skipped: the caller reports it and calls
//     Next again;
//   - io.EOF at the end of the input;
//   - any other error when the input cannot be read further (an I/O error, a truncated or
//     corrupt gzip stream, a CloudTrail file whose structure breaks): the Reader is then
//     finished, and every record before the problem was returned.
func (r *Reader) Next() (Record, error) {
	rec, err := r.next()
	if err == nil {
		r.records++
		if !utf8.Valid(rec.Data) {
			r.invalid++
		}
	}
	return rec, err
}

// next is Next without the counting, shared with nested readers.
func (r *Reader) next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.err = err
			return Record{}, err
		}
	}
	var rec Record
	var err error
	if r.format == FormatText {
		rec, err = r.nextText()
	} else {
		rec, err = r.nextJSON()
	}
	if err != nil && r.err == nil {
		if _, skipped := err.(*RecordError); !skipped {
			r.err = err
		}
	}
	return rec, err
}

// start opens the input and settles the format.
func (r *Reader) start() error {
	if r.format != FormatAuto && r.format != FormatText && !r.format.jsonFamily() {
		_, err := ParseFormat(string(r.format))
		return err
	}
	if err := r.in.open(r.in.src, r.max+readSize); err != nil {
		return err
	}
	if r.format == FormatAuto {
		r.format = r.sniff()
		if r.format == FormatAuto {
			return r.in.endErr()
		}
	}
	return nil
}

// Format reports the format in use: after the first call of Next, the detected one when
// Options.Format was FormatAuto (which stays FormatAuto for a blank input).
func (r *Reader) Format() Format { return r.format }

// Stats reports what the Reader has seen so far.
func (r *Reader) Stats() Stats {
	lines := r.in.line - 1
	if r.in.midLine {
		lines++
	}
	return Stats{
		Records:     r.records,
		Skipped:     maps.Clone(r.own.skipped),
		InvalidUTF8: r.invalid,
		Lines:       max(lines, 0),
	}
}

// startSub makes r read the decoded payload of the base64 line at line.
func (r *Reader) startSub(payload []byte, line int) {
	if r.sub == nil {
		r.sub = &Reader{}
	}
	s := r.sub
	*s = Reader{
		format:  FormatJSON,
		max:     r.max,
		started: true,
		sc:      scanner{stack: s.sc.stack[:0]},
		st:      r.st,
		cw:      cloudWatch{scratch: s.cw.scratch[:0]},
		nested:  true,
	}
	s.in.openBytes(payload)
	r.subOn = true
	r.subAt = line
}

// nextSub returns the next record of the decoded payload being read. emit is false when
// the payload is used up.
func (r *Reader) nextSub() (rec Record, emit bool, err error) {
	rec, err = r.sub.next()
	if err == nil {
		rec.Line = r.subAt
		return rec, true, nil
	}
	if err == io.EOF {
		r.subOn = false
		return Record{}, false, nil
	}
	if re, skipped := err.(*RecordError); skipped {
		return Record{}, true, &RecordError{
			Line:   r.subAt,
			Reason: re.Reason,
			Err:    fmt.Errorf("decoded payload line %d: %w", re.Line, re.Err),
		}
	}
	r.subOn = false
	return Record{}, true, r.fail(r.subAt, ReasonMalformed, fmt.Errorf("decoded payload: %w", err))
}
