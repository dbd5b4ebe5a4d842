package server

import (
	"net/http"
	"slices"
)

// testResult is the answer of POST /api/v1/receivers/{name}/test.
type testResult struct {
	Receiver string `json:"receiver"`
	Status   string `json:"status"`
}

// listReceivers serves GET /api/v1/receivers: the configured receiver names.
func (s *Server) listReceivers(w http.ResponseWriter, r *http.Request) {
	names := []string{}
	if s.deps.Receivers != nil {
		names = append(names, s.deps.Receivers()...)
	}
	slices.Sort(names)
	writeJSON(w, http.StatusOK, list[string]{Items: names})
}

// testReceiver serves POST /api/v1/receivers/{name}/test: sends a test notification now. A
// delivery failure is a 502 with the notifier's error (notifiers keep secrets out of errors).
func (s *Server) testReceiver(w http.ResponseWriter, r *http.Request) {
	if s.deps.TestReceiver == nil || s.deps.Receivers == nil {
		notImplemented(w, "testing receivers")
		return
	}
	name := r.PathValue("name")
	if !slices.Contains(s.deps.Receivers(), name) {
		writeError(w, http.StatusNotFound, "no receiver named "+name)
		return
	}
	if err := s.deps.TestReceiver(r.Context(), name); err != nil {
		s.record(r, "receiver.test", name, "failed: "+err.Error())
		writeError(w, http.StatusBadGateway, "test notification to "+name+" failed: "+err.Error())
		return
	}
	s.record(r, "receiver.test", name, "sent")
	writeJSON(w, http.StatusOK, testResult{Receiver: name, Status: "sent"})
}
