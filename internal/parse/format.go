package parse

import (
	"fmt"
	"strings"
)

// Format names an input framing.
type Format string

// The input framings a Reader understands.
const (
	// FormatAuto sniffs the framing from the start of the (decompressed) input.
	FormatAuto Format = "auto"
	// FormatJSONL is one JSON value per line; several values concatenated on one line
	// (`{...}{...}`, as Firehose writes them) are several records.
	FormatJSONL Format = "jsonl"
	// FormatJSON is a stream of JSON values that may span lines (pretty-printed objects), or a
	// top-level JSON array whose elements are records.
	FormatJSON Format = "json"
	// FormatCloudTrail is a {"Records":[...]} file, streamed element by element.
	FormatCloudTrail Format = "cloudtrail"
	// FormatCloudWatch is CloudWatch Logs subscription payloads: base64 of gzip of JSON, one
	// per line, or the already-decoded JSON.
	FormatCloudWatch Format = "cloudwatch"
	// FormatText is plain text lines; each non-blank line becomes one record.
	FormatText Format = "text"
)

// formats lists the valid names in the order ParseFormat reports them.
func formats() []Format {
	return []Format{FormatAuto, FormatJSONL, FormatJSON, FormatCloudTrail, FormatCloudWatch, FormatText}
}

// ParseFormat returns the Format named s, for a command-line flag. The empty string means
// FormatAuto. The error lists the valid names.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		return FormatAuto, nil
	}
	names := make([]string, 0, len(formats()))
	for _, f := range formats() {
		if string(f) == name {
			return f, nil
		}
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown input format %q (valid: %s)", s, strings.Join(names, ", "))
}

// jsonFamily reports whether f frames JSON values (every format but text).
func (f Format) jsonFamily() bool {
	return f == FormatJSONL || f == FormatJSON || f == FormatCloudTrail || f == FormatCloudWatch
}

// sniff picks the format from the first non-space bytes of the input without consuming
// anything but, in pathological cases, leading whitespace. It returns FormatAuto for an
// input that is empty or blank.
func (r *Reader) sniff() Format {
	i, ok := r.peekNonSpace()
	if !ok {
		return FormatAuto
	}
	b := r.in.avail()
	switch {
	case b[i] == '[':
		return FormatJSON
	case b[i] == '{':
		switch env, _ := r.envelopeAt(i); env {
		case envRecords:
			// "Records" (CloudTrail), not Azure's "records". envelopeAt may have moved the
			// buffer: look again.
			if b := r.in.avail(); b[skipSpace(b, i+1)+1] == 'R' {
				return FormatCloudTrail
			}
		case envCloudWatch:
			return FormatCloudWatch
		}
		if r.firstLineHoldsValue(i) {
			return FormatJSONL
		}
		return FormatJSON
	case r.hasPrefixAt(i, cloudWatchMagic):
		return FormatCloudWatch
	}
	return FormatText
}

// peekNonSpace returns the offset in the buffered input of the first byte that is not
// JSON whitespace, filling the buffer as needed. Leading whitespace longer than the record
// size limit is consumed, all of it, so the buffer stays bounded.
func (r *Reader) peekNonSpace() (int, bool) {
	i, drop := 0, false
	for {
		b := r.in.avail()
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if drop = drop || i > r.max; drop {
			r.in.consume(i)
			i = 0
		}
		if i < len(r.in.avail()) {
			return i, true
		}
		if !r.in.fill() {
			return 0, false
		}
	}
}

// firstLineHoldsValue reports whether the JSON value starting at offset i of the buffered
// input ends on its first line. A value that is malformed within its line counts as held:
// line-oriented framing reports it and recovers at the next line.
func (r *Reader) firstLineHoldsValue(i int) bool {
	r.sc.reset(true)
	defer r.sc.reset(false)
	for {
		st := r.sc.scan(r.in.avail()[i:])
		switch {
		case r.sc.n > r.max || st == scanDone:
			return true
		case st == scanBad:
			return !r.sc.crossed
		case !r.in.fill():
			return true
		}
	}
}

// hasPrefixAt reports whether the buffered input holds prefix at offset i, filling the
// buffer as needed.
func (r *Reader) hasPrefixAt(i int, prefix string) bool {
	for len(r.in.avail()) < i+len(prefix) {
		if !r.in.fill() {
			return false
		}
	}
	return string(r.in.avail()[i:i+len(prefix)]) == prefix
}
