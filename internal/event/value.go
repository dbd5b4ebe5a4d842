package event

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Kind is the JSON type of a value.
type Kind uint8

// Value kinds.
const (
	Null Kind = iota + 1
	String
	Number
	Bool
	Object
	Array
)

var kindNames = [...]string{Null: "null", String: "string", Number: "number", Bool: "bool", Object: "object", Array: "array"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid"
}

// Value is a view of one value inside an event. It is valid while the event's Raw is unchanged.
type Value struct {
	kind Kind
	raw  []byte // JSON text of the value; for strings the content between the quotes
	esc  bool   // raw is a JSON string content holding escape sequences
}

// Kind reports the value's JSON type.
func (v Value) Kind() Kind { return v.kind }

// Raw returns the value's JSON text (for strings: the still-escaped content between the quotes).
func (v Value) Raw() []byte { return v.raw }

// Text returns the value as text: the decoded content of a string (sharing the event's memory when
// it has no escape sequences), the literal text of a number, boolean or null, and the compact JSON
// of an object or array.
func (v Value) Text() string {
	switch v.kind {
	case String:
		if !v.esc {
			return unsafe.String(unsafe.SliceData(v.raw), len(v.raw))
		}
		return unescape(v.raw)
	case Object, Array:
		var b bytes.Buffer
		if err := json.Compact(&b, v.raw); err != nil {
			return string(v.raw)
		}
		return b.String()
	default:
		return unsafe.String(unsafe.SliceData(v.raw), len(v.raw))
	}
}

// Float returns a number's value; ok is false for any other kind.
func (v Value) Float() (f float64, ok bool) {
	if v.kind != Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(v.raw), len(v.raw)), 64)
	return f, err == nil
}

// newValue classifies the JSON value text raw (already validated).
func newValue(raw []byte) Value {
	if len(raw) == 0 {
		return Value{kind: Null}
	}
	switch raw[0] {
	case '"':
		content := raw[1 : len(raw)-1]
		return Value{kind: String, raw: content, esc: bytes.IndexByte(content, '\\') >= 0}
	case '{':
		return Value{kind: Object, raw: raw}
	case '[':
		return Value{kind: Array, raw: raw}
	case 't', 'f':
		return Value{kind: Bool, raw: raw}
	case 'n':
		return Value{kind: Null, raw: raw}
	default:
		return Value{kind: Number, raw: raw}
	}
}

// TextValue returns a string value holding s verbatim (no JSON escaping), for synthetic fields.
func TextValue(s []byte) Value { return Value{kind: String, raw: s} }

// keyEqual compares a raw (possibly escaped) key with name.
func keyEqual(raw []byte, esc bool, name string) bool {
	if !esc {
		return string(raw) == name
	}
	return unescape(raw) == name
}

// unescape decodes the content of a valid JSON string. Invalid surrogates become U+FFFD.
func unescape(s []byte) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch s[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := decodeU(s[i:])
			b = utf8.AppendRune(b, r)
			i += n
			continue
		default: // '"', '\\', '/'
			b = append(b, s[i+1])
		}
		i += 2
	}
	return string(b)
}

// decodeU decodes a \uXXXX escape (and a following low surrogate) at the start of s.
func decodeU(s []byte) (rune, int) {
	if len(s) < 6 {
		return utf8.RuneError, len(s)
	}
	r1, err := strconv.ParseUint(string(s[2:6]), 16, 16)
	if err != nil {
		return utf8.RuneError, 6
	}
	r := rune(r1)
	if utf16.IsSurrogate(r) {
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if r2, err := strconv.ParseUint(string(s[8:12]), 16, 16); err == nil {
				if d := utf16.DecodeRune(r, rune(r2)); d != utf8.RuneError {
					return d, 12
				}
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}
