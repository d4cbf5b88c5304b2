package service

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// InteractionRecord is one interaction as imported (JSON or a CSV row). The
// agent is named by agent_id or agent_email; the queue, optional, by name.
type InteractionRecord struct {
	ExternalID        string
	Channel           string
	Queue             string
	AgentID           int64
	AgentEmail        string
	Customer          string
	StartedAt         time.Time
	HandleSeconds     int
	ResolutionSeconds *int
	Resolved          *bool
	Link              string
	Transcript        string
	CSAT              *int
	NPS               *int
	CES               *int
}

// InteractionImportSummary says what an import did.
type InteractionImportSummary struct {
	Received int `json:"received"`
	Created  int `json:"created"`
	Updated  int `json:"updated"`
}

// ImportInteractions validates every record, then stores them all in one
// transaction, or nothing. lines, when given, are the CSV lines of the records
// for the error report; otherwise errors name interactions[i].
func (s *Service) ImportInteractions(ctx context.Context, recs []InteractionRecord, lines []int) (InteractionImportSummary, error) {
	if len(recs) == 0 {
		return InteractionImportSummary{}, &fault.Error{Code: fault.Invalid, Message: "nothing to import", Fields: map[string]string{"interactions": "is empty"}}
	}
	agents, err := s.AllAgents(ctx)
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
		if p := forecasting.StartProblem(r.StartedAt, s.now()); p != "" && !r.StartedAt.IsZero() {
			bad.Fields[where(i)+".started_at"] = p
		}
		if len(r.Link) > 2000 {
			bad.Fields[where(i)+".link"] = "is longer than 2000 characters"
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

// interactionColumns are the CSV columns of an interaction import, by header name.
var interactionColumns = []string{"external_id", "channel", "queue", "agent_id", "agent_email", "customer", "started_at", "handle_seconds",
	"resolution_seconds", "resolved", "link", "transcript", "csat", "nps", "ces"}

// ReadInteractionsCSV reads the interaction CSV: a header naming columns of
// interactionColumns in any order (external_id, channel, started_at,
// handle_seconds and agent_id or agent_email required).
func ReadInteractionsCSV(r io.Reader) ([]InteractionRecord, []int, error) {
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
	var recs []InteractionRecord
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
		rec := InteractionRecord{ExternalID: get("external_id"), Channel: get("channel"), Queue: get("queue"), AgentEmail: get("agent_email"),
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

// FindContacts reads a page of interactions, oldest first; the caller has
// checked the principal may.
func (s *Service) FindContacts(ctx context.Context, f store.ContactFilter) ([]qa.Contact, int, error) {
	return s.store.FindContacts(ctx, f)
}

// FindContactByID reads one interaction. Returns NotFound. The caller checks
// that the principal may see it.
func (s *Service) FindContactByID(ctx context.Context, id int64) (qa.Contact, error) {
	return s.store.FindContactByID(ctx, id)
}
