// Package event defines picket's log event: the raw record kept as evidence plus lazy, typed access
// to its fields by dotted path.
//
// An event is never decoded into map[string]any. The first field access validates the raw JSON once
// and indexes the members of the top-level object; nested paths are then resolved by scanning only the
// spans they cross. Values are views into the raw bytes: reading a field that holds no escape sequence
// allocates nothing.
//
// Path semantics (shared by every rule): a literal key containing dots wins over the nested path
// (`{"a.b": 1}` answers `a.b` before `{"a": {"b": 2}}` would); an array crossed by a path yields each
// element, so a condition on the path holds when it holds for any element; arrays at the end of a
// path are flattened into their elements. Plain text records have exactly one field, `message`.
//
// Raw must not be modified while an event is in use: values share its memory.
package event

import (
	"bytes"
	"strings"
	"time"
)

// LogSource is the Sigma logsource of an event: which product, service and category produced it.
type LogSource struct {
	Product  string `json:"product,omitempty"`
	Service  string `json:"service,omitempty"`
	Category string `json:"category,omitempty"`
}

// String renders the logsource as product/service[/category], the form the CLI accepts.
func (l LogSource) String() string {
	s := l.Product + "/" + l.Service
	if l.Category != "" {
		s += "/" + l.Category
	}
	return s
}

// IsZero reports whether no logsource key is set.
func (l LogSource) IsZero() bool { return l == LogSource{} }

// Event is one log record.
//
// Strings read from an event (values, and the ID when shape recognition took it from the record)
// may share memory with Raw: a caller that keeps them beyond the life of Raw clones them.
type Event struct {
	ID        string    // provider event ID (CloudTrail eventID, GCP insertId, …) or a stable hash of Raw
	Time      time.Time // when the activity happened, UTC; envelope or read time when the record has none
	Source    string    // where the event came from: a file path, "-" for stdin, or a configured source name
	Line      int       // 1-based line of the record in Source, 0 when unknown
	Kind      string    // the recognised shape, e.g. "aws.cloudtrail"; "" when unknown
	LogSource LogSource // Sigma logsource the event belongs to
	Raw       []byte    // the original record: a JSON value, or a text line when IsText

	text    bool
	indexed bool
	dotted  bool // a top-level key contains a dot
	err     error
	members []member
	inline  [32]member
}

// member is the span of one top-level object member in Raw.
type member struct {
	k0, k1 int32 // key bytes without quotes
	v0, v1 int32 // value bytes
	kEsc   bool  // the key holds escape sequences
	vEsc   bool  // the value is a string holding escape sequences
}

// New returns an event over a raw JSON record.
func New(raw []byte) *Event {
	ev := &Event{}
	ev.Reset(raw, false)
	return ev
}

// NewText returns an event over a plain text line; its only field is `message`.
func NewText(line []byte) *Event {
	ev := &Event{}
	ev.Reset(line, true)
	return ev
}

// Reset makes ev a fresh event over raw, reusing its memory. text says whether raw is a plain text
// line rather than JSON. All other fields are cleared.
func (ev *Event) Reset(raw []byte, text bool) {
	members := ev.members[:0]
	if cap(members) == 0 {
		members = ev.inline[:0]
	}
	*ev = Event{Raw: raw, text: text}
	ev.members = members
	if text {
		ev.indexed = true
	}
}

// IsText reports whether the event is a plain text line.
func (ev *Event) IsText() bool { return ev.text }

// Err validates the event and returns a *SyntaxError when Raw is not well-formed JSON. A malformed
// event has no fields. Text events are always valid.
func (ev *Event) Err() error {
	ev.index()
	return ev.err
}

// index validates Raw and records the top-level members, once.
func (ev *Event) index() {
	if ev.indexed {
		return
	}
	ev.indexed = true
	s := scanner{data: ev.Raw}
	i := s.skipSpace(0)
	var end int
	var err error
	if i < len(ev.Raw) && ev.Raw[i] == '{' {
		ev.members, end, err = s.object(i, 1, ev.members, true)
	} else {
		end, err = s.valueEnd(i, 0)
	}
	if err == nil && s.skipSpace(end) != len(ev.Raw) {
		err = s.fail(s.skipSpace(end), "unexpected data after the JSON value")
	}
	if err != nil {
		ev.err = err
		ev.members = ev.members[:0]
		return
	}
	for i := range ev.members {
		m := &ev.members[i]
		if bytes.IndexByte(ev.Raw[m.k0:m.k1], '.') >= 0 || m.kEsc && strings.IndexByte(unescape(ev.Raw[m.k0:m.k1]), '.') >= 0 {
			ev.dotted = true
			break
		}
	}
}

// topLevel returns the value of the longest top-level key that equals the path or is a
// dot-separated prefix of it, with the number of bytes of the path it consumed.
func (ev *Event) topLevel(p Path) (m *member, n int, ok bool) {
	if !ev.dotted && p.hint != nil {
		// No key holds a dot: the answer is the key equal to the first segment. Try where it
		// was in the previous event first.
		if h := int(p.hint.Load()); h < len(ev.members) {
			if m := &ev.members[h]; ev.keyIs(m, p.first) {
				return m, len(p.first), true
			}
		}
		for i := range ev.members {
			if m := &ev.members[i]; ev.keyIs(m, p.first) {
				p.hint.Store(int32(i))
				return m, len(p.first), true
			}
		}
		return nil, 0, false
	}
	rest := p.s
	for i := range ev.members {
		mi := &ev.members[i]
		kl := int(mi.k1 - mi.k0)
		var key string
		if mi.kEsc {
			key = unescape(ev.Raw[mi.k0:mi.k1])
			kl = len(key)
		}
		if kl > len(rest) || kl <= n && ok || kl < len(rest) && rest[kl] != '.' {
			continue
		}
		if mi.kEsc {
			if key != rest[:kl] {
				continue
			}
		} else if string(ev.Raw[mi.k0:mi.k1]) != rest[:kl] {
			continue
		}
		m, n, ok = mi, kl, true
		if kl == len(rest) {
			return m, n, ok
		}
	}
	return m, n, ok
}

// keyIs reports whether member m's key is name.
func (ev *Event) keyIs(m *member, name string) bool {
	if m.kEsc {
		return unescape(ev.Raw[m.k0:m.k1]) == name
	}
	return int(m.k1-m.k0) == len(name) && string(ev.Raw[m.k0:m.k1]) == name
}
