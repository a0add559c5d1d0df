package scoregate

import "time"

// Workspace is a tenant. Its two tokens (primary and secondary) authorise
// management of everything in it; they are never part of this type.
type Workspace struct {
	ID        string // 32 hex
	Name      string
	CreatedAt time.Time
}

// WebService is a published model: a template for endpoints, which are what
// clients call. Each publish adds a version; only the default endpoint follows
// the latest version automatically.
type WebService struct {
	ID          string // 32 hex
	WorkspaceID string
	Name        string
	Description string
	// Version is the latest published version (1 after the first publish).
	Version   int
	ModelKind string // top-level PMML model element, e.g. "TreeModel"
	Input     Schema // input1
	Output    Schema // output1
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ModelVersion is one published version of a web service.
type ModelVersion struct {
	WebServiceID string
	Version      int
	Info         ModelInfo
	// Resource is where the version's model document is stored.
	Resource  Resource
	SHA256    string
	CreatedAt time.Time
}

// Publication is a request to publish a new version of a web service.
type Publication struct {
	// Description replaces the web service's description when non-nil.
	Description *string
	Info        ModelInfo
	// Resource locates the model document, already stored in the blobs.
	Resource Resource
	SHA256   string
}
