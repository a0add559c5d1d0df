package gateway

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Schedules of an endpoint (issue 7): cron timetables that score the files
// of its drop folder. This is their management; running them is package
// batch's.

// scheduleJSON is a schedule as the API shows it.
type scheduleJSON struct {
	ID             string `json:"Id"`
	Cron           string
	TimeZone       string
	Enabled        bool
	Pattern        string
	OutputFormat   string
	ErrorThreshold float64
	NextRun        *string
	LastRun        *string
}

func (s *Server) scheduleRoutes() {
	all := "/workspaces/:ws/webservices/:svc/endpoints/:name/schedules"
	own := s.authorize(ownEndpoint)
	s.app.Get(all, own, s.handleScheduleList)
	s.app.Post(all, own, s.handleScheduleCreate)
	s.app.Get(all+"/:sid", own, s.handleScheduleGet)
	s.app.Patch(all+"/:sid", own, s.handleSchedulePatch)
	s.app.Delete(all+"/:sid", own, s.handleScheduleDelete)
	s.app.Post(all+"/:sid/run", own, s.handleScheduleRun)
	s.app.Get(all+"/:sid/runs", own, s.handleRunList)
	s.app.Get(all+"/:sid/runs/:rid", own, s.handleRunGet)
}

func toScheduleJSON(sc *scoregate.Schedule) scheduleJSON {
	v := scheduleJSON{ID: sc.ID, Cron: sc.Cron, TimeZone: sc.TimeZone, Enabled: sc.Enabled, Pattern: sc.Pattern,
		OutputFormat: sc.OutputFormat, ErrorThreshold: sc.ErrorThreshold, NextRun: optionalTime(sc.NextRun), LastRun: optionalTime(sc.LastRun)}
	if v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	if v.Pattern == "" {
		v.Pattern = "*.csv, *.xlsx"
	}
	return v
}

func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timeJSON(t)
	return &s
}

// scheduleEndpoint returns the endpoint the path names; schedules answer
// 503 on a gateway without the schedule service.
func (s *Server) scheduleEndpoint(c *fiber.Ctx) (*scoregate.Endpoint, error) {
	if s.schedules == nil {
		return nil, scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "schedules are not configured on this gateway")
	}
	return s.store.Endpoint(c.UserContext(), param(c, "ws"), param(c, "svc"), param(c, "name"))
}

// endpointSchedule returns the schedule the path names; one of another
// endpoint is not found.
func (s *Server) endpointSchedule(c *fiber.Ctx) (*scoregate.Schedule, error) {
	ep, err := s.scheduleEndpoint(c)
	if err != nil {
		return nil, err
	}
	id := param(c, "sid")
	missing := scoregate.Errorf(scoregate.NotFound, scoregate.CodeScheduleNotFound, "scheduleId", "no schedule %q on this endpoint", id)
	if !scoregate.IsID(id) {
		return nil, missing
	}
	sc, err := s.schedules.Schedule(c.UserContext(), ep.WorkspaceID, id)
	if scoregate.IsNotFound(err) || err == nil && sc.EndpointID != ep.ID {
		return nil, missing
	}
	return sc, err
}

func (s *Server) decodeSchedule(c *fiber.Ctx) (scoregate.ScheduleSettings, error) {
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return scoregate.ScheduleSettings{}, err
	}
	// The body's fields are ScheduleSettings' own names; absent ones are
	// left as they are (PATCH) or at their defaults (POST).
	var set scoregate.ScheduleSettings
	err = decodeJSON(body, &set)
	return set, err
}

func (s *Server) handleScheduleList(c *fiber.Ctx) error {
	ep, err := s.scheduleEndpoint(c)
	if err != nil {
		return err
	}
	list, err := s.schedules.Schedules(c.UserContext(), ep.WorkspaceID, ep.ID)
	if err != nil {
		return err
	}
	views := make([]scheduleJSON, len(list))
	for i := range list {
		views[i] = toScheduleJSON(&list[i])
	}
	return writeJSON(c, fiber.StatusOK, views)
}

func (s *Server) handleScheduleCreate(c *fiber.Ctx) error {
	ep, err := s.scheduleEndpoint(c)
	if err != nil {
		return err
	}
	set, err := s.decodeSchedule(c)
	if err != nil {
		return err
	}
	sc, err := s.schedules.CreateSchedule(c.UserContext(), ep.WorkspaceID, ep.ID, set)
	if err != nil {
		return err
	}
	c.Location(s.cfg.BaseURL + c.Path() + "/" + sc.ID)
	return writeJSON(c, fiber.StatusCreated, toScheduleJSON(sc))
}

func (s *Server) handleScheduleGet(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toScheduleJSON(sc))
}

func (s *Server) handleSchedulePatch(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	set, err := s.decodeSchedule(c)
	if err != nil {
		return err
	}
	if sc, err = s.schedules.UpdateSchedule(c.UserContext(), sc.WorkspaceID, sc.ID, set); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toScheduleJSON(sc))
}

func (s *Server) handleScheduleDelete(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	if err := s.schedules.DeleteSchedule(c.UserContext(), sc.WorkspaceID, sc.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// runJSON is a run of a schedule as the API shows it; Files only when one
// run is asked for.
type runJSON struct {
	ID           string `json:"Id"`
	ScheduleID   string `json:"ScheduleId"`
	Trigger      string // "schedule" or "manual"
	FireTime     string
	StatusCode   scoregate.JobStatus
	Details      *string
	CreatedAt    string
	StartTime    *string
	EndTime      *string
	FilesFound   int
	FilesSkipped int
	FilesClaimed int
	FilesScored  int
	FilesFailed  int
	RowsRead     int64
	RowsFailed   int64
	Notes        []string
	Files        []runFileJSON `json:",omitempty"`
	StatusURL    string        `json:"Url"`
}

// runFileJSON is a file a run claimed; Job and Output link to its batch
// job and its scored file, MovedTo says where the input went.
type runFileJSON struct {
	Name       string
	Status     string
	JobID      string `json:"JobId"`
	Job        string
	Output     *string
	MovedTo    *string
	RowsRead   int64
	RowsFailed int64
	Details    *string
	ClaimedAt  string
	DoneAt     *string
}

// runView shows run r of the schedule the path names.
func (s *Server) runView(c *fiber.Ctx, r *scoregate.ScheduleRun) runJSON {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	endpoint := s.cfg.BaseURL + "/workspaces/" + ws + "/webservices/" + svc + "/endpoints/" + name
	url := endpoint + "/schedules/" + r.ScheduleID + "/runs/" + r.ID
	v := runJSON{ID: r.ID, ScheduleID: r.ScheduleID, Trigger: "schedule", FireTime: timeJSON(r.FireTime),
		StatusCode: r.Status, Details: optionalString(r.Details), CreatedAt: timeJSON(r.CreatedAt),
		StartTime: optionalTime(r.StartedAt), EndTime: optionalTime(r.FinishedAt),
		FilesFound: r.FilesFound, FilesSkipped: r.FilesSkipped, FilesClaimed: r.FilesClaimed,
		FilesScored: r.FilesScored, FilesFailed: r.FilesFailed, RowsRead: r.RowsRead, RowsFailed: r.RowsFailed,
		Notes: r.Notes, StatusURL: url}
	if r.Manual {
		v.Trigger = "manual"
	}
	if v.Notes == nil {
		v.Notes = []string{}
	}
	drops, area := endpoint+"/drops/", scoregate.DropPrefix(ws, svc, name)
	for _, f := range r.Files {
		fv := runFileJSON{Name: f.Name, Status: f.Status, JobID: f.JobID, RowsRead: f.RowsRead, RowsFailed: f.RowsFailed,
			Details: optionalString(f.Details), ClaimedAt: timeJSON(f.ClaimedAt), DoneAt: optionalTime(f.DoneAt),
			Job: s.jobURL(&scoregate.Job{WorkspaceID: r.WorkspaceID, EndpointID: r.EndpointID, ID: f.JobID})}
		if f.Output != "" {
			fv.Output = optionalString(drops + strings.TrimPrefix(f.Output, area))
		}
		if f.Moved != "" {
			fv.MovedTo = optionalString(strings.TrimPrefix(f.Moved, area))
		}
		v.Files = append(v.Files, fv)
	}
	return v
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// handleScheduleRun runs a schedule now: 202 with the queued run.
func (s *Server) handleScheduleRun(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	run, err := s.schedules.RunSchedule(c.UserContext(), sc.WorkspaceID, sc.ID)
	if err != nil {
		return err
	}
	v := s.runView(c, run)
	c.Location(v.StatusURL)
	return writeJSON(c, fiber.StatusAccepted, v)
}

// handleRunList lists a schedule's runs, newest first (?limit=, 100 by
// default).
func (s *Server) handleRunList(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	limit := 0
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "limit", "limit is a number from 1 to 1000, not %q", v)
		}
	}
	runs, err := s.schedules.ScheduleRuns(c.UserContext(), sc.WorkspaceID, sc.ID, limit)
	if err != nil {
		return err
	}
	views := make([]runJSON, len(runs))
	for i := range runs {
		views[i] = s.runView(c, &runs[i])
	}
	return writeJSON(c, fiber.StatusOK, views)
}

// handleRunGet shows one run with what happened to each of its files.
func (s *Server) handleRunGet(c *fiber.Ctx) error {
	sc, err := s.endpointSchedule(c)
	if err != nil {
		return err
	}
	id := param(c, "rid")
	missing := scoregate.Errorf(scoregate.NotFound, scoregate.CodeRunNotFound, "runId", "no run %q of this schedule", id)
	if !scoregate.IsID(id) {
		return missing
	}
	run, err := s.schedules.ScheduleRun(c.UserContext(), sc.WorkspaceID, id)
	if scoregate.IsNotFound(err) || err == nil && run.ScheduleID != sc.ID {
		return missing
	}
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.runView(c, run))
}
