package service

import (
	"context"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// The organisation's records (sites, channels, queues, agents, special days,
// teams, users) are written as the JSON API's CRUD and the admin pages send
// them. Every create and update checks the record's rules first (its own
// Validate, and the checks in org.go that read other records) and writes
// nothing when they fail, so neither door repeats them. Every create, update
// and delete is audited as the act of the principal p, in the transaction of
// the change (recordTrail). The caller has checked p may.

// FindSiteByID reads one site. Returns NotFound.
func (s *Service) FindSiteByID(ctx context.Context, id int64) (org.Site, error) {
	return s.store.FindSiteByID(ctx, id)
}

// CreateSite checks and adds a site. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateSite(ctx context.Context, p auth.Principal, v org.Site) (org.Site, error) {
	if err := v.Validate(); err != nil {
		return org.Site{}, err
	}
	return siteTrail.createBy(ctx, s.store, p, v)
}

// UpdateSite checks and changes a site at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateSite(ctx context.Context, p auth.Principal, v org.Site) (org.Site, error) {
	if err := v.Validate(); err != nil {
		return org.Site{}, err
	}
	return siteTrail.updateBy(ctx, s.store, p, v)
}

// DeleteSite removes a site. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteSite(ctx context.Context, p auth.Principal, id int64) error {
	return siteTrail.deleteBy(ctx, s.store, p, id)
}

// CreateChannel checks and adds a channel. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateChannel(ctx context.Context, p auth.Principal, v org.Channel) (org.Channel, error) {
	if err := v.Validate(); err != nil {
		return org.Channel{}, err
	}
	return channelTrail.createBy(ctx, s.store, p, v)
}

// UpdateChannel checks and changes a channel at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateChannel(ctx context.Context, p auth.Principal, v org.Channel) (org.Channel, error) {
	if err := v.Validate(); err != nil {
		return org.Channel{}, err
	}
	return channelTrail.updateBy(ctx, s.store, p, v)
}

// DeleteChannel removes a channel. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteChannel(ctx context.Context, p auth.Principal, id int64) error {
	return channelTrail.deleteBy(ctx, s.store, p, id)
}

// CreateQueue checks and adds a queue. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateQueue(ctx context.Context, p auth.Principal, v org.Queue) (org.Queue, error) {
	if err := s.validateQueue(ctx, v); err != nil {
		return org.Queue{}, err
	}
	return queueTrail.createBy(ctx, s.store, p, v)
}

// UpdateQueue checks and changes a queue at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateQueue(ctx context.Context, p auth.Principal, v org.Queue) (org.Queue, error) {
	if err := s.validateQueue(ctx, v); err != nil {
		return org.Queue{}, err
	}
	return queueTrail.updateBy(ctx, s.store, p, v)
}

// DeleteQueue removes a queue. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteQueue(ctx context.Context, p auth.Principal, id int64) error {
	return queueTrail.deleteBy(ctx, s.store, p, id)
}

// CreateAgent checks and adds an agent. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateAgent(ctx context.Context, p auth.Principal, v org.Agent) (org.Agent, error) {
	if err := s.validateAgent(ctx, v); err != nil {
		return org.Agent{}, err
	}
	return agentTrail.createBy(ctx, s.store, p, v)
}

// UpdateAgent checks and changes an agent at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateAgent(ctx context.Context, p auth.Principal, v org.Agent) (org.Agent, error) {
	if err := s.validateAgent(ctx, v); err != nil {
		return org.Agent{}, err
	}
	return agentTrail.updateBy(ctx, s.store, p, v)
}

// DeleteAgent removes an agent. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteAgent(ctx context.Context, p auth.Principal, id int64) error {
	return agentTrail.deleteBy(ctx, s.store, p, id)
}

// FindSpecialDayByID reads one special day. Returns NotFound.
func (s *Service) FindSpecialDayByID(ctx context.Context, id int64) (org.SpecialDay, error) {
	return s.store.FindSpecialDayByID(ctx, id)
}

// CreateSpecialDay checks and adds a special day. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateSpecialDay(ctx context.Context, p auth.Principal, v org.SpecialDay) (org.SpecialDay, error) {
	if err := s.validateSpecialDay(ctx, v); err != nil {
		return org.SpecialDay{}, err
	}
	return specialDayTrail.createBy(ctx, s.store, p, v)
}

// UpdateSpecialDay checks and changes a special day at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateSpecialDay(ctx context.Context, p auth.Principal, v org.SpecialDay) (org.SpecialDay, error) {
	if err := s.validateSpecialDay(ctx, v); err != nil {
		return org.SpecialDay{}, err
	}
	return specialDayTrail.updateBy(ctx, s.store, p, v)
}

// DeleteSpecialDay removes a special day. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteSpecialDay(ctx context.Context, p auth.Principal, id int64) error {
	return specialDayTrail.deleteBy(ctx, s.store, p, id)
}

// DeleteTeam removes a team, audited as p's act. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteTeam(ctx context.Context, p auth.Principal, id int64) error {
	return teamTrail.deleteBy(ctx, s.store, p, id)
}

// FindSpecialDays reads a page of special days.
func (s *Service) FindSpecialDays(ctx context.Context, f store.SpecialDayFilter) ([]org.SpecialDay, int, error) {
	return s.store.FindSpecialDays(ctx, f)
}

// DeleteUser removes a user, audited as p's act. Returns NotFound.
func (s *Service) DeleteUser(ctx context.Context, p auth.Principal, id int64) error {
	return userTrail("").deleteBy(ctx, s.store, p, id)
}

// SetPassword checks the password's strength and stores its hash for the
// user id, ending his sessions, audited as p's "set_password" on the user
// (the event holds no snapshot: neither the password nor its hash belongs
// in the trail). Returns Invalid for a weak password, NotFound.
func (s *Service) SetPassword(ctx context.Context, p auth.Principal, id int64, password string) error {
	if err := org.CheckPassword(password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.SetPasswordHash(ctx, id, hash); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "user", EntityID: id, Action: "set_password"})
	})
}
