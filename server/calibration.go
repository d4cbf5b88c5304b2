package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// calibrationRequest opens a session: every reviewer (and the calibrator, if
// named) scores every interaction on the scorecard, blind.
type calibrationRequest struct {
	Name           string  `json:"name"`
	ScorecardID    int64   `json:"scorecard_id"`
	InteractionIDs []int64 `json:"interaction_ids"`
	ReviewerIDs    []int64 `json:"reviewer_ids"`
	CalibratorID   *int64  `json:"calibrator_id"`
}

// calibrationView is a session with the entries the caller may see: their
// own always, everyone's once they have submitted all of theirs (or the
// session is closed).
type calibrationView struct {
	qa.CalibrationSession
	Entries   []qa.Evaluation `json:"entries"`
	Blind     bool            `json:"blind"` // true while others' entries are hidden from you
	Submitted map[string]int  `json:"submitted"`
}

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

func (s *Server) calibrationRoutes(g *echo.Group) {
	tag := "qa"
	s.api.add(g, http.MethodPost, "/qa/calibrations", s.handleCreateCalibration, doc{Summary: "Open a calibration session: each reviewer scores the same interactions blind", Tag: tag, Request: calibrationRequest{}, Response: calibrationView{}, Status: http.StatusCreated, Resource: auth.Calibrations, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/qa/calibrations", s.handleListCalibrations, doc{Summary: "Calibration sessions", Tag: tag, Response: List[qa.CalibrationSession]{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/calibrations/:id", s.handleGetCalibration, doc{Summary: "A session with your entries, and everyone's once you have submitted yours", Tag: tag, Response: calibrationView{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/calibrations/:id/report", s.handleCalibrationReport, doc{Summary: "Deviation from the reference per reviewer and criterion, mean absolute deviation, share within 5 points, Krippendorff's alpha", Tag: tag, Response: CalibrationReport{}, Resource: auth.Calibrations, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/calibrations/:id/close", s.handleCloseCalibration, doc{Summary: "Close the session: everyone may see all entries", Tag: tag, Request: transitionRequest{}, Response: qa.CalibrationSession{}, Resource: auth.Calibrations, Action: auth.Update})
}

func (s *Server) handleCreateCalibration(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Calibrations, auth.Create); err != nil {
		return err
	}
	var req calibrationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
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
		return &fault.Error{Code: fault.Invalid, Message: "the calibration session is not valid", Fields: bad}
	}
	ctx := c.Request().Context()
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return fieldNotFound(err, "scorecard_id")
	}
	users := make([]org.User, len(raters))
	for i, id := range raters {
		if users[i], err = s.store.FindUserByID(ctx, id); err != nil {
			return fieldNotFound(err, "reviewer_ids")
		}
	}
	contacts := make([]qa.Contact, len(req.InteractionIDs))
	for i, id := range req.InteractionIDs {
		if contacts[i], err = s.store.FindContactByID(ctx, id); err != nil {
			return fieldNotFound(err, "interaction_ids")
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
				d, err := s.newDraft(ctx, ct, sc, u, nil, &out.ID)
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
	if err != nil {
		return err
	}
	view, err := s.calibrationView(ctx, p, out)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, view)
}

func (s *Server) handleListCalibrations(c echo.Context) error {
	if err := principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return err
	}
	pg := pageOf(c)
	out, total, err := s.store.FindCalibrations(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, pg))
}

// calibrationEntries returns every entry of the session.
func (s *Server) calibrationEntries(ctx context.Context, id int64) ([]qa.Evaluation, error) {
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

// seesAll reports whether p may see every entry of the session: admins,
// anyone once it is closed, and raters who have submitted all of theirs.
func seesAll(p auth.Principal, cs qa.CalibrationSession, entries []qa.Evaluation) bool {
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

func (s *Server) calibrationView(ctx context.Context, p auth.Principal, cs qa.CalibrationSession) (calibrationView, error) {
	entries, err := s.calibrationEntries(ctx, cs.ID)
	if err != nil {
		return calibrationView{}, err
	}
	v := calibrationView{CalibrationSession: cs, Submitted: map[string]int{}, Entries: []qa.Evaluation{}}
	v.Blind = !seesAll(p, cs, entries)
	for _, e := range entries {
		if e.State != qa.EvalDraft {
			v.Submitted[strconv.FormatInt(e.ReviewerID, 10)]++
		}
		if !v.Blind || e.ReviewerID == p.User.ID {
			v.Entries = append(v.Entries, e)
		}
	}
	return v, nil
}

func (s *Server) loadCalibration(c echo.Context) (qa.CalibrationSession, error) {
	if err := principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return qa.CalibrationSession{}, err
	}
	id, err := idParam(c)
	if err != nil {
		return qa.CalibrationSession{}, err
	}
	return s.store.FindCalibrationByID(c.Request().Context(), id)
}

func (s *Server) handleGetCalibration(c echo.Context) error {
	cs, err := s.loadCalibration(c)
	if err != nil {
		return err
	}
	view, err := s.calibrationView(c.Request().Context(), principal(c), cs)
	if err != nil {
		return err
	}
	setETag(c, cs.Version)
	return c.JSON(http.StatusOK, view)
}

func (s *Server) handleCalibrationReport(c echo.Context) error {
	p := principal(c)
	cs, err := s.loadCalibration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	entries, err := s.calibrationEntries(ctx, cs.ID)
	if err != nil {
		return err
	}
	if !seesAll(p, cs, entries) {
		return fault.Errorf(fault.Conflict, "the report shows everyone's scores: submit all your entries first (or wait until the session is closed)")
	}
	sc, err := s.store.FindScorecardByID(ctx, cs.ScorecardID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, BuildCalibrationReport(cs, sc, entries))
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

func (s *Server) handleCloseCalibration(c echo.Context) error {
	p := principal(c)
	id, version, err := readTransition(c, auth.Calibrations, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var out qa.CalibrationSession
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := tx.FindCalibrationByID(ctx, id)
		if err != nil {
			return err
		}
		if cs.State == qa.CalibrationClosed {
			return fault.Errorf(fault.Conflict, "the session is already closed")
		}
		if err := readVersion("calibration session", version, cs.Version); err != nil {
			return err
		}
		if out, err = tx.CloseCalibration(ctx, cs); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "calibration", EntityID: cs.ID, Action: "close"})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
