package file

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// fingerprintSize is how many leading bytes of a file tell it from another file that reused
// its inode.
const fingerprintSize = 1024

// cursor is the checkpoint of one file, stored as JSON under source/file/<name>/<identity>.
type cursor struct {
	// Gen counts how many times the identity's content was found replaced (inode reuse,
	// copytruncate); it is part of every record id, so that new content never reuses the
	// ids of the old.
	Gen int `json:"gen"`
	// FP is the hex SHA-256 of the first FPLen bytes of the file.
	FP    string `json:"fp,omitempty"`
	FPLen int    `json:"fp_len,omitempty"`
	// Format is the file's framing, fixed when the file is first read.
	Format string `json:"format,omitempty"`
	// Whole marks a file read from its start each time (gzip, json, cloudtrail, cloudwatch):
	// Events results of the reader (records and skipped records) are already processed.
	Whole  bool  `json:"whole,omitempty"`
	Events int64 `json:"events,omitempty"`
	// Offset is, for a streamed file, the byte offset of the first unprocessed line; for a
	// whole file, the size when it was last read.
	Offset int64 `json:"offset"`
	// Lines is the number of lines before Offset of a streamed file.
	Lines int `json:"lines,omitempty"`
	// Done marks a gzip file read to its end (or skipped by start_at: end).
	Done bool `json:"done,omitempty"`
	// Path is where the file was last seen, for people.
	Path string `json:"path,omitempty"`
	// Forgotten marks a file that disappeared; only Gen is kept.
	Forgotten bool `json:"forgotten,omitempty"`
}

func decodeCursor(b []byte) (cursor, error) {
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return cursor{}, fmt.Errorf("decoding checkpoint: %w", err)
	}
	return c, nil
}

func (c cursor) encode() []byte {
	b, _ := json.Marshal(c) // a struct of strings, numbers and booleans always marshals
	return b
}

// recordID is the stable id of the record at (offset, ordinal) of generation gen of the file
// identity: the ordinal tells records apart that start on one line. Whole files use the
// record's index as offset and ordinal -1.
func recordID(identity string, gen int, offset int64, ordinal int) string {
	h := sha256.New()
	var b [8 * 3]byte
	binary.BigEndian.PutUint64(b[0:], uint64(gen))
	binary.BigEndian.PutUint64(b[8:], uint64(offset))
	binary.BigEndian.PutUint64(b[16:], uint64(int64(ordinal)))
	h.Write([]byte(identity))
	h.Write(b[:])
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func fingerprint(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
