package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

func (s *API) handleIntraday(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	view, err := s.svc.Intraday(c.Request().Context(), httpx.Principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view)
}

// breakMoveRequest accepts or rejects one suggested break move.
type breakMoveRequest struct {
	ShiftUID string    `json:"shift_uid"`
	From     time.Time `json:"from"` // the break's start now
	To       time.Time `json:"to"`   // the suggested start
	Accept   bool      `json:"accept"`
}

// breakMoveResponse names the revision an accepted move published.
type breakMoveResponse struct {
	Accepted   bool  `json:"accepted"`
	ScheduleID int64 `json:"schedule_id,omitempty"`
	Revision   int   `json:"revision,omitempty"`
}

func (s *API) handleDecideBreakMove(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	var req breakMoveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sch, err := s.svc.DecideBreakMove(c.Request().Context(), httpx.Principal(c), id, req.ShiftUID, req.From, req.To, req.Accept)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, breakMoveResponse{Accepted: req.Accept, ScheduleID: sch.ID, Revision: sch.Revision})
}

// shiftOfferRequest records an agent's answer to an overtime or VTO offer.
type shiftOfferRequest struct {
	service.ShiftOffer
	Accept bool `json:"accept"`
}

func (s *API) handleDecideShiftOffer(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	var req shiftOfferRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sch, err := s.svc.DecideShiftOffer(c.Request().Context(), httpx.Principal(c), id, req.ShiftOffer, req.Accept)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, breakMoveResponse{Accepted: req.Accept, ScheduleID: sch.ID, Revision: sch.Revision})
}
