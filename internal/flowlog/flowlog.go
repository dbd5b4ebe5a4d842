// Package flowlog parses Amazon VPC Flow Log records: the default version-2 format and custom
// formats (any subset of the documented fields, in any order), as delivered to CloudWatch Logs
// (one space-separated record per log event) or written to S3 text files (a header line of field
// names, then one record per line).
//
// A record becomes a JSON object keyed by the flow log field names ("srcaddr", "dstport",
// "log-status", …). Numeric fields (ports, counters, start/end, tcp-flags, …) are JSON numbers;
// other fields are strings. A field whose value is "-" (unavailable, as in NODATA and SKIPDATA
// records) is left out of the object.
//
// The package is pure: no I/O, no state; every function is safe for concurrent use.
package flowlog

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// kind is how a field's value is checked and rendered.
type kind uint8

const (
	kString kind = iota
	kInt
	kAddr
	kAction
	kStatus
)

// fieldKinds types the documented fields (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html);
// fields not listed are strings, so formats with fields AWS adds later still parse.
var fieldKinds = map[string]kind{
	"version": kInt, "srcport": kInt, "dstport": kInt, "protocol": kInt, "packets": kInt,
	"bytes": kInt, "start": kInt, "end": kInt, "tcp-flags": kInt, "traffic-path": kInt,
	"srcaddr": kAddr, "dstaddr": kAddr, "pkt-srcaddr": kAddr, "pkt-dstaddr": kAddr,
	"action": kAction, "log-status": kStatus,
}

// defaultFields is the default (version 2) format, in its fixed order.
const defaultFields = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"

// Errors returned by Parse; wrapped with the offending field.
var (
	// ErrFieldCount means the record has more or fewer values than the format has fields.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrValue means a value does not fit its field (a port that is not a number, an unknown
	// action, …).
	ErrValue = errors.New("invalid value")
)

// Format is a flow log format: its ordered field names. The zero Format has no field; use
// DefaultFormat or ParseFormat.
type Format struct {
	names []string
	kinds []kind
}

// DefaultFormat returns the default version-2 format.
func DefaultFormat() Format {
	f, err := ParseFormat(defaultFields)
	if err != nil {
		panic(err) // a constant: a bug
	}
	return f
}

// ParseFormat reads a format given as AWS writes it in a flow log definition
// ("${version} ${srcaddr} …") or as a header line ("version srcaddr …"). Field names are
// lower-case letters, digits and hyphens; a name may not repeat.
func ParseFormat(s string) (Format, error) {
	var f Format
	seen := map[string]bool{}
	for _, tok := range strings.Fields(s) {
		name := tok
		if strings.HasPrefix(tok, "${") && strings.HasSuffix(tok, "}") {
			name = tok[2 : len(tok)-1]
		}
		if !validName(name) {
			return Format{}, fmt.Errorf("flow log format: %q is not a field name", tok)
		}
		if seen[name] {
			return Format{}, fmt.Errorf("flow log format: field %q given twice", name)
		}
		seen[name] = true
		f.names = append(f.names, name)
		f.kinds = append(f.kinds, fieldKinds[name])
	}
	if len(f.names) == 0 {
		return Format{}, errors.New("flow log format: no field")
	}
	return f, nil
}

func validName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Fields returns the format's field names in order.
func (f Format) Fields() []string { return append([]string(nil), f.names...) }

// String renders the format as a header line.
func (f Format) String() string { return strings.Join(f.names, " ") }

// IsHeader reports whether line is this format's header line (the field names, as the first
// line of an S3 flow log file).
func (f Format) IsHeader(line []byte) bool {
	i := 0
	for tok := range bytes.FieldsSeq(line) {
		if i >= len(f.names) || string(tok) != f.names[i] {
			return false
		}
		i++
	}
	return i == len(f.names) && i > 0
}

// Parse checks line against the format and appends its JSON object to dst. On error dst is
// returned unchanged, with an error wrapping ErrFieldCount or ErrValue.
func (f Format) Parse(dst, line []byte) ([]byte, error) {
	start := len(dst)
	if c := count(line); c != len(f.names) {
		return dst, fmt.Errorf("flow log record: %w: %d, want %d", ErrFieldCount, c, len(f.names))
	}
	dst = append(dst, '{')
	i, n := 0, 0
	for tok := range bytes.FieldsSeq(line) {
		if i >= len(f.names) {
			return dst[:start], fmt.Errorf("flow log record: %w: more than %d", ErrFieldCount, len(f.names))
		}
		name, k := f.names[i], f.kinds[i]
		i++
		if len(tok) == 1 && tok[0] == '-' {
			continue
		}
		if !valid(k, tok) {
			return dst[:start], fmt.Errorf("flow log record: field %s: %w %q", name, ErrValue, truncate(tok))
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, name...) // names are [a-z0-9-]: no escaping
		dst = append(dst, '"', ':')
		if k == kInt {
			dst = append(dst, tok...)
			continue
		}
		dst = append(dst, '"')
		dst = append(dst, tok...) // checked by valid: printable ASCII without quote or backslash
		dst = append(dst, '"')
	}
	if i != len(f.names) {
		return dst[:start], fmt.Errorf("flow log record: %w: %d of %d", ErrFieldCount, i, len(f.names))
	}
	return append(dst, '}'), nil
}

// Match reports whether line is a record of this format (Parse would succeed) without building
// the object.
func (f Format) Match(line []byte) bool {
	i := 0
	for tok := range bytes.FieldsSeq(line) {
		if i >= len(f.names) {
			return false
		}
		k := f.kinds[i]
		i++
		if (len(tok) != 1 || tok[0] != '-') && !valid(k, tok) {
			return false
		}
	}
	return i == len(f.names)
}

// count returns the number of space-separated values of line.
func count(line []byte) int {
	n := 0
	for range bytes.FieldsSeq(line) {
		n++
	}
	return n
}

// valid checks one value against its kind.
func valid(k kind, v []byte) bool {
	switch k {
	case kInt:
		// Decimal digits without a leading zero (a valid JSON number), at most 20 of them.
		if len(v) == 0 || len(v) > 20 || (v[0] == '0' && len(v) > 1) {
			return false
		}
		for _, c := range v {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	case kAddr:
		_, err := netip.ParseAddr(string(v))
		return err == nil
	case kAction:
		return string(v) == "ACCEPT" || string(v) == "REJECT"
	case kStatus:
		return string(v) == "OK" || string(v) == "NODATA" || string(v) == "SKIPDATA"
	default:
		for _, c := range v {
			if c < 0x21 || c >= 0x7f || c == '"' || c == '\\' {
				return false // flow logs are printable ASCII: no escaping needed
			}
		}
		return true
	}
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
