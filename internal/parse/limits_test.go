package parse

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// genReader produces prefix, then body count times (forever when count < 0), then suffix,
// without holding the whole input, at most chunk bytes per Read.
type genReader struct {
	prefix, body, suffix string
	count                int
	chunk                int

	cur   string
	stage int
	n     int64 // bytes produced
}

func (g *genReader) Read(p []byte) (int, error) {
	for g.cur == "" {
		switch {
		case g.stage == 0:
			g.cur, g.stage = g.prefix, 1
		case g.stage == 1 && g.count != 0:
			g.cur = g.body
			g.count--
		case g.stage == 1:
			g.cur, g.stage = g.suffix, 2
		default:
			return 0, io.EOF
		}
	}
	n := min(len(p), len(g.cur))
	if g.chunk > 0 {
		n = min(n, g.chunk)
	}
	copy(p, g.cur[:n])
	g.cur = g.cur[n:]
	g.n += int64(n)
	return n, nil
}

// allocated runs f and returns how many bytes it allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// bufferBound is the most the Reader's buffer may hold for a size limit.
func bufferBound(limit int) int { return limit + 2*readSize }

func TestOversized(t *testing.T) {
	const tenMB = 10 << 20
	bigString := func(prefix, suffix string) *genReader {
		return &genReader{prefix: prefix, body: strings.Repeat("x", 4096), count: tenMB / 4096, suffix: suffix}
	}
	tests := []struct {
		name      string
		in        *genReader
		opts      Options
		want      []string
		maxAlloc  uint64 // 0: only the buffer bound is checked
		wantBytes int    // length of the big record when it is returned
	}{
		{
			name: "10 MB line, default limit",
			in:   bigString(lines(`{"a":1}`)+`{"big":"`, `"}`+"\n"+lines(`{"b":2}`)),
			want: []string{
				`1 {"a":1}`,
				"oversized: line 2: record larger than 8 MiB skipped (raise the record size limit)",
				`3 {"b":2}`,
			},
		},
		{
			name:      "10 MB line, raised limit",
			in:        bigString(lines(`{"a":1}`)+`{"big":"`, `"}`+"\n"+lines(`{"b":2}`)),
			opts:      Options{MaxRecordSize: 16 << 20},
			want:      []string{`1 {"a":1}`, "2 BIG", `3 {"b":2}`},
			wantBytes: tenMB + len(`{"big":""}`),
		},
		{
			name: "10 MB line, small limit",
			in:   bigString(lines(`{"a":1}`)+`{"big":"`, `"}`+"\n"+lines(`{"b":2}`)),
			opts: Options{MaxRecordSize: 64 << 10},
			want: []string{
				`1 {"a":1}`,
				"oversized: line 2: record larger than 64 KiB skipped (raise the record size limit)",
				`3 {"b":2}`,
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB unterminated line",
			in:   bigString(lines(`{"a":1}`)+`{"big":"`, "\n"+lines(`{"b":2}`)),
			opts: Options{MaxRecordSize: 64 << 10},
			want: []string{
				`1 {"a":1}`,
				"oversized: line 2: record larger than 64 KiB skipped (raise the record size limit)",
				`3 {"b":2}`,
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB line that is not JSON",
			in:   bigString(lines(`{"a":1}`), "\n"+lines(`{"b":2}`)),
			opts: Options{Format: FormatJSONL, MaxRecordSize: 64 << 10},
			want: []string{
				`1 {"a":1}`,
				"not_json: line 2: not JSON: unexpected 'x'",
				`3 {"b":2}`,
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB pretty-printed value",
			in:   bigString("{\n  \"a\": 1\n}\n{\n  \"big\": \"", "\"\n}\n{\n  \"b\": 2\n}\n"),
			opts: Options{MaxRecordSize: 64 << 10},
			want: []string{
				"1 {\n  \"a\": 1\n}",
				"oversized: line 4: record larger than 64 KiB skipped (raise the record size limit)",
				"7 {\n  \"b\": 2\n}",
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB element of a Records file",
			in:   bigString(`{"Records":[{"a":1},{"big":"`, `"},{"b":2}]}`),
			opts: Options{MaxRecordSize: 64 << 10},
			want: []string{
				`1 {"a":1}`,
				"oversized: line 1: record larger than 64 KiB skipped (raise the record size limit)",
				`1 {"b":2}`,
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB element at the end of a truncated Records file",
			in:   bigString(`{"Records":[{"a":1},{"big":"`, ""),
			opts: Options{MaxRecordSize: 64 << 10},
			want: []string{
				`1 {"a":1}`,
				"oversized: line 1: record larger than 64 KiB skipped (raise the record size limit)",
				"fatal: line 1: malformed CloudTrail file: unexpected end of input",
			},
			maxAlloc: 1 << 20,
		},
		{
			name: "10 MB text line",
			in:   bigString("first\n", "\nlast\n"),
			opts: Options{Format: FormatText, MaxRecordSize: 64 << 10},
			want: []string{
				"1 text first",
				"oversized: line 2: line larger than 64 KiB skipped (raise the record size limit)",
				"3 text last",
			},
			maxAlloc: 1 << 20,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.chunk = 32 << 10
			r := NewReader(tc.in, "big", tc.opts)
			var got []string
			bigLen := 0
			alloc := allocated(func() {
				for {
					rec, err := r.Next()
					if err == io.EOF {
						break
					}
					var re *RecordError
					switch {
					case errors.As(err, &re):
						got = append(got, re.Reason+": "+err.Error())
						continue
					case err != nil:
						got = append(got, "fatal: "+err.Error())
						return
					}
					if len(rec.Data) > 1000 {
						bigLen = len(rec.Data)
						rec.Data = []byte("BIG")
					}
					got = append(got, render(rec))
				}
			})
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if bigLen != tc.wantBytes {
				t.Errorf("big record has %d bytes, want %d", bigLen, tc.wantBytes)
			}
			if limit := max(tc.opts.MaxRecordSize, DefaultMaxRecordSize); tc.wantBytes == 0 && cap(r.in.buf) > bufferBound(limit) {
				t.Errorf("buffer grew to %d bytes, want at most %d", cap(r.in.buf), bufferBound(limit))
			}
			if tc.maxAlloc > 0 && alloc > tc.maxAlloc {
				t.Errorf("reading %d bytes allocated %d bytes, want at most %d", tc.in.n, alloc, tc.maxAlloc)
			}
		})
	}
}

// TestStreamedRecords reads a CloudTrail file of about 50 MB, produced as it is read, in
// small reads, and checks that the Reader neither holds it nor allocates per record.
func TestStreamedRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 50 MB")
	}
	event := cloudTrailEvent(7)
	const n = 50 << 20 / 1400
	for _, format := range []Format{FormatAuto, FormatCloudTrail, FormatJSON} {
		src := &genReader{
			prefix: "{\"Records\":[" + event,
			body:   ",\n" + event,
			count:  n - 1,
			suffix: "]}\n",
			chunk:  4096,
		}
		r := NewReader(src, "big.json", Options{Format: format})
		records := 0
		alloc := allocated(func() {
			for {
				rec, err := r.Next()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("%s: Next() = %v after %d records", format, err, records)
				}
				if string(rec.Data) != event {
					t.Fatalf("%s: record %d = %.80q..., want the event", format, records, rec.Data)
				}
				records++
				if rec.Line != records {
					t.Fatalf("%s: record %d has Line %d, want %d", format, records, rec.Line, records)
				}
			}
		})
		if records != n {
			t.Errorf("%s: read %d records, want %d", format, records, n)
		}
		if src.n < 50<<20 {
			t.Errorf("%s: input is %d bytes, want at least 50 MB", format, src.n)
		}
		// The buffer and the Reader, whatever the input's size.
		if alloc > 512<<10 {
			t.Errorf("%s: reading %d bytes allocated %d bytes, want at most 512 KiB", format, src.n, alloc)
		}
		if cap(r.in.buf) > readSize {
			t.Errorf("%s: buffer grew to %d bytes, want %d", format, cap(r.in.buf), readSize)
		}
	}
}

// TestNoAllocsPerRecord checks the hot paths: once the buffer is in place, framing a record
// allocates nothing.
func TestNoAllocsPerRecord(t *testing.T) {
	event := cloudTrailEvent(3)
	tests := []struct {
		name string
		src  *genReader
		opts Options
	}{
		{"jsonl", &genReader{body: event + "\n", count: -1}, Options{Format: FormatJSONL}},
		{"jsonl auto", &genReader{body: event + "\n", count: -1}, Options{}},
		{"jsonl concatenated", &genReader{body: event, count: -1}, Options{}},
		{"cloudtrail", &genReader{prefix: `{"Records":[` + event, body: "," + event, count: -1}, Options{}},
		{"json array", &genReader{prefix: "[" + event, body: ",\n" + event, count: -1}, Options{}},
		{"text", &genReader{body: event + "\n", count: -1}, Options{Format: FormatText}},
	}
	for _, tc := range tests {
		r := NewReader(tc.src, "x", tc.opts)
		allocs := testing.AllocsPerRun(10000, func() {
			if _, err := r.Next(); err != nil {
				t.Fatalf("%s: Next() = %v", tc.name, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per record, want 0", tc.name, allocs)
		}
	}
}
