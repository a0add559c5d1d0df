// Package scoregate is the domain core of the scoregate model gateway.
//
// It holds the types every adapter shares (Workspace, WebService, Endpoint,
// Schema, Field), the rules they obey (Validate methods, the endpoint
// throttling and naming rules of Azure ML Studio classic web services), one
// error type with classic error classes and codes, and the small interfaces
// the adapters implement: Store (package store), Blobs (package store, over
// gocloud.dev/blob) and ModelInspector (package scoring/pmml).
//
// The package imports only the standard library. Adapters import it; it
// imports none of them. Package gateway reaches persistence only through the
// interfaces declared here, wired together in cmd/scoregate.
package scoregate
