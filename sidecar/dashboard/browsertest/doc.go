// Package browsertest loads the dashboard in headless Chromium (driven with
// chromedp) against a live localnet: every page's visible numbers are checked
// against the CLI's queries, a live update is awaited after a new block, and
// screenshots are saved. The test is behind the `browser` build tag and is run by
// scripts/e2e/dashboard.sh, which starts the chain, the miners and the dashboard.
package browsertest
