package gateway

import (
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
