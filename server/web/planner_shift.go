package web

import (
	"errors"
	"fmt"
	"maps"
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

// shiftForm is the form of planner_shift.html: a new start and end, local
// to the plan's zone, or Delete, with the draft's version it was shown at
// (nil when missing).
type shiftForm struct {
	Start, End string // as typed, datetime-local
	Version    *int
	Delete     bool
	start, end time.Time
	startErr   error
	endErr     error
}

func parseShiftForm(c echo.Context, loc *time.Location) shiftForm {
	f := shiftForm{Start: c.FormValue("start"), End: c.FormValue("end"), Delete: c.FormValue("action") == "delete"}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		f.Version = &v
	}
	f.start, f.startErr = time.ParseInLocation("2006-01-02T15:04", f.Start, loc)
	f.end, f.endErr = time.ParseInLocation("2006-01-02T15:04", f.End, loc)
	return f
}

// values is what the page shows again in the form.
func (f shiftForm) values() map[string]string {
	return map[string]string{"start": f.Start, "end": f.End}
}

// Validate names a start or end that is not a date and time, or an end
// that is not after the start. A deletion has nothing to check.
func (f shiftForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.Delete {
		return bad
	}
	if f.startErr != nil {
		bad.Add("start", "%q is not a date and time like 2026-01-05T08:30.", f.Start)
	}
	if f.endErr != nil {
		bad.Add("end", "%q is not a date and time like 2026-01-05T17:00.", f.End)
	} else if f.startErr == nil && !f.end.After(f.start) {
		bad.Add("end", "The shift must end after it starts.")
	}
	return bad
}

// movedShift is sh moved to start..end; its breaks move with its start and
// its paid time follows the span, less unpaid breaks.
func movedShift(sh calendar.Shift, start, end time.Time) calendar.Shift {
	moved := sh
	shift := start.Sub(sh.Start)
	moved.Start, moved.End = start, end
	moved.Breaks = make([]calendar.Break, len(sh.Breaks))
	for i, b := range sh.Breaks {
		moved.Breaks[i] = calendar.Break{Name: b.Name, Start: b.Start.Add(shift), End: b.End.Add(shift), Paid: b.Paid}
	}
	paid := end.Sub(start)
	for _, b := range moved.Breaks {
		if !b.Paid {
			paid -= b.End.Sub(b.Start)
		}
	}
	moved.PaidMinutes = int(paid.Minutes())
	return moved
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
	form := parseShiftForm(c, loc)
	if form.Version == nil {
		return fault.Errorf(fault.Invalid, "the form lacks the draft's version; reload the page and try again")
	}
	if sch.Status != service.ScheduleDraft {
		pg.Error = fmt.Sprintf("Revision %d is %s and cannot change; create a new draft of the plan.", sch.Revision, sch.Status)
		return s.shiftPage(c, http.StatusConflict, pg, sch, sh, loc, q, form.values())
	}
	if bad := form.Validate(); len(bad) > 0 {
		maps.Copy(pg.Fields, bad)
		return s.shiftPage(c, http.StatusBadRequest, pg, sch, sh, loc, q, form.values())
	}
	var edit service.ShiftEdit
	next := make([]calendar.Shift, 0, len(shifts))
	if form.Delete {
		edit.DeleteID = sh.ID
	} else {
		moved := movedShift(sh, form.start, form.end)
		edit.Upsert = &moved
	}
	for _, x := range shifts {
		switch {
		case x.ID != sh.ID:
			next = append(next, x)
		case edit.Upsert != nil:
			next = append(next, *edit.Upsert)
		}
	}
	_, err = s.svc.SaveDraftEdit(ctx, sch, *form.Version, next, edit)
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Unprocessable || fe.Code == fault.Invalid) {
		keys := make([]string, 0, len(fe.Fields))
		for k := range fe.Fields {
			keys = append(keys, k+": "+fe.Fields[k])
		}
		sort.Strings(keys)
		pg.Error = "Not saved. " + fe.Message + (map[bool]string{true: " " + strings.Join(keys, "; ")}[len(keys) > 0])
		return s.shiftPage(c, http.StatusUnprocessableEntity, pg, sch, sh, loc, q, form.values())
	}
	if fault.Is(err, fault.Conflict) || fault.Is(err, fault.NotFound) {
		pg.Error = "Not saved: " + errorMessage(err) + " Someone changed the draft since you opened it; go back to the grid and try again."
		return s.shiftPage(c, http.StatusConflict, pg, sch, sh, loc, q, form.values())
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
