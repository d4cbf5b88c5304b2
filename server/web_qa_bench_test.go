package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// BenchmarkQAPages renders every quality page, and the homes of the other
// roles, on the demo data (SQLite) and reports p50 and p95 per page.
func BenchmarkQAPages(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(b.TempDir(), "bench.db")})
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	require.NoError(b, st.Migrate(ctx))
	logins, err := demo.Seed(ctx, st, 7, time.Now())
	require.NoError(b, err)
	h := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler()
	cookies := map[org.Role]*http.Cookie{}
	for _, l := range logins {
		form := url.Values{"email": {l.Email}, "password": {l.Password}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(b, http.StatusSeeOther, rec.Code, rec.Body.String())
		cookies[l.Role] = rec.Result().Cookies()[0]
	}
	drafts, _, err := st.FindEvaluations(ctx, store.EvaluationFilter{Page: store.Page{Limit: 1}})
	require.NoError(b, err)
	sessions, _, err := st.FindCalibrations(ctx, store.Page{Limit: 1})
	require.NoError(b, err)
	coaching, _, err := st.FindCoaching(ctx, store.CoachingFilter{Page: store.Page{Limit: 1}})
	require.NoError(b, err)
	cards, _, err := st.FindScorecards(ctx, store.ScorecardFilter{})
	require.NoError(b, err)
	for _, p := range []struct {
		name string
		role org.Role
		path string
	}{
		{"qa-home", org.RoleQAReviewer, "/qa"},
		{"evaluation", org.RoleQAReviewer, "/qa/evaluations/" + itoa(drafts[0].ID)},
		{"trends-everyone", org.RoleQAReviewer, "/qa/trends"},
		{"calibration", org.RoleQAReviewer, "/qa/calibrations/" + itoa(sessions[0].ID)},
		{"coaching", org.RoleQAReviewer, "/qa/coaching/" + itoa(coaching[0].ID)},
		{"scorecards", org.RoleQAReviewer, "/qa/scorecards"},
		{"scorecard-editor", org.RoleQAReviewer, "/qa/scorecards/" + itoa(cards[0].ID) + "/edit"},
		{"agent-quality", org.RoleAgent, "/me/quality"},
		{"agent-week", org.RoleAgent, "/me"},
		{"team-quality", org.RoleSupervisor, "/team/quality"},
		{"team", org.RoleSupervisor, "/team"},
		{"admin", org.RoleAdmin, "/admin"},
	} {
		b.Run(p.name, func(b *testing.B) { timePage(b, h, cookies[p.role], p.path) })
	}
}
