package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/service"
)

const acdSynopsis = `replay --url URL --token T [--day YYYY-MM-DD] [--until RFC3339] [--follow] [--seed N] [--drift 1.1]`

// runACD is `peakwise acd replay`: it turns the published plan of a day into
// the agent state events and queue actuals a contact center platform would
// send (late log-ins, sick calls, missed breaks, calls running into breaks,
// volume drifting from the forecast), and sends them to a Peakwise server
// through its ingest API: what has happened by --until at once, and with
// --follow the rest as its time comes.
func runACD(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "replay" {
		newFlagSet(env, "acd", acdSynopsis).Usage()
		return usageErrorf("name a subcommand: replay")
	}
	fs := newFlagSet(env, "acd replay", acdSynopsis)
	base := fs.String("url", envOr(env, "PEAKWISE_URL", "http://localhost:8080"), "the Peakwise server [PEAKWISE_URL]")
	token := fs.String("token", env.Getenv("PEAKWISE_TOKEN"), "an API token of a planner or admin [PEAKWISE_TOKEN]")
	dayFlag := fs.String("day", "", "the day to replay (UTC date; default today)")
	untilFlag := fs.String("until", "", "send what has happened by this time (RFC 3339; default now)")
	follow := fs.Bool("follow", false, "keep running and send the rest of the day's events as their time comes")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed: the same seed replays the same day")
	drift := fs.Float64("drift", 1.1, "how far volume runs from the forecast (1.2: 20% over)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *token == "" {
		return usageErrorf("--token is required (peakwise token create --email PLANNER)")
	}
	if !(*drift > 0 && *drift <= 5) {
		return usageErrorf("--drift must be above 0 and at most 5")
	}
	until := time.Now().UTC()
	if *untilFlag != "" {
		t, err := time.Parse(time.RFC3339, *untilFlag)
		if err != nil {
			return usageErrorf("--until: %v", err)
		}
		until = t.UTC()
	}
	day := until.Truncate(24 * time.Hour)
	if *dayFlag != "" {
		d, err := time.Parse(time.DateOnly, *dayFlag)
		if err != nil {
			return usageErrorf("--day: %v", err)
		}
		day = d
	}
	c := &apiClient{base: strings.TrimRight(*base, "/"), token: *token}
	agents, queues, err := replayPlan(ctx, c, day)
	if err != nil {
		return err
	}
	if len(agents) == 0 {
		return fmt.Errorf("no published shift starts on %s: nothing to replay", day.Format(time.DateOnly))
	}
	events := intraday.SimulateDay(agents, intraday.SimOptions{Seed: *seed, Sick: intraday.DefaultSim.Sick, LateLogin: intraday.DefaultSim.LateLogin,
		MissedBreak: intraday.DefaultSim.MissedBreak, LongCall: intraday.DefaultSim.LongCall})
	fmt.Fprintf(env.Stdout, "replaying %s: %d agents, %d state events\n", day.Format(time.DateOnly), len(agents), len(events))
	sent, err := sendDue(ctx, env, c, events, until)
	if err != nil {
		return err
	}
	if err := sendVolumes(ctx, env, c, queues, day, until, *seed, *drift); err != nil {
		return err
	}
	for *follow && sent < len(events) {
		wait := time.Until(events[sent].At)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(max(wait, time.Second)):
		}
		n, err := sendDue(ctx, env, c, events[sent:], time.Now().UTC())
		if err != nil {
			return err
		}
		sent += n
	}
	return nil
}

// replayPlan reads the agents with a published shift starting on day, as
// simulation agents (by email), and the queues by id.
func replayPlan(ctx context.Context, c *apiClient, day time.Time) ([]intraday.SimAgent, map[int64]queueRef, error) {
	var qs struct {
		Items []queueRef `json:"items"`
	}
	if err := c.get(ctx, "/api/v1/queues?limit=500", &qs); err != nil {
		return nil, nil, err
	}
	queues := map[int64]queueRef{}
	for _, q := range qs.Items {
		queues[q.ID] = q
	}
	var out []intraday.SimAgent
	for offset := 0; ; offset += 500 {
		var page struct {
			Items []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := c.get(ctx, fmt.Sprintf("/api/v1/agents?limit=500&offset=%d", offset), &page); err != nil {
			return nil, nil, err
		}
		for _, a := range page.Items {
			var shifts []calendar.Shift
			q := url.Values{"from": {day.Add(-14 * time.Hour).Format(time.RFC3339)}, "to": {day.Add(38 * time.Hour).Format(time.RFC3339)}}
			if err := c.get(ctx, fmt.Sprintf("/api/v1/agents/%d/shifts?%s", a.ID, q.Encode()), &shifts); err != nil {
				return nil, nil, err
			}
			sa := intraday.SimAgent{Ref: a.Email}
			for _, sh := range shifts {
				if sh.Start.Before(day) || !sh.Start.Before(day.Add(24*time.Hour)) {
					continue
				}
				sa.Plan = append(sa.Plan, service.PlannedActivities(sh)...)
				if q, ok := queues[sh.QueueID]; ok {
					sa.Queue = q.Name
				}
			}
			if len(sa.Plan) > 0 {
				out = append(out, sa)
			}
		}
		if offset+500 >= page.Total {
			return out, queues, nil
		}
	}
}

type queueRef struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	IntervalMin   int    `json:"interval_minutes"`
	DefaultAHTSec int    `json:"default_aht_seconds"`
}

// sendDue posts the events that happened by until, in batches, and returns
// how many it sent (events are in time order).
func sendDue(ctx context.Context, env *Env, c *apiClient, events []intraday.Event, until time.Time) (int, error) {
	n := 0
	for n < len(events) && !events[n].At.After(until) {
		n++
	}
	for i := 0; i < n; i += 500 {
		batch := events[i:min(i+500, n)]
		var res service.IngestResult
		if err := c.post(ctx, "/api/v1/acd/agent-events", map[string]any{"events": eventBodies(batch)}, &res); err != nil {
			return i, err
		}
		fmt.Fprintf(env.Stdout, "sent %d events: %d stored, %d already there, %d refused\n", len(batch), res.Stored, res.Duplicates, res.Rejected)
		for _, e := range res.Errors[:min(len(res.Errors), 5)] {
			fmt.Fprintf(env.Stdout, "  event %s: %s %s\n", e.EventID, e.Field, e.Reason)
		}
	}
	return n, nil
}

func eventBodies(evs []intraday.Event) []map[string]string {
	out := make([]map[string]string, len(evs))
	for i, e := range evs {
		out[i] = map[string]string{"event_id": e.ID, "agent": e.Agent, "state": string(e.State), "queue": e.Queue, "at": e.At.Format(time.RFC3339)}
	}
	return out
}

// sendVolumes posts each queue's actuals for the intervals of day that ended
// by until: Poisson draws around the latest forecast times drift.
func sendVolumes(ctx context.Context, env *Env, c *apiClient, queues map[int64]queueRef, day, until time.Time, seed uint64, drift float64) error {
	for id, q := range queues {
		var f struct {
			IntervalMin int `json:"interval_minutes"`
			Points      []struct {
				Start    time.Time `json:"start"`
				Forecast float64   `json:"forecast"`
			} `json:"points"`
		}
		v := url.Values{"from": {day.Format(time.RFC3339)}, "to": {until.Format(time.RFC3339)}}
		if err := c.get(ctx, fmt.Sprintf("/api/v1/queues/%d/forecast?%s", id, v.Encode()), &f); err != nil {
			fmt.Fprintf(env.Stdout, "queue %s: no forecast to drift from (%v)\n", q.Name, err)
			continue
		}
		step := time.Duration(f.IntervalMin) * time.Minute
		var fc []float64
		var starts []time.Time
		for _, p := range f.Points {
			if p.Start.Add(step).After(until) {
				continue // not over yet
			}
			fc, starts = append(fc, p.Forecast), append(starts, p.Start)
		}
		if len(fc) == 0 {
			continue
		}
		offered := intraday.SimulateVolume(fc, drift, seed+uint64(id))
		aht := float64(q.DefaultAHTSec)
		var ivs []service.QueueInterval
		for i, o := range offered {
			abandoned := o * 3 / 100
			handled := o - abandoned
			ivs = append(ivs, service.QueueInterval{Queue: q.Name, Start: starts[i], IntervalMin: f.IntervalMin, Offered: o, Handled: handled,
				Abandoned: abandoned, HandleSeconds: float64(handled) * aht, AnsweredInSL: handled * 85 / 100})
		}
		for i := 0; i < len(ivs); i += 500 {
			var res service.IngestResult
			if err := c.post(ctx, "/api/v1/acd/queue-intervals", map[string]any{"intervals": ivs[i:min(i+500, len(ivs))]}, &res); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "queue %s: %d intervals stored, %d refused\n", q.Name, res.Stored, res.Rejected)
		}
	}
	return nil
}

// apiClient calls a Peakwise server with an API token.
type apiClient struct {
	base, token string
}

func (c *apiClient) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

func (c *apiClient) post(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(data), out)
}

func (c *apiClient) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}
