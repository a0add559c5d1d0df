package gateway

import (
	"bytes"
	"io"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// maxBlobName bounds the file name kept in an upload's relative location.
const maxBlobName = 128

// blobRoutes registers blob uploads.
func (s *Server) blobRoutes() {
	s.app.Post("/workspaces/:ws/blobs", s.authorize(workspaceOnly), s.handleBlobUpload)
}

// handleBlobUpload stores a file (multipart field "file", or the raw body
// named by ?name=) at uploads/{id}/{name} in the workspace's blobs and
// answers its location, ready for an endpoint's Resources or a job's inputs.
// Each upload gets a fresh id, so uploads never overwrite each other.
func (s *Server) handleBlobUpload(c *fiber.Ctx) error {
	ws := param(c, "ws")
	body, err := readBody(c, s.cfg.MaxBlobBytes)
	if err != nil {
		return err
	}
	var (
		name    string
		content io.Reader
	)
	if isMultipart(c) {
		form, err := c.MultipartForm()
		if err != nil {
			return multipartError(err)
		}
		fhs := form.File["file"]
		if len(fhs) == 0 {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "file",
				"the multipart form has no file field \"file\"")
		}
		f, err := fhs[0].Open()
		if err != nil {
			return err
		}
		defer f.Close()
		name, content = fhs[0].Filename, f
	} else {
		name = string(c.Context().QueryArgs().Peek("name"))
		if name == "" {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "name",
				"name the uploaded file with ?name= or send it as the multipart field \"file\"")
		}
		// Blobs.Put has consumed the reader when it returns, so the body
		// does not outlive the handler.
		content = bytes.NewReader(body)
	}
	base, err := blobName(name)
	if err != nil {
		return err
	}
	rel := "uploads/" + scoregate.NewID() + "/" + base
	if err := s.blobs.Put(c.UserContext(), scoregate.BlobKey(ws, rel), content); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusCreated, locationJSON{BaseLocation: s.blobBase(ws), RelativeLocation: rel})
}

// blobName reduces a client's file name to a safe last path element: the
// base name (of a Windows or Unix path), letters, digits, '.', '-' and '_'
// only, no leading dot, at most maxBlobName bytes.
func blobName(name string) (string, error) {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	clean := strings.TrimLeft(b.String(), ".")
	if len(clean) > maxBlobName {
		clean = clean[len(clean)-maxBlobName:] // keep the extension
	}
	if strings.Trim(clean, "_") == "" {
		return "", scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "name",
			"%q is not a usable file name", name)
	}
	return clean, nil
}

// isMultipart reports whether the request body is a multipart form.
func isMultipart(c *fiber.Ctx) bool {
	ct := c.Request().Header.ContentType()
	return len(ct) >= 19 && bytes.EqualFold(ct[:19], []byte("multipart/form-data"))
}

// multipartError is the 400 of a body that claims to be a multipart form
// and is not one.
func multipartError(err error) error {
	return &scoregate.Error{Class: scoregate.BadArgument, Code: scoregate.CodeRequestBodyInvalid, Err: err,
		Message: "the request body is not a valid multipart/form-data form"}
}
