package gateway

import (
	"math"
	"time"

	"github.com/scoregate/scoregate"
)

// The JSON shapes of the management API. Field names are PascalCase as
// classic clients expect; the Go names follow Go style and the tags carry
// classic's spelling ("Id", not "ID").

// workspaceJSON is one item of GET /workspaces.
type workspaceJSON struct {
	ID   string `json:"Id"`
	Name string
}

// webServiceJSON is a web service as GET …/webservices/{svc} shows it.
type webServiceJSON struct {
	ID                  string `json:"Id"`
	Name                string
	Description         string
	CreationTime        string
	UpdateTime          string
	WorkspaceID         string `json:"WorkspaceId"`
	Version             int
	ModelKind           string
	DefaultEndpointName string
	Inputs              map[string]schemaJSON
	Outputs             map[string]schemaJSON
}

type schemaJSON struct {
	Columns []columnJSON
}

type columnJSON struct {
	Name        string
	DataType    string
	OpType      string
	Values      []string       `json:",omitempty"`
	Intervals   []intervalJSON `json:",omitempty"`
	Optional    bool
	Feature     string `json:",omitempty"`
	TargetValue string `json:",omitempty"`
}

type intervalJSON struct {
	Closure     string
	LeftMargin  *float64 `json:",omitempty"`
	RightMargin *float64 `json:",omitempty"`
}

// endpointJSON is an endpoint as classic showed it (DESIGN §6).
type endpointJSON struct {
	Name                  string
	Description           string
	CreationTime          string
	WorkspaceID           string `json:"WorkspaceId"`
	WebServiceID          string `json:"WebServiceId"`
	HelpLocation          string
	PrimaryKey            string
	SecondaryKey          string
	APILocation           string `json:"ApiLocation"`
	Version               int
	MaxConcurrentCalls    int
	DiagnosticsTraceLevel string
	ThrottleLevel         string
	SampleDataEnabled     bool
	EchoInputs            bool
	LiveWorkbookEnabled   bool
	PreventUpdate         bool
	Resources             []resourceJSON
}

// resourceJSON is an endpoint resource, in responses and in PATCH bodies.
type resourceJSON struct {
	Name     string
	Kind     string
	Location locationJSON
}

type locationJSON struct {
	BaseLocation     string
	RelativeLocation string
}

// timeJSON formats a time as classic did: RFC 3339 in UTC.
func timeJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toWebServiceJSON(w *scoregate.WebService) webServiceJSON {
	return webServiceJSON{
		ID:                  w.ID,
		Name:                w.Name,
		Description:         w.Description,
		CreationTime:        timeJSON(w.CreatedAt),
		UpdateTime:          timeJSON(w.UpdatedAt),
		WorkspaceID:         w.WorkspaceID,
		Version:             w.Version,
		ModelKind:           w.ModelKind,
		DefaultEndpointName: scoregate.DefaultEndpointName,
		Inputs:              map[string]schemaJSON{"input1": toSchemaJSON(w.Input)},
		Outputs:             map[string]schemaJSON{"output1": toSchemaJSON(w.Output)},
	}
}

func toSchemaJSON(s scoregate.Schema) schemaJSON {
	cols := make([]columnJSON, 0, len(s.Fields))
	for _, f := range s.Fields {
		col := columnJSON{
			Name:        f.Name,
			DataType:    f.DataType,
			OpType:      f.OpType,
			Values:      f.Values,
			Optional:    f.Optional,
			Feature:     f.Feature,
			TargetValue: f.TargetValue,
		}
		for _, iv := range f.Intervals {
			col.Intervals = append(col.Intervals, intervalJSON{
				Closure:     iv.Closure,
				LeftMargin:  finite(iv.Left),
				RightMargin: finite(iv.Right),
			})
		}
		cols = append(cols, col)
	}
	return schemaJSON{Columns: cols}
}

// finite drops infinite and NaN bounds, which JSON cannot carry; an infinite
// bound is the same as none.
func finite(f *float64) *float64 {
	if f == nil || math.IsInf(*f, 0) || math.IsNaN(*f) {
		return nil
	}
	return f
}

// toEndpointJSON fills in the URLs the store does not keep: ApiLocation and
// HelpLocation from the endpoint id, BaseLocation from the workspace.
func (s *Server) toEndpointJSON(e *scoregate.Endpoint) endpointJSON {
	api := e.APILocation(s.cfg.BaseURL)
	base := s.blobBase(e.WorkspaceID)
	rs := make([]resourceJSON, 0, len(e.Resources))
	for _, r := range e.Resources {
		rs = append(rs, resourceJSON{
			Name:     r.Name,
			Kind:     r.Kind,
			Location: locationJSON{BaseLocation: base, RelativeLocation: r.Location.RelativeLocation},
		})
	}
	return endpointJSON{
		Name:                  e.Name,
		Description:           e.Description,
		CreationTime:          timeJSON(e.CreatedAt),
		WorkspaceID:           e.WorkspaceID,
		WebServiceID:          e.WebServiceID,
		HelpLocation:          api + "/help",
		PrimaryKey:            e.PrimaryKey,
		SecondaryKey:          e.SecondaryKey,
		APILocation:           api,
		Version:               e.Version,
		MaxConcurrentCalls:    e.MaxConcurrentCalls,
		DiagnosticsTraceLevel: e.DiagnosticsTraceLevel,
		ThrottleLevel:         e.ThrottleLevel,
		SampleDataEnabled:     e.SampleDataEnabled,
		EchoInputs:            e.EchoInputs,
		LiveWorkbookEnabled:   e.LiveWorkbookEnabled,
		PreventUpdate:         e.PreventUpdate,
		Resources:             rs,
	}
}

// blobBase is the BaseLocation of a workspace's blobs.
func (s *Server) blobBase(ws string) string {
	return s.cfg.BaseURL + "/workspaces/" + ws + "/blobs/"
}
