package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// webIntraday is a queue's day as it runs: the night's forecast, the
// contacts so far and the re-forecast of the rest, the staff the
// re-forecast needs against the published plan's, and suggestions to
// accept or reject: breaks out of understaffed intervals, then overtime or
// voluntary time off where a gap stays.
func (s *Handler) webIntraday(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	view, err := s.svc.Intraday(c.Request().Context(), httpx.Principal(c), id)
	var fe *fault.Error
	if err != nil && !(errors.As(err, &fe) && fe.Code == fault.NotFound && view.Queue.ID != 0) {
		return err
	}
	pg := s.newPage(c, "Intraday: "+view.Queue.Name)
	pg.Zone = view.Queue.Timezone
	if err != nil {
		pg.Error = fe.Message
	}
	loc := zoneOf(view.Queue.Timezone)
	pg.Data["View"] = view
	pg.Data["Level"] = fmt.Sprintf("%+.0f%%", (view.Factor-1)*100)
	pg.Data["At"] = s.now().In(loc).Format("15:04 MST")
	type move struct {
		Agent, Break, From, To, Why string
		UID, FromRaw, ToRaw         string
	}
	var moves []move
	for _, m := range view.Moves {
		moves = append(moves, move{Agent: m.AgentName, Break: m.Name, From: m.From.In(loc).Format("15:04"), To: m.To.In(loc).Format("15:04"),
			Why: fmt.Sprintf("worst staffing margin %+.1f → %+.1f", m.WorstBefore, m.WorstAfter),
			UID: m.ShiftUID, FromRaw: m.From.UTC().Format(time.RFC3339), ToRaw: m.To.UTC().Format(time.RFC3339)})
	}
	pg.Data["Moves"] = moves
	type window struct{ Offer, From, To string }
	var windows []window
	for _, w := range view.Windows {
		offer := fmt.Sprintf("Offer overtime to %d agent(s)", w.Agents)
		if w.Agents < 0 {
			offer = fmt.Sprintf("Offer voluntary time off to %d agent(s)", -w.Agents)
		}
		windows = append(windows, window{Offer: offer, From: w.Start.In(loc).Format("15:04"), To: w.End.In(loc).Format("15:04")})
	}
	pg.Data["Windows"] = windows
	type offer struct {
		Kind, Label, Agent, From, To string
		UID, FromRaw, ToRaw          string
	}
	var offers []offer
	for _, o := range view.Offers {
		label := "Overtime: stay until"
		if o.Kind == service.OfferVTO {
			label = "Voluntary time off: leave at"
		}
		offers = append(offers, offer{Kind: o.Kind, Label: label, Agent: o.AgentName, From: o.From.In(loc).Format("15:04"), To: o.To.In(loc).Format("15:04"),
			UID: o.ShiftUID, FromRaw: o.From.UTC().Format(time.RFC3339), ToRaw: o.To.UTC().Format(time.RFC3339)})
	}
	pg.Data["Offers"] = offers
	return s.render(c, http.StatusOK, "planner_intraday", pg)
}

// shiftOfferForm is the planner's record of an agent's answer to an
// overtime or VTO offer.
type shiftOfferForm struct {
	Offer  service.ShiftOffer
	Accept bool
}

func parseShiftOfferForm(c echo.Context) (shiftOfferForm, error) {
	f := shiftOfferForm{Offer: service.ShiftOffer{Kind: c.FormValue("kind"), ShiftUID: c.FormValue("shift_uid")}, Accept: c.FormValue("decision") == "accept"}
	bad := fault.Fields{}
	var err error
	if f.Offer.From, err = time.Parse(time.RFC3339, c.FormValue("from")); err != nil {
		bad.Add("from", "is not a time")
	}
	if f.Offer.To, err = time.Parse(time.RFC3339, c.FormValue("to")); err != nil {
		bad.Add("to", "is not a time")
	}
	if d := c.FormValue("decision"); d != "accept" && d != "reject" {
		bad.Add("decision", "must be accept or reject")
	}
	return f, bad.Err("invalid offer")
}

// webDecideShiftOffer records an agent's answer to an overtime or VTO offer
// (accepting publishes the changed shift at once), then shows the day again.
func (s *Handler) webDecideShiftOffer(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	f, err := parseShiftOfferForm(c)
	if err != nil {
		return err
	}
	_, err = s.svc.DecideShiftOffer(c.Request().Context(), httpx.Principal(c), id, f.Offer, f.Accept)
	msg := "Offer declined; it is not shown again today."
	if f.Accept {
		msg = "Shift changed and published; the agent sees it now, marked short notice."
	}
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Conflict || fe.Code == fault.Unprocessable || fe.Code == fault.Invalid) {
		msg = "Not changed: " + fe.Message
		for _, v := range fe.Fields {
			msg += ": " + v
		}
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/intraday/%d?done=%s", id, url.QueryEscape(msg)))
}

// breakMoveForm is the accept/reject form of one suggested break move.
type breakMoveForm struct {
	ShiftUID string
	From, To time.Time
	Accept   bool
}

func parseBreakMoveForm(c echo.Context) (breakMoveForm, error) {
	f := breakMoveForm{ShiftUID: c.FormValue("shift_uid"), Accept: c.FormValue("decision") == "accept"}
	bad := fault.Fields{}
	var err error
	if f.From, err = time.Parse(time.RFC3339, c.FormValue("from")); err != nil {
		bad.Add("from", "is not a time")
	}
	if f.To, err = time.Parse(time.RFC3339, c.FormValue("to")); err != nil {
		bad.Add("to", "is not a time")
	}
	if f.ShiftUID == "" {
		bad.Add("shift_uid", "is required")
	}
	if d := c.FormValue("decision"); d != "accept" && d != "reject" {
		bad.Add("decision", "must be accept or reject")
	}
	return f, bad.Err("invalid break move")
}

// webDecideBreakMove accepts (publishing the moved break at once) or rejects
// a suggested break move, then shows the queue's day again.
func (s *Handler) webDecideBreakMove(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	f, err := parseBreakMoveForm(c)
	if err != nil {
		return err
	}
	_, err = s.svc.DecideBreakMove(c.Request().Context(), httpx.Principal(c), id, f.ShiftUID, f.From, f.To, f.Accept)
	msg := "Suggestion rejected; it is not shown again today."
	if f.Accept {
		msg = "Break moved and published; the agent sees it now, marked short notice."
	}
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Conflict || fe.Code == fault.Unprocessable) {
		msg = "Not moved: " + fe.Message
		for _, v := range fe.Fields {
			msg += ": " + v
		}
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/intraday/%d?done=%s", id, url.QueryEscape(msg)))
}
