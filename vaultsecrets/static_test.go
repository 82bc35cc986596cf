package vaultsecrets_test

import (
	"maps"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/actionsd/actionsd/vaultsecrets"
)

func TestStatic(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	give := map[vaultsecrets.Owner]vaultsecrets.Values{
		logger:           {"API_KEY": canary},
		action("no-key"): nil,
	}
	s := vaultsecrets.NewStatic(give, zap.New(core))
	give[logger]["API_KEY"] = "changed after NewStatic"

	tests := []struct {
		name     string
		give     vaultsecrets.Owner
		wantPath string
		want     vaultsecrets.Values
	}{
		{"module", logger, "static#modules/logger", vaultsecrets.Values{"API_KEY": canary}},
		{"action without secrets", action("no-key"), "static#actions/no-key", vaultsecrets.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Read(t.Context(), tt.give)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Path != tt.wantPath || got.Version != 0 {
				t.Errorf("got path %q version %d, want %q version 0", got.Path, got.Version, tt.wantPath)
			}
			if got.Values == nil || !maps.Equal(got.Values, tt.want) {
				t.Errorf("got keys %v, want %v (or the values differ)", got.Values, tt.want)
			}
		})
	}
	_, err := s.Read(t.Context(), action("missing"))
	checkNotFound(t, "Read", err, "static#actions/missing")

	if got := logs.Len(); got != 1 {
		t.Errorf("got %d warnings, want 1", got)
	}
}
