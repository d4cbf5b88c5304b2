package service

import "github.com/peakwise/peakwise/server/fault"

// CheckVersion returns Conflict unless the version a client sent is the
// version just read. A state change is checked against the state that was
// read and stored on condition of the client's version; were the two
// different, a change allowed only from the read state could land on a newer
// one (PostgreSQL lets a transaction read a row that another is about to
// change).
func CheckVersion(what string, sent, read int) error {
	if sent == read {
		return nil
	}
	return fault.Errorf(fault.Conflict, "%s was changed by someone else (version %d is stale); reload and retry", what, sent)
}
