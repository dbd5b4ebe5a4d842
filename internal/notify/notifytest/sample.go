package notifytest

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// DecodeStrict expands ${NAME} references from env (as picket's config loader does from the
// environment; a missing name fails t), then decodes YAML into v, failing t on unknown keys:
// channel tests use it to check that their embedded sample.yaml matches Config.
func DecodeStrict(t testing.TB, data []byte, v any, env map[string]string) {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue // like the config loader, expand values only, not comments
		}
		lines[i] = os.Expand(l, func(name string) string {
			val, ok := env[name]
			if !ok {
				t.Fatalf("sample references ${%s}, which the test does not provide", name)
			}
			return val
		})
	}
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding sample strictly: %v", err)
	}
}
