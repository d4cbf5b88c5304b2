package scheduling

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplateContractsLimitWhoMayWorkIt(t *testing.T) {
	ts, err := ReadTemplates(strings.NewReader(`{"interval_min": 30, "templates": [
	  {"name": "FT8", "span_min": 480, "paid_min": 480, "start": {"from": "08:00", "to": "08:00", "step_min": 30}, "days": ["mon"], "contracts": ["FT"]},
	  {"name": "ANY", "span_min": 240, "paid_min": 240, "start": {"from": "08:00", "to": "08:00", "step_min": 30}, "days": ["mon"]}]}`))
	require.NoError(t, err)
	assert.True(t, ts.Templates[0].AllowsContract("FT"))
	assert.False(t, ts.Templates[0].AllowsContract("PT"))
	assert.False(t, ts.Templates[0].AllowsContract(""), "an agent without a contract name may not work a limited template")
	assert.True(t, ts.Templates[1].AllowsContract(""))
	assert.True(t, ts.Templates[1].AllowsContract("PT"))

	_, err = ReadTemplates(strings.NewReader(`{"interval_min": 30, "templates": [
	  {"name": "X", "span_min": 480, "paid_min": 480, "start": {"from": "08:00", "to": "08:00", "step_min": 30}, "days": ["mon"], "contracts": ["FT", "", " PT", "FT"]}]}`))
	var fe FieldErrors
	require.True(t, errors.As(err, &fe), "%v", err)
	got := map[string]bool{}
	for _, e := range fe {
		got[e.Field] = true
	}
	for _, want := range []string{"templates[0] (X).contracts[1]", "templates[0] (X).contracts[2]", "templates[0] (X).contracts[3]"} {
		assert.True(t, got[want], "missing %q in %v", want, fe)
	}
}
