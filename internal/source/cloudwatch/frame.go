package cloudwatch

import (
	"bytes"
	"encoding/json"

	"picket/internal/event"
	"picket/internal/flowlog"
)

// shapeKind is what a message was read as; records of one kind share a batch logsource.
type shapeKind uint8

const (
	kindDetect     shapeKind = iota // JSON or text: the pipeline recognises the shape
	kindVPCFlow                     // a flow log record turned into JSON
	kindCloudTrail                  // format cloudtrail
	numKinds
)

// kindLogSource is the batch logsource of each kind (nil: recognised by the pipeline).
func kindLogSource(k shapeKind) *event.LogSource {
	switch k {
	case kindVPCFlow:
		return &event.LogSource{Product: "aws", Service: "vpcflowlogs"}
	case kindCloudTrail:
		return &event.LogSource{Product: "aws", Service: "cloudtrail"}
	}
	return nil
}

// framer turns CloudWatch messages into record data according to the `format` setting.
type framer struct {
	format string
	flow   flowlog.Format
}

// frame reads one message. It returns the record's data (appended to buf's free space), whether
// it is text, its kind, or a skip reason when the message cannot be read in the configured
// format (skip == "" otherwise).
func (f *framer) frame(msg []byte) (data []byte, text bool, kind shapeKind, skip string) {
	msg = bytes.TrimRight(msg, "\r\n")
	switch f.format {
	case FormatText:
		return msg, true, kindDetect, ""
	case FormatJSON, FormatCloudTrail:
		if !isObject(msg) {
			return nil, false, 0, "not a JSON object"
		}
		if f.format == FormatCloudTrail {
			return msg, false, kindCloudTrail, ""
		}
		return msg, false, kindDetect, ""
	case FormatVPCFlow:
		if f.flow.IsHeader(msg) {
			return nil, false, 0, "flow log header"
		}
		out, err := f.flow.Parse(nil, msg)
		if err != nil {
			return nil, false, 0, "malformed flow log record"
		}
		return out, false, kindVPCFlow, ""
	}
	// auto
	if isObject(msg) {
		return msg, false, kindDetect, ""
	}
	if f.flow.Match(msg) {
		out, err := f.flow.Parse(nil, msg)
		if err == nil {
			return out, false, kindVPCFlow, ""
		}
	}
	if f.flow.IsHeader(msg) {
		return nil, false, 0, "flow log header"
	}
	return msg, true, kindDetect, ""
}

// isObject reports whether b is one JSON object.
func isObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}
