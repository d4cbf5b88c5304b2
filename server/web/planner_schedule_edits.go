package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// The plan page's edits (planner_schedule.html): start a new draft from the
// published revision and add a shift to a draft. Moving and deleting a
// shift sit on its own page (planner_shift.go).

// scheduleBack is the plan page's address with the queue, view and window
// the planner was looking at, and done as its flash.
func scheduleBack(c echo.Context, id int64, done string) string {
	q := url.Values{"done": {done}}
	for _, k := range []string{"queue_id", "view", "from", "team_id"} {
		if v := c.QueryParam(k); v != "" {
			q.Set(k, v)
		}
	}
	return fmt.Sprintf("/planner/schedules/%d?%s", id, q.Encode())
}

// webNewDraft handles the "POST /planner/schedules/:id/drafts" route: the
// plan's published revision is copied to its next draft, which opens.
func (s *Handler) webNewDraft(c echo.Context) error {
	p, id, err := plannerRecord(c, auth.Schedules, auth.Create)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	draft, err := s.svc.DraftFromPublished(ctx, p.User.ID, id)
	if fault.Is(err, fault.Conflict) {
		sch, ferr := s.svc.FindScheduleByID(ctx, id)
		if ferr != nil {
			return ferr
		}
		pg := s.newPage(c, sch.Name)
		pg.Error = "No draft started: " + errorMessage(err) + " Open the plan's published revision from Schedules."
		return s.schedulePage(c, http.StatusConflict, pg, sch)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, scheduleBack(c, draft.ID,
		fmt.Sprintf("Draft revision %d started from the published plan. Change it, then publish it.", draft.Revision)))
}

// addShiftForm is the add-a-shift form of planner_schedule.html: an agent
// (0: a headcount shift), a template name, a start and an end local to the
// queue's zone, breaks one per line ("lunch 12:00-12:30", "paid" at the end
// for a paid one), and the draft's version it was shown at.
type addShiftForm struct {
	AgentID, Template, Start, End, Breaks string
	Version                               *int
	agent                                 int64
	agentErr                              error
	start, end                            time.Time
	startErr, endErr                      error
	breaks                                []calendar.Break
	breakErr                              string
}

// parseBreaks reads one break a line, "name HH:MM-HH:MM [paid]", on the
// shift's local clock: a break earlier in the day than the start falls on
// the next day (a night shift).
func parseBreaks(text string, start time.Time) ([]calendar.Break, string) {
	var out []calendar.Break
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		b := calendar.Break{}
		if n := len(words); n > 1 && strings.EqualFold(words[n-1], "paid") {
			b.Paid, words = true, words[:n-1]
		}
		if len(words) != 2 {
			return nil, fmt.Sprintf("Line %d: write a break as a name and its times, like “lunch 12:00-12:30”.", i+1)
		}
		from, to, ok := strings.Cut(strings.ReplaceAll(words[1], "–", "-"), "-")
		clock := func(hm string) (time.Time, bool) {
			t, err := time.Parse("15:04", hm)
			if err != nil {
				return time.Time{}, false
			}
			at := time.Date(start.Year(), start.Month(), start.Day(), t.Hour(), t.Minute(), 0, 0, start.Location())
			if at.Before(start) {
				at = at.AddDate(0, 0, 1)
			}
			return at, true
		}
		bs, ok1 := clock(from)
		be, ok2 := clock(to)
		if !ok || !ok1 || !ok2 {
			return nil, fmt.Sprintf("Line %d: %q is not two times like 12:00-12:30.", i+1, words[1])
		}
		if !be.After(bs) {
			be = be.AddDate(0, 0, 1)
		}
		b.Name, b.Start, b.End = words[0], bs, be
		out = append(out, b)
	}
	return out, ""
}

func parseAddShiftForm(c echo.Context, loc *time.Location) addShiftForm {
	f := addShiftForm{AgentID: c.FormValue("agent_id"), Template: strings.TrimSpace(c.FormValue("template")), Start: c.FormValue("start"),
		End: c.FormValue("end"), Breaks: strings.TrimSpace(c.FormValue("breaks"))}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		f.Version = &v
	}
	if f.AgentID != "" {
		f.agent, f.agentErr = strconv.ParseInt(f.AgentID, 10, 64)
	}
	f.start, f.startErr = time.ParseInLocation("2006-01-02T15:04", f.Start, loc)
	f.end, f.endErr = time.ParseInLocation("2006-01-02T15:04", f.End, loc)
	if f.startErr == nil {
		f.breaks, f.breakErr = parseBreaks(f.Breaks, f.start)
	}
	return f
}

// Validate names the fields only the form can get wrong: an agent that is
// not one, no template, times that are not times or end before they start,
// and breaks that cannot be read or fall outside the shift.
func (f addShiftForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.agentErr != nil {
		bad.Add("agent_id", "Choose an agent from the list.")
	}
	if f.Template == "" {
		bad.Add("template", "Name the shift's template, like FT8.")
	}
	if f.startErr != nil {
		bad.Add("start", "%q is not a date and time like 2026-01-05T08:30.", f.Start)
	}
	if f.endErr != nil {
		bad.Add("end", "%q is not a date and time like 2026-01-05T17:00.", f.End)
	} else if f.startErr == nil && !f.end.After(f.start) {
		bad.Add("end", "The shift must end after it starts.")
	}
	if f.breakErr != "" {
		bad.Add("breaks", "%s", f.breakErr)
	} else if f.startErr == nil && f.endErr == nil {
		for _, b := range f.breaks {
			if b.Start.Before(f.start) || b.End.After(f.end) {
				bad.Add("breaks", "The break %s (%s–%s) is outside the shift.", b.Name, b.Start.Format("15:04"), b.End.Format("15:04"))
				break
			}
		}
	}
	return bad
}

// shift is the form's shift on queue q; its paid time is its span less
// unpaid breaks.
func (f addShiftForm) shift(queueID int64) calendar.Shift {
	sh := calendar.Shift{AgentID: f.agent, QueueID: queueID, Template: f.Template, Start: f.start.UTC(), End: f.end.UTC(), Breaks: []calendar.Break{}}
	paid := f.end.Sub(f.start)
	for _, b := range f.breaks {
		sh.Breaks = append(sh.Breaks, calendar.Break{Name: b.Name, Start: b.Start.UTC(), End: b.End.UTC(), Paid: b.Paid})
		if !b.Paid {
			paid -= b.End.Sub(b.Start)
		}
	}
	sh.PaidMinutes = int(paid.Minutes())
	return sh
}

// addShiftFields sorts the draft check's problems of the new shift (the
// last, at index last) to the form's fields and the rest into sentences.
func addShiftFields(fields map[string]string, last int) (map[string]string, []string) {
	mine := fmt.Sprintf("shifts[%d].", last)
	out := map[string]string{}
	var rest []string
	for k, v := range fields {
		if name, ok := strings.CutPrefix(k, mine); ok {
			switch name {
			case "agent_id", "template", "start", "end", "breaks":
				out[name] = strings.ToUpper(v[:1]) + v[1:] + "."
				continue
			}
		}
		rest = append(rest, strings.ReplaceAll(k, "_", " ")+": "+v+".")
	}
	sort.Strings(rest)
	return out, rest
}

// webAddShift handles the "POST /planner/schedules/:id/shifts" route: a
// shift is added to the draft on the queue shown, checked like the API's
// edits (hard problems refuse it, rule breaks become warnings) against the
// draft's version the page was shown at (stale: a conflict, in words).
func (s *Handler) webAddShift(c echo.Context) error {
	if _, err := plannerMay(c, auth.Schedules, auth.Update); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sch, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	qid, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	q, err := s.svc.FindQueueByID(ctx, qid)
	if err != nil {
		return fault.Errorf(fault.Invalid, "the form lacks the queue the shift serves; reload the page and try again")
	}
	loc, err := queueZone(q)
	if err != nil {
		return err
	}
	pg := s.newPage(c, sch.Name)
	form := parseAddShiftForm(c, loc)
	pg.Data["Add"] = form
	if form.Version == nil {
		return fault.Errorf(fault.Invalid, "the form lacks the draft's version; reload the page and try again")
	}
	if bad := form.Validate(); len(bad) > 0 {
		pg.Fields = bad
		pg.Error = "The shift was not added; see the fields below."
		return s.schedulePage(c, http.StatusBadRequest, pg, sch)
	}
	draft, shifts, err := s.svc.DraftForEdit(ctx, id, *form.Version)
	if err == nil {
		sh := form.shift(q.ID)
		_, err = s.svc.SaveDraftEdit(ctx, draft, *form.Version, append(shifts, sh), service.ShiftEdit{Upsert: &sh})
		var fe *fault.Error
		if errors.As(err, &fe) && (fe.Code == fault.Unprocessable || fe.Code == fault.Invalid) {
			fields, rest := addShiftFields(fe.Fields, len(shifts))
			pg.Fields = fields
			pg.Error = "The shift was not added: " + fe.Message + "." + map[bool]string{true: " " + strings.Join(rest, " ")}[len(rest) > 0]
			return s.schedulePage(c, http.StatusUnprocessableEntity, pg, sch)
		}
	}
	if fault.Is(err, fault.Conflict) {
		pg.Error = "The shift was not added: " + errorMessage(err) + " Someone changed or published the draft since you opened it; reload the page and add the shift again."
		return s.schedulePage(c, http.StatusConflict, pg, sch)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/schedules/%d?queue_id=%d&view=day&from=%s&done=%s", id, q.ID,
		form.start.Format(time.DateOnly), url.QueryEscape("Shift added.")))
}
