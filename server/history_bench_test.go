package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkHistoryCSVUpload imports five years of 15-minute history for one
// queue (175,200 rows) through POST /api/v1/history on PostgreSQL: parsing,
// validation, queue mapping and the transactional write.
func BenchmarkHistoryCSVUpload(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL to run this PostgreSQL benchmark")
	}
	st := storetest.Open(b, store.Postgres)
	ctx := context.Background()
	ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(b, err)
	_, err = st.CreateQueue(ctx, org.Queue{Name: "Voice", ChannelID: ch.ID, Timezone: "America/New_York", ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300, IntervalMin: 15})
	require.NoError(b, err)
	u, err := st.CreateUser(ctx, org.User{Email: "p@bench.test", Name: "p", Role: org.RolePlanner}, "")
	require.NoError(b, err)
	secret, rec, hash, err := auth.NewAPIToken(u.ID, "bench")
	require.NoError(b, err)
	_, err = st.CreateAPIToken(ctx, rec, hash)
	require.NoError(b, err)
	var sb strings.Builder
	sb.WriteString("timestamp,channel,timezone,contacts,aht_seconds\n")
	ny, _ := time.LoadLocation("America/New_York")
	t0 := time.Date(2021, 1, 4, 0, 0, 0, 0, ny)
	for i := 0; i < 175200; i++ {
		fmt.Fprintf(&sb, "%s,voice,America/New_York,%d,%d\n", t0.Add(time.Duration(i)*15*time.Minute).In(ny).Format(time.RFC3339), i%40, 240+i%60)
	}
	body := sb.String()
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler())
	defer srv.Close()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/history", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Equal(b, 200, res.StatusCode, "%s", out)
	}
}
