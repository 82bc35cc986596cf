package gitstore

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestParseRollout(t *testing.T) {
	const file = "actions/a/action.yaml"
	head := "trigger: post-login\n"
	tests := []struct {
		name    string
		give    string
		want    *Rollout
		wantErr []string
	}{
		{
			name: "all fields",
			give: "rollout:\n  steps: [10, 50, 100]\n  interval: 30s\n  key: user.app_metadata.tenant\n  abort: {error_rate_increase: 0.02, p99_increase: 2x, min_executions: 50}\n",
			want: &Rollout{Steps: []int{10, 50, 100}, Interval: 30 * time.Second, Key: "user.app_metadata.tenant",
				Abort: RolloutAbort{ErrorRateIncrease: 0.02, P99Increase: 2, MinExecutions: 50}},
		},
		{
			name: "defaults",
			give: "rollout: {steps: [100]}\n",
			want: &Rollout{Steps: []int{100}, Interval: DefaultRolloutInterval, Key: DefaultRolloutKey,
				Abort: RolloutAbort{MinExecutions: DefaultRolloutMinExecutions}},
		},
		{name: "none", give: "rollout:\n"},
		{
			name:    "steps missing",
			give:    "rollout: {interval: 1m}\n",
			wantErr: []string{file + ":2:10: rollout.steps: required field is missing"},
		},
		{
			name:    "steps descend",
			give:    "rollout: {steps: [50, 10, 100]}\n",
			wantErr: []string{file + ":2:23: rollout.steps[1]: steps must ascend: 10 after 50"},
		},
		{
			name:    "last step not 100",
			give:    "rollout: {steps: [10, 50]}\n",
			wantErr: []string{file + ":2:23: rollout.steps[1]: the last step must be 100, got 50"},
		},
		{
			name:    "step out of range",
			give:    "rollout: {steps: [0, 100]}\n",
			wantErr: []string{file + ":2:19: rollout.steps[0]: must be between 1 and 100, got 0"},
		},
		{
			name:    "bad interval",
			give:    "rollout: {steps: [100], interval: soon}\n",
			wantErr: []string{file + `:2:35: rollout.interval: bad duration "soon": must be like "2m" or "30s"`},
		},
		{
			name:    "bad key",
			give:    "rollout: {steps: [100], key: 'user..id'}\n",
			wantErr: []string{file + `:2:30: rollout.key: bad key "user..id": must be a dotted event path like "user.user_id"`},
		},
		{
			name:    "bad p99",
			give:    "rollout: {steps: [100], abort: {p99_increase: double}}\n",
			wantErr: []string{file + `:2:47: rollout.abort.p99_increase: must be a ratio like "2x", got string "double"`},
		},
		{
			name:    "bad error rate",
			give:    "rollout: {steps: [100], abort: {error_rate_increase: 2}}\n",
			wantErr: []string{file + `:2:54: rollout.abort.error_rate_increase: must be greater than 0 and at most 1, got 2`},
		},
		{
			name:    "unknown abort field",
			give:    "rollout: {steps: [100], abort: {latency: 1}}\n",
			wantErr: []string{file + `:2:33: rollout.abort.latency: unknown field (known fields: error_rate_increase, p99_increase, min_executions)`},
		},
		{
			name:    "not a mapping",
			give:    "rollout: [10, 100]\n",
			wantErr: []string{file + `:2:10: rollout: must be a mapping with steps, interval, key and abort, got a list`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := ParseActionManifest(file, []byte(head+tt.give))
			var gotErr []string
			for _, p := range problems {
				gotErr = append(gotErr, p.Error())
			}
			if !slices.Equal(gotErr, tt.wantErr) {
				t.Errorf("got problems %q, want %q", gotErr, tt.wantErr)
			}
			if !reflect.DeepEqual(got.Rollout, tt.want) {
				t.Errorf("got %+v, want %+v", got.Rollout, tt.want)
			}
		})
	}
}
