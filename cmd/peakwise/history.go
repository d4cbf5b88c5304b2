package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/fault"
)

const historySynopsis = `import --file H.csv

Imports contact history into the database: the forecast command's CSV
(timestamp,channel,timezone,contacts[,aht_seconds][,queue]). Rows go to the
queue named in the queue column, or to the one queue of that channel in that
time zone; finer intervals are rolled up to the queue's. Re-importing a range
replaces it. All or nothing: a bad file names every bad line and imports
nothing.`

func runHistory(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		newFlagSet(env, "history", historySynopsis).Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usageErrorf("name a subcommand: import")
	}
	fs := newFlagSet(env, "history import", historySynopsis)
	var db dbFlags
	db.register(fs, env)
	file := fs.String("file", "", "history CSV to import")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *file == "" {
		return usageErrorf("--file is required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	srv := server.New(st, newLogger(env, env.Stderr), server.Config{})
	began := time.Now()
	sum, err := srv.ImportHistoryCSV(ctx, f)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) && len(fe.Fields) > 0 {
			keys := make([]string, 0, len(fe.Fields))
			for k := range fe.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(env.Stderr, "%s: %s: %s\n", *file, k, fe.Fields[k])
			}
			return fmt.Errorf("%s: %s", *file, fe.Message)
		}
		return err
	}
	ids := make([]int64, 0, len(sum.PerQueue))
	for id := range sum.PerQueue {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		r := sum.Ranges[id]
		fmt.Fprintf(env.Stdout, "queue %d: %d intervals, %s to %s\n", id, sum.PerQueue[id], r[0].Format(time.RFC3339), r[1].Format(time.RFC3339))
	}
	fmt.Fprintf(env.Stderr, "imported %d intervals into %d queue(s) in %s\n", sum.Intervals, sum.Queues, time.Since(began).Round(time.Millisecond))
	return nil
}
