package service

import (
	"context"
	"encoding/json"
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

// EditDraft saves an edit of draft at version with the rule warnings the
// edited draft has; a rostered draft keeps its solver's figures, marked
// as edited since.
func (s *Service) EditDraft(ctx context.Context, draft store.Schedule, version int, edit store.ShiftEdit, warnings []calendar.Violation) (store.Schedule, error) {
	report := DraftReport{Warnings: warnings, Roster: RosterFiguresOf(draft)}
	if report.Roster != nil {
		report.Roster.Edited = true
	}
	return s.store.EditDraft(ctx, draft.ID, version, edit, store.Snapshot(report))
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
	if len(req.Shifts) > calendar.MaxPlanShifts {
		f.Add("shifts", "%d shifts; a plan holds at most %d", len(req.Shifts), calendar.MaxPlanShifts)
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

// WarningsNotAccepted refuses to publish a draft that breaks rules until the
// caller accepts its warnings and says why.
type WarningsNotAccepted struct {
	Warnings  []calendar.Violation
	Accepted  bool // the caller accepted the warnings
	HasReason bool // the caller gave a reason
}

func (e *WarningsNotAccepted) Error() string {
	return fmt.Sprintf("the draft breaks %d rule(s); publish with accept_warnings and a reason, or fix the shifts", len(e.Warnings))
}

// Publish publishes draft at version. A draft saved with rule warnings is
// published only with accept and a reason, which the audit log keeps;
// otherwise the error is a *WarningsNotAccepted.
func (s *Service) Publish(ctx context.Context, p auth.Principal, draft store.Schedule, version int, accept bool, reason string) (store.Schedule, []calendar.Change, error) {
	var warnings []calendar.Violation
	if draft.Status == store.ScheduleDraft {
		shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID, Lean: true})
		if err != nil {
			return store.Schedule{}, nil, err
		}
		if warnings, err = s.RevisionWarnings(ctx, draft, shifts, nil); err != nil {
			return store.Schedule{}, nil, err
		}
	}
	reason = strings.TrimSpace(reason)
	if len(warnings) > 0 && (!accept || reason == "") {
		return store.Schedule{}, nil, &WarningsNotAccepted{Warnings: warnings, Accepted: accept, HasReason: reason != ""}
	}
	return s.PublishDraft(ctx, p, draft.ID, version, warnings, reason)
}

// RevisionWarnings are the rule warnings of revision sch with its shifts,
// the one count every page shows of a revision and the one publishing asks
// to accept: the rules are checked as they stand now (contracts, approved
// time off, other plans' published shifts, availability), since time off
// approved or a plan published after the revision was saved changes what it
// breaks. A headcount plan (no shift has an agent) has no agent rules to
// re-check, so its warnings are those saved with it by the generator's
// check. agents are the agents already loaded (nil: read them).
func (s *Service) RevisionWarnings(ctx context.Context, sch store.Schedule, shifts []calendar.Shift, agents map[int64]org.Agent) ([]calendar.Violation, error) {
	var report DraftReport
	_ = json.Unmarshal([]byte(sch.Report), &report)
	for _, sh := range shifts {
		if sh.AgentID != 0 {
			live, err := s.RuleWarningsAmong(ctx, sch.PlanID, sch.PeriodStart, sch.PeriodEnd, shifts, agents)
			return append(live, report.Validator...), err
		}
	}
	if report.Warnings == nil {
		report.Warnings = []calendar.Violation{}
	}
	return report.Warnings, nil
}

// CreateDraft checks d completely (lines name the CSV line of each shift,
// or nil) and saves it as a draft revision with the rule warnings it has.
func (s *Service) CreateDraft(ctx context.Context, by int64, d Draft, lines []int) (store.Schedule, error) {
	if err := s.CheckDraft(ctx, d, lines); err != nil {
		return store.Schedule{}, err
	}
	warnings, err := s.RuleWarnings(ctx, d.PlanID, d.PeriodStart, d.PeriodEnd, d.Shifts)
	if err != nil {
		return store.Schedule{}, err
	}
	return s.store.CreateScheduleDraft(ctx, store.Schedule{Name: strings.TrimSpace(d.Name), PlanID: d.PlanID, Timezone: d.Timezone,
		PeriodStart: d.PeriodStart.UTC(), PeriodEnd: d.PeriodEnd.UTC(), CreatedByID: &by,
		Report: store.Snapshot(DraftReport{Warnings: warnings})}, d.Shifts)
}

// DraftForEdit reads draft id with its shifts as of version: a revision that
// is no longer a draft cannot change, and a stale version is a conflict.
func (s *Service) DraftForEdit(ctx context.Context, id int64, version int) (store.Schedule, []calendar.Shift, error) {
	draft, err := s.store.FindScheduleByID(ctx, id)
	if err != nil {
		return draft, nil, err
	}
	if draft.Status != store.ScheduleDraft {
		return draft, nil, fault.Errorf(fault.Conflict, "revision %d is %s and cannot change; create a new draft of the plan", draft.Revision, draft.Status)
	}
	// The edit is applied to (and checked against) the shifts read here, so
	// they must be the version the client edited, not a newer one.
	if err := CheckVersion("schedule", version, draft.Version); err != nil {
		return draft, nil, err
	}
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{ScheduleID: id})
	if err != nil {
		return draft, nil, err
	}
	// An edit that committed between the two reads changed the draft's
	// version with its shifts, so an unchanged version means the shifts read
	// are that version's.
	again, err := s.store.FindScheduleByID(ctx, id)
	if err != nil {
		return draft, nil, err
	}
	if err := CheckVersion("schedule", version, again.Version); err != nil {
		return draft, nil, err
	}
	return draft, shifts, nil
}

// SaveDraftEdit stores one hand edit of draft: it checks the whole draft as
// it would be after the edit (next), so hard problems refuse the edit
// (Invalid or Unprocessable) and rule breaks become warnings in the report,
// and it saves with the draft's version check (Conflict when stale).
func (s *Service) SaveDraftEdit(ctx context.Context, draft store.Schedule, version int, next []calendar.Shift, edit store.ShiftEdit) (store.Schedule, error) {
	if err := s.CheckDraft(ctx, Draft{Name: draft.Name, Timezone: draft.Timezone, PeriodStart: draft.PeriodStart, PeriodEnd: draft.PeriodEnd, Shifts: next}, nil); err != nil {
		return store.Schedule{}, err
	}
	warnings, err := s.RuleWarnings(ctx, draft.PlanID, draft.PeriodStart, draft.PeriodEnd, next)
	if err != nil {
		return store.Schedule{}, err
	}
	return s.EditDraft(ctx, draft, version, edit, warnings)
}

// CompareSideOf reads revision id for a comparison: its shifts, their rule
// warnings and summary. agents are the agents already loaded (nil: read them).
// On an error after the revision was found, the side still names it.
func (s *Service) CompareSideOf(ctx context.Context, id int64, agents map[int64]org.Agent) (CompareSide, []calendar.Shift, error) {
	sch, err := s.store.FindScheduleByID(ctx, id)
	if err != nil {
		return CompareSide{}, nil, err
	}
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{ScheduleID: id})
	if err != nil {
		return CompareSide{Schedule: sch}, nil, err
	}
	warnings, err := s.RevisionWarnings(ctx, sch, shifts, agents)
	if err != nil {
		return CompareSide{Schedule: sch}, nil, err
	}
	return CompareSide{Schedule: sch, Summary: calendar.Summarize(shifts, warnings), Warnings: warnings}, shifts, nil
}

// CompareChanges lists what differs for whom between two revisions' shifts,
// reading left -> right. Shifts of different plans are matched by time, not
// by stored UIDs, so it says who works differently whatever the drafts'
// history.
func (s *Service) CompareChanges(left, right []calendar.Shift) []calendar.Change {
	right = append([]calendar.Shift(nil), right...)
	calendar.CarryUIDs(left, right)
	return calendar.Diff(left, right, s.now())
}

// DraftFromPublished starts a plan's next draft revision as a copy of its
// published revision id: the same name, zone, period and shifts (their UIDs
// kept, so agents' calendars and open swap offers still match the shifts),
// with the rule warnings as they stand now. Returns NotFound for an unknown
// revision, and Conflict when id is not the plan's published revision (a
// draft, or superseded, also when it is superseded while being copied).
func (s *Service) DraftFromPublished(ctx context.Context, by int64, id int64) (store.Schedule, error) {
	src, err := s.store.FindScheduleByID(ctx, id)
	if err != nil {
		return store.Schedule{}, err
	}
	notPublished := func(sch store.Schedule) error {
		return fault.Errorf(fault.Conflict, "revision %d is %s; only the plan's published revision can start a new draft", sch.Revision, sch.Status)
	}
	if src.Status != store.SchedulePublished {
		return store.Schedule{}, notPublished(src)
	}
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{ScheduleID: id})
	if err != nil {
		return store.Schedule{}, err
	}
	for i := range shifts {
		shifts[i].ID = 0
	}
	warnings, err := s.RuleWarnings(ctx, src.PlanID, src.PeriodStart, src.PeriodEnd, shifts)
	if err != nil {
		return store.Schedule{}, err
	}
	var draft store.Schedule
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		// Under the plan's lock no publish (a swap's approval, say) slips
		// between the check and the copy, so the shifts read are the ones
		// still published.
		if err := tx.LockPlan(ctx, src.PlanID); err != nil {
			return err
		}
		now, err := tx.FindScheduleByID(ctx, id)
		if err != nil {
			return err
		}
		if now.Status != store.SchedulePublished {
			return notPublished(now)
		}
		draft, err = tx.CreateScheduleDraft(ctx, store.Schedule{PlanID: src.PlanID, Name: src.Name, Timezone: src.Timezone,
			PeriodStart: src.PeriodStart, PeriodEnd: src.PeriodEnd, CreatedByID: &by, Report: store.Snapshot(DraftReport{Warnings: warnings})}, shifts)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &by, Entity: "schedule", EntityID: draft.ID, Action: "copy",
			Reason: fmt.Sprintf("new draft from published revision %d", src.Revision)})
	})
	if err != nil {
		return store.Schedule{}, err
	}
	return draft, nil
}
