// Package sandbox is a simulated Adobe Target Profile API: a real HTTP server that
// speaks the documented URL forms, answer shapes and 404 bodies, so the export job,
// its tests and its benchmarks never call a real Adobe host.
//
// Routes (all GET; anything else answers 405):
//
//	/rest/v1/profiles/<tntId>?client=<code>
//	/rest/v1/profiles/marketingCloudVisitorId/<ECID>?client=<code>
//	/rest/v1/profiles/thirdPartyId/<id>?client=<code>
//	/_sandbox/health   200 "ok"
//	/_sandbox/stats    the Stats as JSON
//
// The ID is decoded from the escaped path, one segment, so an ID holding an escaped
// '/' (%2F), '?' (%3F), '#' (%23) or '%' (%25) is one ID. Any other path under the API
// answers 404 with a message that differs from a missing profile's ("No route for …").
//
// Answers are deterministic: whether an ID exists, and its profile, depend only on
// (Config.Seed, type, ID) and Config.NotFoundRate, so two servers with the same
// Config answer the same, and [Config.Profile] tells a test the exact body to expect.
// Faults (Config.Faults) are decided per attempt: the n-th request for an ID meets
// the same fault in every run, and a retried request can succeed.
//
// Start runs a server on a loopback port (tests, `export --sandbox`, the standalone
// `sandbox` command); NewHandler gives the bare http.Handler.
package sandbox
