package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// channelForm is the add and edit form of a channel.
type channelForm struct {
	Key, Name, Kind string
	Version         int
}

func parseChannelForm(c echo.Context) recordForm {
	f := &channelForm{Key: strings.TrimSpace(c.FormValue("key")), Name: strings.TrimSpace(c.FormValue("name")), Kind: c.FormValue("kind")}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	return f
}

// Validate has nothing to check that the channel's own rules do not.
func (f *channelForm) Validate() error { return nil }
func (f *channelForm) version() int    { return f.Version }
func (f *channelForm) channel() org.Channel {
	return org.Channel{Key: f.Key, Name: f.Name, Kind: org.ChannelKind(f.Kind)}
}

// channelKinds names the kinds of work for people.
var channelKinds = []option{{Value: string(org.Realtime), Label: "answered live (calls, chats)"}, {Value: string(org.Deferred), Label: "answered later (email, tickets)"}}

func channelKindName(k org.ChannelKind) string {
	for _, o := range channelKinds {
		if o.Value == string(k) {
			return o.Label
		}
	}
	return string(k)
}

func (f *channelForm) fields(recordOptions) []formField {
	return []formField{
		{Name: "key", Label: "Key", Type: "text", Value: f.Key, Help: "Lower-case letters, digits, - or _, e.g. voice; agents' channel skills name it."},
		{Name: "name", Label: "Name", Type: "text", Value: f.Name},
		{Name: "kind", Label: "Kind of work", Type: "select", Value: f.Kind, Options: channelKinds},
	}
}

// channelsKind is the channels pages, for planners and admins; only admins delete.
func channelsKind(svc *service.Service) recordKind {
	return recordKind{
		res: auth.Channels, roles: []org.Role{org.RolePlanner, org.RoleAdmin}, singular: "channel", plural: "Channels", base: "/admin/channels",
		intro:   "The media contacts arrive on. Live channels are sized by Erlang from an answer time; later ones from a response time.",
		columns: []string{"Channel", "Key", "Kind of work"},
		list: func(ctx context.Context) ([]recordRow, error) {
			chs, _, err := svc.FindChannels(ctx, pageAll)
			rows := make([]recordRow, len(chs))
			for i, v := range chs {
				rows[i] = recordRow{ID: v.ID, Name: v.Name, Cells: []string{v.Name, v.Key, channelKindName(v.Kind)}}
			}
			return rows, err
		},
		parse: parseChannelForm,
		blank: func() recordForm { return &channelForm{Kind: string(org.Realtime)} },
		records: recordCases[org.Channel, *channelForm]{
			find: svc.FindChannelByID, add: svc.CreateChannel, change: svc.UpdateChannel, remove: svc.DeleteChannel,
			formOf: func(v org.Channel) *channelForm {
				return &channelForm{Key: v.Key, Name: v.Name, Kind: string(v.Kind), Version: v.Version}
			},
			value: (*channelForm).channel,
			meta:  func(v *org.Channel) (*int64, *int) { return &v.ID, &v.Version },
			name:  func(v org.Channel) string { return v.Name },
		},
	}
}
