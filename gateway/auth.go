package gateway

import (
	"bytes"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// access says which credentials may call a route.
type access int

const (
	// workspaceOnly routes need the token of the workspace in the path (or,
	// for GET /workspaces, any workspace token).
	workspaceOnly access = iota
	// ownEndpoint routes also admit the key of the endpoint the path names.
	ownEndpoint
)

// errUnauthorized is the one answer to a missing, malformed or unknown
// credential. It says nothing about the credential it was given.
var errUnauthorized = scoregate.Errorf(scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth, "",
	"the request must carry a valid workspace token or endpoint key in the header 'Authorization: Bearer CREDENTIAL'")

// authorize returns the middleware that authenticates the caller and checks
// that its credential may call the route. A credential that may not reach
// the resource gets the same 404 as a missing resource: a token of another
// workspace learns nothing about this one, and an endpoint key learns nothing
// about its siblings.
func (s *Server) authorize(a access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		credential, ok := bearer(c.Request().Header.Peek(fiber.HeaderAuthorization))
		if !ok {
			return errUnauthorized
		}
		p, err := s.store.Authenticate(c.UserContext(), credential)
		if err != nil {
			if scoregate.ClassOf(err) == scoregate.Unauthorized {
				return errUnauthorized
			}
			return err
		}
		ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
		if ws != "" && ws != p.WorkspaceID {
			return notFound(ws, "", "")
		}
		if !p.IsWorkspace() {
			if a != ownEndpoint {
				return notFound(ws, svc, name)
			}
			if err := s.checkOwnEndpoint(c, p, ws, svc, name); err != nil {
				return err
			}
		}
		c.Locals(localPrincipal, p)
		return c.Next()
	}
}

// checkOwnEndpoint lets an endpoint key through only to the endpoint it
// belongs to. Every way of missing (no such web service, no such endpoint,
// another endpoint) is the same 404.
func (s *Server) checkOwnEndpoint(c *fiber.Ctx, p scoregate.Principal, ws, svc, name string) error {
	e, err := s.store.Endpoint(c.UserContext(), ws, svc, name)
	switch {
	case scoregate.IsNotFound(err):
		return notFound(ws, svc, name)
	case err != nil:
		return err
	case e.ID != p.EndpointID:
		return notFound(ws, svc, name)
	}
	return nil
}

// principal returns the caller authorize admitted.
func principal(c *fiber.Ctx) (scoregate.Principal, error) {
	p, ok := c.Locals(localPrincipal).(scoregate.Principal)
	if !ok {
		return scoregate.Principal{}, errors.New("route registered without authorize")
	}
	return p, nil
}

// bearer extracts the credential of an "Authorization: Bearer <credential>"
// header. The scheme is case-insensitive (RFC 9110); the credential is one
// token of visible characters. The result is a copy.
func bearer(h []byte) (string, bool) {
	const scheme = "bearer "
	if len(h) <= len(scheme) || !bytes.EqualFold(h[:len(scheme)], []byte(scheme)) {
		return "", false
	}
	cred := bytes.TrimSpace(h[len(scheme):])
	if len(cred) == 0 || len(cred) > 512 || !printable(cred) {
		return "", false
	}
	return string(cred), true
}
