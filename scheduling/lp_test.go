package scheduling

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSimplexSolvesSmallPrograms(t *testing.T) {
	tests := []struct {
		name  string
		model lpModel
		obj   float64
		x     []float64
	}{
		{"two covering rows meet at a vertex", lpModel{
			rows: []lpRow{{kind: rowAtLeast, rhs: 4, penalty: 100}, {kind: rowAtLeast, rhs: 6, penalty: 100}},
			cols: []lpCol{{cost: 1, rows: []int32{0, 1}, vals: []float64{1, 3}}, {cost: 1, rows: []int32{0, 1}, vals: []float64{2, 1}}},
		}, 2.8, []float64{1.6, 1.2}},
		{"a cap row forces the dearer column", lpModel{
			rows: []lpRow{{kind: rowAtLeast, rhs: 3, penalty: 100}, {kind: rowAtMost, rhs: 1, penalty: 1000}},
			cols: []lpCol{{cost: 1, rows: []int32{0, 1}, vals: []float64{1, 1}}, {cost: 5, rows: []int32{0}, vals: []float64{1}}},
		}, 11, []float64{1, 2}},
		{"an uncoverable row is left short at its penalty", lpModel{
			rows: []lpRow{{kind: rowAtLeast, rhs: 2, penalty: 7}, {kind: rowAtLeast, rhs: 1, penalty: 100}},
			cols: []lpCol{{cost: 2, rows: []int32{1}, vals: []float64{1}}},
		}, 16, []float64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sx, err := newSimplex(&tt.model)
			require.NoError(t, err)
			require.NoError(t, sx.solve(context.Background()))
			assert.InDelta(t, tt.obj, sx.objective(), 1e-9)
			for j, want := range tt.x {
				assert.InDelta(t, want, sx.value(j), 1e-9, "column %d", j)
			}
		})
	}
	_, err := newSimplex(&lpModel{rows: []lpRow{{kind: rowAtLeast, rhs: -1}}})
	assert.Error(t, err, "a negative right-hand side is refused")
}

func TestLPBoundAndPlanOnAnInstanceWithAKnownOptimum(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, utc)
	p := Plan{Location: utc, Start: start, Step: 30 * time.Minute, Required: make([]float64, 48)}
	for i := 18; i < 34; i++ { // 09:00-17:00: two agents
		p.Required[i] = 2
	}
	ts := Templates{IntervalMin: 30, Templates: []Template{
		{Name: "D8", SpanMin: 480, PaidMin: 480, Start: StartWindow{"06:00", "12:00", 30}, Days: []string{"mon"}},
		{Name: "P4", SpanMin: 240, PaidMin: 240, Start: StartWindow{"06:00", "18:00", 30}, Days: []string{"mon"}},
	}}
	plans, err := GeneratePlans(context.Background(), p, ts)
	require.NoError(t, err)
	assert.InDelta(t, 16, plans.LowerBoundPaidHours, 1e-6, "two agents for eight hours")
	r := Measure(p, plans.Cheapest)
	assert.InDelta(t, 16, r.PaidAgentHours, 1e-9)
	assert.InDelta(t, 0, r.UnderAgentHours, 1e-9)
	assert.InDelta(t, 0, r.OverAgentHours, 1e-9)
}

func TestOccupancyCapRaisesTheRequirement(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, utc)
	p := Plan{Location: utc, Start: start, Step: time.Hour, Required: make([]float64, 24), Workload: make([]float64, 24), MaxOccupancy: 0.8}
	for i := 9; i < 13; i++ {
		p.Required[i], p.Workload[i] = 2, 3.2 // 3.2 erlangs at 80% needs 4 agents
	}
	ts := Templates{IntervalMin: 60, Templates: []Template{{Name: "AM", SpanMin: 240, PaidMin: 240, Start: StartWindow{"09:00", "09:00", 60}, Days: []string{"mon"}}}}
	shifts, err := Generate(context.Background(), p, ts)
	require.NoError(t, err)
	assert.Len(t, shifts, 4)
	assert.InDelta(t, 0.8, Measure(p, shifts).Stress.MaxPeakOccupancy, 1e-9)
}

func TestPlanFieldsAreValidated(t *testing.T) {
	utc := time.UTC
	ok := Plan{Location: utc, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, utc), Step: time.Hour, Required: []float64{1}}
	ts := Templates{IntervalMin: 60, Templates: []Template{{Name: "A", SpanMin: 60, PaidMin: 60, Start: StartWindow{"00:00", "00:00", 60}, Days: []string{"mon"}}}}
	tests := []struct {
		name  string
		edit  func(*Plan)
		field string
	}{
		{"budget over one", func(p *Plan) { p.StressBudget = 2 }, "plan.stress_budget"},
		{"negative requirement", func(p *Plan) { p.Required = []float64{-1} }, "plan.required[0]"},
		{"workload of another length", func(p *Plan) { p.Workload, p.MaxOccupancy = []float64{1, 2}, 0.8 }, "plan.workload"},
		{"workload without a cap", func(p *Plan) { p.Workload = []float64{1} }, "plan.max_occupancy"},
		{"break share over one", func(p *Plan) { p.MaxBreakShare = 1.5 }, "plan.max_break_share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			_, err := Generate(context.Background(), p, ts)
			var fe FieldErrors
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tt.field, fe[0].Field)
		})
	}
}
