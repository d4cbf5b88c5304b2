package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
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

// EditDraft saves an edit of a draft at version with the rule warnings the
// edited draft has.
func (s *Service) EditDraft(ctx context.Context, id int64, version int, edit store.ShiftEdit, warnings []calendar.Violation) (store.Schedule, error) {
	return s.store.EditDraft(ctx, id, version, edit, store.Snapshot(DraftReport{Warnings: warnings}))
}

// CompareSide is one draft in a comparison: its summary and rule warnings.
type CompareSide struct {
	Schedule store.Schedule
	Summary  calendar.Summary
	Warnings []calendar.Violation
}

// FindScheduleByID reads through the store; the caller has checked the principal may.
func (s *Service) FindScheduleByID(ctx context.Context, id int64) (store.Schedule, error) {
	return s.store.FindScheduleByID(ctx, id)
}

// FindSchedules reads through the store; the caller has checked the principal may.
func (s *Service) FindSchedules(ctx context.Context, f store.ScheduleFilter) ([]store.Schedule, int, error) {
	return s.store.FindSchedules(ctx, f)
}

// FindShifts reads through the store; the caller has checked the principal may.
func (s *Service) FindShifts(ctx context.Context, f store.ShiftFilter) ([]calendar.Shift, error) {
	return s.store.FindShifts(ctx, f)
}

// FindTemplateSets reads through the store; the caller has checked the principal may.
func (s *Service) FindTemplateSets(ctx context.Context, p store.Page) ([]store.TemplateSet, int, error) {
	return s.store.FindTemplateSets(ctx, p)
}

// SetCalendarFeed writes through the store; the caller has checked the principal may.
func (s *Service) SetCalendarFeed(ctx context.Context, agentID int64, tokenHash string) error {
	return s.store.SetCalendarFeed(ctx, agentID, tokenHash)
}

// Draft is a shift plan revision before it is saved; PlanID 0 starts a new plan.
type Draft struct {
	Name        string
	PlanID      int64
	Timezone    string
	PeriodStart time.Time
	PeriodEnd   time.Time
	Shifts      []calendar.Shift
}

// CheckDraft validates a draft completely before anything is written.
func (s *Service) CheckDraft(ctx context.Context, req Draft, lines []int) error {
	f := fault.Fields{}
	if strings.TrimSpace(req.Name) == "" {
		f.Add("name", "is required")
	}
	org.CheckTimezone(f, "timezone", req.Timezone)
	if req.PeriodStart.IsZero() || req.PeriodEnd.IsZero() || !req.PeriodEnd.After(req.PeriodStart) {
		f.Add("period_end", "the period needs a start and an end after it")
	} else if req.PeriodEnd.Sub(req.PeriodStart) > 7*7*24*time.Hour {
		f.Add("period_end", "a plan covers at most 7 weeks")
	}
	if err := f.Err("invalid schedule"); err != nil {
		return err
	}
	problems := calendar.Check(req.PeriodStart, req.PeriodEnd, req.Shifts, lines)
	known := map[int64]bool{}
	for i, sh := range req.Shifts {
		if sh.AgentID == 0 || known[sh.AgentID] {
			continue
		}
		if _, err := s.store.FindAgentByID(ctx, sh.AgentID); fault.Is(err, fault.NotFound) {
			pr := calendar.Problem{Index: i, Field: "agent_id", Reason: fmt.Sprintf("no agent with id %d", sh.AgentID)}
			if lines != nil {
				pr.Line = lines[i]
			}
			problems = append(problems, pr)
			continue
		} else if err != nil {
			return err
		}
		known[sh.AgentID] = true
	}
	if len(problems) == 0 {
		return nil
	}
	fe := &fault.Error{Code: fault.Unprocessable, Message: fmt.Sprintf("%d problem(s) in the shifts; nothing was saved", len(problems)), Fields: map[string]string{}}
	for _, pr := range problems {
		key := pr.Where() + "." + pr.Field
		if _, dup := fe.Fields[key]; !dup {
			fe.Fields[key] = pr.Reason
		}
	}
	return fe
}
