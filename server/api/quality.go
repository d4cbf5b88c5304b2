package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// scorecardRequest creates or edits a scorecard. Version is the revision an
// edit is based on (or If-Match).
type scorecardRequest struct {
	Name           string       `json:"name"`
	Sections       []qa.Section `json:"sections"`
	PassThreshold  int          `json:"pass_threshold"`
	AutoFailZeroes bool         `json:"auto_fail_zeroes"`
	Revision       int          `json:"revision"`
}

func (r scorecardRequest) scorecard() qa.Scorecard {
	return qa.Scorecard{Name: strings.TrimSpace(r.Name), Sections: r.Sections, PassThreshold: r.PassThreshold, AutoFailZeroes: r.AutoFailZeroes}
}

// archiveRequest archives or restores a scorecard.
type archiveRequest struct {
	Archived bool `json:"archived"`
}

// interactionRecord is one interaction as imported (JSON or a CSV row). The
// agent is named by agent_id or agent_email; the queue, optional, by name.
type interactionRecord struct {
	ExternalID        string    `json:"external_id"`
	Channel           string    `json:"channel"`
	Queue             string    `json:"queue"`
	AgentID           int64     `json:"agent_id"`
	AgentEmail        string    `json:"agent_email"`
	Customer          string    `json:"customer"`
	StartedAt         time.Time `json:"started_at"`
	HandleSeconds     int       `json:"handle_seconds"`
	ResolutionSeconds *int      `json:"resolution_seconds"`
	Resolved          *bool     `json:"resolved"`
	Link              string    `json:"link"`
	Transcript        string    `json:"transcript"`
	CSAT              *int      `json:"csat"`
	NPS               *int      `json:"nps"`
	CES               *int      `json:"ces"`
}

type interactionImport struct {
	Interactions []interactionRecord `json:"interactions"`
}

func (s *API) handleListScorecards(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Scorecards, auth.Read); err != nil {
		return err
	}
	f := store.ScorecardFilter{IncludeArchived: c.QueryParam("archived") == "true", Page: pageOf(c)}
	if v := c.QueryParam("family_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fault.Errorf(fault.Invalid, "family_id must be a number")
		}
		f.FamilyID, f.IncludeArchived = id, true
	}
	out, total, err := s.svc.FindScorecards(c.Request().Context(), f)
	return sendList(c, f.Page, out, total, err)
}

func (s *API) handleCreateScorecard(c echo.Context) error {
	// Refuse before reading the body: a role that may not act learns nothing more.
	if err := httpx.Principal(c).Allow(auth.Scorecards, auth.Create); err != nil {
		return err
	}
	var req scorecardRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.svc.CreateScorecard(c.Request().Context(), httpx.Principal(c), req.scorecard())
	return sendTagged(c, http.StatusCreated, out.Revision, out, err)
}

func (s *API) handleGetScorecard(c echo.Context) error {
	return sendFound(c, auth.Scorecards, s.svc.FindScorecardByID, func(v qa.Scorecard) int { return v.Revision })
}

func (s *API) handleUpdateScorecard(c echo.Context) error {
	var req scorecardRequest
	id, err := editRequest(c, auth.Scorecards, auth.Update, &req, &req.Revision)
	if err != nil {
		return err
	}
	sc := req.scorecard()
	sc.ID, sc.Revision = id, req.Revision
	out, err := s.svc.UpdateScorecard(c.Request().Context(), httpx.Principal(c), sc)
	return sendTagged(c, http.StatusOK, out.Revision, out, err)
}

func (s *API) handleArchiveScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Scorecards, auth.Update)
	if err != nil {
		return err
	}
	var req archiveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.svc.ArchiveScorecard(c.Request().Context(), p, id, req.Archived)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *API) handleImportInteractions(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Interactions, auth.Create); err != nil {
		return err
	}
	var recs []service.InteractionRecord
	var lines []int // source line of each record, for CSV errors
	ct := c.Request().Header.Get(echo.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		var err error
		if recs, lines, err = service.ReadInteractionsCSV(c.Request().Body); err != nil {
			return err
		}
	default:
		var req interactionImport
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		for _, r := range req.Interactions {
			recs = append(recs, service.InteractionRecord(r))
		}
	}
	sum, err := s.svc.ImportInteractions(c.Request().Context(), recs, lines)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}

func (s *API) handleListInteractions(c echo.Context) error {
	ctx := c.Request().Context()
	f := store.ContactFilter{Channel: c.QueryParam("channel"), Page: pageOf(c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Interactions); err != nil {
		return err
	}
	if f.From, f.To, err = httpx.TimeRange(c, time.Time{}, time.Time{}); err != nil {
		return err
	}
	out, total, err := s.svc.FindContacts(ctx, f)
	return sendList(c, f.Page, out, total, err)
}

// listScopedAgents checks that the caller may read resource and returns the agents
// a list of it may show: the caller's scope, narrowed by ?agent_id= (nil =
// all agents).
func (s *API) listScopedAgents(c echo.Context, resource auth.Resource) ([]int64, error) {
	p := httpx.Principal(c)
	if err := p.Allow(resource, auth.Read); err != nil {
		return nil, err
	}
	ids, err := s.svc.ScopedAgentIDs(c.Request().Context(), p, p.ScopeOf(resource, auth.Read))
	if err != nil {
		return nil, err
	}
	return narrowToAgent(c, ids)
}

// statesParam reads a comma-separated ?state= list.
func statesParam[T ~string](c echo.Context) []T {
	var out []T
	if v := c.QueryParam("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			out = append(out, T(strings.TrimSpace(st)))
		}
	}
	return out
}

// narrowToAgent applies ?agent_id= to a scoped agent list (nil = all).
func narrowToAgent(c echo.Context, scoped []int64) ([]int64, error) {
	v := c.QueryParam("agent_id")
	if v == "" {
		return scoped, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fault.Errorf(fault.Invalid, "agent_id must be a number")
	}
	if scoped != nil && !slices.Contains(scoped, id) {
		return []int64{}, nil
	}
	return []int64{id}, nil
}

func (s *API) handleGetInteraction(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Interactions, auth.Read)
	if err != nil {
		return err
	}
	ct, err := s.svc.FindContactByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Interactions, auth.Read, auth.Owner{AgentID: &ct.AgentID, TeamID: ct.TeamID}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}
