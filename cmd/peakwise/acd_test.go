package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// The replay turns the demo's published Wednesday into a stream the server
// takes: events stored, queue actuals stored, and agents on the adherence
// report; sent again with the same seed, nothing is stored twice.
func TestACDReplayFeedsTheLiveDay(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC) // a Wednesday afternoon
	_, err := demo.Seed(ctx, st, 3, now)
	require.NoError(t, err)
	clock := func() time.Time { return now }
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Now: clock})
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	_, err = srv.ForecastAll(ctx, "test")
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	planner, _, err := st.FindUserByEmail(ctx, "planner@demo.peakwise.dev")
	require.NoError(t, err)
	secret, tok, hash, err := auth.NewAPIToken(planner.ID, "replay")
	require.NoError(t, err)
	_, err = st.CreateAPIToken(ctx, tok, hash)
	require.NoError(t, err)

	args := []string{"acd", "replay", "--url", hs.URL, "--token", secret, "--day", "2026-11-18", "--until", now.Format(time.RFC3339), "--seed", "9"}
	code, out, errOut := runCLI(t, nil, "", args...)
	require.Equal(t, 0, code, "%s%s", out, errOut)
	assert.Contains(t, out, "replaying 2026-11-18: 60 agents")
	assert.NotContains(t, out, " 0 stored,", out)
	assert.Contains(t, out, "intervals stored, 0 refused")

	events, err := st.FindAgentEvents(ctx, store.AgentEventFilter{From: now.Add(-24 * time.Hour), To: now.Add(time.Minute)})
	require.NoError(t, err)
	assert.Greater(t, len(events), 300, "a morning of state changes for 60 agents")

	code, out, _ = runCLI(t, nil, "", args...)
	require.Equal(t, 0, code)
	assert.Contains(t, out, " 0 stored,", "the same seed again: every event is already there")
	again, err := st.FindAgentEvents(ctx, store.AgentEventFilter{From: now.Add(-24 * time.Hour), To: now.Add(time.Minute)})
	require.NoError(t, err)
	assert.Len(t, again, len(events))

	svc := service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: clock})
	rep, err := svc.Adherence(ctx, auth.Principal{User: planner}, service.AdherenceQuery{From: now.Add(-12 * time.Hour), To: now})
	require.NoError(t, err)
	assert.Greater(t, len(rep.Agents), 30)
	require.NotNil(t, rep.Adherence)
	assert.Greater(t, *rep.Adherence, 0.6, "a believable day: most of the time in adherence")
	assert.Less(t, *rep.Adherence, 0.999, "and some strays")

	code, _, errOut = runCLI(t, nil, "", "acd", "replay", "--url", hs.URL, "--token", secret, "--day", "2026-12-20", "--until", now.Format(time.RFC3339))
	assert.Equal(t, 1, code)
	assert.True(t, strings.Contains(errOut, "no published shift starts on 2026-12-20"), errOut)
}
