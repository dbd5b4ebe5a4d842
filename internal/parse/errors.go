package parse

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Reasons a record is skipped. They are stable tokens, fit for a metric label; every
// RecordError carries one, and Stats counts skips by them.
const (
	// ReasonMalformed is a value whose structure is broken (unbalanced, unterminated), or an
	// undecodable CloudWatch payload line.
	ReasonMalformed = "malformed"
	// ReasonOversized is a record or line longer than Options.MaxRecordSize.
	ReasonOversized = "oversized"
	// ReasonNotJSON is text where a JSON value was expected.
	ReasonNotJSON = "not_json"
	// ReasonControlMessage is a CloudWatch Logs CONTROL_MESSAGE payload (a reachability
	// check). It is counted, not reported as an error.
	ReasonControlMessage = "control_message"
	// ReasonDigest is a CloudTrail digest file object. It is counted, not reported as an error.
	ReasonDigest = "digest"
	// ReasonEmpty is a CloudWatch log event with an empty message. It is counted, not
	// reported as an error.
	ReasonEmpty = "empty"
)

// RecordError reports a record that was skipped because it could not be framed. The
// Reader has already moved past it: the caller reports the error and calls Next again.
type RecordError struct {
	// Line is the 1-based line of the input where the skipped record starts.
	Line int
	// Reason is one of the Reason constants.
	Reason string
	// Err describes the problem.
	Err error
}

// Error returns the line and the problem, without the input's name, which the caller
// adds: "line 12: malformed JSON: unexpected end of input".
func (e *RecordError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

// Unwrap returns the underlying problem.
func (e *RecordError) Unwrap() error { return e.Err }

// fail counts a skipped record and returns the RecordError that reports it.
func (r *Reader) fail(line int, reason string, err error) *RecordError {
	r.st.skip(reason)
	return &RecordError{Line: line, Reason: reason, Err: err}
}

// tooLarge describes a record over the size limit.
func (r *Reader) tooLarge(what string) error {
	return fmt.Errorf("%s larger than %s skipped (raise the record size limit)", what, formatSize(r.max))
}

// fatalf returns the error that ends a CloudTrail file whose structure broke off bytes past
// the current position.
func (r *Reader) fatalf(off int, msg string) error {
	return fmt.Errorf("line %d: malformed CloudTrail file: %s", r.in.lineAt(off), msg)
}

// formatSize renders a byte count the way a user would configure it.
func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	case n == 1:
		return "1 byte"
	}
	return strconv.Itoa(n) + " bytes"
}

// unexpected describes an unexpected byte.
func unexpected(c byte) string {
	switch {
	case c == '\n':
		return "unexpected end of line"
	case c < utf8.RuneSelf:
		return "unexpected " + strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("unexpected byte 0x%02x", c)
}
