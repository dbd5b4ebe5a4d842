package parse

import (
	"bytes"
	"io"
)

// lineStatus is the outcome of lineEnd.
type lineStatus uint8

const (
	lineOK     lineStatus = iota // a line, ended by a newline or by the end of the input
	lineEOF                      // nothing left
	lineLong                     // longer than the size limit; nothing was consumed
	lineFailed                   // the input failed before the line ended
)

// lineEnd finds the end of the line at the current position, filling the buffer as
// needed, and returns its length without the newline.
func (r *Reader) lineEnd() (int, lineStatus) {
	searched := 0
	for {
		b := r.in.avail()
		if i := bytes.IndexByte(b[searched:], '\n'); i >= 0 {
			if searched+i > r.max {
				return 0, lineLong
			}
			return searched + i, lineOK
		}
		searched = len(b)
		if searched > r.max {
			return 0, lineLong
		}
		if !r.in.fill() {
			switch {
			case r.in.err != io.EOF:
				return 0, lineFailed
			case searched == 0:
				return 0, lineEOF
			}
			return searched, lineOK
		}
	}
}

// nextText returns the next non-blank line as a text record.
func (r *Reader) nextText() (Record, error) {
	for {
		line := r.in.line
		n, st := r.lineEnd()
		switch st {
		case lineEOF:
			return Record{}, io.EOF
		case lineFailed:
			return Record{}, r.in.readErr()
		case lineLong:
			r.in.skipLine()
			return Record{}, r.fail(line, ReasonOversized, r.tooLarge("line"))
		}
		data := r.in.avail()[:n]
		r.in.consume(min(n+1, len(r.in.avail())))
		data = bytes.TrimSuffix(data, []byte{'\r'})
		if isBlank(data) {
			continue
		}
		return Record{Data: data, Text: true, Line: line}, nil
	}
}

// isBlank reports whether b holds only spaces and tabs.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
