package gateway

import "github.com/scoregate/scoregate"

// endpointRequest is the body of PUT and PATCH …/endpoints/{name}. Pointer
// fields tell "absent" (leave as is, or default) from a zero value. Fields a
// client got from GET but cannot set (Name, keys, locations, …) are ignored.
type endpointRequest struct {
	Description           *string
	ThrottleLevel         *string
	MaxConcurrentCalls    *int
	DiagnosticsTraceLevel *string
	SampleDataEnabled     *bool
	EchoInputs            *bool
	LiveWorkbookEnabled   *bool
	PreventUpdate         *bool
	Resources             []resourceJSON
}

// decodeEndpointSettings decodes and validates an endpoint body. Resources
// are kept only withResources (PATCH); PUT ignores them. An empty body is
// valid and sets nothing.
//
// The settings are validated by applying them to a new endpoint's defaults.
// That never rejects a body the store would accept for an existing
// endpoint: every rule but one is independent of the current values, and the
// one that is not (MaxConcurrentCalls without a ThrottleLevel) is checked
// against High, whose range contains Low's only value. The store applies
// them again to the real endpoint.
func decodeEndpointSettings(body []byte, withResources bool) (scoregate.EndpointSettings, error) {
	var req endpointRequest
	if err := decodeJSON(body, &req); err != nil {
		return scoregate.EndpointSettings{}, err
	}
	set := scoregate.EndpointSettings{
		Description:           req.Description,
		ThrottleLevel:         req.ThrottleLevel,
		MaxConcurrentCalls:    req.MaxConcurrentCalls,
		DiagnosticsTraceLevel: req.DiagnosticsTraceLevel,
		SampleDataEnabled:     req.SampleDataEnabled,
		EchoInputs:            req.EchoInputs,
		LiveWorkbookEnabled:   req.LiveWorkbookEnabled,
		PreventUpdate:         req.PreventUpdate,
	}
	if withResources && req.Resources != nil {
		set.Resources = make([]scoregate.Resource, 0, len(req.Resources))
		for _, r := range req.Resources {
			kind := r.Kind
			if kind == "" {
				kind = scoregate.ResourceKindTrainedModel
			}
			// BaseLocation is informative; only the relative location
			// addresses a blob of this workspace.
			set.Resources = append(set.Resources, scoregate.Resource{
				Name:     r.Name,
				Kind:     kind,
				Location: scoregate.Location{RelativeLocation: r.Location.RelativeLocation},
			})
		}
	}
	probe := scoregate.NewEndpointDefaults()
	if err := set.Apply(&probe); err != nil {
		return scoregate.EndpointSettings{}, err
	}
	return set, nil
}
