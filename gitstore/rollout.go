package gitstore

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Rollout is the `rollout:` of an action.yaml: how a commit that changes the action reaches its
// executions, step by step, with the previous revision serving the rest.
type Rollout struct {
	// Steps are the percentages of executions on the new revision, ascending, the last 100.
	Steps []int
	// Interval is the time at each step before the next.
	Interval time.Duration
	// Key is the dotted path of the event value hashed to pick a revision ("user.user_id").
	Key   string
	Abort RolloutAbort
}

// RolloutAbort are the thresholds that end a rollout and send every execution back to the
// previous revision.
type RolloutAbort struct {
	// ErrorRateIncrease: the canary's error rate minus the stable one's (0.02: 2 points); 0: not checked.
	ErrorRateIncrease float64
	// P99Increase: the canary's p99 duration over the stable one's (2: twice); 0: not checked.
	P99Increase float64
	// MinExecutions is how many executions the canary has before the thresholds are checked.
	MinExecutions int
}

// Rollout defaults.
const (
	DefaultRolloutKey           = "user.user_id"
	DefaultRolloutInterval      = 2 * time.Minute
	DefaultRolloutMinExecutions = 100
)

var (
	rolloutKeyRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*)*$`)
	ratioRE      = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?)x$`)
)

func (p *manifestParser) rollout(n *yaml.Node, field string) *Rollout {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.add(p.pos(n), field, "must be a mapping with steps, interval, key and abort, got "+describe(n))
		return nil
	}
	r := &Rollout{Interval: DefaultRolloutInterval, Key: DefaultRolloutKey,
		Abort: RolloutAbort{MinExecutions: DefaultRolloutMinExecutions}}
	before := len(p.problems)
	sawSteps := false
	p.fields(n, field, []string{"steps", "interval", "key", "abort"}, func(key string, k, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "steps":
			sawSteps = true
			r.Steps = p.rolloutSteps(v, f)
		case "interval":
			if d := p.positiveDuration(v, f); d > 0 {
				r.Interval = d
			}
		case "key":
			if s, ok := p.str(v, f, `a dotted event path like "user.user_id"`); ok {
				if !rolloutKeyRE.MatchString(s) {
					p.add(p.pos(v), f, fmt.Sprintf(`bad key %q: must be a dotted event path like "user.user_id"`, s))
				} else {
					r.Key = s
				}
			}
		case "abort":
			p.rolloutAbort(v, f, &r.Abort)
		}
	})
	if !sawSteps {
		p.add(p.pos(n), field+".steps", "required field is missing")
	}
	if len(p.problems) > before {
		return nil
	}
	return r
}

func (p *manifestParser) rolloutSteps(n *yaml.Node, field string) []int {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.add(p.pos(n), field, "must be a list of percentages ending at 100, like [10, 50, 100], got "+describe(n))
		return nil
	}
	var steps []int
	for i, item := range n.Content {
		item = deref(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		var pct int
		if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!int" || item.Decode(&pct) != nil {
			p.add(p.pos(item), f, "must be a whole percentage (1 to 100), got "+describe(item))
			return nil
		}
		switch {
		case pct < 1 || pct > 100:
			p.add(p.pos(item), f, fmt.Sprintf("must be between 1 and 100, got %d", pct))
			return nil
		case len(steps) > 0 && pct <= steps[len(steps)-1]:
			p.add(p.pos(item), f, fmt.Sprintf("steps must ascend: %d after %d", pct, steps[len(steps)-1]))
			return nil
		}
		steps = append(steps, pct)
	}
	if last := steps[len(steps)-1]; last != 100 {
		p.add(p.pos(n.Content[len(n.Content)-1]), fmt.Sprintf("%s[%d]", field, len(steps)-1), fmt.Sprintf("the last step must be 100, got %d", last))
		return nil
	}
	return steps
}

func (p *manifestParser) positiveDuration(n *yaml.Node, field string) time.Duration {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.add(p.pos(n), field, `must be a duration like "2m", got `+describe(n))
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		p.add(p.pos(n), field, fmt.Sprintf(`bad duration %q: must be like "2m" or "30s"`, n.Value))
	case d <= 0:
		p.add(p.pos(n), field, fmt.Sprintf("must be greater than 0, got %s", n.Value))
	default:
		return d
	}
	return 0
}

func (p *manifestParser) rolloutAbort(n *yaml.Node, field string, a *RolloutAbort) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.add(p.pos(n), field, "must be a mapping with error_rate_increase, p99_increase and min_executions, got "+describe(n))
		return
	}
	p.fields(n, field, []string{"error_rate_increase", "p99_increase", "min_executions"}, func(key string, k, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "error_rate_increase":
			var x float64
			if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!float" && v.ShortTag() != "!!int") || v.Decode(&x) != nil {
				p.add(p.pos(v), f, "must be a number between 0 and 1 (0.02: two points more errors), got "+describe(v))
				return
			}
			if x <= 0 || x > 1 {
				p.add(p.pos(v), f, fmt.Sprintf("must be greater than 0 and at most 1, got %s", v.Value))
				return
			}
			a.ErrorRateIncrease = x
		case "p99_increase":
			m := ratioRE.FindStringSubmatch(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || m == nil {
				p.add(p.pos(v), f, `must be a ratio like "2x", got `+describe(v))
				return
			}
			x, _ := strconv.ParseFloat(m[1], 64)
			if x <= 1 {
				p.add(p.pos(v), f, fmt.Sprintf("must be more than 1x, got %s", v.Value))
				return
			}
			a.P99Increase = x
		case "min_executions":
			var x int
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&x) != nil || x < 1 {
				p.add(p.pos(v), f, "must be a whole number of at least 1, got "+describe(v))
				return
			}
			a.MinExecutions = x
		}
	})
}
