package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkLivePushAcrossReplicas is the live board's latency as the issue
// measures it: two servers (replicas) on one PostgreSQL database, a state
// event posted to one, the board's stream open on the other; the time from
// sending the event to the "board" event arriving. Events go out 1.2 s apart
// (a stream sends at most one event a second). It reports p50 and p99.
func BenchmarkLivePushAcrossReplicas(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("needs PostgreSQL (PEAKWISE_TEST_DATABASE_URL)")
	}
	ctx := context.Background()
	st := storetest.Open(b, store.Postgres)
	site, _ := st.CreateSite(ctx, org.Site{Name: "S", Timezone: "UTC"})
	team, _ := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "T"})
	if _, err := st.CreateAgent(ctx, org.Agent{Name: "a", Email: "a@bench.example.com", Timezone: "UTC", TeamID: &team.ID, Contract: org.DefaultContract}); err != nil {
		b.Fatal(err)
	}
	hash, err := auth.HashPassword("a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(ctx, org.User{Email: "planner@example.com", Name: "p", Role: org.RolePlanner}, hash)
	if err != nil {
		b.Fatal(err)
	}
	secret, tok, th, _ := auth.NewAPIToken(u.ID, "bench")
	if _, err := st.CreateAPIToken(ctx, tok, th); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	one, two := server.New(st, log, server.Config{}), server.New(st, log, server.Config{})
	a, bsrv := httptest.NewServer(one.Handler()), httptest.NewServer(two.Handler())
	defer a.Close()
	defer bsrv.Close()
	defer one.Close(ctx)
	defer two.Close(ctx)

	// A browser signed in on the second replica watches the board.
	jar := browserJar(b)
	res, err := jar.PostForm(bsrv.URL+"/login", url.Values{"email": {"planner@example.com"}, "password": {"a long enough password"}})
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("sign in: %v %v", err, res)
	}
	res.Body.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, bsrv.URL+"/live/events", nil)
	stream, err := jar.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		b.Fatalf("stream: %v %v", err, stream)
	}
	events := make(chan time.Time, 16)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: board") {
				events <- time.Now()
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond) // the listener connects and says hello
	for len(events) > 0 {
		<-events
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N * 10 {
		body := fmt.Sprintf(`{"events":[{"event_id":"lat-%d","agent":"a@bench.example.com","state":"available","at":%q}]}`, i, time.Now().UTC().Add(-time.Second).Format(time.RFC3339))
		r, _ := http.NewRequest(http.MethodPost, a.URL+"/api/v1/acd/agent-events", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+secret)
		r.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		res, err := http.DefaultClient.Do(r)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("post: %v %v", err, res)
		}
		res.Body.Close()
		select {
		case at := <-events:
			lat = append(lat, at.Sub(t0))
		case <-time.After(10 * time.Second):
			b.Fatal("no board event within 10 s")
		}
		time.Sleep(1200 * time.Millisecond)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
}

func browserJar(b *testing.B) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	return &http.Client{Jar: jar}
}
