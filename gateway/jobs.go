package gateway

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"path"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Batch jobs (DESIGN §5): the classic Batch Execution Service routes under
// an endpoint's ApiLocation, plus direct upload of the file to score.

// mimeXLSX is the media type of an XLSX workbook.
const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// maxJobList bounds GET …/jobs.
const maxJobList = 100

// codeJobNotFinished answers a download of an output that does not exist
// yet.
const codeJobNotFinished = "JobNotFinished"

func (s *Server) jobRoutes() {
	auth := s.authorizeAPI
	s.app.Post(apiPrefix+"/jobs", auth, s.handleJobSubmit)
	s.app.Get(apiPrefix+"/jobs", auth, s.handleJobList)
	s.app.Get(apiPrefix+"/jobs/:job", auth, s.handleJobGet)
	s.app.Post(apiPrefix+"/jobs/:job/start", auth, s.handleJobStart)
	s.app.Delete(apiPrefix+"/jobs/:job", auth, s.handleJobCancel)
	s.app.Get(apiPrefix+"/jobs/:job/output", auth, s.handleJobOutput)
	s.app.Get("/workspaces/:ws/blobs/+", s.authorize(workspaceOnly), s.handleBlobDownload)
}

// authorizeAPI admits to an endpoint's ApiLocation routes one of its two
// keys or its workspace's token. Anything else is the classic 401.
func (s *Server) authorizeAPI(c *fiber.Ctx) error {
	credential, ok := bearer(c.Request().Header.Peek(fiber.HeaderAuthorization))
	if !ok {
		return errScoreUnauthorized
	}
	p, err := s.store.Authenticate(c.UserContext(), credential)
	if err != nil {
		if scoregate.ClassOf(err) == scoregate.Unauthorized {
			return errScoreUnauthorized
		}
		return err
	}
	ws, id := param(c, "ws"), param(c, "id")
	switch {
	case p.WorkspaceID != ws:
		return errScoreUnauthorized
	case p.IsWorkspace():
		if _, err := s.store.EndpointByID(c.UserContext(), ws, id); err != nil {
			if scoregate.IsNotFound(err) {
				return errScoreUnauthorized
			}
			return err
		}
	case p.EndpointID != id:
		return errScoreUnauthorized
	}
	if s.jobs == nil {
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "batch jobs are not configured on this gateway")
	}
	return c.Next()
}

// besRequestJSON is the classic job submission body.
type besRequestJSON struct {
	Inputs           map[string]besLocationJSON
	Outputs          map[string]besLocationJSON
	GlobalParameters map[string]any
}

type besLocationJSON struct {
	ConnectionString string
	RelativeLocation string
	BaseLocation     string
	SasBlobToken     string
}

// handleJobSubmit creates a job: from a classic body naming a blob of the
// workspace (NotStarted, the answer is the job id as a JSON string, as
// classic answered), or from the file itself (queued at once unless
// ?start=false; 202 with the job).
func (s *Server) handleJobSubmit(c *fiber.Ctx) error {
	if err := checkAPIVersion(c); err != nil {
		return err
	}
	ws, id := param(c, "ws"), param(c, "id")
	j := &scoregate.Job{WorkspaceID: ws, EndpointID: id}
	if err := jobOptions(c, &j.Options); err != nil {
		return err
	}
	ct := mediaType(c)
	if ct == "" || ct == fiber.MIMEApplicationJSON {
		return s.submitClassic(c, j)
	}
	start := true
	if v := c.Query("start"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "start", "start must be true or false, not %q", v)
		}
		start = b
	}
	if err := s.receiveUpload(c, j, ct); err != nil {
		return err
	}
	if err := s.jobs.Submit(c.UserContext(), j, start); err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, s.jobURL(j))
	return writeJSON(c, fiber.StatusAccepted, s.jobView(j))
}

// submitClassic handles the Batch Execution Service body.
func (s *Server) submitClassic(c *fiber.Ctx, j *scoregate.Job) error {
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return err
	}
	var req besRequestJSON
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	in, ok := req.Inputs["input1"]
	if !ok || in.RelativeLocation == "" {
		return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "Inputs.input1.RelativeLocation",
			"the job needs Inputs.input1.RelativeLocation, a file uploaded to POST /workspaces/%s/blobs; or send the file itself as the body (text/csv, %s, or multipart field \"file\")", j.WorkspaceID, mimeXLSX)
	}
	if err := scoregate.ValidateRelativeLocation("Inputs.input1.RelativeLocation", in.RelativeLocation); err != nil {
		return err
	}
	j.Input = scoregate.BlobKey(j.WorkspaceID, in.RelativeLocation)
	j.InputName = path.Base(in.RelativeLocation)
	if j.Options.InputFormat == "" {
		j.Options.InputFormat = formatOfName(j.InputName)
	}
	if ok, err := s.blobs.Exists(c.UserContext(), j.Input); err != nil {
		return err
	} else if !ok {
		return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeBlobNotFound, "Inputs.input1.RelativeLocation",
			"no blob at %q in this workspace; upload it with POST /workspaces/%s/blobs", in.RelativeLocation, j.WorkspaceID)
	}
	if out, ok := req.Outputs["output1"]; ok && out.RelativeLocation != "" {
		if err := scoregate.ValidateRelativeLocation("Outputs.output1.RelativeLocation", out.RelativeLocation); err != nil {
			return err
		}
		if out.RelativeLocation == in.RelativeLocation {
			return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "Outputs.output1.RelativeLocation",
				"the output would overwrite the input; give it another RelativeLocation")
		}
		j.Output = scoregate.BlobKey(j.WorkspaceID, out.RelativeLocation)
		if j.Options.OutputFormat == "" {
			j.Options.OutputFormat = formatOfName(out.RelativeLocation)
		}
	} else {
		s.defaultOutput(j)
	}
	if err := s.jobs.Submit(c.UserContext(), j, false); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, j.ID)
}

// receiveUpload streams the request's file into the workspace's blobs, as
// the job's input: the body itself, or the multipart field "file". The
// file never sits whole in memory; a body over the upload limit is a 413
// and leaves nothing behind.
func (s *Server) receiveUpload(c *fiber.Ctx, j *scoregate.Job, ct string) error {
	limit := s.cfg.MaxUploadBytes
	body, err := bodyStream(c, limit)
	if err != nil {
		return err
	}
	name, format := c.Query("name"), ""
	switch ct {
	case "text/csv", "text/plain", "application/csv":
		format = scoregate.FormatCSV
	case mimeXLSX:
		format = scoregate.FormatXLSX
	case fiber.MIMEMultipartForm:
		_, params, _ := mime.ParseMediaType(string(c.Request().Header.ContentType()))
		part, err := filePart(multipart.NewReader(body, params["boundary"]))
		if err != nil {
			return err
		}
		defer part.Close()
		body = part
		if name == "" {
			name = part.FileName()
		}
		switch pt, _, _ := mime.ParseMediaType(part.Header.Get(fiber.HeaderContentType)); pt {
		case mimeXLSX:
			format = scoregate.FormatXLSX
		case "text/csv":
			format = scoregate.FormatCSV
		}
	default:
		return scoregate.Errorf(scoregate.UnsupportedMediaType, scoregate.CodeUnsupportedMediaType, fiber.HeaderContentType,
			"Content-Type %q is not a job: send application/json (a classic job body), text/csv, %s, or multipart/form-data with the field \"file\"", ct, mimeXLSX)
	}
	if name == "" {
		name = "input." + cmp.Or(format, scoregate.FormatCSV)
	}
	base, err := blobName(name)
	if err != nil {
		return err
	}
	if format == "" {
		format = formatOfName(base)
	}
	if j.Options.InputFormat == "" {
		j.Options.InputFormat = format
	}
	rel := "uploads/" + scoregate.NewID() + "/" + base
	j.Input, j.InputName = scoregate.BlobKey(j.WorkspaceID, rel), base
	n, err := s.putStream(c, s.blobs.Put, j.Input, body, limit)
	if err != nil {
		return err
	}
	j.Progress.BytesTotal = n
	s.defaultOutput(j)
	return nil
}

// putStream streams body into the blob at key, at most limit bytes (413
// beyond, nothing stored), and refuses an empty file. The blob appears
// whole, or not at all.
func (s *Server) putStream(c *fiber.Ctx, put func(context.Context, string, io.Reader) error, key string, body io.Reader, limit int64) (int64, error) {
	lr := &limitedReader{r: body, left: limit}
	if err := put(c.UserContext(), key, lr); err != nil {
		if lr.over {
			return 0, tooLarge(limit+1, limit)
		}
		return 0, err
	}
	if lr.read == 0 {
		_ = s.blobs.Delete(c.UserContext(), key)
		return 0, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "file", "the file is empty")
	}
	return lr.read, nil
}

// bodyStream returns the request body as a stream, not read yet, after
// checking its declared length against limit and refusing encodings.
func bodyStream(c *fiber.Ctx, limit int64) (io.Reader, error) {
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > limit {
		return nil, tooLarge(int64(n), limit)
	}
	if err := checkEncoding(c); err != nil {
		return nil, err
	}
	if body := c.Context().RequestBodyStream(); body != nil {
		return body, nil
	}
	return bytes.NewReader(c.Body()), nil
}

// filePart finds the multipart field "file".
func filePart(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "file",
				"the multipart form has no file field \"file\"")
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}

// limitedReader reads at most left bytes and remembers whether the
// source had more.
type limitedReader struct {
	r    io.Reader
	left int64
	read int64
	over bool
}

var errUploadTooLarge = errors.New("upload over the limit")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		l.over = true
		return 0, errUploadTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return n, errUploadTooLarge
	}
	return n, err
}

// defaultOutput names a job's output beside nothing else: outputs/{id}/
// {input name}.scored.{format}.
func (s *Server) defaultOutput(j *scoregate.Job) {
	format := j.Options.OutputFormat
	if format == "" {
		format = cmp.Or(j.Options.InputFormat, scoregate.FormatCSV)
	}
	stem := strings.TrimSuffix(j.InputName, path.Ext(j.InputName))
	j.Output = scoregate.BlobKey(j.WorkspaceID, "outputs/"+scoregate.NewID()+"/"+stem+".scored."+format)
}

// jobOptions reads the job's query parameters.
func jobOptions(c *fiber.Ctx, o *scoregate.JobOptions) error {
	for _, f := range [...]struct {
		name string
		dst  *string
	}{{"format", &o.InputFormat}, {"output", &o.OutputFormat}} {
		switch v := strings.ToLower(c.Query(f.name)); v {
		case "", scoregate.FormatCSV, scoregate.FormatXLSX:
			*f.dst = v
		default:
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, f.name, "%s must be csv or xlsx, not %q", f.name, v)
		}
	}
	o.Sheet = c.Query("sheet")
	if v := c.Query("header-row"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1048576 {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "header-row", "header-row is the sheet row holding the header, 1 to 1048576; not %q", v)
		}
		o.HeaderRow = n
	}
	if d := c.Query("delimiter"); d != "" {
		if d == `\t` || strings.EqualFold(d, "tab") {
			d = "\t"
		}
		if len([]rune(d)) != 1 || strings.ContainsAny(d, "\"\r\n") {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "delimiter", "delimiter must be one character other than a quote or a line break")
		}
		o.Delimiter = d
	}
	if v := c.Query("threshold"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1) {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "threshold",
				"threshold is the fraction of rows that may fail, from 0 (no threshold) to 1; not %q", v)
		}
		o.MaxFailedFraction = f
	}
	return nil
}

func mediaType(c *fiber.Ctx) string {
	ct := string(c.Request().Header.ContentType())
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

func formatOfName(name string) string {
	if strings.EqualFold(path.Ext(name), ".xlsx") {
		return scoregate.FormatXLSX
	}
	return scoregate.FormatCSV
}

// jobID is the :job parameter, checked.
func jobID(c *fiber.Ctx) (string, error) {
	id := param(c, "job")
	if !scoregate.IsID(id) {
		return "", scoregate.Errorf(scoregate.NotFound, scoregate.CodeJobNotFound, "jobId", "no job %q on this endpoint", id)
	}
	return id, nil
}

// endpointJob returns the job the path names; a job of another endpoint
// is not found.
func (s *Server) endpointJob(c *fiber.Ctx) (*scoregate.Job, error) {
	id, err := jobID(c)
	if err != nil {
		return nil, err
	}
	j, err := s.jobs.Job(c.UserContext(), param(c, "ws"), id)
	if err != nil {
		return nil, err
	}
	if j.EndpointID != param(c, "id") {
		return nil, scoregate.Errorf(scoregate.NotFound, scoregate.CodeJobNotFound, "jobId", "no job %q on this endpoint", id)
	}
	return j, nil
}

func (s *Server) handleJobGet(c *fiber.Ctx) error {
	j, err := s.endpointJob(c)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.jobView(j))
}

func (s *Server) handleJobList(c *fiber.Ctx) error {
	list, err := s.jobs.Jobs(c.UserContext(), param(c, "ws"), param(c, "id"), maxJobList)
	if err != nil {
		return err
	}
	views := make([]jobJSON, len(list))
	for i := range list {
		views[i] = s.jobView(&list[i])
	}
	return writeJSON(c, fiber.StatusOK, views)
}

func (s *Server) handleJobStart(c *fiber.Ctx) error {
	j, err := s.endpointJob(c)
	if err != nil {
		return err
	}
	if _, err := s.jobs.StartJob(c.UserContext(), j.WorkspaceID, j.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleJobCancel(c *fiber.Ctx) error {
	j, err := s.endpointJob(c)
	if err != nil {
		return err
	}
	if _, err := s.jobs.Cancel(c.UserContext(), j.WorkspaceID, j.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleJobOutput streams a finished job's output.
func (s *Server) handleJobOutput(c *fiber.Ctx) error {
	j, err := s.endpointJob(c)
	if err != nil {
		return err
	}
	if j.Status != scoregate.JobFinished {
		return scoregate.Errorf(scoregate.Conflict, codeJobNotFinished, "jobId",
			"job %s is %s; its output exists once it is Finished", j.ID, j.Status)
	}
	return s.sendBlob(c, j.Output)
}

// handleBlobDownload serves a blob of the workspace at its relative
// location: BaseLocation + RelativeLocation of a job's results.
func (s *Server) handleBlobDownload(c *fiber.Ctx) error {
	rel := param(c, "+")
	if err := scoregate.ValidateRelativeLocation("RelativeLocation", rel); err != nil {
		return err
	}
	return s.sendBlob(c, scoregate.BlobKey(param(c, "ws"), rel))
}

// sendBlob streams a blob as an attachment.
func (s *Server) sendBlob(c *fiber.Ctx, key string) error {
	ctx := c.UserContext()
	size := -1
	if sz, ok := s.blobs.(scoregate.BlobSizer); ok {
		n, err := sz.Size(ctx, key)
		if err != nil {
			return err
		}
		size = int(n)
	}
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return err
	}
	name := path.Base(key)
	ct := "text/csv; charset=utf-8"
	switch strings.ToLower(path.Ext(name)) {
	case ".xlsx":
		ct = mimeXLSX
	case ".txt":
		ct = "text/plain; charset=utf-8"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Context().SetBodyStream(rc, size) // closed by fasthttp once sent
	return nil
}

// jobJSON is a job as GET …/jobs/{id} shows it: classic's StatusCode,
// Results and Details, plus the progress and the job's own URLs.
type jobJSON struct {
	ID         string `json:"Id"`
	StatusCode scoregate.JobStatus
	Progress   progressJSON
	Results    map[string]jobOutputJSON
	Details    *string
	CreatedAt  string
	StartTime  *string
	EndTime    *string
	InputName  string
	Attempts   int
	// ExecutedBy names the replica executing the job, or the last one
	// that did.
	ExecutedBy string `json:",omitempty"`
	// RunID names the schedule run that made the job, for a dropped file.
	RunID     string `json:"RunId,omitempty"`
	StatusURL string `json:"StatusUrl"`
}

type progressJSON struct {
	RowsRead   int64
	RowsScored int64
	RowsFailed int64
	BytesRead  int64
	BytesTotal int64
	Percent    float64
}

type jobOutputJSON struct {
	ConnectionString *string
	BaseLocation     string
	RelativeLocation string
	SasBlobToken     string
	URL              string `json:"Url"`
}

func (s *Server) jobURL(j *scoregate.Job) string {
	return s.cfg.BaseURL + "/workspaces/" + j.WorkspaceID + "/services/" + j.EndpointID + "/jobs/" + j.ID
}

func (s *Server) jobView(j *scoregate.Job) jobJSON {
	v := jobJSON{
		ID:         j.ID,
		StatusCode: j.Status,
		Progress: progressJSON{
			RowsRead: j.Progress.RowsRead, RowsScored: j.Progress.RowsScored, RowsFailed: j.Progress.RowsFailed,
			BytesRead: j.Progress.BytesRead, BytesTotal: j.Progress.BytesTotal,
			Percent: float64(int(j.Progress.Percent()*10)) / 10,
		},
		Results:    map[string]jobOutputJSON{},
		CreatedAt:  timeJSON(j.CreatedAt),
		InputName:  j.InputName,
		Attempts:   j.Attempts,
		ExecutedBy: j.Owner,
		RunID:      j.RunID,
		StatusURL:  s.jobURL(j),
		Details:    optionalString(j.Details),
		StartTime:  optionalTime(j.StartedAt),
		EndTime:    optionalTime(j.FinishedAt),
	}
	switch {
	case j.Status != scoregate.JobFinished:
	case j.RunID != "":
		// A dropped file's output is in the drop area's outbox/, which
		// GET …/drops/outbox/{file} and Url serve.
		v.Results["output1"] = jobOutputJSON{
			RelativeLocation: "outbox/" + path.Base(j.Output),
			URL:              s.jobURL(j) + "/output",
		}
	default:
		prefix := "workspaces/" + j.WorkspaceID + "/"
		v.Results["output1"] = jobOutputJSON{
			BaseLocation:     s.blobBase(j.WorkspaceID),
			RelativeLocation: strings.TrimPrefix(j.Output, prefix),
			URL:              s.jobURL(j) + "/output",
		}
	}
	return v
}
