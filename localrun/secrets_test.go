package localrun

import (
	"context"

	"github.com/actionsd/actionsd/vaultsecrets"
)

// staticSecrets are secret values by "kind/name", for tests.
type staticSecrets map[string]map[string]string

func (s staticSecrets) Read(_ context.Context, o vaultsecrets.Owner) (*vaultsecrets.Secret, error) {
	v, ok := s[o.String()]
	if !ok {
		return nil, &vaultsecrets.NotFoundError{Path: o.String()}
	}
	return &vaultsecrets.Secret{Path: o.String(), Values: vaultsecrets.Values(v)}, nil
}
