package scoregate

import "context"

// Scorer scores rows with one model: a compiled PMML document, or (later)
// a remote model server. It is safe for concurrent use; endpoints on the
// same model version share one.
type Scorer interface {
	// Info is the model's schema: Row i is Info().Input.Fields[i], output
	// buffer j is Info().Output.Fields[j].
	Info() ModelInfo
	// NewRow returns a row of the model's inputs, all missing.
	NewRow() Row
	// NewOutput returns a buffer for the model's outputs.
	NewOutput() []Value
	// ScoreBatch scores rows into outs (one buffer per row). errs, when
	// not nil, receives each row's error: a *Error naming the field
	// (BadUserArgument, InputParseError) for a row the model cannot
	// score. It returns the number of rows that failed, or ctx's error
	// when ctx ends before every row is scored.
	ScoreBatch(ctx context.Context, rows []Row, outs [][]Value, errs []error) (failed int, err error)
}

// ServingEndpoint is what a replica holds in memory to serve an endpoint:
// its settings (keys cleared) and the model it scores with.
type ServingEndpoint struct {
	Endpoint    Endpoint
	ServiceName string
	Scorer      Scorer
}

// EndpointResolver finds the endpoint a scoring call addresses, from
// memory on the hot path: a replica caches endpoints and models and drops
// them when the store's ChangeFeed names them.
type EndpointResolver interface {
	// Resolve returns endpoint endpointID of workspace ws when key is one
	// of its two keys; any other key (another endpoint's, a workspace
	// token, an unknown one) is an Unauthorized error.
	Resolve(ctx context.Context, ws, endpointID, key string) (*ServingEndpoint, error)
}
