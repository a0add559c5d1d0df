package gateway

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/workbook"
)

// Excel workbooks (DESIGN §7): an endpoint's workbook to download, and the
// round trip of a filled one.

// sampleWorkbookRows is how many sample rows a workbook of an endpoint
// with sample data enabled shows.
const sampleWorkbookRows = 5

func (s *Server) workbookRoutes() {
	s.app.Get("/workspaces/:ws/webservices/:svc/endpoints/:name/workbook", s.authorize(ownEndpoint), s.handleWorkbookGet)
	s.app.Post(apiPrefix+"/workbook", s.handleWorkbookRoundTrip)
}

// handleWorkbookGet builds the endpoint's workbook, prefilled with its
// ApiLocation and primary key.
func (s *Server) handleWorkbookGet(c *fiber.Ctx) error {
	ctx := c.UserContext()
	ws, svc := param(c, "ws"), param(c, "svc")
	ep, err := s.store.Endpoint(ctx, ws, svc, param(c, "name"))
	if err != nil {
		return err
	}
	mv, err := s.store.ModelVersion(ctx, ws, svc, ep.Version)
	if err != nil {
		return err
	}
	spec := workbook.Spec{
		Service:      svc,
		Endpoint:     ep.Name,
		ModelVersion: ep.Version,
		APILocation:  ep.APILocation(s.cfg.BaseURL),
		Key:          ep.PrimaryKey,
		APIVersion:   "2.0",
		Inputs:       mv.Info.Input.Fields,
		Outputs:      mv.Info.Output.Fields,
		OutputNames:  scoregate.OutputColumns(mv.Info),
		Live:         ep.LiveWorkbookEnabled,
		BatchRows:    s.cfg.MaxWorkbookRows,
		GeneratedAt:  time.Now().UTC(),
	}
	if ep.SampleDataEnabled {
		spec.SampleRows = sampleRows(mv.Info, sampleWorkbookRows)
	}
	var buf bytes.Buffer
	if err := workbook.Generate(&buf, spec); err != nil {
		return err
	}
	return sendWorkbook(c, fiber.StatusOK, workbook.FileName(svc, ep.Name), buf.Bytes())
}

func sendWorkbook(c *fiber.Ctx, status int, name string, data []byte) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, mimeXLSX)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store") // it holds a key
	return c.Send(data)
}

// handleWorkbookRoundTrip scores a filled workbook (the raw body or the
// multipart field "file") and answers it with the predicted columns and
// Errors filled for every complete row. A workbook with more rows than the
// limit becomes a batch job: 202 with the job.
func (s *Server) handleWorkbookRoundTrip(c *fiber.Ctx) error {
	key, ok := bearer(c.Request().Header.Peek(fiber.HeaderAuthorization))
	if !ok {
		return errScoreUnauthorized
	}
	if s.live == nil {
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "scoring is not configured on this gateway")
	}
	ctx := c.UserContext()
	se, err := s.live.Resolve(ctx, param(c, "ws"), param(c, "id"), key)
	if err != nil {
		return err
	}
	body, err := readBody(c, s.cfg.MaxWorkbookBytes)
	if err != nil {
		return err
	}
	name := "workbook.xlsx"
	if isMultipart(c) {
		form, err := c.MultipartForm()
		if err != nil {
			return multipartError(err)
		}
		if fhs := form.File["file"]; len(fhs) > 0 {
			name = fhs[0].Filename
		}
		if body, err = readFormFile(form, "file", s.cfg.MaxWorkbookBytes); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	res, err := workbook.RoundTrip(ctx, bytes.NewReader(body), &out, se.Scorer, workbook.RoundTripOptions{
		Sheet: c.Query("sheet"), MaxRows: s.cfg.MaxWorkbookRows,
	})
	if errors.Is(err, workbook.ErrTooManyRows) {
		return s.workbookJob(c, &se.Endpoint, name, body, res)
	}
	if err != nil {
		return err
	}
	c.Set("x-scoregate-rows", strconv.Itoa(res.Rows))
	c.Set("x-scoregate-rows-scored", strconv.Itoa(res.Scored))
	c.Set("x-scoregate-rows-failed", strconv.Itoa(res.Failed))
	base, err := blobName(name)
	if err != nil {
		base = "workbook.xlsx"
	}
	return sendWorkbook(c, fiber.StatusOK, base, out.Bytes())
}

// workbookJob turns a workbook too large for a synchronous answer into a
// batch job scoring the sheet the round trip found (from its header row)
// into an XLSX output: the rows with their predictions and Errors, without
// the workbook's other sheets and formatting.
func (s *Server) workbookJob(c *fiber.Ctx, ep *scoregate.Endpoint, name string, body []byte, res workbook.RoundTripResult) error {
	if s.jobs == nil {
		return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeTooManyRows, "",
			"the workbook has more than %d rows; this gateway runs no batch jobs to score it", s.cfg.MaxWorkbookRows)
	}
	base, err := blobName(name)
	if err != nil {
		base = "workbook.xlsx"
	}
	j := &scoregate.Job{WorkspaceID: ep.WorkspaceID, EndpointID: ep.ID, InputName: base,
		Options: scoregate.JobOptions{InputFormat: scoregate.FormatXLSX, OutputFormat: scoregate.FormatXLSX,
			Sheet: res.Sheet, HeaderRow: res.HeaderRow}}
	j.Input = scoregate.BlobKey(ep.WorkspaceID, "uploads/"+scoregate.NewID()+"/"+base)
	if err := s.blobs.Put(c.UserContext(), j.Input, bytes.NewReader(body)); err != nil {
		return err
	}
	j.Progress.BytesTotal = int64(len(body))
	s.defaultOutput(j)
	if err := s.jobs.Submit(c.UserContext(), j, true); err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, s.jobURL(j))
	return writeJSON(c, fiber.StatusAccepted, s.jobView(j))
}
