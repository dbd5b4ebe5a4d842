package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// maxJSONLines bounds the pretty-printed evidence of one event.
const maxJSONLines = 1500

// jsonDoc is an event pretty-printed for the alert page: one line per scalar, key or bracket,
// each knowing its dotted field path so that matched fields can be highlighted. The template
// renders every part as text; nothing here is trusted HTML.
type jsonDoc struct {
	Lines     []jsonLine
	Truncated bool
	// Text holds the raw bytes when they are not JSON; Lines is then empty.
	Text string
}

// jsonLine is one line of a pretty-printed JSON document.
type jsonLine struct {
	Indent string
	Key    string // the quoted key, "" outside objects
	Value  string // a scalar as JSON, or a bracket ("{", "}", "[]", …)
	Kind   string // str, num, bool, null or punct
	Comma  bool
	Path   string // dotted path of the value, array indices left out ("resources.ARN")
	Hit    bool   // a field the rule matched
	Group  bool   // a group-by field of the alert
}

// jsonFrame is an open object or array while printing.
type jsonFrame struct {
	object    bool
	expectKey bool
	count     int
	path      string
	key       string // pending key in an object
}

// prettyJSON prints raw, marking the lines whose path is in hits or groups (compared without
// case).
func prettyJSON(raw []byte, hits, groups []string) jsonDoc {
	hitSet, groupSet := lowerSet(hits), lowerSet(groups)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var (
		doc   jsonDoc
		stack []*jsonFrame
	)
	// start opens a value at the current position and returns its line.
	start := func(value, kind string) jsonLine {
		l := jsonLine{Indent: strings.Repeat("  ", len(stack)), Value: value, Kind: kind}
		if n := len(stack); n > 0 {
			f := stack[n-1]
			if f.count > 0 && len(doc.Lines) > 0 {
				doc.Lines[len(doc.Lines)-1].Comma = true
			}
			f.count++
			l.Path = f.path
			if f.object {
				l.Key = quoteJSON(f.key)
				l.Path = joinPath(f.path, f.key)
				f.expectKey = true
			}
		}
		key := strings.ToLower(l.Path)
		l.Hit, l.Group = hitSet[key], groupSet[key]
		return l
	}
	for {
		if len(doc.Lines) >= maxJSONLines {
			doc.Truncated = true
			return doc
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && len(stack) == 0 && len(doc.Lines) > 0 {
			break
		}
		if err != nil { // includes EOF inside a value: not a whole JSON document
			return jsonDoc{Text: string(raw)}
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			if k, ok := tok.(string); ok {
				stack[n-1].key = k
				stack[n-1].expectKey = false
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				l := start(string(t), "punct")
				doc.Lines = append(doc.Lines, l)
				stack = append(stack, &jsonFrame{object: t == '{', expectKey: t == '{', path: l.Path})
			default:
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if f.count == 0 {
					doc.Lines[len(doc.Lines)-1].Value += string(t)
				} else {
					doc.Lines = append(doc.Lines, jsonLine{Indent: strings.Repeat("  ", len(stack)), Value: string(t), Kind: "punct"})
				}
			}
		case string:
			doc.Lines = append(doc.Lines, start(quoteJSON(t), "str"))
		case json.Number:
			doc.Lines = append(doc.Lines, start(t.String(), "num"))
		case bool:
			v := "false"
			if t {
				v = "true"
			}
			doc.Lines = append(doc.Lines, start(v, "bool"))
		case nil:
			doc.Lines = append(doc.Lines, start("null", "null"))
		}
		if len(stack) == 0 {
			break // one top-level value
		}
	}
	return doc
}

// quoteJSON quotes s as JSON without HTML escaping (the template escapes for HTML).
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// joinPath appends a key to a dotted path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lowerSet returns the lower-cased members of ss as a set.
func lowerSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[strings.ToLower(s)] = true
	}
	return m
}
