// Package parse frames log input: it turns a byte stream (a file, stdin, an S3 object)
// into records, one per log event, streaming and in bounded memory.
//
// It finds record boundaries, unwraps envelopes and reports framing problems with line
// numbers. It does not decode records into maps and does not fully validate their JSON: a
// record's bytes are checked and indexed lazily by the package that consumes them.
//
// # Formats
//
// A gzip stream (one or several members) is decompressed first, and a UTF-8 byte order
// mark dropped; everything below is about the decompressed bytes, and line numbers count
// its lines. With FormatAuto the format is sniffed from the first non-space bytes:
//
//   - '{' whose first key is "Records" (an array): FormatCloudTrail;
//   - '{' whose first key is "messageType": FormatCloudWatch (decoded payloads);
//   - '{' whose value ends on its first line: FormatJSONL, otherwise FormatJSON;
//   - '[': FormatJSON (a top-level array);
//   - "H4sI" (base64 of a gzip header): FormatCloudWatch (base64 lines);
//   - anything else: FormatText.
//
// FormatJSONL is one JSON value per line; a line may hold several concatenated values
// ("{...}{...}", as Firehose writes them), and blank lines are skipped. A line holding an
// array gives its elements. A line that does not start with '{' or '[' is not_json; a value
// that does not end on its line is malformed, and reading goes on at the next line.
//
// FormatJSON is a stream of values that may span lines (pretty-printed objects). After a
// malformed value, reading resumes at the next line that starts, in its first column, with
// a whole object (or "H4sI"), so objects written after one truncated by a crash are still
// read; the skipped region is reported once, and recovering costs linear time.
//
// FormatCloudTrail is one or more {"Records":[...]} objects, possibly pretty-printed. The
// file is streamed element by element: a 1 GB file is never loaded whole. A break in its
// structure ends reading with an error after the records before it.
//
// FormatCloudWatch is CloudWatch Logs subscription payloads (base64 of gzip of JSON, one
// per line) or the decoded JSON payloads, framed like FormatJSON.
//
// FormatText makes each non-blank line a text record, without its line ending.
//
// # Envelopes
//
// Every top-level JSON object, whatever the format, is judged by its first key, without
// decoding it:
//
//   - "Records" or "records" with an array value (CloudTrail files, S3 notifications, Azure
//     resource-log exports): each element is a record; the array is streamed, and the keys
//     after it are skipped.
//   - "messageType": a decoded CloudWatch Logs subscription payload. A DATA_MESSAGE gives one
//     record per log event, JSON when the message is a JSON object and text otherwise,
//     carrying the event's ID and time and the payload's log group, stream and owner. A
//     CONTROL_MESSAGE is counted and skipped. An object that is not such a payload is an
//     ordinary record.
//   - "awsAccountId" with a "digestStartTime" key: a CloudTrail digest file, counted and
//     skipped.
//
// A line starting with "H4sI" in any JSON format is decoded (base64, then gzip) and
// unwrapped the same way. Elements of arrays are not themselves unwrapped.
//
// # Invariants
//
//   - Streaming: Next returns each record as soon as it is framed. Record.Data points into
//     the Reader's buffer and is valid until the next call of Next.
//   - Bounded memory: the buffer never holds much more than Options.MaxRecordSize plus one
//     read. A longer record or line is skipped with an "oversized" RecordError while it is
//     discarded, however long it is.
//   - Nothing is dropped silently: every skipped record is either reported by a
//     *RecordError (malformed, oversized, not_json) or counted in Stats.Skipped
//     (control_message, digest, empty). Records with invalid UTF-8 are returned and counted.
//   - A *RecordError never ends reading; any other error does, after every complete record
//     before it was returned.
//   - Record lines never decrease, and the Reader does not allocate per record in the jsonl
//     and cloudtrail hot paths beyond amortised buffer growth.
package parse
