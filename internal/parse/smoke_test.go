package parse

import (
	"strings"
	"testing"
)

func TestSmoke(t *testing.T) {
	for _, in := range []string{
		"{\"a\":1}\n{\"b\":2}{\"c\":3}\n\nxx\n{\"d\":[1,2]\n{\"e\":\"x\"}\n",
		"{\n \"a\": 1\n}\n{\n \"b\": [1,\n}\n{\n \"c\": 3\n}\n",
		`{"Records":[{"a":1},{"b":2}], "x": {"y":[1]}}` + "\n" + `{"records":[{"c":3}]}`,
		"[1, 2, {\"a\":\"]\"}]",
		"hello\r\nworld\n\n  \nlast",
		`{"awsAccountId":"1","digestStartTime":"x"}` + "\n" + `{"awsAccountId":"1","x":2}`,
		`{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1700000000000,"message":"{\"a\":1}"},{"id":"2","timestamp":1,"message":"plain\n"}]}` + "\n" + `{"messageType":"CONTROL_MESSAGE"}`,
		b64gz(t, `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1700000000000,"message":"{\"a\":1}"}]}`) + "\nH4sIbad\n",
	} {
		r := NewReader(strings.NewReader(in), "x", Options{})
		got := drain(t, r)
		t.Logf("%s %q\n%s\n%+v", r.Format(), in, strings.Join(got, "\n"), r.Stats())
	}
}
