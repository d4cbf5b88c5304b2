package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// bookRequest books a planned coaching session into the agent's schedule.
type bookRequest struct {
	Minutes int `json:"minutes"` // 15 to 120, default 30
	Version int `json:"version"`
}

func (s *API) handleBookCoaching(c echo.Context) error {
	var req bookRequest
	id, err := editRequest(c, auth.Coaching, auth.Update, &req, &req.Version)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	out, err := s.svc.BookCoaching(c.Request().Context(), p, id, service.Booking(req))
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(http.StatusOK, s.viewCoaching(p, out))
}
