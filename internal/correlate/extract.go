package correlate

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"picket/internal/event"
)

// maxCombinations bounds the group keys (or value tuples) one event yields when group-by or
// value fields hold arrays: the cross product of their values, in document order.
const maxCombinations = 16

// input is one observation fed to a correlation: an event a referenced rule matched, or a hit
// of a referenced (chained) correlation.
type input struct {
	rule   string // id of the rule that matched, or of the correlation that fired
	id     string
	time   time.Time
	source string
	ev     *event.Event
	hit    *Hit
}

// fromHit makes the input a chained correlation receives for hit h: the hit's group values are
// its fields, its Last time is its time and its ID is its event id.
func fromHit(h *Hit) input {
	return input{rule: h.Rule.ID, id: h.ID, time: h.Last, hit: h}
}

// lookup calls fn for each non-null value at p.
func (in *input) lookup(p event.Path, fn func(event.Value)) {
	if in.hit != nil {
		if s, ok := in.hit.Group[p.String()]; ok {
			fn(event.TextValue([]byte(s)))
		}
		return
	}
	in.ev.Lookup(p, func(v event.Value) bool {
		if v.Kind() != event.Null {
			fn(v)
		}
		return false
	})
}

// texts returns the distinct values at p as text, at most maxCombinations of them. The strings
// may share the event's memory: clone them before keeping them.
func (in *input) texts(p event.Path) []string {
	var out []string
	in.lookup(p, func(v event.Value) {
		if len(out) >= maxCombinations {
			return
		}
		t := v.Text()
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	})
	return out
}

// tuples returns the cross product of the values at paths, at most maxCombinations tuples, or
// nil when a path has no value. No paths yield one empty tuple. Like texts, the strings may
// share the event's memory.
func (in *input) tuples(paths []event.Path) [][]string {
	if len(paths) == 0 {
		return [][]string{nil}
	}
	if len(paths) == 1 { // the common case, in two allocations
		vals := in.texts(paths[0])
		if len(vals) == 0 {
			return nil
		}
		out := make([][]string, len(vals))
		for i := range vals {
			out[i] = vals[i : i+1 : i+1]
		}
		return out
	}
	vals := make([][]string, len(paths))
	n := 1
	for i, p := range paths {
		if vals[i] = in.texts(p); len(vals[i]) == 0 {
			return nil
		}
		n = min(n*len(vals[i]), maxCombinations)
	}
	flat := make([]string, 0, n*len(paths))
	out := make([][]string, 0, n)
	idx := make([]int, len(paths)) // odometer over vals, last path fastest
	for len(out) < n {
		lo := len(flat)
		for i, k := range idx {
			flat = append(flat, vals[i][k])
		}
		out = append(out, flat[lo:len(flat):len(flat)])
		for i := len(idx) - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < len(vals[i]) {
				break
			}
			idx[i] = 0
		}
	}
	return out
}

// distinctValues returns the value_count values of the input, ready to keep: the values of the
// one field, or the encoded tuples of several fields.
func (in *input) distinctValues(paths []event.Path) []string {
	if len(paths) == 1 {
		vals := in.texts(paths[0])
		for i, v := range vals {
			vals[i] = strings.Clone(v)
		}
		return vals
	}
	ts := in.tuples(paths)
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(encodeTuple(nil, t)))
	}
	return out
}

// cloneAll returns a copy of ss whose strings own their memory.
func cloneAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Clone(s)
	}
	return out
}

// numbers returns the numeric values at paths (several fields are pooled): JSON numbers, and
// strings that parse as finite numbers. Other values are ignored.
func (in *input) numbers(paths []event.Path) []float64 {
	var out []float64
	for _, p := range paths {
		in.lookup(p, func(v event.Value) {
			f, ok := v.Float()
			if !ok && v.Kind() == event.String {
				var err error
				f, err = strconv.ParseFloat(strings.TrimSpace(v.Text()), 64)
				ok = err == nil
			}
			if ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
				out = append(out, f)
			}
		})
	}
	return out
}

// encodeTuple appends an unambiguous encoding of vals (each value prefixed by its length).
func encodeTuple(buf []byte, vals []string) []byte {
	for _, v := range vals {
		buf = strconv.AppendInt(buf, int64(len(v)), 10)
		buf = append(buf, ':')
		buf = append(buf, v...)
	}
	return buf
}

// hitID is the identifier of a hit: `rule/hash-of-group/first-last` (hash: 64-bit FNV-1a; times
// in Unix nanoseconds).
func hitID(rule, group string, first, last time.Time) string {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(group); i++ {
		h = (h ^ uint64(group[i])) * prime
	}
	b := make([]byte, 0, len(rule)+60)
	b = append(b, rule...)
	b = append(b, '/')
	b = strconv.AppendUint(b, h, 16)
	b = append(b, '/')
	b = strconv.AppendInt(b, first.UnixNano(), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, last.UnixNano(), 10)
	return string(b)
}
