package vaultsecrets

import (
	"context"
	"maps"
	"time"

	"go.uber.org/zap"
)

// Static serves secrets held in memory, for `actionsd dev`. It is not for production and warns so
// once, when created. It is safe for concurrent use.
type Static struct {
	secrets map[Owner]Values // read-only after NewStatic
}

var _ Source = (*Static)(nil)

// NewStatic returns a Static serving a copy of values.
func NewStatic(values map[Owner]Values, log *zap.Logger) *Static {
	if log == nil {
		log = zap.NewNop()
	}
	log.Warn("static secrets backend is for local trials only, not production", zap.Int("owners", len(values)))
	secrets := make(map[Owner]Values, len(values))
	for o, v := range values {
		secrets[o] = maps.Clone(v)
	}
	return &Static{secrets: secrets}
}

// Read returns owner's secrets, or a *NotFoundError when there are none. Their Path is
// "static#<kind>/<name>" and their Version 0.
func (s *Static) Read(_ context.Context, owner Owner) (*Secret, error) {
	if err := owner.validate(); err != nil {
		return nil, err
	}
	path := "static#" + owner.String()
	values, ok := s.secrets[owner]
	if !ok {
		return nil, &NotFoundError{Path: path}
	}
	if values == nil {
		values = Values{}
	}
	return &Secret{Path: path, ReadAt: time.Now(), Values: maps.Clone(values)}, nil
}
