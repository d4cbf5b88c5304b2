package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

func (s *API) handleLiveSettings(c echo.Context) error {
	ls, err := s.svc.LiveSettingsFor(c.Request().Context(), httpx.Principal(c))
	if err != nil {
		return err
	}
	setETag(c, ls.Version)
	return c.JSON(http.StatusOK, ls)
}

func (s *API) handleUpdateLiveSettings(c echo.Context) error {
	var req service.LiveSettings
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The version read (0: the defaults, never saved) comes in the body or
	// as If-Match; the service refuses a stale one.
	if c.Request().Header.Get("If-Match") != "" {
		version, err := expectedVersion(c, req.Version)
		if err != nil {
			return err
		}
		req.Version = version
	}
	ls, err := s.svc.UpdateLiveSettings(c.Request().Context(), httpx.Principal(c), req)
	if err != nil {
		return err
	}
	setETag(c, ls.Version)
	return c.JSON(http.StatusOK, ls)
}
