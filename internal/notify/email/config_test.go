package email

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/notify/notifytest"
)

// decodeStrict decodes YAML over the defaults, refusing unknown keys.
func decodeStrict(t *testing.T, data []byte) Config {
	t.Helper()
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return c
}

func TestSampleDecodesAndValidates(t *testing.T) {
	c := decodeStrict(t, Sample())
	if err := c.Validate(); err != nil {
		t.Fatalf("sample does not validate: %v", err)
	}
	if c.SMTP.Host != "smtp.example.com" || len(c.To) != 1 {
		t.Errorf("sample decoded to %+v", c)
	}
}

func TestIssueShapeDecodes(t *testing.T) {
	// The receiver keys of the issue's example, without name and type (the receiver list's).
	c := decodeStrict(t, []byte(`
smtp: {host: smtp.example.com, port: 587, username: picket, password: hunter2}
from: picket@example.com
to: [secops@example.com]
`))
	want := DefaultConfig()
	want.SMTP.Host, want.SMTP.Port, want.SMTP.Username, want.SMTP.Password = "smtp.example.com", 587, "picket", "hunter2"
	want.From, want.To = "picket@example.com", []string{"secops@example.com"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("decoded config (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	valid := func() Config {
		c := DefaultConfig()
		c.SMTP.Host = "smtp.example.com"
		c.From = "picket@example.com"
		c.To = []string{"a@example.com"}
		return c
	}
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // substrings, one per expected problem
	}{
		{"valid", func(*Config) {}, nil},
		{"empty", func(c *Config) { *c = Config{} }, []string{
			"smtp.host is required", `smtp.tls "" is not one of`, `smtp.auth "" is not one of`,
			"from is required", "to needs at least one", "digest.max_alerts must be at least 1",
		}},
		{"none on remote host", func(c *Config) { c.SMTP.TLS = TLSNone }, []string{"tls: none is allowed only for localhost"}},
		{"none on localhost", func(c *Config) { c.SMTP.TLS, c.SMTP.Host = TLSNone, "localhost" }, nil},
		{"none on ::1", func(c *Config) { c.SMTP.TLS, c.SMTP.Host = TLSNone, "::1" }, nil},
		{"both passwords", func(c *Config) {
			c.SMTP.Username, c.SMTP.Password, c.SMTP.PasswordFile = "u", "p", "/f"
		}, []string{"both set"}},
		{"username without password", func(c *Config) { c.SMTP.Username = "u" }, []string{"smtp.password is required"}},
		{"password without username", func(c *Config) { c.SMTP.Password = "p" }, []string{"without smtp.username"}},
		{"bad addresses and port", func(c *Config) {
			c.From, c.To, c.CC, c.SMTP.Port = "not an address", []string{"x"}, []string{"y@"}, 70000
		}, []string{"smtp.port 70000", "from ", "to[0]", "cc[0]"}},
		{"bad templates", func(c *Config) { c.Subject, c.HTML = "{{.Nope", "{{if}}" }, []string{"subject template", "html template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			err := c.Validate()
			notifytest.AssertProblems(t, err, tt.want)
			if err == nil {
				return
			}
			if got := len(strings.Split(err.Error(), "\n")); got != len(tt.want) {
				t.Errorf("got %d problems, want %d: %v", got, len(tt.want), err)
			}
		})
	}
}

func TestPortDefaults(t *testing.T) {
	tests := []struct {
		s    SMTPConfig
		want int
	}{
		{SMTPConfig{TLS: TLSStartTLS}, 587},
		{SMTPConfig{TLS: TLSImplicit}, 465},
		{SMTPConfig{TLS: TLSImplicit, Port: 2465}, 2465},
	}
	for _, tt := range tests {
		if got := tt.s.port(); got != tt.want {
			t.Errorf("%+v.port() = %d, want %d", tt.s, got, tt.want)
		}
	}
}
