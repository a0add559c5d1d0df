// Package scoring loads and caches the models endpoints score with, and
// resolves scoring calls to endpoints without touching the database on
// the hot path.
//
// A Registry keeps, per replica, every endpoint that was called (its
// settings, its two keys as HMAC digests under a per-process key, and its
// compiled model) and the compiled models by blob key, shared between
// endpoints on the same version. It learns what changed from the store's
// ChangeFeed, polled a few times a second (PollInterval): a regenerated
// key, a PATCH, a refresh, a publish or a deletion in any replica drops
// what this replica cached within about PollInterval plus a query, and
// the next call loads it again. Calls in flight keep the endpoint and
// model they resolved.
//
// Package scoring/pmml is the in-process PMML engine; PMML adapts its
// models to scoregate.Scorer.
package scoring
