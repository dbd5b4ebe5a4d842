// Package notifytest helps test picket's notification channels: a realistic Notification
// fixture (two alerts with CloudTrail evidence), a Receiver (an httptest server that records
// requests and answers scripted failures), golden-file comparison of payloads, and shared suites
// every HTTP channel runs: RunRetryTests (500/408/429/503 retry, Retry-After honoured, 4xx
// permanent, context cancellation) and RunSecretLeakTests with AssertNoSecretLeak (no token,
// key or secret URL in any returned error, even when the provider echoes the request).
//
// Golden files are rewritten when a test passes update=true, conventionally from a
// `-update` flag declared in the channel's test file.
package notifytest

import (
	"bytes"
	"encoding/json"
	"strings"
)

func indent(out *strings.Builder, b []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	out.Write(buf.Bytes())
	return nil
}
