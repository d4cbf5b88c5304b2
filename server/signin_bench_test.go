package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkHostileSignIns is the sign-in flood of docs/benchmarks/startup.md:
// 64 clients post wrong passwords as fast as they can, each from its own
// address and for its own account (so the per-address and per-account limits
// do not stop them before the password check), while a signed-in user reads
// /api/v1/me. It reports the user's p99 latency, the process's peak resident
// memory, and how many attempts were checked or turned away (429).
func BenchmarkHostileSignIns(b *testing.B) {
	ctx := context.Background()
	st := storetest.OpenSQLite(b)
	hash, err := auth.HashPassword("the right password")
	if err != nil {
		b.Fatal(err)
	}
	const flooders = 64
	for i := range flooders {
		if _, err := st.CreateUser(ctx, org.User{Email: fmt.Sprintf("victim%02d@example.com", i), Name: "victim", Role: org.RoleAgent}, hash); err != nil {
			b.Fatal(err)
		}
	}
	u, err := st.CreateUser(ctx, org.User{Email: "planner@example.com", Name: "planner", Role: org.RolePlanner}, hash)
	if err != nil {
		b.Fatal(err)
	}
	secret, tok, tokHash, err := auth.NewAPIToken(u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateAPIToken(ctx, tok, tokHash); err != nil {
		b.Fatal(err)
	}
	trusted, err := server.ParseTrustedProxies("127.0.0.0/8, ::1")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{TrustedProxies: trusted}).Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: flooders + 4}}

	var checked, refused int
	var lat []time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		stop := make(chan struct{})
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range flooders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"email":"victim%02d@example.com","password":"guess"}`, i)
				for try := 0; ; try++ {
					select {
					case <-stop:
						return
					default:
					}
					req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					// A new address for every try: the per-address limit never applies.
					req.Header.Set("X-Forwarded-For", "10."+strconv.Itoa(n%250)+"."+strconv.Itoa(i)+"."+strconv.Itoa(try%250))
					res, err := client.Do(req)
					if err != nil {
						continue
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mu.Lock()
					if res.StatusCode == http.StatusTooManyRequests {
						refused++
					} else {
						checked++
					}
					mu.Unlock()
				}
			}()
		}
		for range 200 {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			lat = append(lat, time.Since(t0))
			if res.StatusCode != http.StatusOK {
				b.Fatalf("/me answered %d during the flood", res.StatusCode)
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "me_p99_ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "me_p50_ms")
	b.ReportMetric(peakRSSMB(), "peak_rss_MB")
	b.ReportMetric(float64(checked)/float64(b.N), "checked/op")
	b.ReportMetric(float64(refused)/float64(b.N), "refused/op")
}

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc, or 0
// where there is none.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if f := strings.Fields(string(line)); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
