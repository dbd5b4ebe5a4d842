package route

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"time"

	"picket/internal/alert"
)

// NotificationID returns the idempotency key of a notification: a hash of the receiver, the
// group key, the notification status and the (id, status, count, last notified) of each alert
// taken in id order. The same logical notification always has the same id, whatever the order
// of alerts, so a retry or a restart that sends it again is recognised downstream; a new
// detection (count), a change of status, or an alert announced again after a notification (a
// reopened alert with the same count) gives a new id. LastNotified changes only in the
// transaction that commits a notification, so re-deriving an uncommitted one after a crash
// gives the same id. Parts are length-prefixed, so no two different
// inputs share a hash input.
func NotificationID(receiver, groupKey string, status string, alerts []*alert.Alert) string {
	return notificationID(receiver, groupKey, status, alerts, time.Time{})
}

// notificationID is NotificationID that, for a repeat (repeats non-zero), also covers the
// time of the notification repeated: a repeat announces the same alerts in the same states,
// and must not be taken downstream for a retry of the notification it repeats.
func notificationID(receiver, groupKey, status string, alerts []*alert.Alert, repeats time.Time) string {
	sorted := slices.Clone(alerts)
	slices.SortFunc(sorted, func(x, y *alert.Alert) int { return cmp.Compare(x.ID, y.ID) })
	h := sha256.New()
	writeParts(h, "picket-notification-v1", receiver, groupKey, status, strconv.Itoa(len(sorted)))
	if !repeats.IsZero() {
		writeParts(h, "repeats", repeats.UTC().Format(time.RFC3339Nano))
	}
	for _, a := range sorted {
		last := ""
		if !a.LastNotified.IsZero() {
			last = a.LastNotified.UTC().Format(time.RFC3339Nano)
		}
		writeParts(h, a.ID, string(a.Status), strconv.Itoa(a.Count), last)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeParts(h hash.Hash, parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
}
