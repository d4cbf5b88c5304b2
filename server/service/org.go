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

// validateTeam checks a team before it is written: its own fields, and that
// its supervisor, if named, is a supervisor or an admin. Returns Invalid.
func (s *Service) validateTeam(ctx context.Context, t org.Team) error {
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

// validateQueue checks a queue before it is written: its own fields, its
// channel, and that its target suits the channel's kind. Returns Invalid.
func (s *Service) validateQueue(ctx context.Context, q org.Queue) error {
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

// validateAgent checks an agent before it is written: its own fields and
// that its team, if named, exists. Returns Invalid.
func (s *Service) validateAgent(ctx context.Context, a org.Agent) error {
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

// validateSpecialDay checks a special day before it is written: its own
// fields and that its queue, if named, exists. Returns Invalid.
func (s *Service) validateSpecialDay(ctx context.Context, d org.SpecialDay) error {
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

// CreateTeam checks and adds a team, audited as p's act; the caller has
// checked p may. Returns Invalid naming the bad fields, Conflict for a
// duplicate.
func (s *Service) CreateTeam(ctx context.Context, p auth.Principal, t org.Team) (org.Team, error) {
	if err := s.validateTeam(ctx, t); err != nil {
		return org.Team{}, err
	}
	return teamTrail.createBy(ctx, s.store, p, t)
}

// FindAgentByID reads through the store; the caller has checked the principal may.
func (s *Service) FindAgentByID(ctx context.Context, id int64) (org.Agent, error) {
	return s.store.FindAgentByID(ctx, id)
}

// FindAgents reads through the store; the caller has checked the principal may.
func (s *Service) FindAgents(ctx context.Context, f store.AgentFilter) ([]org.Agent, int, error) {
	return s.store.FindAgents(ctx, f)
}

// FindAudit reads through the store; the caller has checked the principal may.
func (s *Service) FindAudit(ctx context.Context, entity string, entityID int64) ([]store.AuditEvent, error) {
	return s.store.FindAudit(ctx, entity, entityID)
}

// FindChannelByID reads through the store; the caller has checked the principal may.
func (s *Service) FindChannelByID(ctx context.Context, id int64) (org.Channel, error) {
	return s.store.FindChannelByID(ctx, id)
}

// FindChannels reads through the store; the caller has checked the principal may.
func (s *Service) FindChannels(ctx context.Context, p store.Page) ([]org.Channel, int, error) {
	return s.store.FindChannels(ctx, p)
}

// FindQueueByID reads through the store; the caller has checked the principal may.
func (s *Service) FindQueueByID(ctx context.Context, id int64) (org.Queue, error) {
	return s.store.FindQueueByID(ctx, id)
}

// FindQueues reads through the store; the caller has checked the principal may.
func (s *Service) FindQueues(ctx context.Context, p store.Page) ([]org.Queue, int, error) {
	return s.store.FindQueues(ctx, p)
}

// FindSites reads through the store; the caller has checked the principal may.
func (s *Service) FindSites(ctx context.Context, p store.Page) ([]org.Site, int, error) {
	return s.store.FindSites(ctx, p)
}

// FindTeamByID reads through the store; the caller has checked the principal may.
func (s *Service) FindTeamByID(ctx context.Context, id int64) (org.Team, error) {
	return s.store.FindTeamByID(ctx, id)
}

// FindTeams reads through the store; the caller has checked the principal may.
func (s *Service) FindTeams(ctx context.Context, f store.TeamFilter) ([]org.Team, int, error) {
	return s.store.FindTeams(ctx, f)
}

// FindUsers reads through the store; the caller has checked the principal may.
func (s *Service) FindUsers(ctx context.Context, f store.UserFilter) ([]org.User, int, error) {
	return s.store.FindUsers(ctx, f)
}

// UpdateTeam checks and changes a team at its version, audited as p's act;
// the caller has checked p may. Returns Invalid naming the bad fields,
// NotFound, Conflict for a stale version or a duplicate.
func (s *Service) UpdateTeam(ctx context.Context, p auth.Principal, t org.Team) (org.Team, error) {
	if err := s.validateTeam(ctx, t); err != nil {
		return org.Team{}, err
	}
	return teamTrail.updateBy(ctx, s.store, p, t)
}

// UserInput is a user as an admin writes it: a password may be given on create.
type UserInput struct {
	org.User
	Password string
}

// Validate checks the user and, when given, the password's strength.
func (u UserInput) Validate() error {
	if err := u.User.Validate(); err != nil {
		return err
	}
	if u.Password != "" {
		return org.CheckPassword(u.Password)
	}
	return nil
}

// FindUser reads one user.
func (s *Service) FindUser(ctx context.Context, id int64) (org.User, error) {
	return s.store.FindUserByID(ctx, id)
}

// CreateUser checks and adds a user, hashing the password when one is
// given, audited as p's act (the snapshot holds no password or hash).
// Returns Invalid naming the bad fields (a weak password among them),
// Conflict for a duplicate email.
func (s *Service) CreateUser(ctx context.Context, p auth.Principal, u UserInput) (org.User, error) {
	if err := u.Validate(); err != nil {
		return org.User{}, err
	}
	hash := ""
	if u.Password != "" {
		var err error
		if hash, err = auth.HashPassword(u.Password); err != nil {
			return org.User{}, err
		}
	}
	return userTrail(hash).createBy(ctx, s.store, p, u.User)
}

// UpdateUser checks and changes a user at its version, audited as p's act;
// passwords change only through SetPassword. Returns Invalid naming the bad
// fields (or the password), NotFound, Conflict for a stale version or a
// duplicate email.
func (s *Service) UpdateUser(ctx context.Context, p auth.Principal, u UserInput) (org.User, error) {
	if err := u.Validate(); err != nil {
		return org.User{}, err
	}
	if u.Password != "" {
		return org.User{}, &fault.Error{Code: fault.Invalid, Message: "passwords are changed through PUT /api/v1/users/{id}/password",
			Fields: map[string]string{"password": "cannot be changed here"}}
	}
	return userTrail("").updateBy(ctx, s.store, p, u.User)
}
