// Package condition parses and resolves the condition expression of a Sigma
// detection (SIGMA.md §4; RULES §Condition; pySigma sigma/conditions.py).
//
// The grammar, in EBNF (whitespace separates tokens and is otherwise
// ignored; keywords are lower-case only):
//
//	condition  = or_expr .
//	or_expr    = and_expr { "or" and_expr } .
//	and_expr   = not_expr { "and" not_expr } .
//	not_expr   = "not" not_expr | primary .
//	primary    = "(" or_expr ")" | quantifier "of" target | identifier .
//	quantifier = "1" | "any" | "all" .
//	target     = "them" | pattern .
//	identifier = ident_char { ident_char } .
//	pattern    = pattern_char { pattern_char } .
//	ident_char = "A" … "Z" | "a" … "z" | "0" … "9" | "_" | "-" .
//	pattern_char = "A" … "Z" | "a" … "z" | "0" … "9" | "_" | "*" .
//
// Precedence, loosest to tightest: "or" < "and" < "not" < "x of" < "( )".
// "and" and "or" associate to the left: "a and b and c" is
// "(a and b) and c". "any of" is pySigma's spelling of "1 of".
//
// The words "and", "or", "not", "of" and "them" are reserved. "1", "any" and
// "all" are quantifiers only when "of" follows them; elsewhere they are
// ordinary identifiers, as in pySigma. Upper- or mixed-case keywords
// ("AND", "Not", "ALL of") are rejected with a hint rather than read as
// identifiers, since they are almost always a typo for the keyword.
//
// Obsolete Sigma 1.x syntax is rejected with a message pointing to correlation
// rules: any pipe ("sel | count() by f > 5", "sel1 | near sel2") and a
// "timeframe:" left in the condition.
//
// # Using the package
//
// [Parse] turns the condition text into a tree of [Node] values: [*And],
// [*Or], [*Not], [*Ident] and [*Of]. Every node records the byte offset of
// its first token ([Node.Pos]); parentheses are not nodes. Errors are
// [*Error] values carrying the byte offset of the problem.
//
// [Resolve] checks the tree against the selection names of a rule and expands
// every "x of" target. The result keeps each [*Of] node, so explanations can
// still say "1 of selection_*", and sets its Expanded field to the explicit
// expression: an [*Or] ("1 of", "any of") or [*And] ("all of") chain of
// [*Ident] nodes in sorted name order, or a single [*Ident] when only one
// name matches. An evaluator therefore handles an [*Of] by evaluating
// Expanded. [Idents] lists the names a resolved tree refers to.
//
// Invariants:
//   - Parse and Resolve never modify their input and return fresh trees.
//   - [Node.String] is a canonical, fully parenthesised form that Parse
//     accepts and that parses back to the same tree: every "and"/"or" chain
//     and every "not" sits in one pair of parentheses, "any of" is written
//     "1 of", and redundant parentheses are dropped.
//   - Nesting is bounded: a condition whose parentheses nest deeper than
//     [MaxDepth], or whose canonical form would, is rejected with an error
//     instead of exhausting the stack. Long flat chains ("a or b or …") are
//     not nesting and are handled iteratively.
//
// Differences from pySigma: a target pattern must match whole names (pySigma
// uses Python's re.match, anchored at the start only, so there "1 of sel"
// also matches "selection"); names starting with "_" are excluded from
// "them" and from patterns unless the pattern itself starts with "_"
// (SIGMA.md §8); and a target matching no name is an error, where pySigma
// silently drops the term.
package condition
