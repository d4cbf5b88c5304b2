package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkIngestAgentEvents posts agent state events through the API as
// fast as 8 clients can, in batches of 100 events of 1,000 agents: the
// throughput. BenchmarkIngestAgentEventsPaced sends them at 1,000 events a
// second (10 batches a second: a large center's shift change): the latency a
// platform sees. On PostgreSQL when PEAKWISE_TEST_DATABASE_URL is set, else
// SQLite. Both report events per second and the p50 and p99 latency of a
// batch (docs/benchmarks/live.md).
func BenchmarkIngestAgentEvents(b *testing.B) { benchIngest(b, 0) }

func BenchmarkIngestAgentEventsPaced(b *testing.B) { benchIngest(b, 10) }

// benchIngest sends b.N x 10 batches; perSecond > 0 paces them.
func benchIngest(b *testing.B, perSecond int) {
	ctx := context.Background()
	dialect := store.SQLite
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") != "" {
		dialect = store.Postgres
	}
	st := storetest.Open(b, dialect)
	const agents, batch, clients = 1000, 100, 8
	site, err := st.CreateSite(ctx, org.Site{Name: "Bench", Timezone: "UTC"})
	if err != nil {
		b.Fatal(err)
	}
	team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "T"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range agents {
		if _, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprintf("a%d", i), Email: fmt.Sprintf("a%d@bench.example.com", i), Timezone: "UTC",
			TeamID: &team.ID, Contract: org.DefaultContract}); err != nil {
			b.Fatal(err)
		}
	}
	u, err := st.CreateUser(ctx, org.User{Email: "planner@example.com", Name: "planner", Role: org.RolePlanner}, "")
	if err != nil {
		b.Fatal(err)
	}
	secret, tok, hash, err := auth.NewAPIToken(u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateAPIToken(ctx, tok, hash); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler())
	defer srv.Close()
	states := []string{"available", "on_contact", "after_contact_work", "available", "break", "available"}
	var seq atomic.Int64
	body := func() string {
		var sb strings.Builder
		sb.WriteString(`{"events":[`)
		at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		for k := range batch {
			n := seq.Add(1)
			if k > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"event_id":"e%d","agent":"a%d@bench.example.com","state":%q,"at":%q}`, n, n%agents, states[n%int64(len(states))], at)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	post := func() (time.Duration, error) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/acd/agent-events", strings.NewReader(body()))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", res.StatusCode)
		}
		return time.Since(t0), nil
	}
	if _, err := post(); err != nil { // warm up
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lat []time.Duration
	work := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				d, err := post()
				if err != nil {
					failed.Store(err)
					continue
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	var tick <-chan time.Time
	if perSecond > 0 {
		t := time.NewTicker(time.Second / time.Duration(perSecond))
		defer t.Stop()
		tick = t.C
	}
	for range b.N * 10 {
		if tick != nil {
			<-tick
		}
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat)*batch)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
