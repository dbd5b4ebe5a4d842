package sns

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// SNS limits and picket's reserved attributes.
const (
	// maxAttributes is SNS's limit of message attributes per message.
	maxAttributes = 10
	// reservedPrefix names the attributes picket sets itself.
	reservedPrefix = "picket."
)

// Config configures one SNS receiver. Credentials come from the AWS SDK default chain
// (environment, shared config profile, web identity, ECS/EC2 roles), optionally followed by
// assuming RoleARN; never from this file.
type Config struct {
	// TopicARN is the topic to publish to; a name ending in .fifo makes a FIFO topic.
	TopicARN string `yaml:"topic_arn"`
	// Region defaults to the topic ARN's region.
	Region string `yaml:"region"`
	// Profile selects a shared config profile (~/.aws/config).
	Profile string `yaml:"profile"`
	// RoleARN is assumed (STS AssumeRole) with ExternalID when set.
	RoleARN    string `yaml:"role_arn"`
	ExternalID string `yaml:"external_id"`
	// Endpoint overrides the SNS endpoint (VPC interface endpoints, tests).
	Endpoint string `yaml:"endpoint"`
	// Subject is a Go text/template for the message subject (email subscriptions show it);
	// empty means the default. It is cut to 99 printable ASCII characters.
	Subject string `yaml:"subject"`
	// MessageAttributes are added to every message as String attributes (for subscription
	// filter policies). Names must not start with "picket.", which picket uses.
	MessageAttributes map[string]string `yaml:"message_attributes"`
}

// DefaultConfig returns the defaults that a receiver's YAML overrides.
func DefaultConfig() Config { return Config{} }

// topic returns the parsed topic ARN.
func (c Config) topic() (arn.ARN, error) {
	a, err := arn.Parse(c.TopicARN)
	if err != nil {
		return a, err
	}
	if a.Service != "sns" || a.Resource == "" || strings.Contains(a.Resource, ":") {
		return a, errors.New("not an SNS topic ARN")
	}
	return a, nil
}

// region returns the configured region or the topic's.
func (c Config) region() string {
	if c.Region != "" {
		return c.Region
	}
	if a, err := c.topic(); err == nil {
		return a.Region
	}
	return ""
}

// fifo reports whether the topic is a FIFO topic.
func (c Config) fifo() bool { return strings.HasSuffix(c.TopicARN, ".fifo") }

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch {
	case c.TopicARN == "":
		add("topic_arn is required")
	default:
		if _, err := c.topic(); err != nil {
			add("topic_arn %q: %v", c.TopicARN, err)
		} else if c.region() == "" {
			add("region is required (the topic ARN names none)")
		}
	}
	if c.RoleARN != "" {
		if a, err := arn.Parse(c.RoleARN); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
			add("role_arn %q is not an IAM role ARN", c.RoleARN)
		}
	} else if c.ExternalID != "" {
		add("external_id is set without role_arn")
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("endpoint %q is not an http(s) URL", c.Endpoint)
		}
	}
	if _, err := parseSubject(c.Subject); err != nil {
		add("subject template: %v", err)
	}
	if n := len(c.MessageAttributes); n > maxAttributes-len(reservedAttributes) {
		add("message_attributes has %d entries; SNS allows %d besides picket's %d",
			n, maxAttributes-len(reservedAttributes), len(reservedAttributes))
	}
	for name, v := range c.MessageAttributes {
		switch {
		case !validAttributeName(name):
			add("message_attributes: invalid name %q (letters, digits, _ - . only; at most 256; no leading, trailing or double dot)", name)
		case strings.HasPrefix(strings.ToLower(name), reservedPrefix),
			strings.HasPrefix(strings.ToLower(name), "aws."),
			strings.HasPrefix(strings.ToLower(name), "amazon."):
			add("message_attributes: name %q is reserved", name)
		case v == "":
			add("message_attributes: %q has an empty value", name)
		}
	}
	return errors.Join(errs...)
}

// validAttributeName applies SNS's message attribute name rules.
func validAttributeName(s string) bool {
	if s == "" || len(s) > 256 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

const defaultSubject = `[picket] {{upper .Status}}:{{len .Alerts}} {{with .Alerts}}{{with index . 0}}{{.RuleTitle}} ({{.Level}}){{end}}{{end}}`

func parseSubject(s string) (*texttemplate.Template, error) {
	if s == "" {
		s = defaultSubject
	}
	return texttemplate.New("subject").Funcs(map[string]any{
		"upper": func(v any) string { return strings.ToUpper(fmt.Sprint(v)) },
	}).Parse(s)
}
