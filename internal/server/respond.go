package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/notify"
)

// maxBody bounds JSON request bodies; maxFormBody the login form.
const (
	maxBody     = 1 << 20
	maxFormBody = 16 << 10
)

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

// list is every collection response.
type list[T any] struct {
	Items []T `json:"items"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client went away: nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// badRequest is an error whose text is safe and useful to show the client.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badRequest{msg: fmt.Sprintf(format, args...)}
}

// fail answers err (see publicError).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := publicError(err)
	if status == http.StatusInternalServerError {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, msg)
}

// publicError maps err to a status and a message for the client: domain errors keep their
// text (it says what was wrong with the request); anything else is a 500 with a generic
// message, the caller logging the detail.
func publicError(err error) (int, string) {
	var br *badRequest
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &br):
		return http.StatusBadRequest, br.msg
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
	case errors.Is(err, alert.ErrNotFound), errors.Is(err, catalog.ErrNotFound), errors.Is(err, notify.ErrEntryNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, alert.ErrInvalidTransition), errors.Is(err, alert.ErrDuplicate),
		errors.Is(err, notify.ErrNotDead), errors.Is(err, catalog.ErrDisabledByConfig):
		return http.StatusConflict, err.Error()
	case errors.Is(err, alert.ErrInvalid), errors.Is(err, audit.ErrInvalid):
		return http.StatusBadRequest, err.Error()
	}
	return http.StatusInternalServerError, "internal error (see the server log)"
}

// decode reads a JSON body into v strictly: one value, no unknown fields, at most maxBody
// bytes. When optional, an empty body leaves v as it is.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return badRequestf("Content-Type must be application/json")
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.Is(err, io.EOF) && optional:
			return nil
		case errors.Is(err, io.EOF):
			return badRequestf("a JSON request body is required")
		}
		return badRequestf("invalid JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequestf("invalid JSON body: more than one value")
	}
	return nil
}

// query reads URL query parameters, gathering the first problem.
type query struct {
	r   *http.Request
	err error
}

func (q *query) str(name string) string { return q.r.URL.Query().Get(name) }

func (q *query) time(name string) time.Time {
	v := q.str(name)
	if v == "" || q.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		q.err = badRequestf("%s=%q: want an RFC 3339 time", name, v)
	}
	return t
}

// limit reads "limit": def when absent, an error beyond max.
func (q *query) limit(def, max int) int {
	v := q.str("limit")
	if v == "" || q.err != nil {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		q.err = badRequestf("limit=%q: want a number from 1 to %d", v, max)
		return def
	}
	return n
}

// record writes an audit entry for an action r performed; a failure is logged (the action
// has happened).
func (s *Server) record(r *http.Request, action, target, detail string) {
	e := audit.Entry{Time: s.clock().UTC(), Actor: User(r), Action: action, Target: target, Detail: detail, RemoteAddr: r.RemoteAddr}
	if err := s.deps.Audit.Record(r.Context(), e); err != nil {
		s.logger.Error("recording audit entry", "action", action, "target", target, "err", err)
	}
}

func notImplemented(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotImplemented, what+" is not available in this server")
}
