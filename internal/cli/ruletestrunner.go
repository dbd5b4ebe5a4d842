package cli

import (
	"picket/internal/rule/ruletest"
	"picket/internal/rule/sigma"
)

// newRuleTestRunner returns the rule test runner, with correlation evaluation wired in.
func newRuleTestRunner(set *sigma.Set) *ruletest.Runner {
	return ruletest.NewRunner(set)
}
