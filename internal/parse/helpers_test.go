package parse

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// maxTestSteps stops a test whose Reader does not terminate.
const maxTestSteps = 1_000_000

// drain reads r to its end and renders what Next returned, one string each:
// "LINE DATA" for a JSON record, "LINE text DATA" for a text record, "REASON: ERROR" for
// a RecordError and "fatal: ERROR" for the error that ends reading (io.EOF is left out).
func drain(t *testing.T, r *Reader) []string {
	t.Helper()
	var got []string
	for range maxTestSteps {
		rec, err := r.Next()
		var re *RecordError
		switch {
		case err == nil:
			got = append(got, render(rec))
		case errors.As(err, &re):
			got = append(got, re.Reason+": "+err.Error())
		case err == io.EOF:
			return got
		default:
			got = append(got, "fatal: "+err.Error())
			if _, err2 := r.Next(); err2 != err {
				t.Errorf("Next after fatal error %v = %v, want the same error", err, err2)
			}
			return got
		}
	}
	t.Fatalf("Reader did not finish after %d calls of Next", maxTestSteps)
	return nil
}

// render renders a record for comparison.
func render(rec Record) string {
	s := fmt.Sprintf("%d %s", rec.Line, rec.Data)
	if rec.Text {
		s = fmt.Sprintf("%d text %s", rec.Line, rec.Data)
	}
	if rec.ID != "" || !rec.Time.IsZero() || rec.LogGroup != "" || rec.LogStream != "" || rec.Owner != "" {
		s += fmt.Sprintf(" [id=%s time=%s group=%s stream=%s owner=%s]",
			rec.ID, rec.Time.Format("2006-01-02T15:04:05.000Z07:00"), rec.LogGroup, rec.LogStream, rec.Owner)
	}
	return s
}

// gz compresses s as one gzip member.
func gz(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// b64gz returns the base64 of the gzip of s, as a CloudWatch subscription delivers it.
func b64gz(t testing.TB, s string) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(gz(t, s))
}

// lines joins lines with newlines, ending the last one too.
func lines(ls ...string) string {
	return strings.Join(ls, "\n") + "\n"
}

// oneByteReader returns its input one byte per Read, to cross every buffer boundary.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// failingReader returns data and then err; with together, err comes with the last data.
type failingReader struct {
	data     []byte
	err      error
	together bool
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	if f.together && len(f.data) == 0 {
		return n, f.err
	}
	return n, nil
}
