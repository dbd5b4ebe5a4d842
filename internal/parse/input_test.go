package parse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGzip(t *testing.T) {
	member1 := gz(t, lines(`{"a":1}`, `{"b":2}`))
	member2 := gz(t, lines(`{"c":3}`))
	whole := gz(t, lines(`{"a":1}`, `{"b":2}`, `{"c":`+strings.Repeat(`"x",`, 20000)+`3}`, `{"d":4}`))
	corrupt := bytes.Clone(member1)
	corrupt[len(corrupt)-6] ^= 0xff // CRC-32
	tests := []struct {
		name      string
		in        []byte
		want      []string
		wantCause error
	}{
		{
			name: "multi-member",
			in:   append(bytes.Clone(member1), member2...),
			want: []string{`1 {"a":1}`, `2 {"b":2}`, `3 {"c":3}`},
		},
		{
			name: "truncated",
			in:   whole[:len(whole)/2],
			want: []string{
				`1 {"a":1}`,
				`2 {"b":2}`,
				"fatal: line 3: decompressing gzip input: unexpected EOF",
			},
			wantCause: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated between records",
			in:   member1[:len(member1)-4],
			want: []string{
				`1 {"a":1}`,
				`2 {"b":2}`,
				"fatal: line 3: decompressing gzip input: unexpected EOF",
			},
			wantCause: io.ErrUnexpectedEOF,
		},
		{
			name:      "bad checksum",
			in:        corrupt,
			want:      []string{`1 {"a":1}`, `2 {"b":2}`, "fatal: line 3: decompressing gzip input: gzip: invalid checksum"},
			wantCause: errors.New("gzip: invalid checksum"),
		},
		{
			name:      "garbage after a member",
			in:        append(bytes.Clone(member1), "this is not a gzip member"...),
			want:      []string{`1 {"a":1}`, `2 {"b":2}`, "fatal: line 3: decompressing gzip input: gzip: invalid header"},
			wantCause: errors.New("gzip: invalid header"),
		},
		{
			name:      "magic only",
			in:        []byte{0x1f, 0x8b},
			want:      []string{"fatal: line 1: decompressing gzip input: unexpected EOF"},
			wantCause: io.ErrUnexpectedEOF,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range []io.Reader{bytes.NewReader(tc.in), oneByteReader{bytes.NewReader(tc.in)}} {
				r := NewReader(src, "x.gz", Options{})
				got := drain(t, r)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("records and errors (-want +got):\n%s", diff)
				}
				_, err := r.Next()
				if tc.wantCause == nil {
					if err != io.EOF {
						t.Errorf("Next at the end = %v, want io.EOF", err)
					}
					continue
				}
				var re *RecordError
				if errors.As(err, &re) {
					t.Errorf("Next at the end = RecordError %v, want a fatal error", err)
				}
				if tc.wantCause == io.ErrUnexpectedEOF && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("Next at the end = %v, want it to wrap io.ErrUnexpectedEOF", err)
				}
			}
		})
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{
			name: "jsonl",
			in:   "{\"a\":1}\n{\"b\":2}\n{\"c\":",
			want: []string{`1 {"a":1}`, `2 {"b":2}`, "fatal: line 3: reading input: connection reset"},
		},
		{
			name: "cloudtrail",
			in:   `{"Records":[{"a":1},{"b":2},{"c":`,
			want: []string{`1 {"a":1}`, `1 {"b":2}`, "fatal: line 1: reading input: connection reset"},
		},
		{
			name: "text",
			in:   "one\ntwo\nthr",
			want: []string{"1 text one", "2 text two", "fatal: line 3: reading input: connection reset"},
		},
		{
			name: "between records",
			in:   lines(`{"a":1}`),
			want: []string{`1 {"a":1}`, "fatal: line 2: reading input: connection reset"},
		},
		{
			name: "gzip",
			in:   string(gz(t, lines(`{"a":1}`, `{"b":2}`))),
			want: []string{`1 {"a":1}`, `2 {"b":2}`, "fatal: line 3: decompressing gzip input: connection reset"},
		},
		{
			name: "immediately",
			in:   "",
			want: []string{"fatal: line 1: reading input: connection reset"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, together := range []bool{false, true} {
				r := NewReader(&failingReader{data: []byte(tc.in), err: boom, together: together}, "x", tc.opts)
				got := drain(t, r)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("error returned with the data: %v: records and errors (-want +got):\n%s", together, diff)
				}
				if _, err := r.Next(); !errors.Is(err, boom) {
					t.Errorf("Next at the end = %v, want it to wrap %v", err, boom)
				}
			}
		})
	}
}

func TestRecordError(t *testing.T) {
	cause := errors.New("malformed JSON: unexpected end of input")
	err := error(&RecordError{Line: 12, Reason: ReasonMalformed, Err: cause})
	if got, want := err.Error(), "line 12: malformed JSON: unexpected end of input"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, cause) = false, want true", err)
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{8 << 20, "8 MiB"},
		{64 << 10, "64 KiB"},
		{1, "1 byte"},
		{100, "100 bytes"},
		{1<<20 + 1, "1048577 bytes"},
	}
	for _, tc := range tests {
		if got := formatSize(tc.n); got != tc.want {
			t.Errorf("formatSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
