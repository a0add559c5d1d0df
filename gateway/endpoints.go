package gateway

import (
	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// endpointRoutes registers the endpoint resource. GET and PATCH of one
// endpoint also admit that endpoint's own key (classic retraining patched
// Resources with it); everything else needs the workspace token.
func (s *Server) endpointRoutes() {
	ws := s.authorize(workspaceOnly)
	own := s.authorize(ownEndpoint)
	const one = "/workspaces/:ws/webservices/:svc/endpoints/:name"
	s.app.Get("/workspaces/:ws/webservices/:svc/endpoints", ws, s.handleEndpointList)
	s.app.Get(one, own, s.handleEndpointGet)
	s.app.Put(one, ws, s.handleEndpointPut)
	s.app.Patch(one, own, s.handleEndpointPatch)
	s.app.Delete(one, ws, s.handleEndpointDelete)
	s.app.Post(one+"/refresh", ws, s.handleEndpointRefresh)
	s.app.Post(one+"/regeneratekeys", ws, s.handleEndpointRegenerateKeys)
}

func (s *Server) handleEndpointList(c *fiber.Ctx) error {
	list, err := s.store.Endpoints(c.UserContext(), param(c, "ws"), param(c, "svc"))
	if err != nil {
		return err
	}
	out := make([]endpointJSON, 0, len(list))
	for i := range list {
		out = append(out, s.toEndpointJSON(&list[i]))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) handleEndpointGet(c *fiber.Ctx) error {
	e, err := s.store.Endpoint(c.UserContext(), param(c, "ws"), param(c, "svc"), param(c, "name"))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.toEndpointJSON(e))
}

// handleEndpointPut creates an endpoint on the web service's current version
// (201) or updates its settings (200). Resources in the body are ignored:
// they change only through PATCH, which checks the new model.
func (s *Server) handleEndpointPut(c *fiber.Ctx) error {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	if err := scoregate.ValidateName("name", name); err != nil {
		return err
	}
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return err
	}
	set, err := decodeEndpointSettings(body, false)
	if err != nil {
		return err
	}
	e, created, err := s.store.PutEndpoint(c.UserContext(), ws, svc, name, set)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
		c.Location(s.cfg.BaseURL + "/workspaces/" + ws + "/webservices/" + svc + "/endpoints/" + e.Name)
	}
	return writeJSON(c, status, s.toEndpointJSON(e))
}

// handleEndpointPatch updates an endpoint's settings and, when the body has
// Resources, swaps in the trained models they name after checking that each
// blob holds a model the web service's inputs fit.
func (s *Server) handleEndpointPatch(c *fiber.Ctx) error {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return err
	}
	set, err := decodeEndpointSettings(body, true)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if set.Resources != nil {
		cur, err := s.store.Endpoint(ctx, ws, svc, name)
		if err != nil {
			return err
		}
		if sameResources(cur.Resources, set.Resources) {
			// A client sending back what it got changes nothing; treating
			// that as a swap would fail on the default endpoint.
			set.Resources = nil
		}
	}
	if set.Resources != nil {
		w, err := s.store.WebService(ctx, ws, svc)
		if err != nil {
			return err
		}
		if err := scoregate.CheckResources(ctx, s.blobs, s.models, ws, w, set.Resources); err != nil {
			return err
		}
	}
	e, err := s.store.UpdateEndpoint(ctx, ws, svc, name, set)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.toEndpointJSON(e))
}

// sameResources reports whether every resource in next is already one of
// cur, by name and location.
func sameResources(cur, next []scoregate.Resource) bool {
	for _, n := range next {
		found := false
		for _, r := range cur {
			if r.Name == n.Name && r.Location.RelativeLocation == n.Location.RelativeLocation {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// handleEndpointDelete deletes an endpoint; the store refuses the default
// endpoint while others exist (409).
func (s *Server) handleEndpointDelete(c *fiber.Ctx) error {
	if err := s.store.DeleteEndpoint(c.UserContext(), param(c, "ws"), param(c, "svc"), param(c, "name")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// refreshRequest is the optional body of POST …/refresh.
type refreshRequest struct {
	OverwriteResources bool
}

// handleEndpointRefresh locks the endpoint onto the default endpoint's
// version, and with OverwriteResources also onto its trained model.
func (s *Server) handleEndpointRefresh(c *fiber.Ctx) error {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return err
	}
	var req refreshRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	e, err := s.store.RefreshEndpoint(c.UserContext(), ws, svc, name, req.OverwriteResources)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.toEndpointJSON(e))
}

// regenerateKeysRequest is the body of POST …/regeneratekeys.
type regenerateKeysRequest struct {
	KeyType *string
}

// handleEndpointRegenerateKeys replaces one of the endpoint's keys; the old
// key stops working at once.
func (s *Server) handleEndpointRegenerateKeys(c *fiber.Ctx) error {
	ws, svc, name := param(c, "ws"), param(c, "svc"), param(c, "name")
	body, err := readBody(c, s.cfg.MaxJSONBytes)
	if err != nil {
		return err
	}
	var req regenerateKeysRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.KeyType == nil {
		return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "KeyType",
			"KeyType is required; use Primary or Secondary")
	}
	kt, err := scoregate.ParseKeyType("KeyType", *req.KeyType)
	if err != nil {
		return err
	}
	e, err := s.store.RegenerateEndpointKey(c.UserContext(), ws, svc, name, kt)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.toEndpointJSON(e))
}
