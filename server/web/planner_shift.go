package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// shiftContext loads a draft, one of its shifts and the zone the form uses.
func (s *Handler) shiftContext(c echo.Context) (service.Schedule, calendar.Shift, []calendar.Shift, *time.Location, org.Queue, error) {
	var none calendar.Shift
	id, err := httpx.IDParam(c)
	if err != nil {
		return service.Schedule{}, none, nil, nil, org.Queue{}, err
	}
	shiftID, err := strconv.ParseInt(c.Param("shift_id"), 10, 64)
	if err != nil {
		return service.Schedule{}, none, nil, nil, org.Queue{}, fault.Errorf(fault.NotFound, "shift not found")
	}
	ctx := c.Request().Context()
	sch, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return sch, none, nil, nil, org.Queue{}, err
	}
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{ScheduleID: id})
	if err != nil {
		return sch, none, nil, nil, org.Queue{}, err
	}
	var sh calendar.Shift
	for _, x := range shifts {
		if x.ID == shiftID {
			sh = x
		}
	}
	if sh.ID == 0 {
		return sch, none, nil, nil, org.Queue{}, fault.Errorf(fault.NotFound, "shift %d is not in %s", shiftID, sch.Name)
	}
	zone := sch.Timezone
	var q org.Queue
	qid, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	if qid == 0 {
		qid = sh.QueueID
	}
	if qid != 0 {
		if q, err = s.svc.FindQueueByID(ctx, qid); err == nil {
			zone = q.Timezone
		}
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return sch, none, nil, nil, q, fault.Wrap(fault.Internal, err, "bad time zone")
	}
	return sch, sh, shifts, loc, q, nil
}

// localInput is the value of a datetime-local input for t on loc's clock.
func localInput(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02T15:04") }

func (s *Handler) shiftPage(c echo.Context, status int, pg page, sch service.Schedule, sh calendar.Shift, loc *time.Location, q org.Queue, form map[string]string) error {
	names, err := s.agentNames(c.Request().Context())
	if err != nil {
		return err
	}
	who := names[sh.AgentID]
	if sh.AgentID == 0 {
		who = "Unassigned (headcount) shift"
	}
	if form == nil {
		form = map[string]string{"start": localInput(sh.Start, loc), "end": localInput(sh.End, loc)}
	}
	pg.Zone = loc.String()
	pg.Data["Schedule"] = sch
	pg.Data["Shift"] = sh
	pg.Data["Who"] = who
	pg.Data["Form"] = form
	pg.Data["Back"] = fmt.Sprintf("/planner/schedules/%d?queue_id=%d&view=day&from=%s", sch.ID, q.ID, sh.Start.In(loc).Format(time.DateOnly))
	pg.Data["QueueID"] = q.ID
	return s.render(c, status, "planner_shift", pg)
}

func (s *Handler) webShiftForm(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	sch, sh, _, loc, q, err := s.shiftContext(c)
	if err != nil {
		return err
	}
	return s.shiftPage(c, http.StatusOK, s.newPage(c, "Edit shift"), sch, sh, loc, q, nil)
}

// webEditShift moves a draft's shift (its breaks move with it) or deletes it,
// checked like the API's edits: hard problems refuse the edit, rule breaks
// become warnings on the draft, and a stale version is a conflict.
func (s *Handler) webEditShift(c echo.Context) error {
	if _, err := plannerMay(c, auth.Schedules, auth.Update); err != nil {
		return err
	}
	sch, sh, shifts, loc, q, err := s.shiftContext(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Edit shift")
	form := map[string]string{"start": c.FormValue("start"), "end": c.FormValue("end")}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return fault.Errorf(fault.Invalid, "the form lacks the draft's version; reload the page and try again")
	}
	if sch.Status != service.ScheduleDraft {
		pg.Error = fmt.Sprintf("Revision %d is %s and cannot change; create a new draft of the plan.", sch.Revision, sch.Status)
		return s.shiftPage(c, http.StatusConflict, pg, sch, sh, loc, q, form)
	}
	var edit service.ShiftEdit
	next := make([]calendar.Shift, 0, len(shifts))
	if c.FormValue("action") == "delete" {
		edit.DeleteID = sh.ID
		for _, x := range shifts {
			if x.ID != sh.ID {
				next = append(next, x)
			}
		}
	} else {
		start, err1 := time.ParseInLocation("2006-01-02T15:04", form["start"], loc)
		end, err2 := time.ParseInLocation("2006-01-02T15:04", form["end"], loc)
		if err1 != nil {
			pg.Fields["start"] = fmt.Sprintf("%q is not a date and time like 2026-01-05T08:30.", form["start"])
		}
		if err2 != nil {
			pg.Fields["end"] = fmt.Sprintf("%q is not a date and time like 2026-01-05T17:00.", form["end"])
		} else if err1 == nil && !end.After(start) {
			pg.Fields["end"] = "The shift must end after it starts."
		}
		if len(pg.Fields) > 0 {
			return s.shiftPage(c, http.StatusBadRequest, pg, sch, sh, loc, q, form)
		}
		moved := sh
		shift := start.Sub(sh.Start)
		moved.Start, moved.End = start, end
		moved.Breaks = make([]calendar.Break, len(sh.Breaks))
		for i, b := range sh.Breaks {
			moved.Breaks[i] = calendar.Break{Name: b.Name, Start: b.Start.Add(shift), End: b.End.Add(shift), Paid: b.Paid}
		}
		// Paid time follows the span, less unpaid breaks.
		paid := end.Sub(start)
		for _, b := range moved.Breaks {
			if !b.Paid {
				paid -= b.End.Sub(b.Start)
			}
		}
		moved.PaidMinutes = int(paid.Minutes())
		edit.Upsert = &moved
		for _, x := range shifts {
			if x.ID == sh.ID {
				x = moved
			}
			next = append(next, x)
		}
	}
	_, err = s.svc.SaveDraftEdit(ctx, sch, version, next, edit)
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Unprocessable || fe.Code == fault.Invalid) {
		keys := make([]string, 0, len(fe.Fields))
		for k := range fe.Fields {
			keys = append(keys, k+": "+fe.Fields[k])
		}
		sort.Strings(keys)
		pg.Error = "Not saved. " + fe.Message + (map[bool]string{true: " " + strings.Join(keys, "; ")}[len(keys) > 0])
		return s.shiftPage(c, http.StatusUnprocessableEntity, pg, sch, sh, loc, q, form)
	}
	if fault.Is(err, fault.Conflict) || fault.Is(err, fault.NotFound) {
		pg.Error = "Not saved: " + errorMessage(err) + " Someone changed the draft since you opened it; go back to the grid and try again."
		return s.shiftPage(c, http.StatusConflict, pg, sch, sh, loc, q, form)
	}
	if err != nil {
		return err
	}
	done := "Shift+moved."
	if edit.DeleteID != 0 {
		done = "Shift+deleted."
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/schedules/%d?queue_id=%d&view=day&from=%s&done=%s", sch.ID, q.ID, sh.Start.In(loc).Format(time.DateOnly), done))
}
