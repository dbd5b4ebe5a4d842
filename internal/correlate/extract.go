package correlate

import (
	"fmt"
	"hash/fnv"
	"math"
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

// texts returns the distinct values at p as text (copied: event values share the event's
// memory), at most maxCombinations of them.
func (in *input) texts(p event.Path) []string {
	var out []string
	in.lookup(p, func(v event.Value) {
		if len(out) >= maxCombinations {
			return
		}
		t := v.Text()
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, strings.Clone(t))
	})
	return out
}

// tuples returns the cross product of the values at paths, at most maxCombinations tuples, or
// nil when a path has no value. No paths yield one empty tuple.
func (in *input) tuples(paths []event.Path) [][]string {
	out := [][]string{{}}
	for _, p := range paths {
		vals := in.texts(p)
		if len(vals) == 0 {
			return nil
		}
		next := make([][]string, 0, min(len(out)*len(vals), maxCombinations))
		for _, t := range out {
			for _, v := range vals {
				if len(next) == maxCombinations {
					break
				}
				next = append(next, append(t[:len(t):len(t)], v))
			}
		}
		out = next
	}
	return out
}

// distinctValues returns the value_count values of the input: the values of the one field, or
// the encoded tuples of several fields.
func (in *input) distinctValues(paths []event.Path) []string {
	if len(paths) == 1 {
		return in.texts(paths[0])
	}
	ts := in.tuples(paths)
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(encodeTuple(nil, t)))
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

// hitID is the identifier of a hit: the rule, a hash of the group and the hit's time span.
func hitID(rule, group string, first, last time.Time) string {
	h := fnv.New64a()
	h.Write([]byte(group))
	return fmt.Sprintf("%s/%016x/%d-%d", rule, h.Sum64(), first.UnixNano(), last.UnixNano())
}
