// Package synth generates realistic synthetic cloud log records for
// benchmarks and tests.
//
// [CloudTrail] produces AWS CloudTrail records (CLOUD-LOGS.md §2.3) with the
// field names, field order, value formats and rough mix of a real account's
// trail: mostly read-only Describe/List/Get calls, S3 GetObject data events,
// STS AssumeRole and KMS Decrypt, about 1.5% security-relevant writes
// (CreateAccessKey, AuthorizeSecurityGroupIngress, PutBucketPolicy,
// StopLogging, ConsoleLogin, …) and about 3% AccessDenied errors, spread over
// a fixed pool of identities, IP addresses and resources.
//
// Invariants:
//   - Output depends only on the seed and the sequence of calls: the same
//     seed gives the same bytes on every platform (math/rand/v2 PCG).
//   - Every record is one compact, valid JSON object whose strings are
//     properly escaped UTF-8.
//   - eventTime never decreases from one record to the next.
//   - The package holds no mutable state: each generator owns its random
//     source and pools, and is not safe for concurrent use.
package synth
