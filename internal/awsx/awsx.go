// Package awsx builds AWS SDK configurations for picket's AWS integrations (CloudWatch Logs and
// S3/SQS sources, the SNS receiver) the same way: the SDK's default credential chain
// (environment, shared config and profiles, SSO, web identity, ECS/EC2 roles), optionally
// followed by assuming a role; never a key from picket's configuration file.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Account is how an integration reaches one AWS account and region. Embed it inline in a
// source's or receiver's configuration (`yaml:",inline"`).
type Account struct {
	// Region is the AWS region (us-east-1); Regions several, each becoming its own source.
	Region  string   `yaml:"region"`
	Regions []string `yaml:"regions"`
	// Profile selects a shared config profile (~/.aws/config).
	Profile string `yaml:"profile"`
	// RoleARN is assumed (STS AssumeRole) with ExternalID and SessionName when set, for
	// cross-account access.
	RoleARN string `yaml:"role_arn"`
	// RoleARNs, for sources, reads several accounts: one source per role (and region), named
	// <name>/<account id>[/<region>]. Set role_arn or role_arns, not both.
	RoleARNs    []string `yaml:"role_arns"`
	ExternalID  string   `yaml:"external_id"`
	SessionName string   `yaml:"session_name"`
	// Endpoint overrides the service endpoint (VPC interface endpoints, tests).
	Endpoint string `yaml:"endpoint"`
}

// Validate checks the account settings without any network call.
func (a Account) Validate() error {
	var errs []error
	if a.Region != "" && len(a.Regions) > 0 {
		errs = append(errs, errors.New("set region or regions, not both"))
	}
	for _, r := range a.AllRegions() {
		if !validRegion(r) {
			errs = append(errs, fmt.Errorf("region %q is not an AWS region name (like us-east-1)", r))
		}
	}
	if a.RoleARN != "" && len(a.RoleARNs) > 0 {
		errs = append(errs, errors.New("set role_arn or role_arns, not both"))
	}
	for _, r := range append([]string{a.RoleARN}, a.RoleARNs...) {
		if r != "" && (!strings.HasPrefix(r, "arn:") || AccountOf(r) == "") {
			errs = append(errs, fmt.Errorf("role_arn %q is not a role ARN (arn:aws:iam::123456789012:role/name)", r))
		}
	}
	if a.ExternalID != "" && a.RoleARN == "" && len(a.RoleARNs) == 0 {
		errs = append(errs, errors.New("external_id needs role_arn"))
	}
	if a.Endpoint != "" {
		u, err := url.Parse(a.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL", a.Endpoint))
		}
	}
	return errors.Join(errs...)
}

// AllRegions returns Regions, or Region alone, or nil when neither is set (the SDK then takes
// the region from the environment or the profile).
func (a Account) AllRegions() []string {
	if len(a.Regions) > 0 {
		return a.Regions
	}
	if a.Region != "" {
		return []string{a.Region}
	}
	return nil
}

// AccountOf returns the account id of an ARN (its fifth field), "" when it has none.
func AccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func validRegion(r string) bool {
	if len(r) < 5 || len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return strings.Count(r, "-") >= 2
}

// Load returns the SDK configuration for region (empty: from the environment or profile) with
// the default credential chain and the account's profile and role. The SDK's own retries are
// left to the caller through maxAttempts (0 keeps the SDK default). It contacts no service:
// credentials are fetched at the first call. name is used in the assumed role's session name.
func Load(ctx context.Context, a Account, region, name string, maxAttempts int) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	if maxAttempts > 0 {
		opts = append(opts, awsconfig.WithRetryMaxAttempts(maxAttempts))
	}
	if a.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(a.Profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if a.RoleARN != "" {
		session := a.SessionName
		if session == "" {
			session = SessionName(name)
		}
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
			if a.ExternalID != "" {
				o.ExternalID = aws.String(a.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}

// SessionName makes a valid STS role session name ("picket-" + name, characters outside
// [\w+=,.@-] replaced, at most 64 characters).
func SessionName(name string) string {
	b := []byte("picket-" + name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}
