// Package ci embeds the continuous-integration examples: a GitHub Actions workflow and a GitLab CI
// job that run `actionsd validate` on pull requests and post its Markdown as a comment, and a
// git pre-commit hook (plus its pre-commit framework definition). `actionsd init` copies them into
// new repositories.
package ci

import "embed"

// FS holds github-actions.yml, gitlab-ci.yml, pre-commit and pre-commit-hooks.yaml.
//
//go:embed github-actions.yml gitlab-ci.yml pre-commit pre-commit-hooks.yaml
var FS embed.FS
