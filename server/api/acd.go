package api

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// agentEventBody is one agent state change as a platform sends it. At is
// read per event, so one bad time refuses that event, not the batch.
type agentEventBody struct {
	EventID string `json:"event_id"`
	Agent   string `json:"agent"` // a Peakwise agent id or email
	State   string `json:"state"`
	Code    string `json:"code,omitempty"`
	Queue   string `json:"queue,omitempty"` // a queue id or name
	Channel string `json:"channel,omitempty"`
	At      string `json:"at"` // RFC 3339
}

type agentEventsRequest struct {
	Events []agentEventBody `json:"events"`
}

// handleAgentEvents ingests a batch of agent state events: each bad event is
// refused with its reasons, the good ones are kept, resent ones change nothing.
func (s *API) handleAgentEvents(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.AgentStates, auth.Create); err != nil {
		return err
	}
	var req agentEventsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	evs := make([]intraday.Event, len(req.Events))
	badTime := map[int]string{}
	for i, e := range req.Events {
		evs[i] = intraday.Event{ID: e.EventID, Agent: e.Agent, State: intraday.State(e.State), Code: e.Code, Queue: e.Queue, Channel: e.Channel}
		if e.At != "" {
			t, err := time.Parse(time.RFC3339Nano, e.At)
			if err != nil {
				badTime[i] = fmt.Sprintf("%q is not an RFC 3339 time such as 2026-12-07T09:03:00Z", e.At)
				continue
			}
			evs[i].At = t
		}
	}
	return s.ingestEvents(c, evs, badTime, 0)
}

// ingestEvents stores evs and answers with what happened to each; badTime
// names events whose time could not be read (their "at" reason is replaced).
func (s *API) ingestEvents(c echo.Context, evs []intraday.Event, badTime map[int]string, skipped int) error {
	res, err := s.svc.IngestAgentEvents(c.Request().Context(), evs)
	if err != nil {
		return err
	}
	for i := range res.Errors {
		if reason, ok := badTime[res.Errors[i].Index]; ok && res.Errors[i].Field == "at" {
			res.Errors[i].Reason = reason
		}
	}
	return c.JSON(http.StatusOK, ingestResponse{IngestResult: res, Skipped: skipped})
}

// ingestResponse is an ingest's result; Skipped counts records that carry
// no change (heartbeats).
type ingestResponse struct {
	service.IngestResult
	Skipped int `json:"skipped"`
}

type connectEventsRequest struct {
	Records []json.RawMessage `json:"records"`
}

// handleConnectEvents ingests Amazon Connect agent event stream records as
// they arrive from its Kinesis stream (docs/intraday.md has the mapping).
func (s *API) handleConnectEvents(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.AgentStates, auth.Create); err != nil {
		return err
	}
	var req connectEventsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	statuses, err := s.svc.ConnectStatuses(c.Request().Context())
	if err != nil {
		return err
	}
	var evs []intraday.Event
	var mapErrs []service.EventError
	skipped := 0
	for i, raw := range req.Records {
		e, err := intraday.ConnectEvent(raw, statuses)
		switch {
		case errors.Is(err, intraday.ErrHeartbeat):
			skipped++
		case err != nil:
			mapErrs = append(mapErrs, service.EventError{Index: i, EventID: e.ID, Field: "record", Reason: err.Error()})
		default:
			evs = append(evs, e)
		}
	}
	res := service.IngestResult{Received: len(req.Records), Errors: []service.EventError{}}
	if len(evs) > 0 {
		var err error
		if res, err = s.svc.IngestAgentEvents(c.Request().Context(), evs); err != nil {
			return err
		}
		res.Received = len(req.Records)
	}
	res.Rejected += len(mapErrs)
	res.Errors = append(mapErrs, res.Errors...)
	return c.JSON(http.StatusOK, ingestResponse{IngestResult: res, Skipped: skipped})
}

type queueIntervalsRequest struct {
	Intervals []service.QueueInterval `json:"intervals"`
}

// queueIntervalColumns are the CSV columns of queue interval actuals.
var queueIntervalColumns = []string{"queue", "start", "interval_minutes", "offered", "handled", "abandoned", "handle_seconds", "answered_within_target"}

// handleQueueIntervals ingests queue interval actuals, as JSON or as CSV
// (text/csv with the columns of queueIntervalColumns).
func (s *API) handleQueueIntervals(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.AgentStates, auth.Create); err != nil {
		return err
	}
	var ivs []service.QueueInterval
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "text/csv") {
		var err error
		if ivs, err = readQueueIntervalsCSV(c.Request().Body); err != nil {
			return err
		}
	} else {
		var req queueIntervalsRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		ivs = req.Intervals
	}
	res, err := s.svc.IngestQueueIntervals(c.Request().Context(), ivs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// readQueueIntervalsCSV reads the CSV form; a cell that is not a number or a
// time is an Invalid error naming its line and column.
func readQueueIntervalsCSV(r io.Reader) ([]service.QueueInterval, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &fault.Error{Code: fault.Invalid, Message: "the CSV has no header", Fields: map[string]string{"line 1": "want " + strings.Join(queueIntervalColumns, ",")}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range queueIntervalColumns {
		if _, ok := col[need]; !ok {
			return nil, &fault.Error{Code: fault.Invalid, Message: "the CSV header lacks a column", Fields: map[string]string{"line 1": fmt.Sprintf("missing %q (want %s)", need, strings.Join(queueIntervalColumns, ","))}}
		}
	}
	bad := map[string]string{}
	var out []service.QueueInterval
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad[fmt.Sprintf("line %d", pe.Line)] = pe.Err.Error()
				continue
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		num := func(name string) int {
			v, err := strconv.Atoi(get(name))
			if err != nil {
				bad[fmt.Sprintf("line %d.%s", line, name)] = fmt.Sprintf("%q is not a whole number", get(name))
			}
			return v
		}
		iv := service.QueueInterval{Queue: get("queue"), IntervalMin: num("interval_minutes"), Offered: num("offered"), Handled: num("handled"),
			Abandoned: num("abandoned"), AnsweredInSL: num("answered_within_target")}
		if iv.Start, err = time.Parse(time.RFC3339, get("start")); err != nil {
			bad[fmt.Sprintf("line %d.start", line)] = fmt.Sprintf("%q is not an RFC 3339 time", get("start"))
		}
		if iv.HandleSeconds, err = strconv.ParseFloat(get("handle_seconds"), 64); err != nil {
			bad[fmt.Sprintf("line %d.handle_seconds", line)] = fmt.Sprintf("%q is not a number", get("handle_seconds"))
		}
		out = append(out, iv)
		if len(out) > service.MaxEventBatch {
			return nil, &fault.Error{Code: fault.Invalid, Message: "the batch is too large", Fields: map[string]string{"intervals": fmt.Sprintf("at most %d per request", service.MaxEventBatch)}}
		}
	}
	if len(bad) > 0 {
		return nil, &fault.Error{Code: fault.Invalid, Message: fmt.Sprintf("%d cell(s) could not be read; nothing was stored", len(bad)), Fields: bad}
	}
	return out, nil
}

// handleAdherence reports adherence and conformance over ?from=..?to= (by
// default the last 12 hours up to now), for ?team_id= or everyone the
// caller may see, with where each agent stands at the end.
func (s *API) handleAdherence(c echo.Context) error {
	now := s.now()
	from, to, err := httpx.TimeRange(c, now.Add(-12*time.Hour), now)
	if err != nil {
		return err
	}
	q := service.AdherenceQuery{From: from, To: to}
	if v := c.QueryParam("team_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return &fault.Error{Code: fault.Invalid, Message: "bad team", Fields: map[string]string{"team_id": "must be a team id"}}
		}
		q.TeamIDs = []int64{id}
	}
	rep, err := s.svc.Adherence(c.Request().Context(), httpx.Principal(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

type exceptionRequest struct {
	AgentID int64     `json:"agent_id"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Reason  string    `json:"reason"`
}

// handleExcuse records an exception that excuses an agent's adherence.
func (s *API) handleExcuse(c echo.Context) error {
	var req exceptionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	x, err := s.svc.ExcuseAdherence(c.Request().Context(), httpx.Principal(c), req.AgentID, req.Start, req.End, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, x)
}
