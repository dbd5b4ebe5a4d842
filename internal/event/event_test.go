package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// values collects the Text of every value at path.
func values(ev *Event, path string) (present bool, got []string) {
	present, _ = ev.Lookup(NewPath(path), func(v Value) bool {
		got = append(got, v.Kind().String()+":"+v.Text())
		return false
	})
	return present, got
}

func TestLookup(t *testing.T) {
	const doc = `{
		"eventName": "StopLogging",
		"userIdentity": {"type": "Root", "arn": "arn:aws:iam::1:root", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}},
		"a.b": "literal",
		"a": {"b": "nested", "c": {"d": 1}},
		"x": {"y.z": "dotted-inner", "y": {"z": "deep"}},
		"requestParameters": {"ipPermissions": {"items": [
			{"fromPort": 22, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}, {"cidrIp": "0.0.0.0/0"}]}},
			{"fromPort": 443, "ipRanges": {"items": [{"cidrIp": "192.0.2.0/24"}]}}
		]}},
		"tags": ["a", ["b", "c"], {"k": "v"}],
		"empty": [],
		"nil": null,
		"num": -1.5e3,
		"t": true,
		"esc": "line\nbreak \u00e9 \"q\" \ud83d\ude00",
		"k\u0065y": "escaped key",
		"p\u002eq": "escaped dot",
		"p": {"q": "nested"}
	}`
	ev := New([]byte(doc))
	if err := ev.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	tests := []struct {
		path    string
		present bool
		want    []string
	}{
		{"eventName", true, []string{"string:StopLogging"}},
		{"userIdentity.type", true, []string{"string:Root"}},
		{"userIdentity.sessionContext.attributes.mfaAuthenticated", true, []string{"string:false"}},
		{"userIdentity.missing", false, nil},
		{"a.b", true, []string{"string:literal"}},
		{"a.c.d", true, []string{"number:1"}},
		{"x.y.z", true, []string{"string:dotted-inner"}},
		{"requestParameters.ipPermissions.items.ipRanges.items.cidrIp", true, []string{"string:10.0.0.0/8", "string:0.0.0.0/0", "string:192.0.2.0/24"}},
		{"requestParameters.ipPermissions.items.fromPort", true, []string{"number:22", "number:443"}},
		{"tags", true, []string{"string:a", "string:b", "string:c", `object:{"k":"v"}`}},
		{"tags.k", true, []string{"string:v"}},
		{"empty", true, nil},
		{"nil", true, []string{"null:null"}},
		{"num", true, []string{"number:-1.5e3"}},
		{"t", true, []string{"bool:true"}},
		{"esc", true, []string{"string:line\nbreak é \"q\" 😀"}},
		{"key", true, []string{"string:escaped key"}},
		{"p.q", true, []string{"string:escaped dot"}},
		{"userIdentity", true, []string{`object:{"type":"Root","arn":"arn:aws:iam::1:root","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}}`}},
		{"eventName.x", false, nil},
		{"nope", false, nil},
		{"", false, nil},
	}
	for _, tt := range tests {
		present, got := values(ev, tt.path)
		if present != tt.present {
			t.Errorf("Lookup(%q) present = %v, want %v", tt.path, present, tt.present)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Lookup(%q) values mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestLookupStopsEarly(t *testing.T) {
	ev := New([]byte(`{"a":[1,2,3]}`))
	calls := 0
	_, hit := ev.Lookup(NewPath("a"), func(v Value) bool { calls++; return v.Text() == "2" })
	if !hit || calls != 2 {
		t.Errorf("Lookup stop: hit=%v calls=%d, want true 2", hit, calls)
	}
}

func TestMalformed(t *testing.T) {
	for _, raw := range []string{``, `{`, `{"a":}`, `{"a":1,}`, `{"a":"\x"}`, `{"a":01}`, `{"a":1} x`, "{\"a\":\"\x01\"}", `[1,2`, `{"a":tru}`, `{"a" 1}`, strings.Repeat("[", 600) + strings.Repeat("]", 600)} {
		ev := New([]byte(raw))
		if ev.Err() == nil {
			t.Errorf("New(%q).Err() = nil, want a syntax error", raw)
		}
		if present, _ := values(ev, "a"); present {
			t.Errorf("malformed %q: field a present", raw)
		}
	}
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{`{}`, `[]`, `"x"`, `1`, `-0.5E+2`, `{"a":[{"b":null}]}`, ` {"a" : 1 } `, `{"a":"\u00"}`, `1.`, `.5`, `-`, `{"a":1}{}`, "\"\xff\""} {
		if got, want := Valid([]byte(raw)), json.Valid([]byte(raw)); got != want {
			t.Errorf("Valid(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestText(t *testing.T) {
	ev := NewText([]byte("2024-01-01 ERROR boom"))
	present, got := values(ev, "message")
	if !present || len(got) != 1 || got[0] != "string:2024-01-01 ERROR boom" {
		t.Errorf("text message = %v %v", present, got)
	}
	if present, _ := values(ev, "level"); present {
		t.Error("text event has a level field")
	}
}

func TestLeaves(t *testing.T) {
	ev := New([]byte(`{"a":"x","b":{"c":[1,"y",null,true]},"d":null}`))
	var got []string
	ev.Leaves(func(v Value) bool { got = append(got, v.Text()); return false })
	if diff := cmp.Diff([]string{"x", "1", "y", "true"}, got); diff != "" {
		t.Errorf("Leaves mismatch (-want +got):\n%s", diff)
	}
}

func TestResetReuses(t *testing.T) {
	var ev Event
	ev.Reset([]byte(`{"a":"1"}`), false)
	if _, got := values(&ev, "a"); len(got) != 1 {
		t.Fatalf("first: %v", got)
	}
	ev.Reset([]byte(`{"b":"2"}`), false)
	if present, _ := values(&ev, "a"); present {
		t.Error("stale member after Reset")
	}
	raw := []byte(`{"eventName":"x","b":{"c":"d"}}`)
	bc := NewPath("b.c")
	allocs := testing.AllocsPerRun(100, func() {
		ev.Reset(raw, false)
		ev.Lookup(bc, func(v Value) bool { return v.Text() == "d" })
	})
	if allocs != 0 {
		t.Errorf("Reset+Lookup allocates %v times, want 0", allocs)
	}
}

func FuzzEvent(f *testing.F) {
	for _, s := range []string{`{"a":{"b":[1,{"c":"d"}]},"a.b":2}`, `[]`, `{"x":"\u00e9\ud83d"}`, `{`, `"s"`} {
		f.Add([]byte(s), "a.b")
	}
	f.Fuzz(func(t *testing.T, raw []byte, path string) {
		ev := New(raw)
		valid := ev.Err() == nil
		if valid != json.Valid(raw) {
			t.Fatalf("Err()==nil is %v, json.Valid is %v for %q", valid, !valid, raw)
		}
		ev.Lookup(NewPath(path), func(v Value) bool { _ = v.Text(); return false })
		ev.Leaves(func(v Value) bool { _ = v.Text(); return false })
	})
}

func TestPathHintAcrossKeyOrders(t *testing.T) {
	p := NewPath("a")
	q := NewPath("a.b")
	for _, tt := range []struct{ raw, want string }{
		{`{"x":0,"a":{"b":"1"}}`, "1"},
		{`{"a":{"b":"2"},"x":0}`, "2"},
		{`{"a.b":"3","a":{"b":"no"}}`, "3"},
		{`{"y":1}`, ""},
		{`{"x":0,"a":{"b":"5"}}`, "5"},
	} {
		ev := New([]byte(tt.raw))
		var got string
		ev.Lookup(q, func(v Value) bool { got = v.Text(); return true })
		if got != tt.want {
			t.Errorf("Lookup(a.b) in %s = %q, want %q", tt.raw, got, tt.want)
		}
		// A path carrying a hint from earlier events answers as a fresh one does.
		if got, want := ev.Has(p), ev.Has(NewPath("a")); got != want {
			t.Errorf("Has(a) in %s = %v with a hint, %v without", tt.raw, got, want)
		}
	}
}

// refLookup is an independent model of Lookup over encoding/json's decoding: the longest key
// that equals the path or is a dot-separated prefix of it wins (a key equal to the whole path
// first), arrays are crossed element by element and flattened at the end.
func refLookup(v any, path string, out *[]string) bool {
	if path == "" {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				refLookup(e, "", out)
			}
		case string:
			*out = append(*out, "s:"+x)
		case nil:
			*out = append(*out, "null")
		case map[string]any:
			*out = append(*out, "object")
		default:
			*out = append(*out, "v:"+fmt.Sprint(x))
		}
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		best := -1
		for k := range x {
			if (k == path || strings.HasPrefix(path, k+".")) && len(k) > best {
				best = len(k)
			}
		}
		if best < 0 {
			return false
		}
		rest := path[best:]
		if rest != "" {
			rest = rest[1:]
		}
		return refLookup(x[path[:best]], rest, out)
	case []any:
		present := false
		for _, e := range x {
			if refLookup(e, path, out) {
				present = true
			}
		}
		return present
	}
	return false
}

func FuzzLookupModel(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,{"c":"d"}]},"a.b":2,"x":[{"y":"z"},{"y":null}]}`), "a.b.c")
	f.Add([]byte(`{"a":[[{"b":"x"}],{"b":["y",["z"]]}]}`), "a.b")
	f.Add([]byte(`{"k\u002eq":1,"k":{"q":2}}`), "k.q")
	f.Fuzz(func(t *testing.T, raw []byte, path string) {
		if path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") {
			return // paths with empty segments are not field names
		}
		var doc any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil || !json.Valid(raw) {
			return
		}
		if _, ok := doc.(map[string]any); !ok || !utf8.Valid(raw) {
			return
		}
		if m := doc.(map[string]any); len(m) != strings.Count(string(raw), ":") && strings.Contains(string(raw), `"`) {
			// Duplicate keys: encoding/json keeps the last, picket the first; not modelled.
			seen := map[string]bool{}
			dup := false
			New(raw).Members(func(k string, _ Value) bool { dup = dup || seen[k]; seen[k] = true; return false })
			if dup {
				return
			}
		}
		var want []string
		wantPresent := refLookup(doc, path, &want)
		var got []string
		present, _ := New(raw).Lookup(NewPath(path), func(v Value) bool {
			switch v.Kind() {
			case String:
				got = append(got, "s:"+v.Text())
			case Null:
				got = append(got, "null")
			case Object:
				got = append(got, "object")
			default:
				got = append(got, "v:"+v.Text())
			}
			return false
		})
		if present != wantPresent {
			t.Fatalf("Lookup(%q) present = %v, model %v in %s", path, present, wantPresent, raw)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Fatalf("Lookup(%q) = %q, model %q in %s", path, got, want, raw)
		}
	})
}
