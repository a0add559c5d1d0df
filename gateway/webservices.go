package gateway

import (
	"bytes"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// workspaceRoutes registers GET /workspaces.
func (s *Server) workspaceRoutes() {
	s.app.Get("/workspaces", s.authorize(workspaceOnly), s.handleWorkspaceList)
}

// webServiceRoutes registers the web service resource.
func (s *Server) webServiceRoutes() {
	auth := s.authorize(workspaceOnly)
	s.app.Get("/workspaces/:ws/webservices", auth, s.handleWebServiceList)
	s.app.Get("/workspaces/:ws/webservices/:svc", auth, s.handleWebServiceGet)
	s.app.Put("/workspaces/:ws/webservices/:svc", auth, s.handleWebServicePut)
	s.app.Delete("/workspaces/:ws/webservices/:svc", auth, s.handleWebServiceDelete)
}

// handleWorkspaceList lists the workspaces the caller's token manages: its
// own, since a token belongs to exactly one.
func (s *Server) handleWorkspaceList(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	w, err := s.store.Workspace(c.UserContext(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, []workspaceJSON{{ID: w.ID, Name: w.Name}})
}

func (s *Server) handleWebServiceList(c *fiber.Ctx) error {
	list, err := s.store.WebServices(c.UserContext(), param(c, "ws"))
	if err != nil {
		return err
	}
	out := make([]webServiceJSON, 0, len(list))
	for i := range list {
		out = append(out, toWebServiceJSON(&list[i]))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) handleWebServiceGet(c *fiber.Ctx) error {
	w, err := s.store.WebService(c.UserContext(), param(c, "ws"), param(c, "svc"))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toWebServiceJSON(w))
}

// publishRequest is a decoded PUT …/webservices/{svc}.
type publishRequest struct {
	ws, svc     string
	model       []byte
	description *string
}

// handleWebServicePut publishes a PMML document as the next version of the
// web service, creating it (201) or adding a version (200). The document is
// the multipart field "model" or, for any other content type, the raw body.
func (s *Server) handleWebServicePut(c *fiber.Ctx) error {
	req, err := s.decodePublish(c)
	if err != nil {
		return err
	}
	w, err := scoregate.Publish(c.UserContext(), s.store, s.blobs, s.models, req.ws, req.svc, req.model, req.description)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if w.Version == 1 {
		status = fiber.StatusCreated
		c.Location(s.cfg.BaseURL + "/workspaces/" + w.WorkspaceID + "/webservices/" + w.Name)
	}
	return writeJSON(c, status, toWebServiceJSON(w))
}

func (s *Server) decodePublish(c *fiber.Ctx) (publishRequest, error) {
	req := publishRequest{ws: param(c, "ws"), svc: param(c, "svc")}
	body, err := readBody(c, s.cfg.MaxModelBytes)
	if err != nil {
		return req, err
	}
	if args := c.Context().QueryArgs(); args.Has("description") {
		d := string(args.Peek("description"))
		req.description = &d
	}
	if !isMultipart(c) {
		req.model = bytes.Clone(body)
	} else {
		form, err := c.MultipartForm()
		if err != nil {
			return req, multipartError(err)
		}
		if d, ok := form.Value["description"]; ok && len(d) > 0 {
			v := strings.Clone(d[0])
			req.description = &v
		}
		if req.model, err = readFormFile(form, "model", s.cfg.MaxModelBytes); err != nil {
			return req, err
		}
	}
	if len(bytes.TrimSpace(req.model)) == 0 {
		return req, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "model",
			"send the PMML document as the request body or as the multipart field \"model\"")
	}
	return req, nil
}

// readFormFile reads the first file of a multipart field, at most limit bytes.
func readFormFile(form *multipart.Form, field string, limit int64) ([]byte, error) {
	fhs := form.File[field]
	if len(fhs) == 0 {
		return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, field,
			"the multipart form has no file field %q", field)
	}
	if fhs[0].Size > limit {
		return nil, tooLarge(fhs[0].Size, limit)
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(int64(len(b)), limit)
	}
	return b, nil
}

// handleWebServiceDelete deletes a web service with its versions and
// endpoints.
func (s *Server) handleWebServiceDelete(c *fiber.Ctx) error {
	if err := s.store.DeleteWebService(c.UserContext(), param(c, "ws"), param(c, "svc")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
