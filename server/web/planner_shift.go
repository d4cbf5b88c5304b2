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
	if err := plannerOnly(c); err != nil {
		return err
	}
	if err := httpx.Principal(c).Allow(auth.Schedules, auth.Update); err != nil {
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
	err = s.svc.CheckDraft(ctx, service.Draft{Name: sch.Name, Timezone: sch.Timezone, PeriodStart: sch.PeriodStart, PeriodEnd: sch.PeriodEnd, Shifts: next}, nil)
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Unprocessable || fe.Code == fault.Invalid) {
		keys := make([]string, 0, len(fe.Fields))
		for k := range fe.Fields {
			keys = append(keys, k+": "+fe.Fields[k])
		}
		sort.Strings(keys)
		pg.Error = "Not saved. " + fe.Message + (map[bool]string{true: " " + strings.Join(keys, "; ")}[len(keys) > 0])
		return s.shiftPage(c, http.StatusUnprocessableEntity, pg, sch, sh, loc, q, form)
	} else if err != nil {
		return err
	}
	warnings, err := s.svc.RuleWarnings(ctx, sch.PlanID, sch.PeriodStart, sch.PeriodEnd, next)
	if err != nil {
		return err
	}
	if _, err := s.svc.EditDraft(ctx, sch.ID, version, edit, warnings); err != nil {
		if fault.Is(err, fault.Conflict) || fault.Is(err, fault.NotFound) {
			pg.Error = "Not saved: " + errorMessage(err) + " Someone changed the draft since you opened it; go back to the grid and try again."
			return s.shiftPage(c, http.StatusConflict, pg, sch, sh, loc, q, form)
		}
		return err
	}
	done := "Shift+moved."
	if edit.DeleteID != 0 {
		done = "Shift+deleted."
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/schedules/%d?queue_id=%d&view=day&from=%s&done=%s", sch.ID, q.ID, sh.Start.In(loc).Format(time.DateOnly), done))
}

// compareSideView is one plan in the comparison page.
type compareSideView struct {
	service.CompareSide
	Report scheduleReport
}

// changeRow is one agent's difference between the two plans.
type changeRow struct {
	Agent         string
	Kind          string
	Before, After string
}

func (s *Handler) webCompare(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	if err := httpx.Principal(c).Allow(auth.Schedules, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Compare plans")
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	pg.Data["Schedules"] = plans
	pg.Data["Queues"] = queues
	pg.Data["Sides"] = nil
	pg.Data["Changes"] = nil
	ids := map[string]int64{}
	for _, k := range []string{"left", "right"} {
		v, err := strconv.ParseInt(c.QueryParam(k), 10, 64)
		if err != nil {
			pg.Fields[k] = "Choose a plan."
		}
		ids[k] = v
	}
	qid, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	var q org.Queue
	for _, x := range queues {
		if x.ID == qid || (qid == 0 && q.ID == 0) {
			q = x
		}
	}
	pg.Data["Left"], pg.Data["Right"], pg.Data["QueueID"] = ids["left"], ids["right"], q.ID
	if len(pg.Fields) > 0 {
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	loc, err := time.LoadLocation(q.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	pg.Zone = q.Timezone
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return err
	}
	var sides [2]compareSideView
	var shifts [2][]calendar.Shift
	for i, k := range []string{"left", "right"} {
		if i == 1 && ids["right"] == ids["left"] && sides[0].Schedule.ID != 0 {
			// The same plan on both sides: read and measure it once.
			sides[1], shifts[1] = sides[0], shifts[0]
			continue
		}
		sch, err := s.svc.FindScheduleByID(ctx, ids[k])
		if fault.Is(err, fault.NotFound) {
			pg.Fields[k] = fmt.Sprintf("There is no plan %d.", ids[k])
			continue
		} else if err != nil {
			return err
		}
		if shifts[i], err = s.svc.FindShifts(ctx, service.ShiftFilter{ScheduleID: sch.ID}); err != nil {
			return err
		}
		warnings, err := s.svc.RuleWarningsAmong(ctx, sch.PlanID, sch.PeriodStart, sch.PeriodEnd, shifts[i], agents)
		if err != nil {
			return err
		}
		rep, _, err := s.measurePlan(ctx, sch, q, shifts[i], agents)
		if err != nil {
			return err
		}
		sides[i] = compareSideView{CompareSide: service.CompareSide{Schedule: sch, Summary: calendar.Summarize(shifts[i], warnings), Warnings: warnings}, Report: rep}
	}
	if len(pg.Fields) > 0 {
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	right := append([]calendar.Shift(nil), shifts[1]...)
	calendar.CarryUIDs(shifts[0], right)
	changes := calendar.Diff(shifts[0], right, s.now())
	desc := func(sh *calendar.Shift) string {
		if sh == nil {
			return "—"
		}
		return sh.Start.In(loc).Format("Mon 2 Jan 15:04") + "–" + sh.End.In(loc).Format("15:04")
	}
	rows := make([]changeRow, 0, min(len(changes), 200))
	for i, ch := range changes {
		if i == 200 {
			break
		}
		who := agents[ch.AgentID].Name
		if ch.AgentID == 0 {
			who = "Unassigned"
		}
		rows = append(rows, changeRow{Agent: who, Kind: string(ch.Kind), Before: desc(ch.Before), After: desc(ch.After)})
	}
	pg.Data["Sides"] = sides
	pg.Data["Changes"] = rows
	pg.Data["ChangeCount"] = len(changes)
	return s.render(c, http.StatusOK, "planner_compare", pg)
}
