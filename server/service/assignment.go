package service

import (
	"context"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// EvaluationAssignment assigns one interaction to a reviewer as a draft.
type EvaluationAssignment struct {
	InteractionID int64
	ScorecardID   int64
	ReviewerID    int64 // 0: the caller
	DueAt         *time.Time
}

// AssignEvaluation creates the draft evaluation req asks for, as p's act, and
// audits it. Returns NotFound naming the field whose interaction, scorecard
// or reviewer does not exist, and the errors of NewDraft.
func (s *Service) AssignEvaluation(ctx context.Context, p auth.Principal, req EvaluationAssignment) (qa.Evaluation, error) {
	ct, err := s.store.FindContactByID(ctx, req.InteractionID)
	if err != nil {
		return qa.Evaluation{}, fault.NotFoundField(err, "interaction_id")
	}
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return qa.Evaluation{}, fault.NotFoundField(err, "scorecard_id")
	}
	reviewer := p.User
	if req.ReviewerID != 0 && req.ReviewerID != p.User.ID {
		if reviewer, err = s.store.FindUserByID(ctx, req.ReviewerID); err != nil {
			return qa.Evaluation{}, fault.NotFoundField(err, "reviewer_id")
		}
	}
	draft, err := s.NewDraft(ctx, ct, sc, reviewer, req.DueAt, nil)
	if err != nil {
		return qa.Evaluation{}, err
	}
	out, err := s.createDrafts(ctx, p, []qa.Evaluation{draft}, "")
	if err != nil {
		return qa.Evaluation{}, err
	}
	return out[0], nil
}

// SampleAssignment draws a week's sample of interactions for review.
type SampleAssignment struct {
	ScorecardID     int64
	WeekStart       string // YYYY-MM-DD, local to Timezone
	Timezone        string
	PerAgentPerWeek int
	ReviewerIDs     []int64
	DueAfterDays    int
	Seed            int64
	Filter          qa.SampleFilter
}

// validate checks the plan's own fields and returns the week's first day.
// Returns Invalid naming every field that is wrong.
func (req SampleAssignment) validate() (time.Time, *time.Location, error) {
	bad := fault.Fields{}
	loc, err := time.LoadLocation(req.Timezone)
	if err != nil || req.Timezone == "" {
		bad.Add("timezone", "must be an IANA time zone such as Europe/Berlin")
		loc = time.UTC
	}
	day, err := time.ParseInLocation(time.DateOnly, req.WeekStart, loc)
	if err != nil {
		bad.Add("week_start", "must be a date, YYYY-MM-DD")
	}
	if req.PerAgentPerWeek < 1 || req.PerAgentPerWeek > 100 {
		bad.Add("per_agent_per_week", "must be 1 to 100")
	}
	if len(req.ReviewerIDs) == 0 {
		bad.Add("reviewer_ids", "name at least one reviewer")
	}
	if req.DueAfterDays < 0 || req.DueAfterDays > 60 {
		bad.Add("due_after_days", "must be 0 to 60")
	}
	if len(bad) > 0 {
		return day, loc, &fault.Error{Code: fault.Invalid, Message: "the assignment plan is not valid", Fields: bad}
	}
	return day, loc, nil
}

// AssignSample samples the week's interactions that nobody evaluates yet,
// spreads them over the reviewers and creates their drafts as p's act.
// Returns Invalid for a bad plan, NotFound for an unknown scorecard or
// reviewer, Unprocessable for a reviewer who does not evaluate or a sample
// that cannot be drawn.
func (s *Service) AssignSample(ctx context.Context, p auth.Principal, req SampleAssignment) ([]qa.Evaluation, error) {
	day, loc, err := req.validate()
	if err != nil {
		return nil, err
	}
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return nil, fault.NotFoundField(err, "scorecard_id")
	}
	reviewers := map[string]org.User{}
	plan := qa.SamplePlan{PerAgentPerWeek: req.PerAgentPerWeek, Seed: req.Seed, DueAfter: time.Duration(req.DueAfterDays) * 24 * time.Hour, Filter: req.Filter}
	for _, id := range req.ReviewerIDs {
		u, err := s.store.FindUserByID(ctx, id)
		if err != nil {
			return nil, fault.NotFoundField(err, "reviewer_ids")
		}
		if u.Role != org.RoleQAReviewer && u.Role != org.RoleAdmin {
			return nil, &fault.Error{Code: fault.Unprocessable, Message: "only QA reviewers and admins evaluate", Fields: map[string]string{"reviewer_ids": u.Email + " is not a QA reviewer"}}
		}
		key := reviewerKey(u)
		reviewers[key] = u
		plan.Reviewers = append(plan.Reviewers, key)
	}
	contacts, _, err := s.store.FindContacts(ctx, store.ContactFilter{From: day, To: day.AddDate(0, 0, 7), All: true})
	if err != nil {
		return nil, err
	}
	byExt := map[string]qa.Contact{}
	var pool []qa.Interaction
	for _, ct := range contacts {
		taken, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{InteractionID: ct.ID, Page: store.Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(taken) > 0 {
			continue // already evaluated or assigned
		}
		byExt[ct.ExternalID] = ct
		pool = append(pool, ContactInteraction(ct, s.queueName(ctx, ct.QueueID)))
	}
	assigned, err := qa.Sample(plan, pool, day, loc)
	if err != nil {
		return nil, &fault.Error{Code: fault.Unprocessable, Message: err.Error()}
	}
	drafts := make([]qa.Evaluation, 0, len(assigned))
	for _, a := range assigned {
		due := a.Due
		d, err := s.NewDraft(ctx, byExt[a.ExternalID], sc, reviewers[a.Reviewer], &due, nil)
		if err != nil {
			return nil, err
		}
		drafts = append(drafts, d)
	}
	return s.createDrafts(ctx, p, drafts, "assignment plan")
}

// createDrafts stores the drafts and audits each as assigned by p.
func (s *Service) createDrafts(ctx context.Context, p auth.Principal, drafts []qa.Evaluation, reason string) ([]qa.Evaluation, error) {
	var out []qa.Evaluation
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.CreateEvaluations(ctx, drafts); err != nil {
			return err
		}
		events := make([]store.AuditEvent, len(out))
		for i, e := range out {
			events[i] = store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: "assign", After: store.Snapshot(e), Reason: reason}
		}
		return tx.AppendAudit(ctx, events...)
	})
	return out, err
}

// reviewerKey names a reviewer in a sample plan so that Sample can tell a
// reviewer's own interactions (their agent id) from others'.
func reviewerKey(u org.User) string {
	if u.AgentID != nil {
		return strconv.FormatInt(*u.AgentID, 10)
	}
	return "user-" + strconv.FormatInt(u.ID, 10)
}

// queueName returns the name of a queue, or "" when there is none.
func (s *Service) queueName(ctx context.Context, id *int64) string {
	if id == nil {
		return ""
	}
	q, err := s.store.FindQueueByID(ctx, *id)
	if err != nil {
		return ""
	}
	return q.Name
}
