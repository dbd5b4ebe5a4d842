package event

import (
	"bytes"
	"strings"
	"sync/atomic"
)

// Path is a dotted field path such as `userIdentity.sessionContext.sessionIssuer.type`. Paths
// are compiled once and shared; they remember where their first segment was found in the last
// event looked at, since records of one kind list their keys in the same order.
type Path struct {
	s     string
	first string        // s up to the first dot
	hint  *atomic.Int32 // index of the top-level member that held first, last time
}

// NewPath returns the path for a dotted field name.
func NewPath(s string) Path {
	first, _, _ := strings.Cut(s, ".")
	return Path{s: s, first: first, hint: new(atomic.Int32)}
}

// String returns the dotted form.
func (p Path) String() string { return p.s }

// MessageField is the only field of a plain text event.
const MessageField = "message"

// Lookup calls fn for each value at path p, stopping as soon as fn returns true. Arrays crossed by
// the path, or found at its end, are expanded element by element (nested arrays are flattened).
// present reports whether the path exists in the event (an explicit null or an empty array counts
// as present); hit reports whether fn returned true.
func (ev *Event) Lookup(p Path, fn func(Value) bool) (present, hit bool) {
	if ev.text {
		if p.s == MessageField {
			return true, fn(TextValue(ev.Raw))
		}
		return false, false
	}
	ev.index()
	if ev.err != nil {
		return false, false
	}
	m, n, ok := ev.topLevel(p)
	if !ok {
		return false, false
	}
	v0, v1 := m.v0, m.v1
	if n == len(p.s) {
		// A top-level value: the common case, without the walk.
		switch ev.Raw[v0] {
		case '"':
			return true, fn(Value{kind: String, raw: ev.Raw[v0+1 : v1-1], esc: m.vEsc})
		case '[':
		default:
			return true, fn(newValue(ev.Raw[v0:v1]))
		}
	}
	rest := p.s[n:]
	if rest != "" {
		rest = rest[1:] // the separating dot
	}
	return descend(ev.Raw[v0:v1], rest, fn)
}

// Has reports whether path p exists in the event.
func (ev *Event) Has(p Path) bool {
	if !ev.text && !ev.dotted && p.first == p.s {
		ev.index()
		_, _, ok := ev.topLevel(p)
		return ok
	}
	present, _ := ev.Lookup(p, func(Value) bool { return true })
	return present
}

// descend resolves rest (no leading dot; "" = here) inside the JSON value raw.
func descend(raw []byte, rest string, fn func(Value) bool) (present, hit bool) {
	if rest == "" {
		return true, yield(raw, fn)
	}
	switch raw[0] {
	case '{':
		v, n, ok := longestKey(raw, rest)
		if !ok {
			return false, false
		}
		next := rest[n:]
		if next != "" {
			next = next[1:]
		}
		return descend(v, next, fn)
	case '[':
		eachElement(raw, func(elem []byte) bool {
			p, h := descend(elem, rest, fn)
			present = present || p
			hit = h
			return h
		})
		return present, hit
	default:
		return false, false
	}
}

// yield calls fn on raw, or on each element of raw when it is an array (recursively).
func yield(raw []byte, fn func(Value) bool) bool {
	if raw[0] != '[' {
		return fn(newValue(raw))
	}
	hit := false
	eachElement(raw, func(elem []byte) bool {
		hit = yield(elem, fn)
		return hit
	})
	return hit
}

// longestKey finds, in the object raw, the member whose key is the longest dot-boundary prefix of
// rest (the whole of rest being best), and returns its value and the key length.
func longestKey(raw []byte, rest string) (val []byte, n int, ok bool) {
	s := scanner{data: raw}
	i := s.skipSpace(1)
	for i < len(raw) && raw[i] == '"' {
		kEnd := skipString(raw, i)
		key := raw[i+1 : kEnd-1]
		kEsc := bytes.IndexByte(key, '\\') >= 0
		j := s.skipSpace(kEnd) + 1 // past ':'
		v := s.skipSpace(j)
		vEnd := skipValue(raw, v)
		kl := len(key)
		if kEsc {
			kl = len(unescape(key))
		}
		if kl <= len(rest) && (kl == len(rest) || rest[kl] == '.') && (!ok || kl > n) && keyEqual(key, kEsc, rest[:kl]) {
			val, n, ok = raw[v:vEnd], kl, true
			if kl == len(rest) {
				return val, n, ok
			}
		}
		i = s.skipSpace(vEnd)
		if i < len(raw) && raw[i] == ',' {
			i = s.skipSpace(i + 1)
		}
	}
	return val, n, ok
}

// eachElement calls fn for each element of the array raw until fn returns true.
func eachElement(raw []byte, fn func(elem []byte) bool) {
	s := scanner{data: raw}
	i := s.skipSpace(1)
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		if fn(raw[i:end]) {
			return
		}
		i = s.skipSpace(end)
		if i < len(raw) && raw[i] == ',' {
			i = s.skipSpace(i + 1)
		}
	}
}

// eachMember calls fn for each member of the object raw until fn returns true.
func eachMember(raw []byte, fn func(key []byte, kEsc bool, val []byte) bool) {
	s := scanner{data: raw}
	i := s.skipSpace(1)
	for i < len(raw) && raw[i] == '"' {
		kEnd := skipString(raw, i)
		kEsc := bytes.IndexByte(raw[i+1:kEnd-1], '\\') >= 0
		v := s.skipSpace(s.skipSpace(kEnd) + 1)
		vEnd := skipValue(raw, v)
		if fn(raw[i+1:kEnd-1], kEsc, raw[v:vEnd]) {
			return
		}
		i = s.skipSpace(vEnd)
		if i < len(raw) && raw[i] == ',' {
			i = s.skipSpace(i + 1)
		}
	}
}

// Leaves calls fn for every scalar leaf of the event (strings, numbers and booleans, at any depth,
// array elements included; nulls are skipped) until fn returns true, and reports whether it did.
// It serves Sigma keyword searches.
func (ev *Event) Leaves(fn func(Value) bool) bool {
	if ev.text {
		return fn(TextValue(ev.Raw))
	}
	ev.index()
	if ev.err != nil {
		return false
	}
	s := scanner{data: ev.Raw}
	return leaves(ev.Raw[s.skipSpace(0):], fn)
}

func leaves(raw []byte, fn func(Value) bool) bool {
	hit := false
	switch raw[0] {
	case '{':
		eachMember(raw, func(_ []byte, _ bool, val []byte) bool {
			hit = leaves(val, fn)
			return hit
		})
	case '[':
		eachElement(raw, func(elem []byte) bool {
			hit = leaves(elem, fn)
			return hit
		})
	case 'n':
	default:
		hit = fn(newValue(raw))
	}
	return hit
}

// Members calls fn for each top-level member of a JSON object event, in order, until fn returns
// true. Text events report their message field.
func (ev *Event) Members(fn func(key string, v Value) bool) {
	if ev.text {
		fn(MessageField, TextValue(ev.Raw))
		return
	}
	ev.index()
	for _, m := range ev.members {
		key := string(ev.Raw[m.k0:m.k1])
		if m.kEsc {
			key = unescape(ev.Raw[m.k0:m.k1])
		}
		if fn(key, newValue(ev.Raw[m.v0:m.v1])) {
			return
		}
	}
}
