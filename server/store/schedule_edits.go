package store

import (
	"context"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/fault"
)

// ShiftEdit is one hand edit of a draft: Upsert replaces the shift with
// Upsert.ID (or adds it when ID is 0); DeleteID removes a shift.
type ShiftEdit struct {
	Upsert   *calendar.Shift
	DeleteID int64
}

// EditDraft applies one edit to a draft if version is current and stores the
// draft's new report. Returns the draft, NotFound (schedule or shift), or
// Conflict for a stale version or a published revision.
func (s *Store) EditDraft(ctx context.Context, id int64, version int, edit ShiftEdit, report string) (Schedule, error) {
	var out Schedule
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&Schedule{}).Where("id = ? AND version = ? AND status = ?", id, version, ScheduleDraft).
			Updates(map[string]any{"version": version + 1, "report": report})
		if res.Error != nil {
			return translate(res.Error, "schedule")
		}
		if res.RowsAffected == 0 {
			return tx.whyNotEditable(ctx, id, version)
		}
		switch {
		case edit.DeleteID != 0:
			res := tx.conn(ctx).Where("id = ? AND schedule_id = ?", edit.DeleteID, id).Delete(&shiftRow{})
			if res.Error != nil {
				return translate(res.Error, "shift")
			}
			if res.RowsAffected == 0 {
				return fault.Errorf(fault.NotFound, "shift not found")
			}
		case edit.Upsert != nil && edit.Upsert.ID == 0:
			if err := tx.insertShifts(ctx, id, []calendar.Shift{*edit.Upsert}); err != nil {
				return err
			}
		case edit.Upsert != nil:
			row, err := shiftRowFrom(id, *edit.Upsert)
			if err != nil {
				return err
			}
			res := tx.conn(ctx).Model(&shiftRow{}).Where("id = ? AND schedule_id = ?", edit.Upsert.ID, id).
				Select("agent_id", "queue_id", "template", "start_at", "end_at", "paid_minutes", "breaks", "note").Updates(&row)
			if res.Error != nil {
				return translate(res.Error, "shift")
			}
			if res.RowsAffected == 0 {
				return fault.Errorf(fault.NotFound, "shift not found")
			}
		}
		var err error
		out, err = tx.FindScheduleByID(ctx, id)
		return err
	})
	return out, err
}
