package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"picket/internal/notify"
	"picket/internal/notify/httpx"
)

// Bot mode threads the notifications of an aggregation group (Notification.GroupKey): the first
// one is a top-level message; later ones (changed, repeated, resolved) are replies in its thread,
// and the top-level message is edited (chat.update) to show the latest one, so that the channel
// shows each group once with its current status.
//
// With durable state (notify.Deps.State) the notifier keeps, per receiver:
//
//	notify/slack/<receiver>/thread/<sha256 of the group key>  threadRecord: the group's top-level message
//	notify/slack/<receiver>/sent/<notification id>            sentRecord: where the notification was posted
//
// Notify looks for the sent record before posting and writes it right after a successful post,
// so a retry of a notification whose post was recorded does not post it again (it only redoes
// the idempotent follow-ups: recording the thread, editing the top-level message). A crash
// between the post and its recording still posts twice: Slack has no idempotency key. Without
// state every notification is a top-level message.
//
// Within one process the notifications of a group are handled one at a time (so two of them do
// not both start a thread); instances sharing a database are not coordinated, and may, rarely,
// start two threads for a group.

// groupLocks is the number of lock stripes serialising the notifications of a group.
const groupLocks = 64

// sentRecord is where a notification was posted.
type sentRecord struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	// ThreadTS is the parent's ts when the notification was a reply, "" when top-level.
	ThreadTS string `json:"thread_ts,omitempty"`
}

// threadRecord is the top-level message of a group.
type threadRecord struct {
	Channel string `json:"channel"` // the channel id Slack answered
	TS      string `json:"ts"`
	// Configured is the receiver's channel setting when the thread started: after a change
	// the group starts a new thread in the new channel.
	Configured string `json:"configured"`
	// Shown is the creation time of the notification the top-level message shows: an older
	// notification, delivered late, does not overwrite it.
	Shown time.Time `json:"shown"`
}

// notifyBot posts n through the Web API, in its group's thread when there is one.
func (s *Notifier) notifyBot(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	m, err := s.message(n)
	if err != nil {
		return false, err
	}
	if s.state == nil {
		_, retry, err := s.post(ctx, m)
		return retry, err
	}
	unlock, err := s.lock(ctx, n.GroupKey)
	if err != nil {
		return true, fmt.Errorf("slack: waiting for the previous notification of the group: %w", err)
	}
	defer unlock()

	sentKey := s.key("sent", n.ID)
	if n.ID != "" {
		var sent sentRecord
		ok, err := s.load(ctx, sentKey, &sent)
		if err != nil {
			return true, err
		}
		if ok {
			return s.followUp(ctx, n, m, sent, true)
		}
	}

	var thr threadRecord
	threaded := false
	if n.GroupKey != "" {
		ok, err := s.load(ctx, s.threadKey(n), &thr)
		if err != nil {
			return true, err
		}
		threaded = ok && thr.TS != "" && thr.Channel != "" && thr.Configured == s.cfg.Channel
	}
	if threaded {
		m.Channel, m.ThreadTS = thr.Channel, thr.TS
	}
	res, retry, err := s.post(ctx, m)
	if err != nil && threaded && isThreadGone(err) {
		// The top-level message was deleted: start a new thread.
		m.Channel, m.ThreadTS = s.cfg.Channel, ""
		res, retry, err = s.post(ctx, m)
	}
	if err != nil {
		return retry, err
	}
	sent := sentRecord{Channel: res.Channel, TS: res.TS, ThreadTS: m.ThreadTS}
	if sent.Channel == "" {
		sent.Channel = m.Channel
	}
	recorded := false
	if n.ID != "" {
		if err := s.save(ctx, sentKey, sent); err != nil {
			// The message is posted: report success rather than have it posted again.
			s.logger.Warn("recording a posted notification failed; a retry of it would post it again",
				"notification_id", n.ID, "err", err)
		} else {
			recorded = true
		}
	}
	return s.followUp(ctx, n, m, sent, recorded)
}

// followUp does what follows the post of n (message m, posted as sent): a top-level message
// becomes its group's thread; a reply updates the thread's top-level message. Both are
// idempotent. recorded says whether sent is stored: only then does a failure ask for a retry
// (which skips the post); otherwise it is logged and Notify reports the post's success.
func (s *Notifier) followUp(ctx context.Context, n *notify.Notification, m *message, sent sentRecord, recorded bool) (bool, error) {
	if n.GroupKey == "" {
		return false, nil
	}
	fail := func(what string, err error) (bool, error) {
		if recorded {
			return true, fmt.Errorf("%s (the notification is posted): %w", what, err)
		}
		s.logger.Warn(what+" failed; the notification is posted", "notification_id", n.ID, "err", err)
		return false, nil
	}
	key := s.threadKey(n)
	var thr threadRecord
	found, err := s.load(ctx, key, &thr)
	if err != nil {
		return fail("reading the group's thread", err)
	}
	if sent.ThreadTS == "" {
		// A top-level message: it is the group's thread, unless (after a crash and a retry)
		// a newer notification already started another one.
		if found && thr.TS != sent.TS && thr.Configured == s.cfg.Channel && n.CreatedAt.Before(thr.Shown) {
			return false, nil
		}
		thr = threadRecord{Channel: sent.Channel, TS: sent.TS, Configured: s.cfg.Channel, Shown: n.CreatedAt}
		if err := s.save(ctx, key, thr); err != nil {
			return fail("recording the group's thread", err)
		}
		return false, nil
	}
	if !found || thr.TS != sent.ThreadTS || n.CreatedAt.Before(thr.Shown) {
		return false, nil // the thread moved on, or a newer notification is shown
	}
	upd := *m
	upd.Channel, upd.TS, upd.ThreadTS, upd.Username, upd.IconEmoji = thr.Channel, thr.TS, "", "", ""
	body, err := httpx.MarshalJSON(&upd)
	if err != nil {
		return false, err
	}
	if _, retry, err := s.call(ctx, "chat.update", body); err != nil {
		if retry {
			return fail("updating the thread's first message", err)
		}
		// Permanent (the message was deleted, the app may no longer edit it): the replies
		// still reach the channel, so the notification is delivered.
		s.logger.Warn("updating the thread's first message failed; the notification is posted in the thread",
			"notification_id", n.ID, "err", err)
		return false, nil
	}
	thr.Shown = n.CreatedAt
	if err := s.save(ctx, key, thr); err != nil {
		s.logger.Warn("recording the group's thread failed", "notification_id", n.ID, "err", err)
	}
	return false, nil
}

// post posts m with chat.postMessage.
func (s *Notifier) post(ctx context.Context, m *message) (apiResponse, bool, error) {
	body, err := httpx.MarshalJSON(m)
	if err != nil {
		return apiResponse{}, false, err
	}
	return s.call(ctx, "chat.postMessage", body)
}

// lock waits, until ctx ends, for the notifications of group in flight in this process; the
// returned function releases the lock.
func (s *Notifier) lock(ctx context.Context, group string) (func(), error) {
	h := sha256.Sum256([]byte(group))
	l := s.locks[int(h[0])%len(s.locks)]
	select {
	case l <- true:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Notifier) key(kind, id string) string {
	return "notify/slack/" + s.name + "/" + kind + "/" + id
}

func (s *Notifier) threadKey(n *notify.Notification) string {
	h := sha256.Sum256([]byte(n.GroupKey))
	return s.key("thread", hex.EncodeToString(h[:]))
}

// load reads the JSON value under key into v; ok is false when there is none. A value that does
// not decode counts as none (it is rewritten).
func (s *Notifier) load(ctx context.Context, key string, v any) (ok bool, err error) {
	b, ok, err := s.state.Checkpoint(ctx, key)
	if err != nil {
		return false, fmt.Errorf("reading slack state %q: %w", key, err)
	}
	if !ok || json.Unmarshal(b, v) != nil {
		return false, nil
	}
	return true, nil
}

func (s *Notifier) save(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding slack state: %w", err)
	}
	if err := s.state.SetCheckpoint(ctx, key, b); err != nil {
		return fmt.Errorf("writing slack state %q: %w", key, err)
	}
	return nil
}
