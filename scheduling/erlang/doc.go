// Package erlang holds the queueing maths behind staffing requirements: Erlang B
// by the stable recursion, Erlang C (M/M/c) and Erlang A (M/M/c+M, exponential
// patience) with their service level, ASA, abandonment and occupancy, chat with
// concurrency, deferred work (email, social) sized from a response target with
// a carried backlog, the staffing solve (smallest number of agents meeting every
// target) and a seeded discrete-event simulation that checks a staffing plan
// against random arrivals.
//
// The package is pure: it imports no database, web framework or clock. Times
// are passed in as time.Duration; results are plain numbers. The definitions of
// service level, ASA and occupancy, and how abandoned contacts count in them,
// are written down in docs/staffing.md.
package erlang
