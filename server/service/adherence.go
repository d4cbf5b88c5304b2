package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// DefaultGrace is how long an agent may be out of adherence before it counts
// (a log-in a few minutes late, a call running into a break).
const DefaultGrace = 5 * time.Minute

// AdherenceQuery asks for adherence over [From, To) and the state at To.
// TeamIDs and AgentIDs narrow it (nil: everyone the caller may see).
type AdherenceQuery struct {
	From, To time.Time
	TeamIDs  []int64
	AgentIDs []int64
	Grace    time.Duration // 0: DefaultGrace
}

// AgentAdherence is one agent's adherence over the window and where they
// stand at its end: the live board's row.
type AgentAdherence struct {
	AgentID     int64    `json:"agent_id"`
	Name        string   `json:"name"`
	TeamID      *int64   `json:"team_id,omitempty"`
	Adherence   *float64 `json:"adherence"`   // nil when nothing was scheduled
	Conformance *float64 `json:"conformance"` // nil when no work was scheduled
	intraday.Result
	// Planned is the scheduled activity at the window's end ("" when off).
	Planned intraday.Activity `json:"planned"`
	// State is the agent's state at the window's end and Since when they are in it.
	State intraday.State `json:"state"`
	Since *time.Time     `json:"since,omitempty"`
	// OutSince is the start of the stretch out of adherence the agent is in at
	// the window's end, when it is longer than the grace.
	OutSince *time.Time `json:"out_since,omitempty"`
}

// AdherenceReport is every agent's row and the sums over them.
type AdherenceReport struct {
	From        time.Time        `json:"from"`
	To          time.Time        `json:"to"`
	Grace       string           `json:"grace"`
	Agents      []AgentAdherence `json:"agents"`
	Adherence   *float64         `json:"adherence"`
	Conformance *float64         `json:"conformance"`
	OutNow      int              `json:"out_of_adherence_now"`
}

// maxAdherenceWindow bounds one query: a day at a time for a board, a week
// for a report.
const maxAdherenceWindow = 8 * 24 * time.Hour

// Adherence measures the agents p may see against the published schedule
// over the query's window (docs/intraday.md for the definitions), with
// recorded exceptions excused.
func (s *Service) Adherence(ctx context.Context, p auth.Principal, q AdherenceQuery) (AdherenceReport, error) {
	if err := p.Allow(auth.Adherence, auth.Read); err != nil {
		return AdherenceReport{}, err
	}
	if !q.To.After(q.From) || q.To.Sub(q.From) > maxAdherenceWindow {
		return AdherenceReport{}, &fault.Error{Code: fault.Invalid, Message: "the window is not valid",
			Fields: map[string]string{"to": fmt.Sprintf("must be after from and at most %v later", maxAdherenceWindow)}}
	}
	settings, err := s.liveSettings(ctx)
	if err != nil {
		return AdherenceReport{}, err
	}
	if q.Grace <= 0 {
		q.Grace = settings.Grace()
	}
	agents, err := s.AllAgents(ctx)
	if err != nil {
		return AdherenceReport{}, err
	}
	scope, err := s.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Adherence, auth.Read))
	if err != nil {
		return AdherenceReport{}, err
	}
	var ids []int64
	byID := map[int64]int{}
	for i, a := range agents {
		switch {
		case scope != nil && !slices.Contains(scope, a.ID):
		case q.AgentIDs != nil && !slices.Contains(q.AgentIDs, a.ID):
		case q.TeamIDs != nil && (a.TeamID == nil || !slices.Contains(q.TeamIDs, *a.TeamID)):
		default:
			ids = append(ids, a.ID)
			byID[a.ID] = i
		}
	}
	rep := AdherenceReport{From: q.From.UTC(), To: q.To.UTC(), Grace: q.Grace.String(), Agents: []AgentAdherence{}}
	if len(ids) == 0 {
		return rep, nil
	}
	// Shifts that started up to a day before the window can still run into it.
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: ids, From: q.From.Add(-24 * time.Hour), To: q.To, Lean: true})
	if err != nil {
		return AdherenceReport{}, err
	}
	plans := map[int64][]intraday.Planned{}
	for _, sh := range shifts {
		plans[sh.AgentID] = append(plans[sh.AgentID], PlannedActivities(sh)...)
	}
	events, err := s.store.FindAgentEvents(ctx, store.AgentEventFilter{AgentIDs: ids, From: q.From, To: q.To})
	if err != nil {
		return AdherenceReport{}, err
	}
	byAgent := map[int64][]intraday.Event{}
	for _, e := range events {
		byAgent[e.AgentID] = append(byAgent[e.AgentID], intraday.Event{ID: e.SourceID, State: e.State, At: e.At})
	}
	before, err := s.store.LastAgentEvents(ctx, ids, q.From)
	if err != nil {
		return AdherenceReport{}, err
	}
	exceptions, err := s.store.FindAdherenceExceptions(ctx, ids, q.From, q.To)
	if err != nil {
		return AdherenceReport{}, err
	}
	excused := map[int64][]intraday.Span{}
	for _, x := range exceptions {
		excused[x.AgentID] = append(excused[x.AgentID], intraday.Span{Start: x.Start, End: x.End})
	}
	var total intraday.Result
	for _, id := range ids {
		a := agents[byID[id]]
		opt := intraday.Options{Grace: q.Grace, Mapping: settings.Mapping}
		row := AgentAdherence{AgentID: id, Name: a.Name, TeamID: a.TeamID, State: intraday.LoggedOut}
		if e, ok := before[id]; ok {
			opt.Before, row.State = e.State, e.State
			at := e.At
			row.Since = &at
		}
		evs := byAgent[id]
		if len(evs) > 0 {
			last := evs[len(evs)-1]
			at := last.At
			row.State, row.Since = last.State, &at
		}
		if len(plans[id]) == 0 && len(evs) == 0 && row.Since == nil {
			continue // neither scheduled nor seen: not on the board
		}
		r := intraday.Adherence(plans[id], evs, excused[id], q.From, q.To, opt)
		row.Result = r
		row.Adherence, row.Conformance = ratio(r.Adherence()), ratio(r.Conformance())
		row.Planned = activityAt(plans[id], q.To.Add(-time.Nanosecond))
		if n := len(r.Episodes); n > 0 && r.Episodes[n-1].End.Equal(q.To) {
			start := r.Episodes[n-1].Start
			row.OutSince = &start
			rep.OutNow++
		}
		total = total.Add(intraday.Result{ScheduledSeconds: r.ScheduledSeconds, InSeconds: r.InSeconds, OutSeconds: r.OutSeconds,
			ExcusedSeconds: r.ExcusedSeconds, WorkSeconds: r.WorkSeconds, ProductiveSeconds: r.ProductiveSeconds})
		rep.Agents = append(rep.Agents, row)
	}
	rep.Adherence, rep.Conformance = ratio(total.Adherence()), ratio(total.Conformance())
	return rep, nil
}

func ratio(v float64) *float64 {
	if v < 0 {
		return nil
	}
	return &v
}

func activityAt(plan []intraday.Planned, t time.Time) intraday.Activity {
	for _, p := range plan {
		if !t.Before(p.Start) && t.Before(p.End) {
			return p.Activity
		}
	}
	return ""
}

// PlannedActivities turns a published shift into what the agent should be
// doing when: work, with its breaks cut out (a break named like "lunch" is
// lunch, any other a break).
func PlannedActivities(sh calendar.Shift) []intraday.Planned {
	breaks := append([]calendar.Break(nil), sh.Breaks...)
	slices.SortFunc(breaks, func(a, b calendar.Break) int { return a.Start.Compare(b.Start) })
	var out []intraday.Planned
	at := sh.Start
	for _, b := range breaks {
		start, end := maxTime(b.Start, sh.Start), minTime(b.End, sh.End)
		if !end.After(start) {
			continue
		}
		if start.After(at) {
			out = append(out, intraday.Planned{Activity: intraday.ActWork, Start: at, End: start})
		}
		act := intraday.ActBreak
		if strings.Contains(strings.ToLower(b.Name), "lunch") {
			act = intraday.ActLunch
		}
		out = append(out, intraday.Planned{Activity: act, Start: maxTime(start, at), End: end})
		at = maxTime(at, end)
	}
	if sh.End.After(at) {
		out = append(out, intraday.Planned{Activity: intraday.ActWork, Start: at, End: sh.End})
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ExcuseAdherence records an exception that excuses one agent's adherence
// over [start, end), audited. At most a day long, and not more than a week
// in the past or a day ahead.
func (s *Service) ExcuseAdherence(ctx context.Context, p auth.Principal, agentID int64, start, end time.Time, reason string) (store.AdherenceException, error) {
	a, err := s.store.FindAgentByID(ctx, agentID)
	if err != nil {
		return store.AdherenceException{}, err
	}
	if err := p.AllowObject(auth.Adherence, auth.Create, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return store.AdherenceException{}, err
	}
	bad := map[string]string{}
	now := s.now()
	switch {
	case !end.After(start):
		bad["end"] = "must be after start"
	case end.Sub(start) > 24*time.Hour:
		bad["end"] = "an exception lasts at most a day"
	}
	if start.Before(now.Add(-7*24*time.Hour)) || start.After(now.Add(24*time.Hour)) {
		bad["start"] = "must lie between a week ago and a day ahead"
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		bad["reason"] = "say why, in at most 500 characters"
	}
	if len(bad) > 0 {
		return store.AdherenceException{}, &fault.Error{Code: fault.Invalid, Message: "the exception is not valid", Fields: bad}
	}
	var x store.AdherenceException
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		x, err = tx.CreateAdherenceException(ctx, store.AdherenceException{AgentID: agentID, Start: start, End: end, Reason: reason, CreatedByID: p.User.ID})
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "adherence_exception", EntityID: x.ID, Action: "excuse",
			After: store.Snapshot(x), Reason: reason})
	})
	if err == nil {
		s.liveChanged(ctx)
	}
	return x, err
}
