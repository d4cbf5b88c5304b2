package service

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// CalibrationReport compares reviewers with the reference: the calibrator's
// scores, or the consensus (mean of all reviewers) when there is none.
type CalibrationReport struct {
	SessionID int64  `json:"session_id"`
	Reference string `json:"reference"` // "calibrator" or "consensus"
	// Totals: deviation of each reviewer's total score from the reference total.
	Reviewers []qa.Deviation `json:"reviewers"`
	// AlphaTotals is Krippendorff's alpha (interval) over the totals of all
	// raters, the calibrator included; nil with AlphaNote when undefined.
	AlphaTotals *float64               `json:"alpha_totals"`
	AlphaNote   string                 `json:"alpha_note,omitempty"`
	Criteria    []CriterionCalibration `json:"criteria"`
}

// CriterionCalibration is the agreement on one criterion, in criterion
// points (0-100): per reviewer deviations and Krippendorff's alpha, nominal
// for yes/no criteria and interval for point scales.
type CriterionCalibration struct {
	Key       string         `json:"key"`
	Title     string         `json:"title"`
	Level     string         `json:"level"`
	Reviewers []qa.Deviation `json:"reviewers"`
	Alpha     *float64       `json:"alpha"`
	AlphaNote string         `json:"alpha_note,omitempty"`
}

// CalibrationEntries returns every entry of the session.
func (s *Service) CalibrationEntries(ctx context.Context, id int64) ([]qa.Evaluation, error) {
	var out []qa.Evaluation
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		es, total, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{CalibrationID: id, Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}

// SeesAll reports whether p may see every entry of the session: admins,
// anyone once it is closed, and raters who have submitted all of theirs.
func SeesAll(p auth.Principal, cs qa.CalibrationSession, entries []qa.Evaluation) bool {
	if p.User.Role == org.RoleAdmin || cs.State == qa.CalibrationClosed {
		return true
	}
	mine := 0
	for _, e := range entries {
		if e.ReviewerID == p.User.ID {
			if e.State == qa.EvalDraft {
				return false
			}
			mine++
		}
	}
	return mine > 0
}

// BuildCalibrationReport computes the report from the submitted entries.
// The reference is the calibrator's score where the calibrator has
// submitted that item, else the mean of all raters' scores of it.
func BuildCalibrationReport(cs qa.CalibrationSession, sc qa.Scorecard, entries []qa.Evaluation) CalibrationReport {
	rep := CalibrationReport{SessionID: cs.ID, Reference: "consensus", Reviewers: []qa.Deviation{}, Criteria: []CriterionCalibration{}}
	if cs.CalibratorID != nil {
		rep.Reference = "calibrator"
	}
	isCalibrator := func(e qa.Evaluation) bool { return cs.CalibratorID != nil && e.ReviewerID == *cs.CalibratorID }
	var totals, reviewerTotals []qa.Rating
	calTotals := map[string]float64{}
	perCriterion := map[string][]qa.Rating{}
	calCriterion := map[string]map[string]float64{}
	for _, e := range entries {
		if e.State == qa.EvalDraft || e.Result == nil {
			continue
		}
		who, item := strconv.FormatInt(e.ReviewerID, 10), strconv.FormatInt(e.InteractionID, 10)
		for _, r := range qa.RatingsFromResult(who, item, *e.Result) {
			_, key := qa.SplitItem(r.Item)
			if key == "" { // the total
				totals = append(totals, r)
				if isCalibrator(e) {
					if r.Value != nil {
						calTotals[item] = *r.Value
					}
				} else {
					reviewerTotals = append(reviewerTotals, r)
				}
				continue
			}
			perCriterion[key] = append(perCriterion[key], r)
			if isCalibrator(e) && r.Value != nil {
				if calCriterion[key] == nil {
					calCriterion[key] = map[string]float64{}
				}
				calCriterion[key][r.Item] = *r.Value
			}
		}
	}
	reference := func(all []qa.Rating, cal map[string]float64) map[string]float64 {
		ref := qa.Consensus(all)
		for item, v := range cal {
			ref[item] = v
		}
		return ref
	}
	rep.Reviewers = nonNilDeviations(qa.Deviations(reviewerTotals, reference(totals, calTotals)))
	rep.AlphaTotals, rep.AlphaNote = alpha(totals, qa.Interval)
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			ratings := perCriterion[cr.Key]
			var others []qa.Rating
			for _, r := range ratings {
				if cs.CalibratorID == nil || r.Reviewer != strconv.FormatInt(*cs.CalibratorID, 10) {
					others = append(others, r)
				}
			}
			cc := CriterionCalibration{Key: cr.Key, Title: cr.Title, Level: "interval",
				Reviewers: nonNilDeviations(qa.Deviations(others, reference(ratings, calCriterion[cr.Key])))}
			level := qa.Interval
			if cr.Scale == qa.YesNo {
				cc.Level, level = "nominal", qa.Nominal
			}
			cc.Alpha, cc.AlphaNote = alpha(ratings, level)
			rep.Criteria = append(rep.Criteria, cc)
		}
	}
	return rep
}

func nonNilDeviations(d []qa.Deviation) []qa.Deviation {
	if d == nil {
		return []qa.Deviation{}
	}
	return d
}

// alpha computes Krippendorff's alpha, or says why it is undefined.
func alpha(ratings []qa.Rating, level qa.Level) (*float64, string) {
	a, err := qa.KrippendorffAlpha(ratings, level)
	if err != nil {
		return nil, err.Error()
	}
	return &a, ""
}

// CalibrationInput opens a session: every reviewer (and the calibrator, if
// named) scores every interaction on the scorecard, blind.
type CalibrationInput struct {
	Name           string
	ScorecardID    int64
	InteractionIDs []int64
	ReviewerIDs    []int64
	CalibratorID   *int64
}

// OpenCalibration opens a session with one blind draft per rater and
// interaction, all in one transaction. Returns Invalid for a session without
// a name, 1 to 50 interactions or two distinct raters, and Unprocessable when
// a scorecard, reviewer or interaction named does not exist.
func (s *Service) OpenCalibration(ctx context.Context, p auth.Principal, req CalibrationInput) (qa.CalibrationSession, error) {
	bad := fault.Fields{}
	if strings.TrimSpace(req.Name) == "" {
		bad.Add("name", "is required")
	}
	if len(req.InteractionIDs) == 0 || len(req.InteractionIDs) > 50 {
		bad.Add("interaction_ids", "name 1 to 50 interactions")
	}
	raters := slices.Clone(req.ReviewerIDs)
	if req.CalibratorID != nil {
		if slices.Contains(raters, *req.CalibratorID) {
			bad.Add("calibrator_id", "is also listed as a reviewer")
		}
		raters = append(raters, *req.CalibratorID)
	}
	if len(raters) < 2 {
		bad.Add("reviewer_ids", "a calibration needs at least two raters")
	}
	slices.Sort(raters)
	if len(slices.Compact(slices.Clone(raters))) != len(raters) {
		bad.Add("reviewer_ids", "lists a reviewer twice")
	}
	if len(bad) > 0 {
		return qa.CalibrationSession{}, &fault.Error{Code: fault.Invalid, Message: "the calibration session is not valid", Fields: bad}
	}
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return qa.CalibrationSession{}, fault.NotFoundField(err, "scorecard_id")
	}
	users := make([]org.User, len(raters))
	for i, id := range raters {
		if users[i], err = s.store.FindUserByID(ctx, id); err != nil {
			return qa.CalibrationSession{}, fault.NotFoundField(err, "reviewer_ids")
		}
	}
	contacts := make([]qa.Contact, len(req.InteractionIDs))
	for i, id := range req.InteractionIDs {
		if contacts[i], err = s.store.FindContactByID(ctx, id); err != nil {
			return qa.CalibrationSession{}, fault.NotFoundField(err, "interaction_ids")
		}
	}
	var out qa.CalibrationSession
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		out, err = tx.CreateCalibration(ctx, qa.CalibrationSession{Name: strings.TrimSpace(req.Name), ScorecardID: sc.ID, InteractionIDs: req.InteractionIDs,
			ReviewerIDs: req.ReviewerIDs, CalibratorID: req.CalibratorID, CreatedByID: p.User.ID})
		if err != nil {
			return err
		}
		var drafts []qa.Evaluation
		for _, ct := range contacts {
			for _, u := range users {
				d, err := s.NewDraft(ctx, ct, sc, u, nil, &out.ID)
				if err != nil {
					return err
				}
				drafts = append(drafts, d)
			}
		}
		if _, err := tx.CreateEvaluations(ctx, drafts); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "calibration", EntityID: out.ID, Action: "open", After: store.Snapshot(out)})
	})
	return out, err
}

// FindCalibrations reads through the store; the caller has checked the principal may.
func (s *Service) FindCalibrations(ctx context.Context, p store.Page) ([]qa.CalibrationSession, int, error) {
	return s.store.FindCalibrations(ctx, p)
}

// CalibrationReportFor builds the report of the session cs for p. Returns
// Conflict while p may not yet see everyone's scores (see SeesAll).
func (s *Service) CalibrationReportFor(ctx context.Context, p auth.Principal, cs qa.CalibrationSession) (CalibrationReport, error) {
	entries, err := s.CalibrationEntries(ctx, cs.ID)
	if err != nil {
		return CalibrationReport{}, err
	}
	if !SeesAll(p, cs, entries) {
		return CalibrationReport{}, fault.Errorf(fault.Conflict, "the report shows everyone's scores: submit all your entries first (or wait until the session is closed)")
	}
	sc, err := s.store.FindScorecardByID(ctx, cs.ScorecardID)
	if err != nil {
		return CalibrationReport{}, err
	}
	return BuildCalibrationReport(cs, sc, entries), nil
}

// CloseCalibration closes the session id at version and audits it as p's
// act. Returns NotFound, Conflict if it is already closed or the version is
// stale.
func (s *Service) CloseCalibration(ctx context.Context, p auth.Principal, id int64, version int) (qa.CalibrationSession, error) {
	var out qa.CalibrationSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := tx.FindCalibrationByID(ctx, id)
		if err != nil {
			return err
		}
		if cs.State == qa.CalibrationClosed {
			return fault.Errorf(fault.Conflict, "the session is already closed")
		}
		if err := CheckVersion("calibration session", version, cs.Version); err != nil {
			return err
		}
		if out, err = tx.CloseCalibration(ctx, cs); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "calibration", EntityID: cs.ID, Action: "close"})
	})
	return out, err
}
