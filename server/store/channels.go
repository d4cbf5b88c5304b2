package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

type channelRow struct {
	ID        int64
	Key       string
	Name      string
	Kind      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (channelRow) TableName() string { return "channels" }

func (r channelRow) domain() org.Channel {
	return org.Channel{ID: r.ID, Key: r.Key, Name: r.Name, Kind: org.ChannelKind(r.Kind), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func channelFrom(c org.Channel) channelRow {
	return channelRow{ID: c.ID, Key: c.Key, Name: strings.TrimSpace(c.Name), Kind: string(c.Kind), Version: c.Version}
}

// FindChannelByID returns the channel. Returns NotFound if it does not exist.
func (s *Store) FindChannelByID(ctx context.Context, id int64) (org.Channel, error) {
	r, err := findByID[channelRow](ctx, s, id, "channel")
	return r.domain(), err
}

// FindChannels returns one page of channels and the total count.
func (s *Store) FindChannels(ctx context.Context, p Page) ([]org.Channel, int, error) {
	rows, n, err := findPage[channelRow](s.conn(ctx), p, "channel")
	return mapRows[channelRow, org.Channel](rows), n, err
}

// CreateChannel stores a new channel. Returns Conflict on a duplicate key.
func (s *Store) CreateChannel(ctx context.Context, c org.Channel) (org.Channel, error) {
	r := channelFrom(c)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Channel{}, translate(err, "channel")
	}
	return r.domain(), nil
}

// UpdateChannel overwrites the channel if c.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateChannel(ctx context.Context, c org.Channel) (org.Channel, error) {
	r := channelFrom(c)
	r.Version = c.Version + 1
	if err := updateVersioned(ctx, s, c.ID, c.Version, &r, "channel"); err != nil {
		return org.Channel{}, err
	}
	return s.FindChannelByID(ctx, c.ID)
}

// DeleteChannel removes the channel. Returns NotFound, or Conflict while queues use it.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	return deleteByID[channelRow](ctx, s, id, "channel")
}
