package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fuzzSteps bounds the calls of Next for one fuzz input: a Reader that needs more has
// stopped making progress.
const fuzzSteps = 1 << 20

// FuzzReader feeds arbitrary bytes to a Reader in every format, with a size limit taken
// from the input, and checks that it does not panic, terminates, returns non-empty records
// with non-decreasing lines, counts what it skips, and does not depend on how the input is
// chunked.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"", "\n", "{}", "[]", `{"a":1}`, "{\"a\":1}\n{\"b\":[2,3]}\n", `{"a":1}{"b":2} {"c":3}`,
		"{\n  \"a\": 1\n}\n", "[{\"a\":1},\n2,\"x\",null]", `{"Records":[{"a":1},{"b":2}],"x":{}}`,
		`{"records":[{"a":1}]}`, `{"awsAccountId":"1","digestStartTime":"x"}`, cwDataPayload, cwControlPayload,
		cwDataPayload + cwControlPayload, "H4sI!!", "\xef\xbb\xbf{\"a\":\"\xff\"}", "a\r\nb\n\nc",
		`{"a":"\"}\\"}`, "{\"a\":\n", "[1 2]", `{"Records":[{"a":1},}`, "{\"a\":1}\n]\n{\"b\":2}",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(8))
	}
	f.Add([]byte(lines(b64gz(f, cwDataPayload), b64gz(f, `{"Records":[{"a":1}]}`))), uint16(0))
	f.Add(gz(f, "{\"a\":1}\n{\"b\""), uint16(0))
	if files, err := filepath.Glob(filepath.Join("testdata", "*.*")); err == nil {
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data, uint16(0))
				f.Add(data, uint16(64))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		checkValidObject(t, data)
		for _, format := range formats() {
			opts := Options{Format: format, MaxRecordSize: int(limit)}
			whole := fuzzRead(t, bytes.NewReader(data), opts)
			chunked := fuzzRead(t, oneByteReader{bytes.NewReader(data)}, opts)
			if diff := cmp.Diff(whole, chunked); diff != "" {
				t.Fatalf("format %s: reading whole and byte by byte differ (-whole +byte by byte):\n%s", format, diff)
			}
		}
	})
}

// fuzzRead reads r to its end, checking the invariants, and returns what it read.
func fuzzRead(t *testing.T, src io.Reader, opts Options) []string {
	r := NewReader(src, "fuzz", opts)
	var out []string
	errs := map[string]int{}
	last, records := 1, 0
	for range fuzzSteps {
		rec, err := r.Next()
		var re *RecordError
		switch {
		case err == nil:
			if len(rec.Data) == 0 {
				t.Fatalf("format %s: record at line %d has no data", opts.Format, rec.Line)
			}
			if rec.Line < last {
				t.Fatalf("format %s: record at line %d after one at line %d", opts.Format, rec.Line, last)
			}
			last = rec.Line
			records++
			out = append(out, render(rec))
			continue
		case errors.As(err, &re):
			if re.Line < 1 || re.Err == nil {
				t.Fatalf("format %s: RecordError %+v has no line or cause", opts.Format, re)
			}
			if !slices.Contains([]string{ReasonMalformed, ReasonOversized, ReasonNotJSON}, re.Reason) {
				t.Fatalf("format %s: RecordError with reason %q", opts.Format, re.Reason)
			}
			errs[re.Reason]++
			out = append(out, err.Error())
			continue
		case err != io.EOF:
			out = append(out, "fatal: "+err.Error())
		}
		if _, again := r.Next(); again != err {
			t.Fatalf("format %s: Next after %v = %v, want the same", opts.Format, err, again)
		}
		st := r.Stats()
		if st.Records != records {
			t.Fatalf("format %s: Stats().Records = %d, want %d", opts.Format, st.Records, records)
		}
		for _, reason := range []string{ReasonMalformed, ReasonOversized, ReasonNotJSON} {
			if st.Skipped[reason] != errs[reason] {
				t.Fatalf("format %s: Stats().Skipped[%q] = %d, want %d, the number of RecordErrors",
					opts.Format, reason, st.Skipped[reason], errs[reason])
			}
		}
		return out
	}
	t.Fatalf("format %s: Reader did not finish after %d calls of Next", opts.Format, fuzzSteps)
	return nil
}

// checkValidObject checks that a valid JSON object that is no envelope comes out whole, as
// one record: pretty-printed in FormatJSON, compacted in FormatJSONL.
func checkValidObject(t *testing.T, data []byte) {
	value := bytes.Trim(data, " \t\r\n")
	if !bytes.HasPrefix(value, []byte("{")) || !json.Valid(data) {
		return
	}
	for _, key := range []string{"Records", "records", "messageType", "awsAccountId"} {
		if bytes.Contains(value, []byte(key)) {
			return
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, value); err != nil {
		t.Fatalf("json.Compact(%q) = %v after json.Valid", value, err)
	}
	tests := []struct {
		in     []byte
		format Format
		want   string
	}{
		{data, FormatJSON, string(value)},
		{compact.Bytes(), FormatJSONL, compact.String()},
	}
	for _, tc := range tests {
		r := NewReader(bytes.NewReader(tc.in), "fuzz", Options{Format: tc.format})
		rec, err := r.Next()
		if err != nil || string(rec.Data) != tc.want {
			t.Fatalf("format %s: Next() on valid %q = %q, %v; want the whole object", tc.format, tc.in, rec.Data, err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("format %s: second Next() on valid %q = %v, want io.EOF", tc.format, tc.in, err)
		}
	}
}
