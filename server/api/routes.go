package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
)

// Mount registers every JSON endpoint under /api/v1 (and the calendar feed).
// Routes go through s.api.add so the OpenAPI document lists them.
// authenticate resolves the caller; it never rejects.
func (s *API) Mount(e *echo.Echo, authenticate echo.MiddlewareFunc) {
	s.echo = e
	api := e.Group("/api/v1", authenticate)
	s.api.add(api, http.MethodGet, "/openapi.json", s.handleOpenAPI, doc{Summary: "This OpenAPI document", Tag: "meta", Public: true})
	s.api.add(api, http.MethodPost, "/auth/login", s.handleLogin, doc{Summary: "Sign in with email and password; sets the session cookie", Tag: "auth",
		Request: loginRequest{}, Response: loginResponse{}, Public: true})

	authed := api.Group("", httpx.RequireAuth)
	s.api.add(authed, http.MethodPost, "/auth/logout", s.handleLogout, doc{Summary: "End the current session", Tag: "auth", Status: http.StatusNoContent})
	s.api.add(authed, http.MethodGet, "/me", s.handleMe, doc{Summary: "The signed-in user", Tag: "auth", Response: meResponse{}})
	s.api.add(authed, http.MethodGet, "/tokens", s.handleListTokens, doc{Summary: "List API tokens (your own; admins see all)", Tag: "tokens",
		Response: List[auth.APIToken]{}, Resource: auth.Tokens, Action: auth.Read})
	s.api.add(authed, http.MethodPost, "/tokens", s.handleCreateToken, doc{Summary: "Create an API token; the secret is shown once", Tag: "tokens",
		Request: createTokenRequest{}, Response: createTokenResponse{}, Status: http.StatusCreated, Resource: auth.Tokens, Action: auth.Create})
	s.api.add(authed, http.MethodDelete, "/tokens/:id", s.handleRevokeToken, doc{Summary: "Revoke an API token", Tag: "tokens",
		Status: http.StatusNoContent, Resource: auth.Tokens, Action: auth.Delete})
	s.orgRoutes(authed)
	s.jobRoutes(authed)
	s.scheduleRoutes(authed)
	s.scheduleEditRoutes(authed)
	s.timeOffRoutes(authed)
	s.swapRoutes(authed)
	s.forecastRoutes(authed)
	s.historyImportRoutes(authed)
	s.requirementRoutes(authed)
	s.coverageRoutes(authed)
	s.rosterRoutes(authed)
	s.generateRoutes(authed)
	s.qualityRoutes(authed)
	s.evaluationRoutes(authed)
	s.calibrationRoutes(authed)
	s.coachingRoutes(authed)
	s.coachingBookingRoutes(authed)
	s.qaTrendRoutes(authed)
}

func (s *API) handleOpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, s.api.Document())
}
