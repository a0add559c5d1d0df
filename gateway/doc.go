// Package gateway is scoregate's HTTP front door and the only package that
// imports Fiber.
//
// It serves the classic Azure ML Studio management API (web services,
// endpoints, keys, blob uploads) plus health checks, and turns every failure
// into the classic error body
//
//	{"error":{"code":CLASS,"message":…,"details":[{"code":CODE,"target":…,"message":…}]}}
//
// # Shape of a request
//
// Every request passes through one outer middleware (observe) that gives it a
// request id (the x-ms-request-id header), a context with a deadline, panic
// recovery and one log line. A route is then matched; routes that need a
// credential run authorize first, which resolves the Authorization: Bearer
// credential to a scoregate.Principal and enforces who may call what:
//
//   - a workspace token manages everything in its own workspace;
//   - an endpoint key may only GET and PATCH its own endpoint;
//   - anything else answers 404, exactly as a missing resource does, so a
//     credential learns nothing about what it cannot reach.
//
// Handlers follow one pattern: decode into a local request struct, validate,
// call a root-package interface (scoregate.Store, scoregate.Blobs,
// scoregate.ModelInspector, or the functions scoregate.Publish and
// scoregate.CheckResources), encode. They return an error; the single
// ErrorHandler maps its scoregate.ErrorClass to an HTTP status through one
// table (see statusOf) and writes the classic body. Internal errors are logged
// with the request id and reach the client as "internal error".
//
// # Memory and limits
//
// Fiber reuses request memory once a handler returns, so handlers copy route
// parameters and bodies before handing them to code that may keep them, and
// they pass c.UserContext(), never the *fiber.Ctx. The app-wide body limit is
// the largest per-route limit; each route enforces its own smaller limit
// (Config.MaxJSONBytes, MaxModelBytes, MaxBlobBytes) and answers 413. Bodies
// with a Content-Encoding are refused (415) rather than inflated without a
// bound.
//
// Credentials never appear in logs, error messages or URLs: the
// Authorization header is read once, passed to Store.Authenticate and
// dropped.
//
// # Live formulas
//
// One route takes the key in its URL, because the spreadsheet function
// WEBSERVICE can send nothing else: GET {ApiLocation}/predict?api-key=KEY&
// output=COLUMN&{input}=value… (predict.go), open only on endpoints with
// LiveWorkbookEnabled. It answers one output value as text/plain, and a
// row the model cannot score yet ("missing: …", "error: …") with 200 too,
// since a spreadsheet shows any other status as #VALUE!. The request log
// line never holds a query string, and the URL a recorded request keeps
// has the key replaced by REDACTED.
package gateway
