package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// This file frames the JSON formats: jsonl, json, cloudtrail and cloudwatch. They share one
// loop and differ in two ways. jsonl is line-oriented: a value must end on the line where
// it starts, and after an error reading goes on at the next line. cloudtrail treats any
// break in the structure as the end of the file.

// lines reports whether values must end on the line where they start.
func (r *Reader) lines() bool { return r.format == FormatJSONL }

// nextJSON returns the next record of a JSON format.
func (r *Reader) nextJSON() (Record, error) {
	for {
		if rec, ok := r.cw.next(r.st); ok {
			return rec, nil
		}
		var rec Record
		var emit bool
		var err error
		switch {
		case r.subOn:
			rec, emit, err = r.nextSub()
		case r.skipRest:
			err = r.skipObjectRest()
			emit = err != nil
		case r.inArray:
			rec, emit, err = r.nextElement()
		default:
			rec, emit, err = r.nextTop()
		}
		if emit {
			return rec, err
		}
	}
}

// nextTop reads the next top-level value. emit is false when it produced no record or
// error (an envelope was opened, or something was skipped on purpose).
func (r *Reader) nextTop() (rec Record, emit bool, err error) {
	c, more := r.skipSpaceTop()
	if !more {
		return Record{}, true, r.in.endErr()
	}
	switch {
	case c == '{':
		return r.topObject()
	case c == '[':
		r.in.consume(1)
		r.openArray(false)
		return Record{}, false, nil
	case !r.nested && r.hasPrefixAt(0, cloudWatchMagic):
		return r.cloudWatchLine()
	}
	return Record{}, true, r.notJSON(c)
}

// openArray starts streaming the elements of the array whose '[' was just consumed.
func (r *Reader) openArray(envelope bool) {
	r.inArray = true
	r.arrayEnvelope = envelope
	r.afterElement = false
}

// dropArray forgets the array being streamed, after its structure broke.
func (r *Reader) dropArray() {
	r.inArray = false
	r.skipRest = false
}

// topObject reads a top-level object, opening it instead when it is a Records envelope.
func (r *Reader) topObject() (rec Record, emit bool, err error) {
	env, off := r.envelopeAt(0)
	if env == envRecords {
		r.in.consume(off)
		r.openArray(true)
		return Record{}, false, nil
	}
	line := r.in.line
	n, err := r.frame()
	if err != nil {
		return Record{}, true, err
	}
	data := r.in.avail()[:n]
	r.in.consume(n)
	switch env {
	case envCloudWatch:
		if r.cw.load(data, line, r.st) {
			return Record{}, false, nil
		}
	case envDigest:
		if bytes.Contains(data, []byte(`"digestStartTime"`)) {
			r.st.skip(ReasonDigest)
			return Record{}, false, nil
		}
	}
	return Record{Data: data, Line: line}, true, nil
}

// envelopeAt judges the object that starts at offset i of the buffered input, reading
// ahead a little if its first key is not buffered yet. In jsonl an envelope must open on
// one line.
func (r *Reader) envelopeAt(i int) (envelope, int) {
	const window = 4096 // how far to look for the first key, whatever the buffer holds
	for {
		b := r.in.avail()[i:]
		env, off, ok := sniffEnvelope(b[:min(len(b), window)])
		if ok {
			if env == envRecords && r.lines() && bytes.IndexByte(b[:off], '\n') >= 0 {
				return envNone, 0
			}
			return env, off
		}
		if len(b) >= window || !r.in.fill() {
			return envNone, 0
		}
	}
}

// nextElement reads the next element of the array being streamed. emit is false when it
// produced no record or error (the array ended, or a comma was read).
func (r *Reader) nextElement() (rec Record, emit bool, err error) {
	b := r.in.avail()
	i := 0
	for i < len(b) && isSpace(b[i]) && (b[i] != '\n' || !r.lines()) {
		i++
	}
	r.in.consume(i)
	if i == len(b) {
		if r.in.fill() {
			return Record{}, false, nil
		}
		if r.in.err != io.EOF {
			return Record{}, true, r.in.readErr()
		}
		return Record{}, true, r.arrayBroken(0, "unexpected end of input")
	}
	switch c := b[i]; {
	case c == ']':
		r.in.consume(1)
		r.inArray = false
		r.skipRest = r.arrayEnvelope
		return Record{}, false, nil
	case c == '\n':
		return Record{}, true, r.arrayBroken(0, "array continues past the end of the line")
	case r.afterElement && c == ',':
		r.in.consume(1)
		r.afterElement = false
		return Record{}, false, nil
	case r.afterElement || c == ',':
		return Record{}, true, r.arrayBroken(0, unexpected(c)+" in array")
	}
	line := r.in.line
	n, err := r.frame()
	if err != nil {
		return Record{}, true, err
	}
	data := r.in.avail()[:n]
	r.in.consume(n)
	r.afterElement = true
	return Record{Data: data, Line: line}, true, nil
}

// skipObjectRest discards what follows the Records array of an envelope object, up to
// the object's closing brace.
func (r *Reader) skipObjectRest() error {
	r.sc.resume('{', r.lines())
	for {
		switch r.sc.scan(r.in.avail()) {
		case scanDone:
			r.in.consume(r.sc.n)
			r.skipRest = false
			return nil
		case scanBad:
			return r.arrayBroken(r.sc.n, r.sc.msg)
		}
		r.in.consume(r.sc.n)
		r.sc.n = 0
		if !r.in.fill() {
			if r.in.err != io.EOF {
				return r.in.readErr()
			}
			return r.arrayBroken(0, "unexpected end of input")
		}
	}
}

// arrayBroken handles a break in the structure of the array being streamed (or of its
// envelope object), off bytes past the current position.
func (r *Reader) arrayBroken(off int, msg string) error {
	if r.format == FormatCloudTrail {
		return r.fatalf(off, msg)
	}
	r.in.consume(off)
	line := r.in.line
	r.recover()
	return r.fail(line, ReasonMalformed, fmt.Errorf("malformed JSON: %s", msg))
}

// notJSON handles a top-level byte c that cannot start a JSON value.
func (r *Reader) notJSON(c byte) error {
	msg := "not JSON: " + unexpected(c)
	if r.format == FormatCloudTrail {
		return r.fatalf(0, msg)
	}
	line := r.in.line
	r.recover()
	return r.fail(line, ReasonNotJSON, errors.New(msg))
}

// frame scans the value at the current position until it is whole in the buffer and
// returns its length. A malformed value is reported and skipped (in cloudtrail the error
// is fatal); an oversized one is discarded as it is scanned.
func (r *Reader) frame() (int, error) {
	line := r.in.line
	r.sc.reset(r.lines())
	for {
		from := r.sc.n
		st := r.sc.scan(r.in.avail())
		r.scanned += int64(r.sc.n - from) // re-scanned bytes count again: tests bound the total
		if r.sc.n > r.max {
			// Whether the end is already buffered depends on how the input was read:
			// judge by how far the value got, so that the outcome does not.
			return 0, r.oversized(line, st)
		}
		switch st {
		case scanDone:
			return r.sc.n, nil
		case scanBad:
			return 0, r.malformed(line, r.sc.n, r.sc.msg)
		}
		if !r.in.fill() {
			if r.in.err != io.EOF {
				return 0, r.in.readErr()
			}
			return 0, r.malformed(line, r.sc.n, "unexpected end of input")
		}
	}
}

// malformed reports the value that started at line and broke off bytes into it. Reading
// resumes at the next line in jsonl; in the multi-line formats, at the first whole object
// opening in the first column of a line after its start (see resync.go).
func (r *Reader) malformed(line, off int, msg string) error {
	if r.format == FormatCloudTrail {
		return r.fatalf(off, msg)
	}
	if at := r.in.lineAt(off); at != line {
		msg += fmt.Sprintf(" (at line %d)", at)
	}
	r.markRegion(off)
	r.recover()
	return r.fail(line, ReasonMalformed, fmt.Errorf("malformed JSON: %s", msg))
}

// oversized reports the value that started at line and has outgrown the size limit, and
// discards it to its end without buffering it; st is how its scan stands. When its end
// cannot be found, the error that follows (in cloudtrail) is kept for the next call.
func (r *Reader) oversized(line int, st scanStatus) error {
	rerr := r.fail(line, ReasonOversized, r.tooLarge("record"))
	r.sc.track = false // offsets are lost as the value is discarded
	for {
		switch st {
		case scanDone:
			r.in.consume(r.sc.n)
			r.afterElement = true
			return rerr
		case scanBad:
			if r.format == FormatCloudTrail {
				r.err = r.fatalf(r.sc.n, r.sc.msg)
				return rerr
			}
			r.in.consume(r.sc.n)
			r.recover()
			return rerr
		}
		r.in.consume(r.sc.n)
		r.sc.n = 0
		if !r.in.fill() {
			switch {
			case r.in.err != io.EOF:
				r.err = r.in.readErr()
			case r.format == FormatCloudTrail:
				r.err = r.fatalf(0, "unexpected end of input")
			default:
				r.in.consume(len(r.in.avail()))
				r.dropArray()
			}
			return rerr
		}
		st = r.sc.scan(r.in.avail())
	}
}
