package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/store"
)

func (s *API) handleAddShift(c echo.Context) error {
	var sh calendar.Shift
	if err := decodeJSON(c, &sh); err != nil {
		return err
	}
	sh.ID, sh.UID = 0, ""
	return s.editDraft(c, http.StatusCreated, func(shifts []calendar.Shift) ([]calendar.Shift, store.ShiftEdit, error) {
		return append(shifts, sh), store.ShiftEdit{Upsert: &sh}, nil
	})
}

func (s *API) handleReplaceShift(c echo.Context) error {
	shiftID, err := strconv.ParseInt(c.Param("shift_id"), 10, 64)
	if err != nil {
		return fault.Errorf(fault.NotFound, "shift not found")
	}
	var sh calendar.Shift
	if err := decodeJSON(c, &sh); err != nil {
		return err
	}
	sh.ID = shiftID
	return s.editDraft(c, http.StatusOK, func(shifts []calendar.Shift) ([]calendar.Shift, store.ShiftEdit, error) {
		for i := range shifts {
			if shifts[i].ID == shiftID {
				sh.UID = shifts[i].UID
				shifts[i] = sh
				return shifts, store.ShiftEdit{Upsert: &sh}, nil
			}
		}
		return nil, store.ShiftEdit{}, fault.Errorf(fault.NotFound, "shift not found")
	})
}

func (s *API) handleDeleteShift(c echo.Context) error {
	shiftID, err := strconv.ParseInt(c.Param("shift_id"), 10, 64)
	if err != nil {
		return fault.Errorf(fault.NotFound, "shift not found")
	}
	return s.editDraft(c, http.StatusOK, func(shifts []calendar.Shift) ([]calendar.Shift, store.ShiftEdit, error) {
		for i := range shifts {
			if shifts[i].ID == shiftID {
				return append(shifts[:i:i], shifts[i+1:]...), store.ShiftEdit{DeleteID: shiftID}, nil
			}
		}
		return nil, store.ShiftEdit{}, fault.Errorf(fault.NotFound, "shift not found")
	})
}

// editDraft applies one hand edit: it checks the whole draft as it would be
// after the edit (hard problems refuse the edit; rule breaks become warnings
// in the report) and stores the edit with the draft's version check.
func (s *API) editDraft(c echo.Context, status int, apply func([]calendar.Shift) ([]calendar.Shift, store.ShiftEdit, error)) error {
	id, version, err := authorizedVersion(c, auth.Schedules, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	draft, shifts, err := s.svc.DraftForEdit(ctx, id, version)
	if err != nil {
		return err
	}
	next, edit, err := apply(shifts)
	if err != nil {
		return err
	}
	out, err := s.svc.SaveDraftEdit(ctx, draft, version, next, edit)
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(status, out)
}

// compareSide is one draft in a comparison.
type compareSide struct {
	Schedule store.Schedule       `json:"schedule"`
	Summary  calendar.Summary     `json:"summary"`
	Warnings []calendar.Violation `json:"warnings"`
}

type compareResponse struct {
	// Left and Right are the two revisions side by side.
	Left  compareSide `json:"left"`
	Right compareSide `json:"right"`
	// Changes lists what differs for whom, reading left -> right.
	Changes []calendar.Change `json:"changes"`
}

func (s *API) handleCompare(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Schedules, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	side := func(param string) (compareSide, []calendar.Shift, error) {
		id, err := strconv.ParseInt(c.QueryParam(param), 10, 64)
		if err != nil {
			return compareSide{}, nil, &fault.Error{Code: fault.Invalid, Message: "name two revisions", Fields: map[string]string{param: "must be a schedule id"}}
		}
		out, shifts, err := s.svc.CompareSideOf(ctx, id, nil)
		return compareSide(out), shifts, err
	}
	left, ls, err := side("left")
	if err != nil {
		return err
	}
	right, rs, err := side("right")
	if err != nil {
		return err
	}
	changes := s.svc.CompareChanges(ls, rs)
	if changes == nil {
		changes = []calendar.Change{}
	}
	return c.JSON(http.StatusOK, compareResponse{Left: left, Right: right, Changes: changes})
}

// scheduleEditDoc documents an edit of a draft's shifts.
func scheduleEditDoc(summary string, req any, status int) doc {
	return doc{Summary: summary, Tag: "schedules", Request: req, Response: store.Schedule{}, Status: status, Resource: auth.Schedules, Action: auth.Update}
}
