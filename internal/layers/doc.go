// Package layers holds the test of the rules that keep actionsd's packages in their layers
// (docs/architecture.md): which package may import which. It has no code.
package layers
