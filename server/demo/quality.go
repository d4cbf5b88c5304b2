package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/store"
)

// demoScorecard is a typical voice and chat scorecard: weighted sections,
// point scales, an N/A-able criterion, a critical and an auto-fail item.
func demoScorecard() qa.Scorecard {
	return qa.Scorecard{Name: "Customer conversation", PassThreshold: 80, AutoFailZeroes: false, Sections: []qa.Section{
		{Key: "opening", Title: "Opening", Weight: 1, Criteria: []qa.Criterion{
			{Key: "greeting", Title: "Greets and introduces themselves", Guidance: "Within the first 10 seconds, with name and company.", Weight: 1, Scale: qa.YesNo},
			{Key: "verification", Title: "Verifies the customer's identity", Guidance: "Two factors before discussing the account. A miss is a compliance breach.", Weight: 2, Scale: qa.YesNo, Critical: true},
		}},
		{Key: "solution", Title: "Solution", Weight: 3, Criteria: []qa.Criterion{
			{Key: "discovery", Title: "Finds the real need", Guidance: "Open questions, summarises the problem back.", Weight: 2, Scale: qa.Points5},
			{Key: "resolution", Title: "Resolves or sets a clear next step", Guidance: "1 = no next step, 4 = resolved and confirmed.", Weight: 3, Scale: qa.Points4},
			{Key: "accuracy", Title: "Gives correct information", Guidance: "A wrong answer about fees or refunds fails the conversation.", Weight: 2, Scale: qa.YesNo, AutoFail: true},
		}},
		{Key: "manner", Title: "Manner", Weight: 2, Criteria: []qa.Criterion{
			{Key: "empathy", Title: "Shows empathy", Guidance: "Acknowledges the customer's situation.", Weight: 1, Scale: qa.Points5},
			{Key: "hold", Title: "Uses hold correctly", Guidance: "Asks before hold, thanks after. N/A when no hold was needed.", Weight: 1, Scale: qa.Points3, AllowNA: true},
			{Key: "closing", Title: "Closes properly", Guidance: "Offers further help and thanks the customer.", Weight: 1, Scale: qa.YesNo},
		}},
	}}
}

// seedQuality fills quality monitoring: the scorecard, six weeks of
// interactions with surveys, evaluations in every state (the reviewer's
// queue of drafts, released ones for the demo agent), an open dispute,
// coaching sessions (one held, waiting for the agent; one overdue) and a
// closed calibration session between the reviewer and the admin.
func seedQuality(ctx context.Context, st *store.Store, rng *mrand.Rand, now time.Time) error {
	sc, err := st.CreateScorecard(ctx, demoScorecard())
	if err != nil {
		return err
	}
	reviewer, _, err := st.FindUserByEmail(ctx, "reviewer@demo.peakwise.dev")
	if err != nil {
		return err
	}
	admin, _, err := st.FindUserByEmail(ctx, "admin@demo.peakwise.dev")
	if err != nil {
		return err
	}
	agentUser, _, err := st.FindUserByEmail(ctx, "agent@demo.peakwise.dev")
	if err != nil {
		return err
	}
	supervisor, _, err := st.FindUserByEmail(ctx, "supervisor@demo.peakwise.dev")
	if err != nil {
		return err
	}
	agents, _, err := st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	queues, _, err := st.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return err
	}
	var contacts []qa.Contact
	start := now.AddDate(0, 0, -42)
	for i, a := range agents {
		for k := 0; k < 8; k++ {
			at := start.Add(time.Duration(rng.Int64N(int64(41 * 24 * time.Hour))))
			at = at.Truncate(time.Minute)
			q := queues[(i+k)%len(queues)]
			ch := "voice"
			if q.ChannelID != queues[0].ChannelID {
				ch = "chat"
			}
			ct := qa.Contact{ExternalID: fmt.Sprintf("DEMO-%05d", len(contacts)+1), Channel: ch, QueueID: &q.ID, AgentID: a.ID, TeamID: a.TeamID,
				Customer: fmt.Sprintf("CUST-%04d", rng.IntN(300)), StartedAt: at, HandleSeconds: 120 + rng.IntN(600),
				Link: fmt.Sprintf("https://recordings.example.com/DEMO-%05d", len(contacts)+1),
				Transcript: "Agent: Thank you for calling, this is " + a.Name + ". How can I help?\nCustomer: My card was charged twice.\n" +
					"Agent: I'm sorry to hear that. Let me check the account after verifying your identity.",
			}
			resolved := rng.Float64() < 0.8
			ct.Resolved = &resolved
			if rng.Float64() < 0.45 {
				csat := 1 + min(4, int(rng.ExpFloat64()*0.8))
				csat = 6 - csat // skewed towards 5
				nps := min(10, 4+rng.IntN(7)+csat/2)
				ces := 1 + rng.IntN(7)
				ct.CSAT, ct.NPS, ct.CES = &csat, &nps, &ces
			}
			contacts = append(contacts, ct)
		}
	}
	if _, err := st.UpsertContacts(ctx, contacts); err != nil {
		return err
	}
	stored, _, err := st.FindContacts(ctx, store.ContactFilter{All: true})
	if err != nil {
		return err
	}
	var evals []qa.Evaluation
	var demoAgentEvals []int
	for i, ct := range stored {
		// A third of the contacts are evaluated, and all of the demo agent's,
		// so their pages always have released evaluations, a dispute and a
		// coaching session to show (the draws above vary with the data).
		if i%3 != 0 && ct.AgentID != *agentUser.AgentID {
			continue
		}
		e := qa.Evaluation{InteractionID: ct.ID, ScorecardID: sc.ID, AgentID: ct.AgentID, TeamID: ct.TeamID, ReviewerID: reviewer.ID,
			Comments: map[string]string{}}
		age := now.Sub(ct.StartedAt)
		due := ct.StartedAt.Add(7 * 24 * time.Hour)
		e.DueAt = &due
		if age < 5*24*time.Hour && ct.AgentID != *agentUser.AgentID {
			e.State, e.Answers = qa.EvalDraft, []qa.Answer{} // the reviewer's queue
		} else {
			e.Answers = demoAnswers(rng)
			res, err := qa.Score(sc, e.Answers)
			if err != nil {
				return err
			}
			scored := ct.StartedAt.Add(time.Duration(24+rng.IntN(72)) * time.Hour)
			if scored.After(now) {
				scored = now.Add(-time.Hour)
			}
			released := scored.Add(2 * time.Hour)
			e.Result, e.ScoredAt, e.ReleasedAt, e.State = &res, &scored, &released, qa.EvalReleased
			if res.Outcome == qa.Fail {
				e.Comment = "Let's go through the resolution steps together."
			}
			if rng.Float64() < 0.5 && ct.AgentID != *agentUser.AgentID {
				ack := released.Add(6 * time.Hour)
				e.State, e.AckAt = qa.EvalAcknowledged, &ack
			}
		}
		if ct.AgentID == *agentUser.AgentID {
			demoAgentEvals = append(demoAgentEvals, len(evals))
		}
		evals = append(evals, e)
	}
	created, err := st.CreateEvaluations(ctx, evals)
	if err != nil {
		return err
	}
	// The demo agent has disputed one evaluation; the reviewer's inbox shows it.
	if len(demoAgentEvals) > 1 {
		e := created[demoAgentEvals[0]]
		e.State = qa.EvalDisputed
		if e, err = st.SaveEvaluation(ctx, e); err != nil {
			return err
		}
		four := 4
		if _, err := st.CreateDispute(ctx, qa.Dispute{EvaluationID: e.ID, AgentID: e.AgentID, CreatedByID: agentUser.ID, Comment: "The customer confirmed the fix on the call.",
			Items: []qa.DisputeItem{{Criterion: "resolution", Proposed: &four, Comment: "Resolved and confirmed at 04:10 in the recording."}}}); err != nil {
			return err
		}
		// ...and has a held coaching session to acknowledge, born of an evaluation.
		ev := created[demoAgentEvals[1]]
		held := now.Add(-26 * time.Hour)
		cs, err := st.CreateCoaching(ctx, qa.CoachingSession{AgentID: ev.AgentID, TeamID: ev.TeamID, CoachID: reviewer.ID, EvaluationID: &ev.ID,
			Criteria: []string{"discovery", "empathy"}, Topic: "Finding the real need", Goals: "Ask two open questions before proposing a fix.",
			State: qa.CoachingPlanned, DueAt: now.Add(-48 * time.Hour), Notes: []qa.CoachingNote{
				{AuthorID: reviewer.ID, Body: "Great energy. Next step: summarise the problem back before solving it.", Shared: true},
				{AuthorID: reviewer.ID, Body: "Private: listen to call DEMO-00003 with the supervisor first.", Shared: false},
			}})
		if err != nil {
			return err
		}
		cs.State, cs.HeldAt = qa.CoachingHeld, &held
		if _, err := st.SaveCoachingState(ctx, cs); err != nil {
			return err
		}
	}
	// An overdue session in the supervisor's team.
	if sup, err := st.SupervisedTeamIDs(ctx, supervisor.ID); err == nil && len(sup) > 0 {
		for _, a := range agents {
			if a.TeamID != nil && *a.TeamID == sup[0] && a.ID != *agentUser.AgentID {
				if _, err := st.CreateCoaching(ctx, qa.CoachingSession{AgentID: a.ID, TeamID: a.TeamID, CoachID: supervisor.ID, Topic: "Hold etiquette",
					Goals: "Ask before placing on hold.", State: qa.CoachingPlanned, DueAt: now.Add(-72 * time.Hour)}); err != nil {
					return err
				}
				break
			}
		}
	}
	return seedCalibration(ctx, st, rng, sc, stored, reviewer.ID, admin.ID)
}

// seedCalibration runs a closed calibration of three interactions between
// the reviewer and the admin (as calibrator).
func seedCalibration(ctx context.Context, st *store.Store, rng *mrand.Rand, sc qa.Scorecard, contacts []qa.Contact, reviewer, calibrator int64) error {
	ids := []int64{contacts[1].ID, contacts[2].ID, contacts[4].ID}
	cs, err := st.CreateCalibration(ctx, qa.CalibrationSession{Name: "Monthly calibration", ScorecardID: sc.ID, InteractionIDs: ids,
		ReviewerIDs: []int64{reviewer}, CalibratorID: &calibrator, CreatedByID: calibrator})
	if err != nil {
		return err
	}
	var entries []qa.Evaluation
	for _, ct := range contacts {
		if ct.ID != ids[0] && ct.ID != ids[1] && ct.ID != ids[2] {
			continue
		}
		for _, who := range []int64{reviewer, calibrator} {
			answers := demoAnswers(rng)
			res, err := qa.Score(sc, answers)
			if err != nil {
				return err
			}
			at := ct.StartedAt.Add(48 * time.Hour)
			entries = append(entries, qa.Evaluation{InteractionID: ct.ID, ScorecardID: sc.ID, AgentID: ct.AgentID, TeamID: ct.TeamID, ReviewerID: who,
				CalibrationID: &cs.ID, State: qa.EvalSubmitted, Answers: answers, Result: &res, ScoredAt: &at, Comments: map[string]string{}})
		}
	}
	if _, err := st.CreateEvaluations(ctx, entries); err != nil {
		return err
	}
	_, err = st.CloseCalibration(ctx, cs)
	return err
}

// demoAnswers rates the demo scorecard the way real reviews spread: mostly
// good, some misses, rare critical and auto-fails.
func demoAnswers(rng *mrand.Rand) []qa.Answer {
	v := func(x int) *int { return &x }
	yes := func(p float64) *int {
		if rng.Float64() < p {
			return v(1)
		}
		return v(0)
	}
	points := func(lo, hi int) *int { return v(lo + rng.IntN(hi-lo+1)) }
	hold := points(2, 3)
	if rng.Float64() < 0.4 {
		hold = nil
	}
	return []qa.Answer{
		{Criterion: "greeting", Value: yes(0.95)}, {Criterion: "verification", Value: yes(0.97)},
		{Criterion: "discovery", Value: points(2, 5)}, {Criterion: "resolution", Value: points(2, 4)}, {Criterion: "accuracy", Value: yes(0.96)},
		{Criterion: "empathy", Value: points(3, 5)}, {Criterion: "hold", Value: hold}, {Criterion: "closing", Value: yes(0.9)},
	}
}
