package erlang

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// HandleTimeDist is the distribution of simulated handle times.
type HandleTimeDist int

const (
	// Exponential handle times, as Erlang C and A assume.
	Exponential HandleTimeDist = iota
	// Lognormal handle times with the given mean and coefficient of variation,
	// closer to measured call durations (Brown et al. 2005).
	Lognormal
)

// SimConfig describes a sequence of intervals to replay.
type SimConfig struct {
	// Interval is the length of each interval; > 0.
	Interval time.Duration
	// Contacts is the expected number of contacts per interval: arrivals are
	// Poisson at rate Contacts[i]/Interval during interval i.
	Contacts []float64
	// Agents is the number of agents on duty per interval (same length as
	// Contacts). When it drops at a boundary, idle agents leave at once and
	// busy ones finish their contact and then leave.
	Agents []int
	// AHT is the mean handle time; AHTs, when not nil, overrides it per
	// interval (by the contact's arrival interval; 0 entries use AHT).
	AHT  time.Duration
	AHTs []time.Duration
	// HandleTime is the handle-time distribution; HandleTimeCV its
	// coefficient of variation for Lognormal (0 means 1).
	HandleTime   HandleTimeDist
	HandleTimeCV float64
	// Patience is the mean of exponential patience; 0 means contacts never
	// abandon.
	Patience time.Duration
	// Concurrency is contacts per agent at once (chat); 0 or 1 for voice.
	Concurrency int
	// AnswerWithin is the service level threshold.
	AnswerWithin time.Duration
	// WarmupIntervals excludes contacts arriving in the first intervals from
	// the statistics, so a run that starts empty does not flatter a
	// steady-state estimate. 0 for a day that really starts empty.
	WarmupIntervals int
	// Runs is the number of independent replications (>= 2, for a confidence
	// interval); Seed makes them reproducible: run r uses PCG(Seed, r).
	Runs int
	Seed uint64
}

// Estimate is a mean over runs with its 95% confidence interval (Student t on
// the per-run values).
type Estimate struct {
	Mean, Low, High float64
}

// SimInterval is the pooled outcome of contacts that arrived in one interval,
// over all runs.
type SimInterval struct {
	// Offered is the mean number of contacts per run.
	Offered float64
	// ServiceLevel, ASA (seconds) and Abandon are pooled ratios over runs
	// (NaN when nothing was offered, or for ASA nothing answered).
	ServiceLevel, ASA, Abandon float64
	// Occupancy is busy server time / staffed server time in the interval
	// (an agent finishing a contact past their shift counts as staffed while
	// they do); NaN when nobody was on duty.
	Occupancy float64
}

// SimResult is the outcome of a simulation.
type SimResult struct {
	Runs int
	// ServiceLevel is answered within AnswerWithin / offered; ASA is the mean
	// wait of answered contacts in seconds; Abandon is abandoned / offered.
	// They are computed per run and then averaged. Runs without offered
	// (resp. answered) contacts are left out of that average.
	ServiceLevel, ASA, Abandon Estimate
	// Occupancy is busy / staffed server time over the counted intervals.
	Occupancy Estimate
	// Offered is the mean number of counted contacts per run.
	Offered float64
	// Unserved is the mean number per run of infinitely patient contacts
	// still waiting when the last agent left; they count as not answered.
	Unserved  float64
	Intervals []SimInterval
}

func (c SimConfig) validate() error {
	var errs InputErrors
	if c.Interval <= 0 {
		errs = append(errs, paramError("interval", "must be > 0, got %v", c.Interval))
	}
	if len(c.Contacts) == 0 || len(c.Contacts) != len(c.Agents) {
		errs = append(errs, paramError("agents", "need one contacts and one agents value per interval, got %d and %d", len(c.Contacts), len(c.Agents)))
	}
	for i, v := range c.Contacts {
		if !(v >= 0) || math.IsInf(v, 0) {
			errs = append(errs, &InputError{Line: i + 1, Field: "contacts", Reason: fmt.Sprintf("must be a finite number >= 0, got %v", v)})
		}
	}
	for i, v := range c.Agents {
		if v < 0 {
			errs = append(errs, &InputError{Line: i + 1, Field: "agents", Reason: fmt.Sprintf("must be >= 0, got %d", v)})
		}
	}
	if c.AHT <= 0 {
		errs = append(errs, paramError("aht", "must be > 0, got %v", c.AHT))
	}
	if c.AHTs != nil && len(c.AHTs) != len(c.Contacts) {
		errs = append(errs, paramError("aht", "per-interval AHTs must have one value per interval, got %d for %d", len(c.AHTs), len(c.Contacts)))
	}
	for i, v := range c.AHTs {
		if v < 0 {
			errs = append(errs, &InputError{Line: i + 1, Field: "aht", Reason: fmt.Sprintf("must be >= 0 (0 = default), got %v", v)})
		}
	}
	if c.HandleTime != Exponential && c.HandleTime != Lognormal {
		errs = append(errs, paramError("handle-time", "unknown distribution %d", c.HandleTime))
	}
	if c.HandleTimeCV < 0 {
		errs = append(errs, paramError("handle-time-cv", "must be >= 0, got %v", c.HandleTimeCV))
	}
	if c.Patience < 0 {
		errs = append(errs, paramError("patience", "must be >= 0, got %v", c.Patience))
	}
	if c.Concurrency < 0 {
		errs = append(errs, paramError("concurrency", "must be >= 0, got %d", c.Concurrency))
	}
	if c.AnswerWithin < 0 {
		errs = append(errs, paramError("answer-within", "must be >= 0, got %v", c.AnswerWithin))
	}
	if c.WarmupIntervals < 0 || c.WarmupIntervals >= len(c.Contacts) && len(c.Contacts) > 0 {
		errs = append(errs, paramError("warmup", "must be in [0, intervals), got %d", c.WarmupIntervals))
	}
	if c.Runs < 2 {
		errs = append(errs, paramError("runs", "must be >= 2 for a confidence interval, got %d", c.Runs))
	}
	return errs.orNil()
}

// runStats counts one run's contacts per arrival interval.
type runStats struct {
	offered, within, answered, abandoned []int
	waitSum                              []float64
	busySec, staffedSec                  []float64
	unserved                             int
}

// Simulate replays the intervals Runs times with Poisson arrivals, the chosen
// handle-time distribution, optional exponential patience and the given
// agents on duty, serving a single FIFO queue, and reports the achieved
// service level, ASA and abandonment with 95% confidence intervals. Arrivals
// stop at the end of the last interval; its agents stay until the queue is
// empty (with no agents, waiting contacts then abandon or, if infinitely
// patient, count as unserved). Runs execute in parallel; results depend only
// on the configuration and Seed. It returns InputErrors for a bad
// configuration and ctx.Err() if cancelled.
func Simulate(ctx context.Context, cfg SimConfig) (SimResult, error) {
	if err := cfg.validate(); err != nil {
		return SimResult{}, err
	}
	stats := make([]runStats, cfg.Runs)
	workers := min(runtime.GOMAXPROCS(0), cfg.Runs)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				stats[r] = simulateRun(cfg, rand.New(rand.NewPCG(cfg.Seed, uint64(r))))
			}
		}()
	}
	var err error
	for r := 0; r < cfg.Runs; r++ {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- r
	}
	close(next)
	wg.Wait()
	if err != nil {
		return SimResult{}, err
	}
	return summarize(cfg, stats), nil
}

func summarize(cfg SimConfig, stats []runStats) SimResult {
	n := len(cfg.Contacts)
	res := SimResult{Runs: cfg.Runs, Intervals: make([]SimInterval, n)}
	var sl, asa, ab, occ []float64
	var offeredAll, unserved float64
	pooled := make([]struct {
		offered, within, answered, abandoned int
		wait, busy, staffed                  float64
	}, n)
	for _, s := range stats {
		var off, win, ans, abd int
		var wait, busy, staffed float64
		for i := cfg.WarmupIntervals; i < n; i++ {
			busy += s.busySec[i]
			staffed += s.staffedSec[i]
			off += s.offered[i]
			win += s.within[i]
			ans += s.answered[i]
			abd += s.abandoned[i]
			wait += s.waitSum[i]
		}
		for i := 0; i < n; i++ {
			p := &pooled[i]
			p.offered += s.offered[i]
			p.within += s.within[i]
			p.answered += s.answered[i]
			p.abandoned += s.abandoned[i]
			p.wait += s.waitSum[i]
			p.busy += s.busySec[i]
			p.staffed += s.staffedSec[i]
		}
		offeredAll += float64(off)
		unserved += float64(s.unserved)
		if off > 0 {
			sl = append(sl, float64(win)/float64(off))
			ab = append(ab, float64(abd)/float64(off))
		}
		if ans > 0 {
			asa = append(asa, wait/float64(ans))
		}
		if staffed > 0 {
			occ = append(occ, busy/staffed)
		}
	}
	runs := float64(len(stats))
	res.Offered = offeredAll / runs
	res.Unserved = unserved / runs
	res.ServiceLevel, res.ASA, res.Abandon, res.Occupancy = estimate(sl), estimate(asa), estimate(ab), estimate(occ)
	for i, p := range pooled {
		iv := SimInterval{Offered: float64(p.offered) / runs, ServiceLevel: math.NaN(), ASA: math.NaN(), Abandon: math.NaN(), Occupancy: math.NaN()}
		if p.staffed > 0 {
			iv.Occupancy = p.busy / p.staffed
		}
		if p.offered > 0 {
			iv.ServiceLevel = float64(p.within) / float64(p.offered)
			iv.Abandon = float64(p.abandoned) / float64(p.offered)
		}
		if p.answered > 0 {
			iv.ASA = p.wait / float64(p.answered)
		}
		res.Intervals[i] = iv
	}
	return res
}

// estimate returns the mean and 95% Student-t interval of xs (NaN when empty;
// a zero-width interval for one value).
func estimate(xs []float64) Estimate {
	if len(xs) == 0 {
		return Estimate{math.NaN(), math.NaN(), math.NaN()}
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) == 1 {
		return Estimate{mean, mean, mean}
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(len(xs)-1))
	half := tQuantile975(len(xs)-1) * sd / math.Sqrt(float64(len(xs)))
	return Estimate{mean, mean - half, mean + half}
}

// t975 holds the 0.975 quantiles of Student's t for 1..30 degrees of freedom
// (standard tables, 3 decimals).
var t975 = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// tQuantile975 returns the 0.975 quantile of Student's t with df degrees of
// freedom: the table up to 30, then the Cornish-Fisher expansion around the
// normal quantile, accurate to 1e-4 there.
func tQuantile975(df int) float64 {
	if df <= len(t975) {
		return t975[df-1]
	}
	const z = 1.959963984540054
	d := float64(df)
	z3, z5 := z*z*z, z*z*z*z*z
	return z + (z3+z)/(4*d) + (5*z5+16*z3+3*z)/(96*d*d) + (3*z5*z*z+19*z5+17*z3-15*z)/(384*d*d*d)
}

// waiting is a queued contact.
type waiting struct {
	arrival, deadline float64
	interval          int
}

func simulateRun(cfg SimConfig, rng *rand.Rand) runStats {
	n := len(cfg.Contacts)
	s := runStats{offered: make([]int, n), within: make([]int, n), answered: make([]int, n), abandoned: make([]int, n),
		waitSum: make([]float64, n), busySec: make([]float64, n), staffedSec: make([]float64, n)}
	k := max(cfg.Concurrency, 1)
	length := cfg.Interval.Seconds()
	within := cfg.AnswerWithin.Seconds() + 1e-9
	patience := cfg.Patience.Seconds()
	cv := cfg.HandleTimeCV
	if cv == 0 {
		cv = 1
	}
	sigma := math.Sqrt(math.Log1p(cv * cv))
	aht := make([]float64, n)
	for i := range aht {
		aht[i] = cfg.AHT.Seconds()
		if cfg.AHTs != nil && cfg.AHTs[i] > 0 {
			aht[i] = cfg.AHTs[i].Seconds()
		}
	}
	handle := func(i int) float64 {
		if cfg.HandleTime == Lognormal {
			mu := math.Log(aht[i]) - sigma*sigma/2
			return math.Exp(mu + sigma*rng.NormFloat64())
		}
		return rng.ExpFloat64() * aht[i]
	}

	var done completions
	var queue []waiting
	head := 0
	busy := 0
	onDuty := cfg.Agents[0] * k
	cur := 0 // interval whose boundary comes next: (cur+1)·length

	// nextArrival draws the next Poisson arrival after t, walking across
	// intervals whose rate differs (memorylessness makes the restart exact).
	arrivalInterval := 0
	nextArrival := func(t float64) float64 {
		for arrivalInterval < n {
			rate := cfg.Contacts[arrivalInterval] / length
			bound := float64(arrivalInterval+1) * length
			if rate > 0 {
				if a := t + rng.ExpFloat64()/rate; a < bound {
					return a
				}
			}
			t = bound
			arrivalInterval++
		}
		return math.Inf(1)
	}
	serve := func(now float64, w waiting) {
		wait := now - w.arrival
		s.answered[w.interval]++
		s.waitSum[w.interval] += wait
		if wait <= within {
			s.within[w.interval]++
		}
		busy++
		done.push(now + handle(w.interval))
	}
	// fill starts waiting contacts on free servers, dropping those whose
	// patience ran out before now (they abandoned at their deadline).
	fill := func(now float64) {
		for busy < onDuty && head < len(queue) {
			w := queue[head]
			head++
			if w.deadline < now {
				s.abandoned[w.interval]++
				continue
			}
			serve(now, w)
		}
		if head > 1024 && head*2 > len(queue) {
			queue = append(queue[:0], queue[head:]...)
			head = 0
		}
	}

	// advance accounts busy and staffed server time up to t in the current
	// interval; time after the last interval (the drain) is not counted.
	end := float64(n) * length
	last := 0.0
	advance := func(t float64) {
		t = math.Min(t, end)
		if t > last {
			dt := t - last
			s.busySec[cur] += float64(busy) * dt
			s.staffedSec[cur] += float64(max(onDuty, busy)) * dt
			last = t
		}
	}

	arrival := nextArrival(0)
	for {
		boundary := math.Inf(1)
		if cur+1 < n {
			boundary = float64(cur+1) * length
		}
		completion := math.Inf(1)
		if len(done) > 0 {
			completion = done[0]
		}
		switch {
		case arrival <= completion && arrival <= boundary && !math.IsInf(arrival, 1):
			now := arrival
			advance(now)
			i := arrivalInterval
			s.offered[i]++
			if busy < onDuty && head == len(queue) {
				serve(now, waiting{arrival: now, interval: i})
			} else {
				deadline := math.Inf(1)
				if patience > 0 {
					deadline = now + rng.ExpFloat64()*patience
				}
				queue = append(queue, waiting{arrival: now, deadline: deadline, interval: i})
				fill(now) // only matters if servers are free behind abandoned heads
			}
			arrival = nextArrival(now)
		case boundary <= completion && !math.IsInf(boundary, 1):
			advance(boundary)
			cur++
			onDuty = cfg.Agents[cur] * k
			fill(boundary)
		case !math.IsInf(completion, 1):
			now := done[0]
			advance(now)
			done.pop()
			busy-- // an agent past the end of their shift leaves here
			fill(now)
		default:
			// No arrivals, completions or boundaries left: whoever still
			// waits has no agent coming.
			advance(end)
			for ; head < len(queue); head++ {
				w := queue[head]
				if !math.IsInf(w.deadline, 1) {
					s.abandoned[w.interval]++
				} else {
					s.unserved++
				}
			}
			return s
		}
	}
}

// completions is a binary min-heap of service completion times.
type completions []float64

func (h *completions) push(t float64) {
	*h = append(*h, t)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *completions) pop() float64 {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a[r] < a[l] {
			m = r
		}
		if a[i] <= a[m] {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
