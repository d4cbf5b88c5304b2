package service

import (
	"context"
	"fmt"
	"strconv"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/store"
)

// ResolveAgent finds an agent by id or email.
func (s *Service) ResolveAgent(ctx context.Context, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if _, err := s.store.FindAgentByID(ctx, id); err != nil {
			return 0, fmt.Errorf("no agent with id %d", id)
		}
		return id, nil
	}
	a, err := s.store.FindAgentByEmail(ctx, ref)
	if err != nil {
		return 0, fmt.Errorf("no agent with email %q", ref)
	}
	return a.ID, nil
}

// PublishDraft publishes a draft revision and, when the planner accepted rule
// warnings to do so, audits them with the reason, in one transaction.
func (s *Service) PublishDraft(ctx context.Context, p auth.Principal, id int64, version int, warnings []calendar.Violation, reason string) (store.Schedule, []calendar.Change, error) {
	var sch store.Schedule
	var changes []calendar.Change
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if sch, changes, err = tx.PublishSchedule(ctx, id, version, p.User.ID, s.now()); err != nil {
			return err
		}
		if len(warnings) == 0 {
			return nil
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "schedule", EntityID: id, Action: "publish_with_warnings",
			After: store.Snapshot(warnings), Reason: reason})
	})
	return sch, changes, err
}
