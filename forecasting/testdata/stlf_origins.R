# Benchmark helper for BenchmarkBankAgainstR (forecasting/r_bench_test.go); not part of Peakwise.
# Needs R with the forecast package (Debian: apt-get install r-cran-forecast).
# Usage: Rscript stlf_origins.R VALUES ORIGINS SLOTS_PER_DAY HORIZON_STEPS OUT
#   VALUES: one number a line, the open days' slots back to back (closed days left out, as fpp3 does);
#   ORIGINS: one number a line, how many whole open days each origin's history holds.
# Writes OUT as "origin,step,forecast": forecast::stlf on an msts with daily and weekly (5 open days) periods.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
y <- scan(args[1], quiet = TRUE)
origins <- scan(args[2], quiet = TRUE)
slots <- as.integer(args[3])
h <- as.integer(args[4])
out <- file(args[5], "w")
writeLines("origin,step,forecast", out)
for (i in seq_along(origins)) {
  n <- origins[i] * slots
  x <- msts(y[1:n], seasonal.periods = c(slots, 5 * slots))
  f <- stlf(x, h = h)
  writeLines(sprintf("%d,%d,%.6f", i, seq_len(h), pmax(0, as.numeric(f$mean))), out)
}
close(out)
