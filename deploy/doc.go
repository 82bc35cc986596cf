// Package deploy holds no code: its tests check the deployment files (the Dockerfile at the
// repository's root, deploy/image/, deploy/systemd/) against the real built binary and real
// tools (podman, systemd-analyze), skipping with the reason when a tool is missing.
package deploy
