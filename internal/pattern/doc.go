// Package pattern holds the value-level matching primitives of picket's Sigma
// engine: parsing Sigma string values, compiling them into fast matchers, and
// the value transforms and comparisons of the Sigma modifiers. The rule
// compiler (internal/rule/sigma) builds on it; this package knows nothing of
// events, fields or conditions.
//
// Semantics follow the Sigma specification v2.1.0 and pySigma as summarised in
// docs/SIGMA.md §2.1, §2.2 and §3:
//
//   - Values. ParseValue splits a value into Tokens: literal runs and the
//     wildcards `*` (any run, also empty) and `?` (exactly one character: one
//     rune). `\` escapes `*`, `?` and `\` and is literal before anything else
//     or at the end. Contains, StartsWith and EndsWith add a Star only where
//     there is none, as pySigma.
//   - Matching. Glob compiles tokens into a Matcher of the whole value,
//     case-insensitive by Unicode simple case folding (Fold) unless cased.
//     `*` alone matches any string including ""; the empty value only "".
//     Set ORs matchers and merges equalities into hash lookups; EqualValues
//     exposes pure equality sets for indexing rules by value.
//   - Modifiers. Regexp (`re` with i/m/s; RE2, unanchored, case-sensitive by
//     default), CIDR (`cidr`), NumberMatcher and ParseNumber (gt, gte, lt,
//     lte and numeric equality), ExtractTimePart (minute … year), and the
//     value transforms Base64, Base64Offset, UTF16LE (`wide`), UTF16BE,
//     UTF16 and Windash, which the compiler applies before
//     contains/startswith/endswith.
//
// # Fast paths
//
// Glob picks a matcher by the shape of the value: equality, prefix, suffix,
// contains, head*…*tail segment search (leftmost-first, exact for star-only
// globs), and a last-star-backtracking matcher for globs with `?`. Literals
// are folded once at compile time. Case-insensitive comparisons of ASCII
// literals run on the raw input eight bytes at a time, and substring search
// scans with strings.IndexByte for the literal's rarest byte (both cases of a
// letter), so ASCII input never allocates and most non-ASCII input does not
// either: only two non-ASCII runes fold to ASCII (the Kelvin sign and the long
// s), so an unanchored ASCII glob folds its input only when the input holds
// one of them and a literal holds 'k' or 's'. Globs with non-ASCII literals
// fold non-ASCII input before matching, which allocates.
//
// # Invariants
//
// Every Matcher is immutable after construction and safe for concurrent use;
// the package holds no mutable state. Token slices returned by this package
// are fresh and normalised: no empty literal, no adjacent literals, no
// adjacent stars. Functions never modify the slices they are given.
package pattern
