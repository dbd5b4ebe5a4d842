package cloudwatch

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// maxSeen bounds the event ids remembered per log group for the overlap of two reads (8 bytes
// of hash and a few of time each: about 2.5 MB of checkpoint at the bound). Past it the oldest
// ids are forgotten and the window start moves up to the oldest one kept.
const maxSeen = 200_000

// groupState is the position of one log group: the checkpoint, plus what one poll needs.
//
// Invariants (times in epoch milliseconds, by event timestamp):
//   - every event with a timestamp in [start, end) that was visible when the last completed
//     read ran has been delivered, where end is the checkpoint time (`t`);
//   - seen holds the id of every delivered event with a timestamp >= start, so a read from
//     start delivers nothing twice;
//   - start only moves forward: start = max(start, t - lag), at most t.
type groupState struct {
	t     int64 // checkpoint time
	start int64 // next read starts here
	lag   time.Duration
	seen  map[uint64]int64 // hash of stream and eventId → event timestamp

	// Of the poll in progress.
	end     int64   // this read's end (exclusive)
	token   *string // next page
	done    bool    // the read reached its end
	reached int64   // highest timestamp delivered in this read
	dirty   bool    // changed since the last checkpoint write
}

// checkpoint is the stored form of a groupState.
type checkpoint struct {
	V     int    `json:"v"`
	T     int64  `json:"t"`     // checkpoint time, epoch ms
	Start int64  `json:"start"` // next read start, epoch ms
	LagMS int64  `json:"lag_ms"`
	Seen  string `json:"seen,omitempty"` // base64 of (uvarint(ts - start), 8-byte hash) pairs, by time
	Time  string `json:"time"`           // T in RFC 3339, for people reading the store
}

func (g *groupState) encode() ([]byte, error) {
	type pair struct {
		h  uint64
		ts int64
	}
	pairs := make([]pair, 0, len(g.seen))
	for h, ts := range g.seen {
		pairs = append(pairs, pair{h, ts})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if a.ts != b.ts {
			return int(a.ts - b.ts)
		}
		if a.h < b.h {
			return -1
		}
		return 1
	})
	buf := make([]byte, 0, len(pairs)*12)
	for _, p := range pairs {
		buf = binary.AppendUvarint(buf, uint64(p.ts-g.start))
		buf = binary.LittleEndian.AppendUint64(buf, p.h)
	}
	return json.Marshal(checkpoint{
		V: 1, T: g.t, Start: g.start, LagMS: g.lag.Milliseconds(),
		Seen: base64.StdEncoding.EncodeToString(buf),
		Time: time.UnixMilli(g.t).UTC().Format(time.RFC3339Nano),
	})
}

func decodeState(b []byte) (*groupState, error) {
	var c checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decoding checkpoint: %w", err)
	}
	if c.V != 1 {
		return nil, fmt.Errorf("decoding checkpoint: version %d is unknown", c.V)
	}
	raw, err := base64.StdEncoding.DecodeString(c.Seen)
	if err != nil {
		return nil, fmt.Errorf("decoding checkpoint ids: %w", err)
	}
	g := &groupState{t: c.T, start: c.Start, lag: time.Duration(c.LagMS) * time.Millisecond, seen: map[uint64]int64{}}
	for len(raw) > 0 {
		d, n := binary.Uvarint(raw)
		if n <= 0 || len(raw) < n+8 {
			return nil, errors.New("decoding checkpoint ids: truncated")
		}
		g.seen[binary.LittleEndian.Uint64(raw[n:])] = g.start + int64(d)
		raw = raw[n+8:]
	}
	return g, nil
}

// idHash hashes a stream name and event id (FNV-1a, 64 bits: stable across restarts).
func idHash(stream, id string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(stream); i++ {
		h = (h ^ uint64(stream[i])) * prime
	}
	h = (h ^ 0) * prime
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return h
}

// advance moves the checkpoint to t (never backwards) and the read start to t - lag (never
// backwards, never past t), forgetting the ids before the new start; beyond maxSeen ids it
// forgets the oldest and moves start up to the oldest one kept. It reports how many ids it
// dropped only because of the bound.
func (g *groupState) advance(t int64) (evicted int) {
	g.t = max(g.t, t)
	g.start = min(max(g.start, g.t-g.lag.Milliseconds()), g.t)
	if len(g.seen) > maxSeen {
		times := make([]int64, 0, len(g.seen))
		for _, ts := range g.seen {
			times = append(times, ts)
		}
		slices.Sort(times)
		cut := times[len(times)-maxSeen]
		if cut > g.start {
			for _, ts := range times {
				if ts < cut && ts >= g.start {
					evicted++
				}
			}
			g.start = cut
		}
	}
	for h, ts := range g.seen {
		if ts < g.start {
			delete(g.seen, h)
		}
	}
	return evicted
}
