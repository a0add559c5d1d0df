package scoregate

import "time"

// Throttle levels of an endpoint.
const (
	ThrottleLow  = "Low"  // MaxConcurrentCalls fixed at LowConcurrency
	ThrottleHigh = "High" // MaxConcurrentCalls in 1..MaxConcurrency
)

// Concurrency limits of the throttle levels.
const (
	LowConcurrency            = 4
	DefaultHighConcurrency    = 20
	MaxConcurrency            = 200
	DefaultMaxEndpointsPerWeb = 10000
)

// Diagnostics trace levels: which requests an endpoint records.
const (
	TraceNone  = "None"
	TraceError = "Error"
	TraceAll   = "All"
)

// DefaultEndpointName is the name of the endpoint every web service gets when
// it is first published.
const DefaultEndpointName = "default"

// ResourceKindTrainedModel is the only kind of endpoint resource.
const ResourceKindTrainedModel = "TrainedModel"

// Endpoint is an independently addressed, secured and throttled way in to a
// web service. It scores with the model version it is locked onto, or with its
// own trained model when its Resources were patched.
type Endpoint struct {
	ID           string // 32 hex, the {endpointId} of ApiLocation
	WorkspaceID  string
	WebServiceID string
	Name         string
	Description  string
	CreatedAt    time.Time
	// Version is the web service version the endpoint is locked onto.
	Version               int
	ThrottleLevel         string
	MaxConcurrentCalls    int
	DiagnosticsTraceLevel string
	SampleDataEnabled     bool
	// EchoInputs makes the scoring API return the input columns before
	// the model's outputs (off by default).
	EchoInputs bool
	// LiveWorkbookEnabled opens GET {ApiLocation}/predict, which scores one
	// row from its query string for the spreadsheet function WEBSERVICE,
	// and puts such formulas in the endpoint's workbook (off by default:
	// the route takes the key in its URL).
	LiveWorkbookEnabled bool
	// PreventUpdate protects the endpoint from refresh and from changes of its
	// Resources until it is cleared.
	PreventUpdate bool
	Resources     []Resource
	// PrimaryKey and SecondaryKey are the endpoint's keys in clear; the store
	// fills them only for callers allowed to see them.
	PrimaryKey   string
	SecondaryKey string
}

// IsDefault reports whether e is its web service's default endpoint.
func (e *Endpoint) IsDefault() bool { return e.Name == DefaultEndpointName }

// Resource is a trained model an endpoint scores with.
type Resource struct {
	Name     string
	Kind     string
	Location Location
}

// Location addresses a blob: BaseLocation is informative (the public URL of
// the blob area), RelativeLocation is the blob's key in the workspace.
type Location struct {
	BaseLocation     string
	RelativeLocation string
}

// EndpointSettings are the settable properties of an endpoint. A nil pointer
// leaves the property as it is (or at its default when creating).
type EndpointSettings struct {
	Description           *string
	ThrottleLevel         *string
	MaxConcurrentCalls    *int
	DiagnosticsTraceLevel *string
	SampleDataEnabled     *bool
	EchoInputs            *bool
	LiveWorkbookEnabled   *bool
	PreventUpdate         *bool
	// Resources replaces trained models by name; nil leaves them.
	Resources []Resource
}

// NewEndpointDefaults returns the properties of a new endpoint before
// settings are applied: High throttling with 20 concurrent calls, no tracing.
func NewEndpointDefaults() Endpoint {
	return Endpoint{
		ThrottleLevel:         ThrottleHigh,
		MaxConcurrentCalls:    DefaultHighConcurrency,
		DiagnosticsTraceLevel: TraceNone,
	}
}

// Apply validates s and applies it to e (all or nothing). Resources are not
// applied here: replacing a trained model needs the store and the blobs, and
// is done by the store once the new model is known to be valid.
func (s EndpointSettings) Apply(e *Endpoint) error {
	next := *e
	if s.Description != nil {
		if err := ValidateDescription("Description", *s.Description); err != nil {
			return err
		}
		next.Description = *s.Description
	}
	if s.DiagnosticsTraceLevel != nil {
		switch *s.DiagnosticsTraceLevel {
		case TraceNone, TraceError, TraceAll:
			next.DiagnosticsTraceLevel = *s.DiagnosticsTraceLevel
		default:
			return Errorf(BadUserArgument, CodeInvalidValue, "DiagnosticsTraceLevel",
				"%q is not a trace level; use None, Error or All", *s.DiagnosticsTraceLevel)
		}
	}
	if s.SampleDataEnabled != nil {
		next.SampleDataEnabled = *s.SampleDataEnabled
	}
	if s.EchoInputs != nil {
		next.EchoInputs = *s.EchoInputs
	}
	if s.LiveWorkbookEnabled != nil {
		next.LiveWorkbookEnabled = *s.LiveWorkbookEnabled
	}
	if s.PreventUpdate != nil {
		next.PreventUpdate = *s.PreventUpdate
	}
	if err := s.applyThrottle(&next); err != nil {
		return err
	}
	*e = next
	return nil
}

// applyThrottle enforces the classic throttle rules: Low means exactly 4
// concurrent calls; High allows 1-200 and defaults to 20 when the level is
// switched to High without a count.
func (s EndpointSettings) applyThrottle(e *Endpoint) error {
	level := e.ThrottleLevel
	if s.ThrottleLevel != nil {
		switch *s.ThrottleLevel {
		case ThrottleLow, ThrottleHigh:
		default:
			return Errorf(BadUserArgument, CodeInvalidThrottleSetting, "ThrottleLevel",
				"%q is not a throttle level; use Low or High", *s.ThrottleLevel)
		}
		if *s.ThrottleLevel != level && s.MaxConcurrentCalls == nil {
			if *s.ThrottleLevel == ThrottleLow {
				e.MaxConcurrentCalls = LowConcurrency
			} else {
				e.MaxConcurrentCalls = DefaultHighConcurrency
			}
		}
		level = *s.ThrottleLevel
	}
	e.ThrottleLevel = level
	if s.MaxConcurrentCalls != nil {
		n := *s.MaxConcurrentCalls
		switch {
		case level == ThrottleLow && n != LowConcurrency:
			return Errorf(BadUserArgument, CodeInvalidThrottleSetting, "MaxConcurrentCalls",
				"MaxConcurrentCalls is fixed at %d for ThrottleLevel Low; got %d", LowConcurrency, n)
		case n < 1 || n > MaxConcurrency:
			return Errorf(BadUserArgument, CodeInvalidThrottleSetting, "MaxConcurrentCalls",
				"MaxConcurrentCalls must be between 1 and %d for ThrottleLevel High; got %d", MaxConcurrency, n)
		}
		e.MaxConcurrentCalls = n
	}
	return nil
}

// APILocation returns the endpoint's ApiLocation under the gateway's public
// base URL: {base}/workspaces/{ws}/services/{endpointId}.
func (e *Endpoint) APILocation(baseURL string) string {
	return baseURL + "/workspaces/" + e.WorkspaceID + "/services/" + e.ID
}
