package server

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/config"
)

// openAPIDoc is the part of api/openapi.yaml the test reads.
type openAPIDoc struct {
	OpenAPI string                                 `yaml:"openapi"`
	Paths   map[string]map[string]openAPIOperation `yaml:"paths"`
}

type openAPIOperation struct {
	Summary   string         `yaml:"summary"`
	Responses map[string]any `yaml:"responses"`
	Security  *[]any         `yaml:"security"`
}

// TestOpenAPIMatchesRoutes checks that api/openapi.yaml documents every route the server
// registers and nothing else, that each operation has a summary and responses, and that the
// operations marked as needing no security are exactly the public routes. (The console
// mounted at / and the JSON 404 for unknown /api/ paths are not routes.)
func TestOpenAPIMatchesRoutes(t *testing.T) {
	data, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	var documented, open []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s: no summary or no responses", key)
			}
			if op.Security != nil && len(*op.Security) == 0 {
				open = append(open, key)
			}
		}
	}
	e := newEnv(t, config.Server{}, nil)
	var registered, wantPublic []string
	for _, rt := range e.srv.routes {
		registered = append(registered, rt.method+" "+rt.path)
		if rt.access == public {
			wantPublic = append(wantPublic, rt.method+" "+rt.path)
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	slices.Sort(open)
	slices.Sort(wantPublic)
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("routes (-registered +documented):\n%s", diff)
	}
	if diff := cmp.Diff(wantPublic, open); diff != "" {
		t.Errorf("unauthenticated routes (-registered +documented with security: []):\n%s", diff)
	}
	// Every registered route answers something other than the mux's 404/405.
	for _, rt := range e.srv.routes {
		path := strings.NewReplacer("{id}", "x", "{name}", "x").Replace(rt.path)
		w := e.do(req{method: rt.method, path: path})
		if w.Code == http.StatusMethodNotAllowed || (w.Code == http.StatusNotFound && !strings.Contains(w.Body.String(), "error")) {
			t.Errorf("%s %s = %d: not routed", rt.method, path, w.Code)
		}
	}
}
