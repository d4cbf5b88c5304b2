package server

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
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

// InteractionImportSummary says what an import did.
type InteractionImportSummary struct {
	Received int `json:"received"`
	Created  int `json:"created"`
	Updated  int `json:"updated"`
}

func (s *Server) qualityRoutes(g *echo.Group) {
	tag := "qa"
	s.api.add(g, http.MethodGet, "/qa/scorecards", s.handleListScorecards, doc{Summary: "Scorecards: the latest version of each (?archived=true to include archived, ?family_id= for every version of one)", Tag: tag, Response: List[qa.Scorecard]{}, Resource: auth.Scorecards, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/scorecards", s.handleCreateScorecard, doc{Summary: "Create a scorecard (version 1)", Tag: tag, Request: scorecardRequest{}, Response: qa.Scorecard{}, Status: http.StatusCreated, Resource: auth.Scorecards, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/qa/scorecards/:id", s.handleGetScorecard, doc{Summary: "One scorecard version", Tag: tag, Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Read})
	s.api.add(g, http.MethodPut, "/qa/scorecards/:id", s.handleUpdateScorecard, doc{Summary: "Edit the latest version: in place while unused, else saved as a new version", Tag: tag, Request: scorecardRequest{}, Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Update})
	s.api.add(g, http.MethodPost, "/qa/scorecards/:id/archive", s.handleArchiveScorecard, doc{Summary: "Archive or restore a scorecard (every version)", Tag: tag, Request: archiveRequest{}, Response: qa.Scorecard{}, Resource: auth.Scorecards, Action: auth.Update})
	s.api.add(g, http.MethodPost, "/qa/interactions", s.handleImportInteractions, doc{Summary: "Import interactions with survey answers: JSON {interactions:[...]} or text/csv; idempotent on external_id, all or nothing", Tag: tag, Request: interactionImport{}, Response: InteractionImportSummary{}, Resource: auth.Interactions, Action: auth.Create, BodyLimit: "32M"})
	s.api.add(g, http.MethodGet, "/qa/interactions", s.handleListInteractions, doc{Summary: "Interactions you may see (?agent_id=, ?channel=, ?from=, ?to=)", Tag: tag, Response: List[qa.Contact]{}, Resource: auth.Interactions, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/interactions/:id", s.handleGetInteraction, doc{Summary: "One interaction with its transcript", Tag: tag, Response: qa.Contact{}, Resource: auth.Interactions, Action: auth.Read})
}

func (s *Server) handleListScorecards(c echo.Context) error {
	if err := principal(c).Allow(auth.Scorecards, auth.Read); err != nil {
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
	out, total, err := s.store.FindScorecards(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
}

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

func (s *Server) handleCreateScorecard(c echo.Context) error {
	// Refuse before reading the body: a role that may not act learns nothing more.
	if err := principal(c).Allow(auth.Scorecards, auth.Create); err != nil {
		return err
	}
	var req scorecardRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.CreateScorecard(c.Request().Context(), principal(c), req.scorecard())
	if err != nil {
		return err
	}
	setETag(c, out.Revision)
	return c.JSON(http.StatusCreated, out)
}

// CreateScorecard validates and stores version 1 of a new scorecard, audited.
func (s *Server) CreateScorecard(ctx context.Context, p auth.Principal, sc qa.Scorecard) (qa.Scorecard, error) {
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

func (s *Server) handleGetScorecard(c echo.Context) error {
	if err := principal(c).Allow(auth.Scorecards, auth.Read); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	sc, err := s.store.FindScorecardByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	setETag(c, sc.Revision)
	return c.JSON(http.StatusOK, sc)
}

func (s *Server) handleUpdateScorecard(c echo.Context) error {
	var req scorecardRequest
	id, err := editRequest(c, auth.Scorecards, auth.Update, &req, &req.Revision)
	if err != nil {
		return err
	}
	sc := req.scorecard()
	sc.ID, sc.Revision = id, req.Revision
	out, err := s.UpdateScorecard(c.Request().Context(), principal(c), sc)
	if err != nil {
		return err
	}
	setETag(c, out.Revision)
	return c.JSON(http.StatusOK, out)
}

// UpdateScorecard applies an edit of the latest version sc.ID made from
// revision sc.Revision: in place while no evaluation uses it, else as a new
// version. Audited either way.
func (s *Server) UpdateScorecard(ctx context.Context, p auth.Principal, sc qa.Scorecard) (qa.Scorecard, error) {
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

func (s *Server) handleArchiveScorecard(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var req archiveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var out qa.Scorecard
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.SetScorecardArchived(ctx, id, req.Archived); err != nil {
			return err
		}
		action := "archive"
		if !req.Archived {
			action = "restore"
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "scorecard", EntityID: out.ID, Action: action})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// --- interactions

func (s *Server) handleImportInteractions(c echo.Context) error {
	if err := principal(c).Allow(auth.Interactions, auth.Create); err != nil {
		return err
	}
	var recs []interactionRecord
	var lines []int // source line of each record, for CSV errors
	ct := c.Request().Header.Get(echo.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		var err error
		if recs, lines, err = readInteractionsCSV(c.Request().Body); err != nil {
			return err
		}
	default:
		var req interactionImport
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		recs = req.Interactions
	}
	sum, err := s.ImportInteractions(c.Request().Context(), recs, lines)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}

// ImportInteractions validates every record, then stores them all in one
// transaction, or nothing. lines, when given, are the CSV lines of the records
// for the error report; otherwise errors name interactions[i].
func (s *Server) ImportInteractions(ctx context.Context, recs []interactionRecord, lines []int) (InteractionImportSummary, error) {
	if len(recs) == 0 {
		return InteractionImportSummary{}, &fault.Error{Code: fault.Invalid, Message: "nothing to import", Fields: map[string]string{"interactions": "is empty"}}
	}
	agents, err := s.allAgents(ctx)
	if err != nil {
		return InteractionImportSummary{}, err
	}
	byID, byEmail := map[int64]org.Agent{}, map[string]org.Agent{}
	for _, a := range agents {
		byID[a.ID] = a
		byEmail[strings.ToLower(a.Email)] = a
	}
	queues, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return InteractionImportSummary{}, err
	}
	queueByName := map[string]int64{}
	for _, q := range queues {
		queueByName[strings.ToLower(q.Name)] = q.ID
	}
	bad := &fault.Error{Code: fault.Unprocessable, Fields: map[string]string{}}
	where := func(i int) string {
		if lines != nil {
			return fmt.Sprintf("line %d", lines[i])
		}
		return fmt.Sprintf("interactions[%d]", i)
	}
	seen := map[string]int{}
	contacts := make([]qa.Contact, 0, len(recs))
	for i, r := range recs {
		r.ExternalID = strings.TrimSpace(r.ExternalID)
		var a org.Agent
		var ok bool
		switch {
		case r.AgentID != 0:
			a, ok = byID[r.AgentID]
		case r.AgentEmail != "":
			a, ok = byEmail[strings.ToLower(strings.TrimSpace(r.AgentEmail))]
		}
		if !ok {
			bad.Fields[where(i)+".agent"] = "names no known agent (give agent_id or agent_email of an existing agent)"
		}
		in := qa.Interaction{ExternalID: r.ExternalID, Channel: r.Channel, Queue: r.Queue, Agent: strconv.FormatInt(a.ID, 10), Customer: r.Customer,
			StartedAt: r.StartedAt, HandleSeconds: r.HandleSeconds, ResolutionSeconds: r.ResolutionSeconds, Resolved: r.Resolved,
			CSAT: r.CSAT, NPS: r.NPS, CES: r.CES}
		if err := in.Validate(); err != nil {
			var fe qa.FieldErrors
			if !errors.As(err, &fe) {
				return InteractionImportSummary{}, err
			}
			for _, e := range fe {
				bad.Fields[where(i)+"."+e.Field] = e.Reason
			}
		}
		if j, dup := seen[r.ExternalID]; dup && r.ExternalID != "" {
			bad.Fields[where(i)+".external_id"] = fmt.Sprintf("repeats %s's external id %q", where(j), r.ExternalID)
		}
		seen[r.ExternalID] = i
		var queueID *int64
		if q := strings.TrimSpace(r.Queue); q != "" {
			id, ok := queueByName[strings.ToLower(q)]
			if !ok {
				bad.Fields[where(i)+".queue"] = fmt.Sprintf("no queue is named %q", q)
			}
			queueID = &id
		}
		contacts = append(contacts, qa.Contact{ExternalID: r.ExternalID, Channel: strings.TrimSpace(r.Channel), QueueID: queueID, AgentID: a.ID,
			TeamID: a.TeamID, Customer: strings.TrimSpace(r.Customer), StartedAt: r.StartedAt.UTC(), HandleSeconds: r.HandleSeconds,
			ResolutionSeconds: r.ResolutionSeconds, Resolved: r.Resolved, Link: r.Link, Transcript: r.Transcript, CSAT: r.CSAT, NPS: r.NPS, CES: r.CES})
	}
	if len(bad.Fields) > 0 {
		bad.Message = fmt.Sprintf("%d problem(s) in the interactions; nothing was imported", len(bad.Fields))
		return InteractionImportSummary{}, bad
	}
	sum := InteractionImportSummary{Received: len(contacts)}
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		created, err := tx.UpsertContacts(ctx, contacts)
		sum.Created, sum.Updated = created, len(contacts)-created
		return err
	})
	return sum, err
}

// allAgents lists every agent, page by page.
func (s *Server) allAgents(ctx context.Context) ([]org.Agent, error) {
	var out []org.Agent
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		agents, total, err := s.store.FindAgents(ctx, store.AgentFilter{Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, agents...)
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}

// interactionColumns are the CSV columns of an interaction import, by header name.
var interactionColumns = []string{"external_id", "channel", "queue", "agent_id", "agent_email", "customer", "started_at", "handle_seconds",
	"resolution_seconds", "resolved", "link", "transcript", "csat", "nps", "ces"}

// readInteractionsCSV reads the interaction CSV: a header naming columns of
// interactionColumns in any order (external_id, channel, started_at,
// handle_seconds and agent_id or agent_email required).
func readInteractionsCSV(r io.Reader) ([]interactionRecord, []int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, &fault.Error{Code: fault.Unprocessable, Message: "the file has no header line", Fields: map[string]string{"line 1": "expected a header such as external_id,channel,agent_email,started_at,handle_seconds,csat"}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, k := range interactionColumns {
			known = known || k == h
		}
		if !known {
			return nil, nil, &fault.Error{Code: fault.Unprocessable, Message: "unknown column", Fields: map[string]string{fmt.Sprintf("line 1.column %d", i+1): fmt.Sprintf("%q is not one of %s", h, strings.Join(interactionColumns, ", "))}}
		}
		col[h] = i
	}
	var missing []string
	for _, k := range []string{"external_id", "channel", "started_at", "handle_seconds"} {
		if _, ok := col[k]; !ok {
			missing = append(missing, k)
		}
	}
	_, hasID := col["agent_id"]
	_, hasEmail := col["agent_email"]
	if !hasID && !hasEmail {
		missing = append(missing, "agent_id or agent_email")
	}
	if len(missing) > 0 {
		return nil, nil, &fault.Error{Code: fault.Unprocessable, Message: "required columns are missing", Fields: map[string]string{"line 1": "missing " + strings.Join(missing, ", ")}}
	}
	bad := &fault.Error{Code: fault.Unprocessable, Fields: map[string]string{}}
	var recs []interactionRecord
	var lines []int
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos panics after a read error; the parse error knows its line.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad.Fields[fmt.Sprintf("line %d", line)] = err.Error()
			if len(bad.Fields) > 100 {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		fieldErr := func(k, reason string) { bad.Fields[fmt.Sprintf("line %d.%s", line, k)] = reason }
		optInt := func(k string) *int {
			v := get(k)
			if v == "" {
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				fieldErr(k, fmt.Sprintf("%q is not a whole number", v))
				return nil
			}
			return &n
		}
		rec := interactionRecord{ExternalID: get("external_id"), Channel: get("channel"), Queue: get("queue"), AgentEmail: get("agent_email"),
			Customer: get("customer"), Link: get("link"), Transcript: get("transcript"),
			ResolutionSeconds: optInt("resolution_seconds"), CSAT: optInt("csat"), NPS: optInt("nps"), CES: optInt("ces")}
		if v := get("agent_id"); v != "" {
			if rec.AgentID, err = strconv.ParseInt(v, 10, 64); err != nil {
				fieldErr("agent_id", fmt.Sprintf("%q is not a number", v))
			}
		}
		if v := get("started_at"); v != "" {
			if rec.StartedAt, err = time.Parse(time.RFC3339, v); err != nil {
				fieldErr("started_at", fmt.Sprintf("%q is not an RFC 3339 time with offset, such as 2026-03-02T09:15:00+01:00", v))
			}
		}
		if h := optInt("handle_seconds"); h != nil {
			rec.HandleSeconds = *h
		} else if get("handle_seconds") == "" {
			fieldErr("handle_seconds", "is required")
		}
		if v := get("resolved"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				fieldErr("resolved", fmt.Sprintf("%q is not true or false", v))
			}
			rec.Resolved = &b
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	if len(bad.Fields) > 0 {
		bad.Message = fmt.Sprintf("%d problem(s) in the file; nothing was imported", len(bad.Fields))
		return nil, nil, bad
	}
	return recs, lines, nil
}

func (s *Server) handleListInteractions(c echo.Context) error {
	ctx := c.Request().Context()
	f := store.ContactFilter{Channel: c.QueryParam("channel"), Page: pageOf(c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Interactions); err != nil {
		return err
	}
	if f.From, f.To, err = timeRange(c, time.Time{}, time.Time{}); err != nil {
		return err
	}
	out, total, err := s.store.FindContacts(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
}

// listScopedAgents checks that the caller may read resource and returns the agents
// a list of it may show: the caller's scope, narrowed by ?agent_id= (nil =
// all agents).
func (s *Server) listScopedAgents(c echo.Context, resource auth.Resource) ([]int64, error) {
	p := principal(c)
	if err := p.Allow(resource, auth.Read); err != nil {
		return nil, err
	}
	ids, err := s.scopedAgentIDs(c.Request().Context(), p, p.ScopeOf(resource, auth.Read))
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
	if scoped != nil && !containsID(scoped, id) {
		return []int64{}, nil
	}
	return []int64{id}, nil
}

func (s *Server) handleGetInteraction(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Interactions, auth.Read); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ct, err := s.store.FindContactByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Interactions, auth.Read, auth.Owner{AgentID: &ct.AgentID, TeamID: ct.TeamID}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}
