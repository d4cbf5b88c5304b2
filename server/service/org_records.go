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
// nothing when they fail, so neither door repeats them. The caller has
// checked the principal may.

// FindSiteByID reads one site. Returns NotFound.
func (s *Service) FindSiteByID(ctx context.Context, id int64) (org.Site, error) {
	return s.store.FindSiteByID(ctx, id)
}

// CreateSite checks and adds a site. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateSite(ctx context.Context, v org.Site) (org.Site, error) {
	if err := v.Validate(); err != nil {
		return org.Site{}, err
	}
	return s.store.CreateSite(ctx, v)
}

// UpdateSite checks and changes a site at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateSite(ctx context.Context, v org.Site) (org.Site, error) {
	if err := v.Validate(); err != nil {
		return org.Site{}, err
	}
	return s.store.UpdateSite(ctx, v)
}

// DeleteSite removes a site. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteSite(ctx context.Context, id int64) error {
	return s.store.DeleteSite(ctx, id)
}

// CreateChannel checks and adds a channel. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateChannel(ctx context.Context, v org.Channel) (org.Channel, error) {
	if err := v.Validate(); err != nil {
		return org.Channel{}, err
	}
	return s.store.CreateChannel(ctx, v)
}

// UpdateChannel checks and changes a channel at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateChannel(ctx context.Context, v org.Channel) (org.Channel, error) {
	if err := v.Validate(); err != nil {
		return org.Channel{}, err
	}
	return s.store.UpdateChannel(ctx, v)
}

// DeleteChannel removes a channel. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteChannel(ctx context.Context, id int64) error {
	return s.store.DeleteChannel(ctx, id)
}

// CreateQueue checks and adds a queue. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateQueue(ctx context.Context, v org.Queue) (org.Queue, error) {
	if err := s.validateQueue(ctx, v); err != nil {
		return org.Queue{}, err
	}
	return s.store.CreateQueue(ctx, v)
}

// UpdateQueue checks and changes a queue at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateQueue(ctx context.Context, v org.Queue) (org.Queue, error) {
	if err := s.validateQueue(ctx, v); err != nil {
		return org.Queue{}, err
	}
	return s.store.UpdateQueue(ctx, v)
}

// DeleteQueue removes a queue. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteQueue(ctx context.Context, id int64) error {
	return s.store.DeleteQueue(ctx, id)
}

// CreateAgent checks and adds an agent. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateAgent(ctx context.Context, v org.Agent) (org.Agent, error) {
	if err := s.validateAgent(ctx, v); err != nil {
		return org.Agent{}, err
	}
	return s.store.CreateAgent(ctx, v)
}

// UpdateAgent checks and changes an agent at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateAgent(ctx context.Context, v org.Agent) (org.Agent, error) {
	if err := s.validateAgent(ctx, v); err != nil {
		return org.Agent{}, err
	}
	return s.store.UpdateAgent(ctx, v)
}

// DeleteAgent removes an agent. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteAgent(ctx context.Context, id int64) error {
	return s.store.DeleteAgent(ctx, id)
}

// FindSpecialDayByID reads one special day. Returns NotFound.
func (s *Service) FindSpecialDayByID(ctx context.Context, id int64) (org.SpecialDay, error) {
	return s.store.FindSpecialDayByID(ctx, id)
}

// CreateSpecialDay checks and adds a special day. Returns Invalid naming the bad fields,
// Conflict for a duplicate.
func (s *Service) CreateSpecialDay(ctx context.Context, v org.SpecialDay) (org.SpecialDay, error) {
	if err := s.validateSpecialDay(ctx, v); err != nil {
		return org.SpecialDay{}, err
	}
	return s.store.CreateSpecialDay(ctx, v)
}

// UpdateSpecialDay checks and changes a special day at its version. Returns Invalid
// naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate.
func (s *Service) UpdateSpecialDay(ctx context.Context, v org.SpecialDay) (org.SpecialDay, error) {
	if err := s.validateSpecialDay(ctx, v); err != nil {
		return org.SpecialDay{}, err
	}
	return s.store.UpdateSpecialDay(ctx, v)
}

// DeleteSpecialDay removes a special day. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteSpecialDay(ctx context.Context, id int64) error {
	return s.store.DeleteSpecialDay(ctx, id)
}

// DeleteTeam removes a team. Returns NotFound, Conflict while it is in use.
func (s *Service) DeleteTeam(ctx context.Context, id int64) error {
	return s.store.DeleteTeam(ctx, id)
}

// FindSpecialDays reads a page of special days.
func (s *Service) FindSpecialDays(ctx context.Context, f store.SpecialDayFilter) ([]org.SpecialDay, int, error) {
	return s.store.FindSpecialDays(ctx, f)
}

// DeleteUser removes a user. Returns NotFound.
func (s *Service) DeleteUser(ctx context.Context, id int64) error {
	return s.store.DeleteUser(ctx, id)
}

// SetPassword checks the password's strength and stores its hash for the
// user id. Returns Invalid for a weak password, NotFound.
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error {
	if err := org.CheckPassword(password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, id, hash)
}
