package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/erlang"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Intraday limits: a break moves at most BreakMoveWindow either way, only
// IntradayNotice or more ahead (the agent is told in time), and never leaves
// a stretch of work longer than MaxWorkStretch (the stress limit).
const (
	BreakMoveWindow = time.Hour
	IntradayNotice  = 15 * time.Minute
	MaxWorkStretch  = 150 * time.Minute
)

// IntradayInterval is one interval of a queue's day as it runs.
type IntradayInterval struct {
	Start      time.Time `json:"start"`
	StartLocal string    `json:"start_local"` // HH:MM on the queue's clock
	Forecast   float64   `json:"forecast"`    // the night's forecast contacts
	Actual     *float64  `json:"actual"`      // contacts offered; nil for intervals ahead
	Reforecast float64   `json:"reforecast"`  // actual where it happened, re-forecast ahead
	// RequiredStaff sizes the re-forecast with the queue's targets and
	// shrinkage; PlannedStaff is the published plan's staff on the queue
	// (breaks out); Gap is planned minus required (negative: short).
	RequiredStaff int     `json:"required_staff"`
	PlannedStaff  float64 `json:"planned_staff"`
	Gap           float64 `json:"gap"`
}

// BreakMoveSuggestion is a break the planner may move out of a peak.
type BreakMoveSuggestion struct {
	intraday.BreakMove
	AgentID   int64  `json:"agent_id"`
	AgentName string `json:"agent_name"`
	ShiftUID  string `json:"shift_uid"`
}

// IntradayView is a queue's day: forecast vs actual vs re-forecast, the
// staffing gap against the published plan, who is logged in now, and the
// suggestions (break moves, then overtime or voluntary time off).
type IntradayView struct {
	Queue      org.Queue                 `json:"queue"`
	Date       string                    `json:"date"` // the queue's local day
	ForecastID int64                     `json:"forecast_id"`
	Factor     float64                   `json:"factor"`  // re-forecast level against the night's
	Elapsed    int                       `json:"elapsed"` // intervals with actuals
	Deferred   bool                      `json:"deferred"`
	LoggedIn   int                       `json:"logged_in"` // the plan's agents on the queue in a working state now
	Intervals  []IntradayInterval        `json:"intervals"`
	Moves      []BreakMoveSuggestion     `json:"moves"`
	Windows    []intraday.StaffingWindow `json:"windows"`
	// Offers turn the windows into overtime or voluntary time off for named
	// agents, to accept (publishing the changed shift) or reject.
	Offers []ShiftOffer `json:"offers"`
}

// Intraday builds queue queueID's view of today (on its clock) for p.
func (s *Service) Intraday(ctx context.Context, p auth.Principal, queueID int64) (IntradayView, error) {
	if err := p.Allow(auth.Forecasts, auth.Read); err != nil {
		return IntradayView{}, err
	}
	if err := p.Allow(auth.Schedules, auth.Read); err != nil {
		return IntradayView{}, err
	}
	q, err := s.store.FindQueueByID(ctx, queueID)
	if err != nil {
		return IntradayView{}, err
	}
	ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return IntradayView{}, err
	}
	loc, err := time.LoadLocation(q.Timezone)
	if err != nil {
		return IntradayView{}, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	now := s.now()
	l := now.In(loc)
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	dayEnd := dayStart.AddDate(0, 0, 1)
	view := IntradayView{Queue: q, Date: dayStart.Format(time.DateOnly), Deferred: ch.Kind == org.Deferred, Factor: 1,
		Intervals: []IntradayInterval{}, Moves: []BreakMoveSuggestion{}, Windows: []intraday.StaffingWindow{}, Offers: []ShiftOffer{}}
	f, err := s.store.FindLatestForecast(ctx, q.ID)
	if err != nil {
		return view, err
	}
	view.ForecastID = f.ID
	pts, err := s.store.FindForecastPoints(ctx, f.ID, dayStart, dayEnd)
	if err != nil {
		return view, err
	}
	if len(pts) == 0 {
		return view, fault.Errorf(fault.NotFound, "queue %q has no forecast for %s; run a forecast first", q.Name, view.Date)
	}
	step := time.Duration(f.IntervalMin) * time.Minute
	acts, err := s.store.FindQueueActuals(ctx, q.ID, dayStart, dayEnd)
	if err != nil {
		return view, err
	}
	offered := map[int64]float64{}
	for _, a := range acts {
		offered[a.Start.Unix()] += float64(a.Offered)
	}
	// The day so far runs to the last interval the platform reported (that
	// has ended); an interval before it without a report had no contacts.
	night := make([]float64, len(pts))
	last := -1
	for i, pt := range pts {
		night[i] = pt.Contacts
		if _, ok := offered[pt.StartAt.Unix()]; ok && !pt.StartAt.Add(step).After(now) {
			last = i
		}
	}
	actual := make([]float64, last+1)
	for i := range actual {
		actual[i] = offered[pts[i].StartAt.Unix()]
	}
	re, factor := intraday.Reforecast(night, actual, intraday.DefaultReforecast)
	view.Factor, view.Elapsed = factor, len(actual)

	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{Published: true, From: dayStart.Add(-24 * time.Hour), To: dayEnd})
	if err != nil {
		return view, err
	}
	onQueue, err := s.QueueShifts(ctx, shifts, q)
	if err != nil {
		return view, err
	}
	first := pts[0].StartAt
	staffed := calendar.Coverage(onQueue, first, step, int(pts[len(pts)-1].StartAt.Sub(first)/step)+1)
	t := erlang.Targets{ServiceLevel: q.ServiceLevelPct / 100, AnswerWithin: time.Duration(q.AnswerWithinSec) * time.Second,
		ASA: time.Duration(q.ASATargetSec) * time.Second, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage}
	grid := intraday.Grid{Start: first, Step: step, Need: make([]float64, len(pts)), On: make([]float64, len(pts))}
	for i, pt := range pts {
		iv := IntradayInterval{Start: pt.StartAt, StartLocal: pt.StartAt.In(loc).Format("15:04"), Forecast: pt.Contacts, Reforecast: re[i]}
		if i < len(actual) {
			v := actual[i]
			iv.Actual = &v
		}
		if k := int(pt.StartAt.Sub(first) / step); k < len(staffed) {
			iv.PlannedStaff = staffed[k]
		}
		if !view.Deferred {
			aht := float64(q.DefaultAHTSec)
			if pt.AHTSeconds != nil && *pt.AHTSeconds > 0 {
				aht = *pt.AHTSeconds
			}
			r, err := erlang.Solve(erlang.Load{Contacts: re[i], Interval: step, AHT: time.Duration(aht * float64(time.Second)),
				Patience: time.Duration(q.PatienceSec) * time.Second, Concurrency: q.ChatConcurrency}, t)
			if err != nil {
				return view, fault.Errorf(fault.Unprocessable, "queue %q cannot be sized at %s: %v", q.Name, iv.StartLocal, err)
			}
			iv.RequiredStaff = r.Staff
			iv.Gap = iv.PlannedStaff - float64(r.Staff)
		}
		grid.Need[i], grid.On[i] = float64(iv.RequiredStaff), iv.PlannedStaff
		view.Intervals = append(view.Intervals, iv)
	}
	if err := s.intradayPeople(ctx, &view, onQueue, now); err != nil {
		return view, err
	}
	if view.Deferred {
		return view, nil
	}
	rejected, err := rejectedToday(ctx, s.store, breakMoveEntity, q.ID, dayStart, func(m breakMoveAudit) time.Time { return m.From }, moveKey)
	if err != nil {
		return view, err
	}
	var breaks []intraday.MovableBreak
	uidOf := map[string]string{}
	for _, sh := range onQueue {
		if sh.AgentID == 0 || !sh.End.After(now) || !sh.Start.Before(dayEnd) {
			continue
		}
		for k, b := range sh.Breaks {
			mb := movableBreak(sh, k)
			key := strconv.FormatInt(sh.AgentID, 10) + "@" + b.Start.UTC().Format(time.RFC3339)
			uidOf[key] = sh.UID
			breaks = append(breaks, mb)
		}
	}
	moves, windows := intraday.SuggestBreakMoves(grid, breaks, intraday.SuggestOptions{Now: now, Notice: IntradayNotice, MaxWorkStretch: MaxWorkStretch})
	agents, err := s.AgentsByID(ctx, agentIDsOf(onQueue))
	if err != nil {
		return view, err
	}
	for _, m := range moves {
		id, _ := strconv.ParseInt(m.Agent, 10, 64)
		uid := uidOf[m.Agent+"@"+m.From.UTC().Format(time.RFC3339)]
		if rejected[moveKey(breakMoveAudit{ShiftUID: uid, From: m.From, To: m.To})] {
			continue
		}
		view.Moves = append(view.Moves, BreakMoveSuggestion{BreakMove: m, AgentID: id, AgentName: agents[id].Name, ShiftUID: uid})
	}
	if windows != nil {
		view.Windows = windows
	}
	rejectedOffers, err := rejectedToday(ctx, s.store, shiftOfferEntity, q.ID, dayStart, func(o ShiftOffer) time.Time { return o.From }, offerKey)
	if err != nil {
		return view, err
	}
	view.Offers = shiftOffers(view.Windows, onQueue, agents, rejectedOffers, now)
	return view, nil
}

// intradayPeople counts the plan's agents on the queue who are in a working
// state now.
func (s *Service) intradayPeople(ctx context.Context, view *IntradayView, onQueue []calendar.Shift, now time.Time) error {
	ids := agentIDsOf(onQueue)
	if len(ids) == 0 {
		return nil
	}
	last, err := s.store.LastAgentEvents(ctx, ids, now)
	if err != nil {
		return err
	}
	for _, e := range last {
		if intraday.State(e.State).Productive() {
			view.LoggedIn++
		}
	}
	return nil
}

func agentIDsOf(shifts []calendar.Shift) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, sh := range shifts {
		if sh.AgentID != 0 && !seen[sh.AgentID] {
			seen[sh.AgentID] = true
			ids = append(ids, sh.AgentID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// movableBreak is break k of sh as an intraday action may move it: within
// BreakMoveWindow either way, and at least an hour from the shift's edges
// (never to its very start or end).
func movableBreak(sh calendar.Shift, k int) intraday.MovableBreak {
	b := sh.Breaks[k]
	length := b.End.Sub(b.Start)
	earliest := maxTime(b.Start.Add(-BreakMoveWindow), sh.Start.Add(time.Hour))
	latest := minTime(b.Start.Add(BreakMoveWindow), sh.End.Add(-time.Hour-length))
	if latest.Before(earliest) {
		earliest, latest = b.Start, b.Start
	}
	var others []intraday.Span
	for j, o := range sh.Breaks {
		if j != k {
			others = append(others, intraday.Span{Start: o.Start, End: o.End})
		}
	}
	return intraday.MovableBreak{Agent: strconv.FormatInt(sh.AgentID, 10), Name: b.Name, Start: b.Start, Length: length,
		Earliest: earliest, Latest: latest, ShiftStart: sh.Start, ShiftEnd: sh.End, Others: others}
}

// breakMoveAudit is what the audit log keeps of a decided break move.
type breakMoveAudit struct {
	ShiftUID string    `json:"shift_uid"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
}

const breakMoveEntity = "intraday_break_move"

// moveKey names a break move among the rejected ones.
func moveKey(m breakMoveAudit) string {
	return m.ShiftUID + "@" + m.From.UTC().Format(time.RFC3339) + "@" + m.To.UTC().Format(time.RFC3339)
}

// rejectedToday reads the suggestions of queue queueID rejected in the
// audit log as entity, kept as T, that concern since (the day shown) or
// later, by key. A decision is audited with the suggestion as its After.
func rejectedToday[T any](ctx context.Context, st *store.Store, entity string, queueID int64, since time.Time, from func(T) time.Time, key func(T) string) (map[string]bool, error) {
	evs, err := st.FindAudit(ctx, entity, queueID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range evs {
		var v T
		if e.Action != "reject" || json.Unmarshal([]byte(e.After), &v) != nil || from(v).Before(since) {
			continue
		}
		out[key(v)] = true
	}
	return out, nil
}

// lockedPublishedShift reads the published shift uid under its plan's
// lock, so that decisions on one plan's suggestions run one at a time on
// PostgreSQL as on SQLite. Returns Conflict if no published shift has that
// UID any more.
func lockedPublishedShift(ctx context.Context, tx *store.Store, uid string) (calendar.Shift, error) {
	gone := func(err error) error {
		if fault.Is(err, fault.NotFound) {
			return fault.Errorf(fault.Conflict, "the shift is no longer published; reload the page")
		}
		return err
	}
	_, sch, err := tx.FindPublishedShiftByUID(ctx, uid)
	if err != nil {
		return calendar.Shift{}, gone(err)
	}
	if err := tx.LockPlan(ctx, sch.PlanID); err != nil {
		return calendar.Shift{}, err
	}
	sh, _, err := tx.FindPublishedShiftByUID(ctx, uid)
	return sh, gone(err)
}

// decidedBefore says whether the suggestion named want (by key) of queue
// queueID was accepted or rejected before: the audit log keeps each
// decision as entity, with the suggestion, a T, as its After.
func decidedBefore[T any](ctx context.Context, tx *store.Store, entity string, queueID int64, key func(T) string, want string) (bool, error) {
	evs, err := tx.FindAudit(ctx, entity, queueID)
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		var v T
		if (e.Action == "accept" || e.Action == "reject") && json.Unmarshal([]byte(e.After), &v) == nil && key(v) == want {
			return true, nil
		}
	}
	return false, nil
}

// DecideBreakMove accepts or rejects a suggested break move on queue
// queueID, once: under the plan's lock it checks that the break still
// starts at from in the published shift and that nobody decided the move
// before, else Conflict. Accepting then re-checks the move (the new start
// lies in the break's window, far enough ahead, and leaves no stretch of
// work over MaxWorkStretch) and publishes the plan's next revision with the
// break moved; the agent sees the change at once, marked short notice, in
// their week and calendar feed. Both are audited.
func (s *Service) DecideBreakMove(ctx context.Context, p auth.Principal, queueID int64, uid string, from, to time.Time, accept bool) (store.Schedule, error) {
	if err := p.Allow(auth.Schedules, auth.Update); err != nil {
		return store.Schedule{}, err
	}
	if _, err := s.store.FindQueueByID(ctx, queueID); err != nil {
		return store.Schedule{}, err
	}
	rec := breakMoveAudit{ShiftUID: uid, From: from.UTC(), To: to.UTC()}
	now := s.now()
	var published store.Schedule
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		sh, err := lockedPublishedShift(ctx, tx, uid)
		if err != nil {
			return err
		}
		k := -1
		for i, b := range sh.Breaks {
			if b.Start.Equal(from) {
				k = i
			}
		}
		if k < 0 {
			return fault.Errorf(fault.Conflict, "the break no longer starts at %s; reload the page", from.UTC().Format(time.RFC3339))
		}
		if done, err := decidedBefore(ctx, tx, breakMoveEntity, queueID, moveKey, moveKey(rec)); err != nil {
			return err
		} else if done {
			return fault.Errorf(fault.Conflict, "this break move was decided already; reload the page")
		}
		if !accept {
			return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: breakMoveEntity, EntityID: queueID, Action: "reject", After: store.Snapshot(rec)})
		}
		mb := movableBreak(sh, k)
		if problem := checkMove(mb, to, now); problem != "" {
			return &fault.Error{Code: fault.Unprocessable, Message: "the break cannot move there", Fields: map[string]string{"to": problem}}
		}
		changed := sh
		changed.Breaks = append([]calendar.Break(nil), sh.Breaks...)
		changed.Breaks[k].Start, changed.Breaks[k].End = to, to.Add(mb.Length)
		published, err = s.publishShiftChange(ctx, tx, sh, changed, p.User.ID, now, "intraday: break moved out of a peak")
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: breakMoveEntity, EntityID: queueID, Action: "accept", After: store.Snapshot(rec)})
	})
	return published, err
}

// checkMove says why b may not start at to ("" if it may).
func checkMove(b intraday.MovableBreak, to, now time.Time) string {
	switch {
	case to.Before(now.Add(IntradayNotice)) || b.Start.Before(now.Add(IntradayNotice)):
		return fmt.Sprintf("breaks move only %d minutes or more ahead", int(IntradayNotice/time.Minute))
	case to.Before(b.Earliest) || to.After(b.Latest):
		return fmt.Sprintf("the break may start between %s and %s", b.Earliest.UTC().Format("15:04"), b.Latest.UTC().Format("15:04 MST"))
	}
	longest := func(start time.Time) (time.Duration, bool) {
		spans := append([]intraday.Span{{Start: start, End: start.Add(b.Length)}}, b.Others...)
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start.Before(spans[j].Start) })
		at, most := b.ShiftStart, time.Duration(0)
		for i, sp := range spans {
			if i > 0 && sp.Start.Before(spans[i-1].End) {
				return 0, false
			}
			most = max(most, sp.Start.Sub(at))
			at = sp.End
		}
		return max(most, b.ShiftEnd.Sub(at)), true
	}
	before, _ := longest(b.Start)
	after, ok := longest(to)
	switch {
	case !ok:
		return "it would overlap another break"
	case after > MaxWorkStretch && after > before:
		return fmt.Sprintf("it would leave %s of work without a break (the limit is %s)", after, MaxWorkStretch)
	}
	return ""
}
