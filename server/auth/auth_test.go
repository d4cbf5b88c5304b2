package auth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

func TestPasswordHashing(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$"), h)
	assert.True(t, auth.VerifyPassword(h, "correct horse battery"))
	assert.False(t, auth.VerifyPassword(h, "correct horse batterY"))
	h2, err := auth.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salted")
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$c2FsdA$a2V5", h[:len(h)-10]} {
		assert.False(t, auth.VerifyPassword(bad, "correct horse battery"), "malformed hash %q must not match", bad)
	}
}

func TestAPITokenSecrets(t *testing.T) {
	secret, rec, hash, err := auth.NewAPIToken(7, "  ")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, auth.TokenPrefix))
	assert.Equal(t, "token", rec.Name)
	assert.Equal(t, int64(7), rec.UserID)
	assert.Equal(t, auth.HashSecret(secret), hash)
	assert.NotContains(t, hash, secret)
	assert.True(t, strings.HasPrefix(secret, rec.Prefix))
	_, _, _, err = auth.NewAPIToken(7, strings.Repeat("x", 101))
	assert.Error(t, err)
	assert.False(t, auth.EqualSecrets("", ""), "empty secrets never match")
}

func id(v int64) *int64 { return &v }

func TestPolicyObjectLevel(t *testing.T) {
	agent := auth.Principal{User: org.User{ID: 10, Role: org.RoleAgent, AgentID: id(100)}}
	sup := auth.Principal{User: org.User{ID: 11, Role: org.RoleSupervisor}, TeamIDs: []int64{1}}
	planner := auth.Principal{User: org.User{ID: 12, Role: org.RolePlanner}}
	disabled := auth.Principal{User: org.User{ID: 13, Role: org.RoleAdmin, Disabled: true}}

	own := auth.Owner{AgentID: id(100), TeamID: id(1)}
	teammate := auth.Owner{AgentID: id(101), TeamID: id(1)}
	stranger := auth.Owner{AgentID: id(200), TeamID: id(2)}
	cases := []struct {
		name string
		p    auth.Principal
		o    auth.Owner
		act  auth.Action
		want fault.Code // "" = allowed
	}{
		{"agent reads self", agent, own, auth.Read, ""},
		{"agent reads teammate", agent, teammate, auth.Read, fault.NotFound},
		{"agent edits self", agent, own, auth.Update, fault.Forbidden},
		{"supervisor reads team", sup, teammate, auth.Read, ""},
		{"supervisor reads other team", sup, stranger, auth.Read, fault.NotFound},
		{"supervisor edits team", sup, teammate, auth.Update, fault.Forbidden},
		{"planner reads anyone", planner, stranger, auth.Read, ""},
		{"planner edits anyone", planner, stranger, auth.Update, ""},
		{"planner deletes agents", planner, stranger, auth.Delete, fault.Forbidden},
		{"disabled admin", disabled, stranger, auth.Read, fault.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.AllowObject(auth.Agents, c.act, c.o)
			if c.want == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, c.want, fault.CodeOf(err), "%v", err)
			}
		})
	}
}

func TestEveryResourceHasAnAdmin(t *testing.T) {
	admin := auth.Principal{User: org.User{Role: org.RoleAdmin}}
	for _, r := range []auth.Resource{auth.Sites, auth.Teams, auth.Channels, auth.Queues, auth.Agents, auth.Users, auth.Tokens} {
		assert.NoError(t, admin.Allow(r, auth.Read), r)
	}
}
