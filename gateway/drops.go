package gateway

import (
	"path"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Drop folders (issue 7): files put into an endpoint's inbox/, for its
// schedules to score into outbox/.

// dropFileJSON is a file of a drop folder.
type dropFileJSON struct {
	Folder   string
	Name     string
	Size     int64
	Modified string
}

func (s *Server) dropRoutes() {
	one := "/workspaces/:ws/webservices/:svc/endpoints/:name/drops"
	own := s.authorize(ownEndpoint)
	s.app.Get(one, own, s.handleDropList)
	s.app.Put(one+"/:file", own, s.handleDropPut)
	s.app.Get(one+"/:folder/:file", own, s.handleDropGet)
}

// dropPrefix returns the drop area of the endpoint the path names, after
// checking it exists.
func (s *Server) dropPrefix(c *fiber.Ctx) (string, error) {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	if _, err := s.store.Endpoint(c.UserContext(), ws, svc, name); err != nil {
		return "", err
	}
	return scoregate.DropPrefix(ws, svc, name), nil
}

// dropFolder checks a folder name given by a client.
func dropFolder(field, folder string) error {
	if !slices.Contains(scoregate.DropFolders, folder) {
		return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, field,
			"%q is not a drop folder; use one of %s", folder, strings.Join(scoregate.DropFolders, ", "))
	}
	return nil
}

// dropName checks a file name given in a path: it must be a safe name as
// is, since a drop folder's files keep their names.
func dropName(name string) (string, error) {
	safe, err := blobName(name)
	if err != nil {
		return "", err
	}
	if safe != name {
		return "", scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidName, "filename",
			"%q is not a usable file name: use letters, digits, '.', '-' and '_' (for example %q)", name, safe)
	}
	return name, nil
}

// handleDropPut stores the body as inbox/{file}, atomically: a schedule
// never sees half of it. A file of the same name is replaced.
func (s *Server) handleDropPut(c *fiber.Ctx) error {
	prefix, err := s.dropPrefix(c)
	if err != nil {
		return err
	}
	name, err := dropName(param(c, "file"))
	if err != nil {
		return err
	}
	body, err := bodyStream(c, s.cfg.MaxUploadBytes)
	if err != nil {
		return err
	}
	// Written whole, a schedule takes it without waiting for it to settle.
	put := s.blobs.Put
	if w, ok := s.blobs.(scoregate.WholeWriter); ok {
		put = w.PutWhole
	}
	n, err := s.putStream(c, put, prefix+"inbox/"+name, body, s.cfg.MaxUploadBytes)
	if err != nil {
		return err
	}
	v := dropFileJSON{Folder: "inbox", Name: name, Size: n}
	if st, ok := s.blobs.(scoregate.BlobStater); ok {
		if info, err := st.Stat(c.UserContext(), prefix+"inbox/"+name); err == nil {
			v.Modified = timeJSON(info.ModTime)
		}
	}
	return writeJSON(c, fiber.StatusCreated, v)
}

// handleDropList lists a drop folder (?folder=, default inbox).
func (s *Server) handleDropList(c *fiber.Ctx) error {
	prefix, err := s.dropPrefix(c)
	if err != nil {
		return err
	}
	folder := c.Query("folder", "inbox")
	if err := dropFolder("folder", folder); err != nil {
		return err
	}
	lister, ok := s.blobs.(scoregate.BlobLister)
	if !ok {
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "this gateway's blob store cannot list folders")
	}
	list, err := lister.List(c.UserContext(), prefix+folder+"/")
	if err != nil {
		return err
	}
	files := make([]dropFileJSON, len(list))
	for i, b := range list {
		files[i] = dropFileJSON{Folder: folder, Name: path.Base(b.Key), Size: b.Size, Modified: timeJSON(b.ModTime)}
	}
	return writeJSON(c, fiber.StatusOK, files)
}

// handleDropGet downloads a file of a drop folder.
func (s *Server) handleDropGet(c *fiber.Ctx) error {
	prefix, err := s.dropPrefix(c)
	if err != nil {
		return err
	}
	folder := param(c, "folder")
	if err := dropFolder("folder", folder); err != nil {
		return err
	}
	name, err := dropName(param(c, "file"))
	if err != nil {
		return err
	}
	return s.sendBlob(c, prefix+folder+"/"+name)
}
