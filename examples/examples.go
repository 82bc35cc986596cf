// Package examples embeds the quickstart repository and sample events, so that `actionsd dev` and the
// tests use exactly the files a reader sees here.
package examples

import "embed"

// FS holds quickstart/ (an actions repository: the logger module and the log-login action) and
// events/ (sample trigger events).
//
//go:embed quickstart events
var FS embed.FS
