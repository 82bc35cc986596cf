package vaultsecrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestValuesRedacted prints, encodes and logs Values and a Secret holding them every way a careless
// line of code might: none may show the value, all must show the name.
func TestValuesRedacted(t *testing.T) {
	values := vaultsecrets.Values{"API_KEY": canary}
	secret := vaultsecrets.Secret{Path: "secret/actionsd/modules/logger", Version: 3, ReadAt: time.Now(), Values: values}

	var zapOut bytes.Buffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&zapOut), zapcore.DebugLevel))

	tests := []struct {
		name string
		give func() string
	}{
		{"%v", func() string { return fmt.Sprintf("%v", values) }},
		{"%+v", func() string { return fmt.Sprintf("%+v", values) }},
		{"%#v", func() string { return fmt.Sprintf("%#v", values) }},
		{"%s", func() string { return fmt.Sprintf("%s", values) }},
		{"Sprint", func() string { return fmt.Sprint(values) }},
		{"secret %v", func() string { return fmt.Sprintf("%v", secret) }},
		{"secret %+v", func() string { return fmt.Sprintf("%+v", secret) }},
		{"secret pointer %+v", func() string { return fmt.Sprintf("%+v", &secret) }},
		{"json", func() string { b, err := json.Marshal(values); must(t, err); return string(b) }},
		{"secret json", func() string { b, err := json.Marshal(secret); must(t, err); return string(b) }},
		{"zap Object", func() string { zapOut.Reset(); log.Info("x", zap.Object("values", values)); return zapOut.String() }},
		{"zap Any", func() string { zapOut.Reset(); log.Info("x", zap.Any("values", values)); return zapOut.String() }},
		{"zap Reflect secret", func() string { zapOut.Reset(); log.Info("x", zap.Reflect("secret", secret)); return zapOut.String() }},
		{"zap Any secret", func() string { zapOut.Reset(); log.Info("x", zap.Any("secret", &secret)); return zapOut.String() }},
		{"zap Stringer", func() string { zapOut.Reset(); log.Info("x", zap.Stringer("values", values)); return zapOut.String() }},
		{"zap sugar", func() string { zapOut.Reset(); log.Sugar().Infow("x", "values", values); return zapOut.String() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.give()
			if strings.Contains(got, canary) {
				t.Errorf("got %q, which holds the value", got)
			}
			if !strings.Contains(got, "API_KEY") {
				t.Errorf("got %q, want it to name API_KEY", got)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
