package service

import (
	"context"
	"errors"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// scorecardFault turns a scorecard's validation problems into one Invalid error.
func scorecardFault(err error) error {
	return qaFault(err, fault.Invalid, "the scorecard is not valid")
}

// qaFault turns the qa package's field errors into one error of the
// vocabulary with a reason per field (the first per field); other errors
// pass through.
func qaFault(err error, code fault.Code, message string) error {
	var fe qa.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	fields := fault.Fields{}
	for _, e := range fe {
		fields.Add(e.Field, "%s", e.Reason)
	}
	return &fault.Error{Code: code, Message: message, Fields: fields}
}

// CheckScorecard validates sc as CreateScorecard and UpdateScorecard would,
// without saving: nil, or an Invalid error with a reason per field (paths
// such as sections[0].criteria[1].weight), for an editor's live check.
func (s *Service) CheckScorecard(sc qa.Scorecard) error {
	if err := sc.Validate(); err != nil {
		return scorecardFault(err)
	}
	return nil
}

// CreateScorecard validates and stores version 1 of a new scorecard, audited.
func (s *Service) CreateScorecard(ctx context.Context, p auth.Principal, sc qa.Scorecard) (qa.Scorecard, error) {
	if err := p.Allow(auth.Scorecards, auth.Create); err != nil {
		return sc, err
	}
	if err := sc.Validate(); err != nil {
		return sc, scorecardFault(err)
	}
	var out qa.Scorecard
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.CreateScorecard(ctx, sc); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "scorecard", EntityID: out.ID, Action: "create", After: store.Snapshot(out)})
	})
	return out, err
}

// UpdateScorecard applies an edit of the latest version sc.ID made from
// revision sc.Revision: in place while no evaluation uses it, else as a new
// version. Audited either way.
func (s *Service) UpdateScorecard(ctx context.Context, p auth.Principal, sc qa.Scorecard) (qa.Scorecard, error) {
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return sc, err
	}
	if err := sc.Validate(); err != nil {
		return sc, scorecardFault(err)
	}
	var out qa.Scorecard
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.FindScorecardByID(ctx, sc.ID)
		if err != nil {
			return err
		}
		if out, err = tx.SaveScorecard(ctx, sc); err != nil {
			return err
		}
		action := "edit"
		if out.ID != sc.ID {
			action = "new-version"
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "scorecard", EntityID: out.ID, Action: action,
			Before: store.Snapshot(before), After: store.Snapshot(out)})
	})
	return out, err
}

// FindScorecardByID reads through the store; the caller has checked the principal may.
func (s *Service) FindScorecardByID(ctx context.Context, id int64) (qa.Scorecard, error) {
	return s.store.FindScorecardByID(ctx, id)
}

// FindScorecards reads through the store; the caller has checked the principal may.
func (s *Service) FindScorecards(ctx context.Context, f store.ScorecardFilter) ([]qa.Scorecard, int, error) {
	return s.store.FindScorecards(ctx, f)
}

// ArchiveScorecard archives (or, with archived false, restores) the
// scorecard's family and audits it as p's act. Archived scorecards keep their
// evaluations but take no new ones. Returns NotFound.
func (s *Service) ArchiveScorecard(ctx context.Context, p auth.Principal, id int64, archived bool) (qa.Scorecard, error) {
	var out qa.Scorecard
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.SetScorecardArchived(ctx, id, archived); err != nil {
			return err
		}
		action := "archive"
		if !archived {
			action = "restore"
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "scorecard", EntityID: out.ID, Action: action})
	})
	return out, err
}
