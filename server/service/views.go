package service

import (
	"context"
	"strconv"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// The views below are what the JSON API and the pages both show of a record:
// what the caller may see of it and what sits beside it. The API gives each
// its own type with JSON tags and converts.

// TimeOffView is a request with the published shifts it collides with.
type TimeOffView struct {
	calendar.TimeOff
	Conflicts []calendar.Shift
}

// ViewTimeOff adds the published shifts r collides with.
func (s *Service) ViewTimeOff(ctx context.Context, r calendar.TimeOff) (TimeOffView, error) {
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{r.AgentID}, From: r.Start, To: r.End, Published: true})
	if err != nil {
		return TimeOffView{}, err
	}
	conflicts := calendar.Conflicts(r, shifts)
	if conflicts == nil {
		conflicts = []calendar.Shift{}
	}
	return TimeOffView{TimeOff: r, Conflicts: conflicts}, nil
}

// LoadTimeOff finds a request and checks p may take action on it.
func (s *Service) LoadTimeOff(ctx context.Context, p auth.Principal, id int64, action auth.Action) (calendar.TimeOff, org.Agent, error) {
	r, err := s.store.FindTimeOffByID(ctx, id)
	if err != nil {
		return r, org.Agent{}, err
	}
	a, err := s.store.FindAgentByID(ctx, r.AgentID)
	if err != nil {
		return r, a, err
	}
	owner := auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}
	if err := p.AllowObject(auth.TimeOff, auth.Read, owner); err != nil {
		return r, a, err
	}
	return r, a, p.AllowObject(auth.TimeOff, action, owner)
}

// EvaluationView is an evaluation with what a reader needs beside it.
type EvaluationView struct {
	qa.Evaluation
	Scorecard   qa.Scorecard
	Interaction qa.Contact
}

// ViewEvaluation adds e's scorecard and interaction.
func (s *Service) ViewEvaluation(ctx context.Context, e qa.Evaluation) (EvaluationView, error) {
	sc, err := s.store.FindScorecardByID(ctx, e.ScorecardID)
	if err != nil {
		return EvaluationView{}, err
	}
	ct, err := s.store.FindContactByID(ctx, e.InteractionID)
	return EvaluationView{Evaluation: e, Scorecard: sc, Interaction: ct}, err
}

// CalibrationView is a session with the entries the caller may see: their
// own always, everyone's once they have submitted all of theirs (or the
// session is closed).
type CalibrationView struct {
	qa.CalibrationSession
	Entries   []qa.Evaluation
	Blind     bool // true while others' entries are hidden from the caller
	Submitted map[string]int
}

// ViewCalibration is cs as p may see it.
func (s *Service) ViewCalibration(ctx context.Context, p auth.Principal, cs qa.CalibrationSession) (CalibrationView, error) {
	entries, err := s.CalibrationEntries(ctx, cs.ID)
	if err != nil {
		return CalibrationView{}, err
	}
	v := CalibrationView{CalibrationSession: cs, Submitted: map[string]int{}, Entries: []qa.Evaluation{}}
	v.Blind = !SeesAll(p, cs, entries)
	for _, e := range entries {
		if e.State != qa.EvalDraft {
			v.Submitted[strconv.FormatInt(e.ReviewerID, 10)]++
		}
		if !v.Blind || e.ReviewerID == p.User.ID {
			v.Entries = append(v.Entries, e)
		}
	}
	return v, nil
}

// LoadCalibration finds a session p may read.
func (s *Service) LoadCalibration(ctx context.Context, p auth.Principal, id int64) (qa.CalibrationSession, error) {
	if err := p.Allow(auth.Calibrations, auth.Read); err != nil {
		return qa.CalibrationSession{}, err
	}
	return s.store.FindCalibrationByID(ctx, id)
}

// CoachingView is a session as the caller may see it, with the overdue flag
// and the actions the caller may take.
type CoachingView struct {
	qa.CoachingSession
	Overdue bool
	Actions []string
}

// ViewCoaching hides private notes from agents and adds what p may do.
func (s *Service) ViewCoaching(p auth.Principal, c qa.CoachingSession) CoachingView {
	if p.User.Role == org.RoleAgent {
		shared := []qa.CoachingNote{}
		for _, n := range c.Notes {
			if n.Shared {
				shared = append(shared, n)
			}
		}
		c.Notes = shared
	}
	v := CoachingView{CoachingSession: c, Overdue: qa.Overdue(c.DueAt, c.State, s.now()), Actions: []string{}}
	for _, a := range qa.CoachingActions(c.State) {
		want := auth.Update
		if a == qa.ActionAcknowledge {
			want = auth.Accept
		}
		if p.AllowObject(auth.Coaching, want, auth.Owner{AgentID: &c.AgentID, TeamID: c.TeamID}) == nil {
			v.Actions = append(v.Actions, a)
		}
	}
	return v
}
