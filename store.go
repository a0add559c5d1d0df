package scoregate

import (
	"context"
	"io"
)

// KeyType selects one of the two keys of an endpoint or tokens of a
// workspace.
type KeyType string

// The two key types.
const (
	KeyPrimary   KeyType = "Primary"
	KeySecondary KeyType = "Secondary"
)

// ParseKeyType checks a KeyType given by a client.
func ParseKeyType(field, s string) (KeyType, error) {
	switch KeyType(s) {
	case KeyPrimary, KeySecondary:
		return KeyType(s), nil
	}
	return "", Errorf(BadUserArgument, CodeInvalidValue, field, "%q is not a key type; use Primary or Secondary", s)
}

// Principal is who a credential belongs to: a workspace (token) or one
// endpoint of it (key).
type Principal struct {
	WorkspaceID string
	// EndpointID is set when the credential is an endpoint key.
	EndpointID string
}

// IsWorkspace reports whether the principal holds a workspace token.
func (p Principal) IsWorkspace() bool { return p.EndpointID == "" }

// Store persists workspaces, web services, their versions and endpoints. It
// enforces the rules that need a consistent view of several rows (endpoint
// limits, the default endpoint's protection, version locking) inside one
// transaction. Errors are *Error values with class NotFound, Conflict or
// BadUserArgument for rule violations, Internal otherwise.
type Store interface {
	// Ready returns nil when the database answers and its schema is current.
	Ready(ctx context.Context) error

	CreateWorkspace(ctx context.Context, name string) (*Workspace, error)
	Workspaces(ctx context.Context) ([]Workspace, error)
	Workspace(ctx context.Context, id string) (*Workspace, error)
	// WorkspaceToken returns a workspace token in clear.
	WorkspaceToken(ctx context.Context, id string, kt KeyType) (string, error)
	RegenerateWorkspaceToken(ctx context.Context, id string, kt KeyType) (string, error)
	// Authenticate resolves a workspace token or endpoint key. An unknown
	// credential is an Unauthorized error.
	Authenticate(ctx context.Context, credential string) (Principal, error)

	WebServices(ctx context.Context, ws string) ([]WebService, error)
	WebService(ctx context.Context, ws, name string) (*WebService, error)
	// PublishWebService creates the web service (with its default endpoint)
	// or adds a version to it, and moves the default endpoint onto the new
	// version.
	PublishWebService(ctx context.Context, ws, name string, p Publication) (*WebService, error)
	// DeleteWebService deletes a web service, its versions and endpoints.
	DeleteWebService(ctx context.Context, ws, name string) error
	ModelVersion(ctx context.Context, ws, svc string, version int) (*ModelVersion, error)

	Endpoints(ctx context.Context, ws, svc string) ([]Endpoint, error)
	Endpoint(ctx context.Context, ws, svc, name string) (*Endpoint, error)
	EndpointByID(ctx context.Context, ws, id string) (*Endpoint, error)
	// PutEndpoint creates the endpoint on the web service's current version,
	// or updates the settings of an existing one; created tells which.
	PutEndpoint(ctx context.Context, ws, svc, name string, s EndpointSettings) (e *Endpoint, created bool, err error)
	// UpdateEndpoint applies settings, including Resources, to an existing
	// endpoint. Resources of the default endpoint cannot be changed.
	UpdateEndpoint(ctx context.Context, ws, svc, name string, s EndpointSettings) (*Endpoint, error)
	// DeleteEndpoint deletes an endpoint; the default endpoint only when it
	// is the last one.
	DeleteEndpoint(ctx context.Context, ws, svc, name string) error
	// RefreshEndpoint locks a non-default endpoint onto the default
	// endpoint's version; overwriteResources also replaces its trained
	// models with the default endpoint's.
	RefreshEndpoint(ctx context.Context, ws, svc, name string, overwriteResources bool) (*Endpoint, error)
	RegenerateEndpointKey(ctx context.Context, ws, svc, name string, kt KeyType) (*Endpoint, error)
}

// Blobs stores files (models, uploads, batch inputs and outputs) by key.
// Keys are slash-separated paths; BlobKey builds a workspace's keys.
type Blobs interface {
	// Put stores r under key, replacing any earlier blob atomically.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open reads a blob; a missing blob is a NotFound error.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Exists(ctx context.Context, key string) (bool, error)
	Delete(ctx context.Context, key string) error
}

// BlobKey returns the key of a workspace's blob at relative location rel.
func BlobKey(ws, rel string) string { return "workspaces/" + ws + "/" + rel }

// ModelInspector reads a model document far enough to learn its schema, and
// rejects documents that are malformed, too large or too deeply nested with a
// BadUserArgument (InvalidModel) or RequestEntityTooLarge error.
type ModelInspector interface {
	Inspect(r io.Reader) (ModelInfo, error)
}
