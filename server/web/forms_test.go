package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
)

// posted is a request context carrying the form values.
func posted(values url.Values) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(values.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return echo.New().NewContext(req, httptest.NewRecorder())
}

func TestFormsNameTheFieldsTheyCannotRead(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)
	card := card(t)
	tests := []struct {
		name   string
		values url.Values
		bad    func(echo.Context) map[string]string
		want   map[string]string
	}{
		{"sign-in without email or password", url.Values{"email": {"  "}},
			func(c echo.Context) map[string]string { return parseLoginForm(c).Validate() },
			map[string]string{"email": "Enter your email.", "password": "Enter your password."}},
		{"sign-in filled in", url.Values{"email": {"a@example.com"}, "password": {"x"}},
			func(c echo.Context) map[string]string { return parseLoginForm(c).Validate() }, map[string]string{}},
		{"user row with an agent that is not a number", url.Values{"agent_id": {"bob"}, "version": {"2"}},
			func(c echo.Context) map[string]string { return parseUserEditForm(c).Validate() },
			map[string]string{"agent_id": "choose an agent"}},
		{"user row without an agent", url.Values{"agent_id": {""}, "role": {"admin"}},
			func(c echo.Context) map[string]string { return parseUserEditForm(c).Validate() }, map[string]string{}},
		{"shift with words for times", url.Values{"start": {"tomorrow"}, "end": {"later"}},
			func(c echo.Context) map[string]string { return parseShiftForm(c, lisbon).Validate() },
			map[string]string{"start": `"tomorrow" is not a date and time like 2026-01-05T08:30.`, "end": `"later" is not a date and time like 2026-01-05T17:00.`}},
		{"shift that ends before it starts", url.Values{"start": {"2026-03-29T09:00"}, "end": {"2026-03-29T08:00"}},
			func(c echo.Context) map[string]string { return parseShiftForm(c, lisbon).Validate() },
			map[string]string{"end": "The shift must end after it starts."}},
		{"shift deletion checks no times", url.Values{"action": {"delete"}, "start": {"x"}},
			func(c echo.Context) map[string]string { return parseShiftForm(c, lisbon).Validate() }, map[string]string{}},
		{"scorecard sections that are not JSON", url.Values{"sections_json": {"[{"}, "pass_threshold": {"80"}},
			func(c echo.Context) map[string]string { return parseScorecardForm(c).Validate() },
			map[string]string{"sections_json": "is not valid JSON: unexpected end of JSON input"}},
		{"score with a word for a value", url.Values{"v.greet": {"lots"}, "v.close": {"na"}},
			func(c echo.Context) map[string]string { return parseScoreForm(c, card).Validate() },
			map[string]string{"v.greet": "choose a value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.bad(posted(tt.values))
			assert.Equal(t, tt.want, map[string]string(got))
		})
	}
}

func TestFormsReadTheirValues(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)

	sh := parseShiftForm(posted(url.Values{"start": {"2026-03-29T00:30"}, "end": {"2026-03-29T05:30"}, "version": {"4"}}), lisbon)
	require.NotNil(t, sh.Version)
	assert.Equal(t, 4, *sh.Version)
	assert.Equal(t, 4*time.Hour, sh.end.Sub(sh.start), "the clocks go forward in Lisbon that night")
	assert.Nil(t, parseShiftForm(posted(url.Values{}), lisbon).Version, "a missing version is not version 0")

	pub := parsePublishForm(posted(url.Values{"version": {"7"}, "accept_warnings": {"on"}, "reason": {"  short week "}}))
	require.NotNil(t, pub.Version)
	assert.Equal(t, publishForm{Version: pub.Version, AcceptWarnings: true, Reason: "short week"}, pub)

	tok := parseTokenForm(posted(url.Values{"user_id": {"0"}, "name": {" ci "}}))
	require.NotNil(t, tok.UserID, "an explicit user id is kept, even 0")
	assert.Equal(t, "ci", tok.Name)
	assert.Nil(t, parseTokenForm(posted(url.Values{"user_id": {"me"}})).UserID, "an unreadable user means the caller")

	team := parseTeamForm(posted(url.Values{"name": {" Blue "}, "site_id": {"3"}, "supervisor_id": {"x"}}))
	assert.Equal(t, teamForm{Name: "Blue", SiteID: 3}, team)

	u := parseNewUserForm(posted(url.Values{"name": {"Ana"}, "email": {" Ana@Example.COM "}, "role": {"planner"}, "password": {"secret"}}))
	assert.Equal(t, map[string]string{"name": "Ana", "email": "ana@example.com", "role": "planner"}, u.values(), "the password is never shown again")
	assert.Error(t, parseNewUserForm(posted(url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "role": {"planner"}})).Validate(), "a new user needs a password")

	sc := parseScoreForm(posted(url.Values{"v.greet": {"2"}, "c.close": {" late "}, "do": {"save"}, "version": {"3"}}), card(t))
	assert.Equal(t, "save", sc.Do)
	assert.Equal(t, 3, sc.Version)
	require.Len(t, sc.Answers, 1)
	assert.Equal(t, 2, *sc.Answers[0].Value)
	assert.Equal(t, map[string]string{"close": "late"}, sc.Comments)
}

func card(t *testing.T) qa.Scorecard {
	t.Helper()
	return qa.Scorecard{Sections: []qa.Section{{Criteria: []qa.Criterion{{Key: "greet"}, {Key: "close"}}}}}
}
