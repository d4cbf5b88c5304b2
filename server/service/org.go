package service

import (
	"context"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// ListAgents narrows the list to what the caller's scope reaches.
func (s *Service) ListAgents(ctx context.Context, p auth.Principal, page store.Page) ([]org.Agent, int, error) {
	f := store.AgentFilter{Page: page}
	switch p.ScopeOf(auth.Agents, auth.Read) {
	case auth.Team:
		f.TeamIDs = append([]int64{}, p.TeamIDs...)
	case auth.Own:
		f.IDs = []int64{}
		if p.User.AgentID != nil {
			f.IDs = []int64{*p.User.AgentID}
		}
	}
	return s.store.FindAgents(ctx, f)
}

// ValidateTeam checks a team before it is written: its own fields, and that
// its supervisor, if named, is a supervisor or an admin. Returns Invalid.
func (s *Service) ValidateTeam(ctx context.Context, t org.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.SupervisorID != nil {
		u, err := s.store.FindUserByID(ctx, *t.SupervisorID)
		if fault.Is(err, fault.NotFound) || (err == nil && u.Role != org.RoleSupervisor && u.Role != org.RoleAdmin) {
			return &fault.Error{Code: fault.Invalid, Message: "invalid team", Fields: map[string]string{"supervisor_id": "must be a user with the supervisor role"}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidateQueue checks a queue before it is written: its own fields, its
// channel, and that its target suits the channel's kind. Returns Invalid.
func (s *Service) ValidateQueue(ctx context.Context, q org.Queue) error {
	if err := q.Validate(); err != nil {
		return err
	}
	ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
	if fault.Is(err, fault.NotFound) {
		return &fault.Error{Code: fault.Invalid, Message: "invalid queue", Fields: map[string]string{"channel_id": "no such channel"}}
	}
	if err != nil {
		return err
	}
	return q.CheckTarget(ch.Kind)
}

// ValidateAgent checks an agent before it is written: its own fields and
// that its team, if named, exists. Returns Invalid.
func (s *Service) ValidateAgent(ctx context.Context, a org.Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.TeamID != nil {
		if _, err := s.store.FindTeamByID(ctx, *a.TeamID); fault.Is(err, fault.NotFound) {
			return &fault.Error{Code: fault.Invalid, Message: "invalid agent", Fields: map[string]string{"team_id": "no such team"}}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// ValidateSpecialDay checks a special day before it is written: its own
// fields and that its queue, if named, exists. Returns Invalid.
func (s *Service) ValidateSpecialDay(ctx context.Context, d org.SpecialDay) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if d.QueueID != nil {
		if _, err := s.store.FindQueueByID(ctx, *d.QueueID); fault.Is(err, fault.NotFound) {
			return &fault.Error{Code: fault.Invalid, Message: "invalid special day", Fields: map[string]string{"queue_id": "no such queue"}}
		} else if err != nil {
			return err
		}
	}
	return nil
}
