package web

import (
	"context"
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
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// swapRow is one offer as swaps.html shows it, in words.
type swapRow struct {
	calendar.Swap
	Shift    string   // when, on the giver's clock, or that it is gone
	From, To string   // the giver; the addressee or "Anyone"
	Taker    string   // who took it, or ""
	State    string   // the status in words
	Problems []string // why the last action on this offer failed
}

// selectOption is an option of a select box (swaps.html, planner_schedule.html).
type selectOption struct{ Value, Label string }

// swapStates says each status in words.
var swapStates = map[calendar.SwapStatus]string{
	calendar.SwapOffered:   "Open",
	calendar.SwapAccepted:  "Taken, waiting for approval",
	calendar.SwapApproved:  "Approved",
	calendar.SwapRejected:  "Rejected",
	calendar.SwapCancelled: "Withdrawn",
	calendar.SwapExpired:   "Expired",
}

// swapRules names the taker checks of service.CheckTaker in words.
var swapRules = map[string]string{
	"skills": "Skills", "skill": "Skills", "availability": "Availability", "time_off": "Time off", "overlap": "Overlap",
	"one_shift_a_day": "One shift a day", "max_week_hours": "Weekly hours", "max_shifts_week": "Shifts a week",
	"min_rest": "Rest between shifts", "max_consecutive_days": "Days in a row",
}

// problemWords lists a fault's field errors as sentences, sorted.
func problemWords(fields map[string]string) []string {
	out := make([]string, 0, len(fields))
	for k, v := range fields {
		name, ok := swapRules[k]
		if !ok {
			name = strings.ReplaceAll(k, "_", " ")
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		out = append(out, name+": "+v+".")
	}
	sort.Strings(out)
	return out
}

// shiftWords is a shift's day and times on loc's clock.
func shiftWords(sh calendar.Shift, loc *time.Location) string {
	return sh.Start.In(loc).Format("Mon 2 Jan 15:04") + "–" + sh.End.In(loc).Format("15:04 MST")
}

// webSwaps handles the "GET /swaps" route.
func (s *Handler) webSwaps(c echo.Context) error {
	if err := swapsPageRoles(c); err != nil {
		return err
	}
	return s.swapsPage(c, http.StatusOK, s.newPage(c, "Shift swaps"), swapOfferForm{}, nil)
}

// swapsPageRoles admits agents, who offer and take shifts, and the roles
// that decide swaps.
func swapsPageRoles(c echo.Context) error {
	return onlyRoles(c, org.RoleAgent, org.RoleSupervisor, org.RolePlanner, org.RoleAdmin)
}

// swapsPage renders swaps.html. An agent sees the offer form (form is shown
// again), their offers, the open offers they could take and those they took;
// the deciders see taken offers waiting for a decision. problems are the
// reasons the last action on an offer failed, by offer id.
func (s *Handler) swapsPage(c echo.Context, status int, pg page, form swapOfferForm, problems map[int64][]string) error {
	ctx := c.Request().Context()
	p := httpx.Principal(c)
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return err
	}
	rows := swapRower{s: s, ctx: ctx, now: s.now(), agents: agents, problems: problems}
	agent := p.User.Role == org.RoleAgent && p.User.AgentID != nil
	pg.Data["IsAgent"] = agent
	pg.Data["Form"] = form
	if agent {
		if err := s.agentSwaps(ctx, &pg, agents[*p.User.AgentID], agents, rows); err != nil {
			return err
		}
		return s.render(c, status, "swaps", pg)
	}
	if err := p.Allow(auth.Swaps, auth.Update); err != nil {
		return err
	}
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Swaps, auth.Update))
	if err != nil {
		return err
	}
	list, _, err := s.svc.FindSwaps(ctx, service.SwapFilter{AgentIDs: ids, Status: calendar.SwapAccepted, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	var waiting []swapRow
	for _, sw := range list {
		if r := rows.row(sw); r.Status == calendar.SwapAccepted {
			waiting = append(waiting, r)
		}
	}
	pg.Data["Waiting"] = waiting
	return s.render(c, status, "swaps", pg)
}

// swapRower describes swaps in words as of now.
type swapRower struct {
	s        *Handler
	ctx      context.Context
	now      time.Time
	agents   map[int64]org.Agent
	problems map[int64][]string
}

func (w swapRower) row(sw calendar.Swap) swapRow {
	sw = sw.Effective(w.now)
	giver := w.agents[sw.FromAgentID]
	r := swapRow{Swap: sw, From: giver.Name, To: "Anyone who can work it", State: swapStates[sw.Status], Problems: w.problems[sw.ID]}
	if sw.ToAgentID != nil {
		r.To = w.agents[*sw.ToAgentID].Name
	}
	if sw.TakerAgentID != nil {
		r.Taker = w.agents[*sw.TakerAgentID].Name
	}
	r.Shift = "No longer published as offered"
	if sh, err := w.s.svc.FindPublishedShift(w.ctx, sw.ShiftUID); err == nil {
		r.Shift = shiftWords(sh, zoneOf(giver.Timezone))
	}
	return r
}

// agentSwaps fills an agent's side of the page: their shifts to offer, the
// colleagues to offer them to, and their offers, the open ones and those
// they took.
func (s *Handler) agentSwaps(ctx context.Context, pg *page, me org.Agent, agents map[int64]org.Agent, rows swapRower) error {
	loc := zoneOf(me.Timezone)
	now := rows.now
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: []int64{me.ID}, Published: true, From: now, To: now.AddDate(0, 0, 42)})
	if err != nil {
		return err
	}
	sort.Slice(shifts, func(i, j int) bool { return shifts[i].Start.Before(shifts[j].Start) })
	var mine []selectOption
	for _, sh := range shifts {
		if sh.Start.After(now) && sh.AgentID == me.ID {
			mine = append(mine, selectOption{Value: sh.UID, Label: shiftWords(sh, loc)})
		}
	}
	var colleagues []selectOption
	for _, a := range agents {
		if a.ID != me.ID && a.TeamID != nil && me.TeamID != nil && *a.TeamID == *me.TeamID {
			colleagues = append(colleagues, selectOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
		}
	}
	sort.Slice(colleagues, func(i, j int) bool { return colleagues[i].Label < colleagues[j].Label })
	list, _, err := s.svc.FindSwaps(ctx, service.SwapFilter{AgentIDs: []int64{me.ID}, OpenToo: true, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	var offered, open, taken []swapRow
	for _, sw := range list {
		r := rows.row(sw)
		switch {
		case sw.FromAgentID == me.ID:
			offered = append(offered, r)
		case r.Status == calendar.SwapOffered:
			open = append(open, r)
		case sw.TakerAgentID != nil && *sw.TakerAgentID == me.ID:
			taken = append(taken, r)
		}
	}
	pg.Data["MyShifts"], pg.Data["Colleagues"] = mine, colleagues
	pg.Data["Offered"], pg.Data["Open"], pg.Data["Taken"] = offered, open, taken
	return nil
}

// swapOfferForm is the offer form of swaps.html: one of the agent's
// published shifts, a colleague or anyone ("" ), and a note.
type swapOfferForm struct {
	ShiftUID, ToAgentID, Note string
	to                        *int64
	toErr                     error
}

func parseSwapOfferForm(c echo.Context) swapOfferForm {
	f := swapOfferForm{ShiftUID: strings.TrimSpace(c.FormValue("shift_uid")), ToAgentID: c.FormValue("to_agent_id"), Note: strings.TrimSpace(c.FormValue("note"))}
	if f.ToAgentID != "" {
		id, err := strconv.ParseInt(f.ToAgentID, 10, 64)
		f.to, f.toErr = &id, err
	}
	return f
}

// Validate names a missing shift, a colleague that is not one and a note
// that is too long.
func (f swapOfferForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.ShiftUID == "" {
		bad.Add("shift_uid", "Choose one of your shifts.")
	}
	if f.toErr != nil {
		bad.Add("to_agent_id", "Choose a colleague or anyone.")
	}
	if len(f.Note) > 500 {
		bad.Add("note", "Keep the note under 500 characters (it has %d).", len(f.Note))
	}
	return bad
}

// offerFieldWords turns the service's field errors on an offer into
// sentences next to the form's fields: the default closing time is 12 hours
// before the shift, which only the shift can change.
func offerFieldWords(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		switch k {
		case "expires_at":
			out["shift_uid"] = "It is too late to offer this shift: offers close 12 hours before it starts."
		case "shift_uid":
			if _, ok := out[k]; !ok {
				out[k] = "This shift cannot be offered: " + v + "."
			}
		case "to_agent_id":
			out[k] = "This colleague cannot be chosen: " + v + "."
		default:
			out[k] = strings.ToUpper(v[:1]) + v[1:] + "."
		}
	}
	return out
}

// webOfferSwap handles the "POST /swaps" route: an agent offers one of
// their published shifts to a colleague or to anyone.
func (s *Handler) webOfferSwap(c echo.Context) error {
	if err := onlyRoles(c, org.RoleAgent); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Create); err != nil {
		return err
	}
	pg := s.newPage(c, "Shift swaps")
	form := parseSwapOfferForm(c)
	if bad := form.Validate(); len(bad) > 0 {
		pg.Fields = bad
		return s.swapsPage(c, http.StatusBadRequest, pg, form, nil)
	}
	_, err := s.svc.OfferSwap(c.Request().Context(), p, service.SwapOffer{ShiftUID: form.ShiftUID, ToAgentID: form.to, Note: form.Note})
	var fe *fault.Error
	if errors.As(err, &fe) && len(fe.Fields) > 0 {
		pg.Fields = offerFieldWords(fe.Fields)
		return s.swapsPage(c, http.StatusUnprocessableEntity, pg, form, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/swaps?done="+url.QueryEscape("Shift offered. It is yours until a colleague takes it and the swap is approved."))
}

// swapActionError shows a refused action on offer id on the page: the
// service's reasons beside the offer, a conflict as the page's error.
func (s *Handler) swapActionError(c echo.Context, pg page, id int64, verb string, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return err
	}
	switch fe.Code {
	case fault.Unprocessable, fault.Invalid:
		pg.Error = "Not " + verb + ": " + fe.Message + ". The reasons are shown beside the offer."
		return s.swapsPage(c, http.StatusUnprocessableEntity, pg, swapOfferForm{}, map[int64][]string{id: problemWords(fe.Fields)})
	case fault.Conflict:
		pg.Error = "Not " + verb + ": " + fe.Message + ". The list below shows the offers as they are now."
		return s.swapsPage(c, http.StatusConflict, pg, swapOfferForm{}, nil)
	}
	return err
}

// webAcceptSwap handles the "POST /swaps/:id/accept" route: an agent takes
// an open offer, which then waits for a supervisor's or planner's decision.
func (s *Handler) webAcceptSwap(c echo.Context) error {
	if err := onlyRoles(c, org.RoleAgent); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Accept); err != nil {
		return err
	}
	if p.User.AgentID == nil {
		return fault.Errorf(fault.Forbidden, "only agents take shifts")
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.AcceptSwap(c.Request().Context(), *p.User.AgentID, id); err != nil {
		return s.swapActionError(c, s.newPage(c, "Shift swaps"), id, "taken", err)
	}
	return c.Redirect(http.StatusSeeOther, "/swaps?done="+url.QueryEscape("You took the shift. It becomes yours when the swap is approved."))
}

// webCancelSwap handles the "POST /swaps/:id/cancel" route: the giver
// withdraws an offer nobody has taken.
func (s *Handler) webCancelSwap(c echo.Context) error {
	if err := onlyRoles(c, org.RoleAgent); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Delete); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sw, err := s.svc.LoadSwap(ctx, p, id, auth.Delete)
	if err != nil {
		return err
	}
	if _, err := s.svc.CancelSwap(ctx, sw); err != nil {
		return s.swapActionError(c, s.newPage(c, "Shift swaps"), id, "withdrawn", err)
	}
	return c.Redirect(http.StatusSeeOther, "/swaps?done="+url.QueryEscape("Offer withdrawn."))
}

// swapDecisionForm is a taken offer's approve or reject form on swaps.html,
// with a note (needed to reject) and the offer's version it was shown at.
type swapDecisionForm struct {
	Approve bool
	Note    string
	Version *int
}

func parseSwapDecisionForm(c echo.Context) swapDecisionForm {
	f := swapDecisionForm{Approve: c.FormValue("decision") == "approve", Note: strings.TrimSpace(c.FormValue("note"))}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		f.Version = &v
	}
	return f
}

// Validate asks for the version and, to reject, a note the agents read.
func (f swapDecisionForm) Validate() []string {
	var bad []string
	if f.Version == nil {
		bad = append(bad, "The form lacks the offer's version; reload the page and try again.")
	}
	if !f.Approve && f.Note == "" {
		bad = append(bad, "Note: say why you reject the swap; both agents read it.")
	}
	if len(f.Note) > 500 {
		bad = append(bad, "Note: keep it under 500 characters.")
	}
	return bad
}

// webDecideSwap handles the "POST /swaps/:id/decision" route: a supervisor
// of the giver's team, a planner or an admin approves a taken offer, which
// publishes the plan's next revision with the shift reassigned, or rejects it.
func (s *Handler) webDecideSwap(c echo.Context) error {
	if err := onlyRoles(c, org.RoleSupervisor, org.RolePlanner, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Update); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sw, err := s.svc.LoadSwap(ctx, p, id, auth.Update)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Shift swaps")
	form := parseSwapDecisionForm(c)
	if bad := form.Validate(); len(bad) > 0 {
		pg.Error = "Not decided. The reasons are shown beside the offer."
		return s.swapsPage(c, http.StatusBadRequest, pg, swapOfferForm{}, map[int64][]string{id: bad})
	}
	if err := service.CheckVersion("offer", *form.Version, sw.Version); err != nil {
		return s.swapActionError(c, pg, id, "decided", err)
	}
	out, err := s.svc.DecideSwap(ctx, p.User.ID, sw, form.Approve, form.Note)
	if err != nil {
		return s.swapActionError(c, pg, id, "decided", err)
	}
	done := "Swap rejected; both agents keep their shifts."
	if out.Schedule != nil {
		done = fmt.Sprintf("Swap approved: revision %d of %s is published with the shift moved.", out.Schedule.Revision, out.Schedule.Name)
	}
	return c.Redirect(http.StatusSeeOther, "/swaps?done="+url.QueryEscape(done))
}
