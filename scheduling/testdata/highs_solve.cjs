// Solves an LP-format integer program with HiGHS (the npm package "highs",
// HiGHS compiled to WebAssembly) for BenchmarkCBCGap's PEAKWISE_MIP=highs.
// Benchmark tooling only, not a Peakwise dependency.
// Usage: NODE_PATH=DIR/node_modules node highs_solve.cjs PROGRAM.lp SECONDS
// Prints HiGHS's log, then CBC-style result lines the benchmark parses.
const fs = require("fs");
const loadHighs = require("highs");

(async () => {
  const [program, seconds] = process.argv.slice(2);
  const highs = await loadHighs();
  const model = highs.createModel({ format: "lp", data: fs.readFileSync(program, "utf8") });
  try {
    model.options.set({ time_limit: Number(seconds), mip_rel_gap: 0, output_flag: true, log_to_console: false });
    model.run({
      [highs.constants.callbackType.logging](event) { process.stdout.write(event.message); },
    });
    const status = model.getModelStatus();
    const s = highs.constants.modelStatus;
    if (status === s.infeasible) {
      console.log("Result - Problem proven infeasible");
      return;
    }
    if (status === s.optimal) console.log("Result - Optimal solution found");
    console.log("Objective value:", model.info.get("objective_function_value"));
    console.log("Lower bound:", model.info.get("mip_dual_bound"));
  } finally {
    model.dispose();
  }
})().catch((e) => { console.error(e); process.exit(1); });
