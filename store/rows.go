package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/scoregate/scoregate"
)

// Rows mirror the tables of migrations/*; they never leave this package.
// Schemas and resources are JSON text: they are read and written whole,
// never queried into.

type workspaceRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
}

func (workspaceRow) TableName() string { return "workspaces" }

// credentialRow is a workspace token (EndpointID nil) or an endpoint key.
type credentialRow struct {
	ID          string `gorm:"primaryKey"`
	Digest      string // hex HMAC-SHA256 of the credential: the lookup key
	WorkspaceID string
	EndpointID  *string
	KeyType     string
	Ciphertext  []byte // nonce || AES-GCM(credential), digest as additional data
	CreatedAt   time.Time
}

func (credentialRow) TableName() string { return "credentials" }

type webServiceRow struct {
	ID           string `gorm:"primaryKey"`
	WorkspaceID  string
	Name         string
	Description  string
	Version      int
	ModelKind    string
	InputSchema  string
	OutputSchema string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (webServiceRow) TableName() string { return "web_services" }

type modelVersionRow struct {
	WebServiceID string `gorm:"primaryKey"`
	Version      int    `gorm:"primaryKey"`
	ModelKind    string
	FunctionName string
	InputSchema  string
	OutputSchema string
	Resource     string
	SHA256       string `gorm:"column:sha256"`
	CreatedAt    time.Time
}

func (modelVersionRow) TableName() string { return "model_versions" }

type endpointRow struct {
	ID                    string `gorm:"primaryKey"`
	WorkspaceID           string
	WebServiceID          string
	Name                  string
	Description           string
	Version               int
	ThrottleLevel         string
	MaxConcurrentCalls    int
	DiagnosticsTraceLevel string
	SampleDataEnabled     bool
	EchoInputs            bool
	LiveWorkbookEnabled   bool
	PreventUpdate         bool
	Resources             string
	// ResourcesCustomised records a PATCH of Resources, so that a refresh
	// without OverwriteResources knows to keep them.
	ResourcesCustomised bool
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (endpointRow) TableName() string { return "endpoints" }

// changeRow is one entry of the change feed. Empty ids widen it: no
// endpoint means every endpoint of the web service, no web service every
// one of the workspace.
type changeRow struct {
	Seq          int64 `gorm:"primaryKey;autoIncrement"`
	WorkspaceID  string
	WebServiceID string
	EndpointID   string
	At           time.Time
}

func (changeRow) TableName() string { return "changes" }

type requestLogRow struct {
	ID          int64 `gorm:"primaryKey;autoIncrement"`
	EndpointID  string
	WorkspaceID string
	At          time.Time
	RequestID   string
	Method      string
	Path        string
	Status      int
	LatencyUS   int64 `gorm:"column:latency_us"`
	Rows        int
	ErrorCode   string
	Request     string
	Response    string
	Truncated   bool
}

func (requestLogRow) TableName() string { return "request_logs" }

// usageRow is what one replica saw of one endpoint in one hour; Latency is
// the JSON array of bucket counts.
type usageRow struct {
	EndpointID  string    `gorm:"primaryKey"`
	Hour        time.Time `gorm:"primaryKey"`
	Replica     string    `gorm:"primaryKey"`
	WorkspaceID string
	Calls       int64
	Errors      int64
	Throttled   int64
	Rows        int64
	Latency     string
}

func (usageRow) TableName() string { return "usage_hours" }

// jobRow is a batch job. Options is JSON text; the nullable times are nil
// until what they mark happens.
type jobRow struct {
	ID              string `gorm:"primaryKey"`
	WorkspaceID     string
	EndpointID      string
	Status          string
	Input           string
	InputName       string
	Output          string
	Options         string
	RunID           string
	RowsRead        int64
	RowsScored      int64
	RowsFailed      int64
	BytesRead       int64
	BytesTotal      int64
	Details         string
	Attempts        int
	CancelRequested bool
	Owner           string
	LeaseUntil      *time.Time
	CreatedAt       time.Time
	StartedAt       *time.Time
	FinishedAt      *time.Time
	UpdatedAt       time.Time
}

func (jobRow) TableName() string { return "jobs" }

func toWorkspace(r workspaceRow) scoregate.Workspace {
	return scoregate.Workspace{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

func toWebService(r webServiceRow) (scoregate.WebService, error) {
	s := scoregate.WebService{
		ID:          r.ID,
		WorkspaceID: r.WorkspaceID,
		Name:        r.Name,
		Description: r.Description,
		Version:     r.Version,
		ModelKind:   r.ModelKind,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
	if err := decode("input schema of web service "+r.ID, r.InputSchema, &s.Input); err != nil {
		return s, err
	}
	err := decode("output schema of web service "+r.ID, r.OutputSchema, &s.Output)
	return s, err
}

func toModelVersion(r modelVersionRow) (scoregate.ModelVersion, error) {
	v := scoregate.ModelVersion{
		WebServiceID: r.WebServiceID,
		Version:      r.Version,
		Info:         scoregate.ModelInfo{Kind: r.ModelKind, FunctionName: r.FunctionName},
		SHA256:       r.SHA256,
		CreatedAt:    r.CreatedAt.UTC(),
	}
	what := fmt.Sprintf("web service %s v%d", r.WebServiceID, r.Version)
	if err := decode("input schema of "+what, r.InputSchema, &v.Info.Input); err != nil {
		return v, err
	}
	if err := decode("output schema of "+what, r.OutputSchema, &v.Info.Output); err != nil {
		return v, err
	}
	err := decode("resource of "+what, r.Resource, &v.Resource)
	return v, err
}

// keyPair holds an endpoint's keys in clear.
type keyPair struct{ primary, secondary string }

// toEndpoint converts a row; keys are stored apart, in credentials.
func toEndpoint(r endpointRow, keys keyPair) (scoregate.Endpoint, error) {
	e := scoregate.Endpoint{
		ID:                    r.ID,
		WorkspaceID:           r.WorkspaceID,
		WebServiceID:          r.WebServiceID,
		Name:                  r.Name,
		Description:           r.Description,
		CreatedAt:             r.CreatedAt.UTC(),
		Version:               r.Version,
		ThrottleLevel:         r.ThrottleLevel,
		MaxConcurrentCalls:    r.MaxConcurrentCalls,
		DiagnosticsTraceLevel: r.DiagnosticsTraceLevel,
		SampleDataEnabled:     r.SampleDataEnabled,
		EchoInputs:            r.EchoInputs,
		LiveWorkbookEnabled:   r.LiveWorkbookEnabled,
		PreventUpdate:         r.PreventUpdate,
		PrimaryKey:            keys.primary,
		SecondaryKey:          keys.secondary,
	}
	err := decode("resources of endpoint "+r.ID, r.Resources, &e.Resources)
	return e, err
}

// fromEndpoint converts the settable part of e back onto its row r, which
// keeps the columns the domain type does not carry.
func fromEndpoint(e scoregate.Endpoint, r endpointRow) (endpointRow, error) {
	r.Description = e.Description
	r.Version = e.Version
	r.ThrottleLevel = e.ThrottleLevel
	r.MaxConcurrentCalls = e.MaxConcurrentCalls
	r.DiagnosticsTraceLevel = e.DiagnosticsTraceLevel
	r.SampleDataEnabled = e.SampleDataEnabled
	r.EchoInputs = e.EchoInputs
	r.LiveWorkbookEnabled = e.LiveWorkbookEnabled
	r.PreventUpdate = e.PreventUpdate
	var err error
	r.Resources, err = encode("resources of endpoint "+r.ID, resourcesOrEmpty(e.Resources))
	return r, err
}

func toChange(r changeRow) scoregate.Change {
	return scoregate.Change{
		Seq:          r.Seq,
		WorkspaceID:  r.WorkspaceID,
		WebServiceID: r.WebServiceID,
		EndpointID:   r.EndpointID,
		At:           r.At.UTC(),
	}
}

func toRequestLog(r requestLogRow) scoregate.RequestLog {
	return scoregate.RequestLog{
		ID:          r.ID,
		EndpointID:  r.EndpointID,
		WorkspaceID: r.WorkspaceID,
		At:          r.At.UTC(),
		RequestID:   r.RequestID,
		Method:      r.Method,
		Path:        r.Path,
		Status:      r.Status,
		Latency:     time.Duration(r.LatencyUS) * time.Microsecond,
		Rows:        r.Rows,
		ErrorCode:   r.ErrorCode,
		Request:     r.Request,
		Response:    r.Response,
		Truncated:   r.Truncated,
	}
}

// fromRequestLog converts a record to a new row: the database numbers it,
// and its time is kept at the precision both databases store.
func fromRequestLog(l scoregate.RequestLog) requestLogRow {
	return requestLogRow{
		EndpointID:  l.EndpointID,
		WorkspaceID: l.WorkspaceID,
		At:          l.At.UTC().Truncate(time.Microsecond),
		RequestID:   l.RequestID,
		Method:      l.Method,
		Path:        l.Path,
		Status:      l.Status,
		LatencyUS:   l.Latency.Microseconds(),
		Rows:        l.Rows,
		ErrorCode:   l.ErrorCode,
		Request:     l.Request,
		Response:    l.Response,
		Truncated:   l.Truncated,
	}
}

func toUsage(r usageRow) (scoregate.UsageHour, error) {
	u := scoregate.UsageHour{
		EndpointID:  r.EndpointID,
		WorkspaceID: r.WorkspaceID,
		Hour:        r.Hour.UTC(),
		Replica:     r.Replica,
		Calls:       r.Calls,
		Errors:      r.Errors,
		Throttled:   r.Throttled,
		Rows:        r.Rows,
	}
	err := decode(fmt.Sprintf("latency of endpoint %s at %s", r.EndpointID, u.Hour.Format(time.RFC3339)), r.Latency, &u.Latency)
	if len(u.Latency) == 0 {
		u.Latency = nil // what was written: no histogram
	}
	return u, err
}

// fromUsage converts a usage hour to its row, Hour moved to the start of
// its hour in UTC.
func fromUsage(u scoregate.UsageHour) (usageRow, error) {
	r := usageRow{
		EndpointID:  u.EndpointID,
		Hour:        u.Hour.UTC().Truncate(time.Hour),
		Replica:     u.Replica,
		WorkspaceID: u.WorkspaceID,
		Calls:       u.Calls,
		Errors:      u.Errors,
		Throttled:   u.Throttled,
		Rows:        u.Rows,
	}
	latency := u.Latency
	if latency == nil {
		latency = []int64{}
	}
	var err error
	r.Latency, err = encode("latency of endpoint "+u.EndpointID, latency)
	return r, err
}

func toJob(r jobRow) (scoregate.Job, error) {
	j := scoregate.Job{
		ID:          r.ID,
		WorkspaceID: r.WorkspaceID,
		EndpointID:  r.EndpointID,
		Status:      scoregate.JobStatus(r.Status),
		Input:       r.Input,
		InputName:   r.InputName,
		Output:      r.Output,
		RunID:       r.RunID,
		Progress: scoregate.JobProgress{
			RowsRead:   r.RowsRead,
			RowsScored: r.RowsScored,
			RowsFailed: r.RowsFailed,
			BytesRead:  r.BytesRead,
			BytesTotal: r.BytesTotal,
		},
		Details:         r.Details,
		Attempts:        r.Attempts,
		CancelRequested: r.CancelRequested,
		Owner:           r.Owner,
		LeaseUntil:      utcOrZero(r.LeaseUntil),
		CreatedAt:       r.CreatedAt.UTC(),
		StartedAt:       utcOrZero(r.StartedAt),
		FinishedAt:      utcOrZero(r.FinishedAt),
	}
	err := decode("options of job "+r.ID, r.Options, &j.Options)
	return j, err
}

// fromJob converts a new job to its row.
func fromJob(j scoregate.Job) (jobRow, error) {
	r := jobRow{
		ID:              j.ID,
		WorkspaceID:     j.WorkspaceID,
		EndpointID:      j.EndpointID,
		Status:          string(j.Status),
		Input:           j.Input,
		InputName:       j.InputName,
		Output:          j.Output,
		RunID:           j.RunID,
		RowsRead:        j.Progress.RowsRead,
		RowsScored:      j.Progress.RowsScored,
		RowsFailed:      j.Progress.RowsFailed,
		BytesRead:       j.Progress.BytesRead,
		BytesTotal:      j.Progress.BytesTotal,
		Details:         j.Details,
		Attempts:        j.Attempts,
		CancelRequested: j.CancelRequested,
		Owner:           j.Owner,
		LeaseUntil:      nilIfZero(j.LeaseUntil),
		CreatedAt:       j.CreatedAt,
		StartedAt:       nilIfZero(j.StartedAt),
		FinishedAt:      nilIfZero(j.FinishedAt),
		UpdatedAt:       j.CreatedAt,
	}
	var err error
	r.Options, err = encode("options of job "+j.ID, j.Options)
	return r, err
}

// utcOrZero reads a nullable time column: NULL is the zero time.
func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nilIfZero writes a nullable time column: the zero time is NULL.
func nilIfZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

func resourcesOrEmpty(rs []scoregate.Resource) []scoregate.Resource {
	if rs == nil {
		return []scoregate.Resource{}
	}
	return rs
}

// encode marshals a JSON column. It fails only for values JSON cannot hold,
// such as an infinite interval bound.
func encode(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", what, err)
	}
	return string(b), nil
}

// decode unmarshals a JSON column; a failure means a damaged row.
func decode(what, text string, v any) error {
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// convertAll converts the rows read for operation op with conv; a row
// that does not convert fails the whole list.
func convertAll[R, T any](op string, rows []R, conv func(R) (T, error)) ([]T, error) {
	list := make([]T, 0, len(rows))
	for _, r := range rows {
		v, err := conv(r)
		if err != nil {
			return nil, translate(op, err, nil, nil)
		}
		list = append(list, v)
	}
	return list, nil
}
