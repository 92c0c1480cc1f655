// Test-only: drives the REST store (open_store with an http:// URI) the way a session does,
// so tests/integration/test_rest_store.py and bench/rest_throughput.py need no root.
//
//   rest_writer --uri URI [--experiment NAME] [--label K] [--points N] [--batch B]
//               [--interval-ms X] [--params P] [--drain-s S] [--offline-ok] [--spool DIR]
//       one run: params p<i> = "v<i>-<K>", metric "m" steps 0..N-1 with value K*1e6 + step
//       (B points per log_batch call, X ms between calls), "special" NaN/Inf/-Inf, a dataset,
//       an artifact hello.txt, status FINISHED. Prints one JSON line: ids, flush result,
//       setup_s (open + server checks), job_s (create_run .. update_run), total_s (.. drained).
//   rest_writer --sync [--uri URI] [--spool DIR] [--max-wait-s S]
//       sync_spool(); exit code as `bpfpads sync`.
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/spool_sync.h"
#include "store/store.h"

using namespace bpfpads;

namespace {

int fail(const std::string& what, const Error& e) {
  std::cerr << "rest_writer: " << what << ": " << e.describe() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string uri, experiment = "rest-writer", spool;
  long label = 0, points = 100, batch = 50, interval_ms = 0, params = 3;
  double drain_s = 10, max_wait_s = 60;
  bool offline_ok = false, sync = false;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (f == "--uri") uri = next();
    else if (f == "--experiment") experiment = next();
    else if (f == "--label") label = std::stol(next());
    else if (f == "--points") points = std::stol(next());
    else if (f == "--batch") batch = std::max(1L, std::stol(next()));
    else if (f == "--interval-ms") interval_ms = std::stol(next());
    else if (f == "--params") params = std::stol(next());
    else if (f == "--drain-s") drain_s = std::stod(next());
    else if (f == "--max-wait-s") max_wait_s = std::stod(next());
    else if (f == "--spool") spool = next();
    else if (f == "--offline-ok") offline_ok = true;
    else if (f == "--sync") sync = true;
    else { std::cerr << "unknown flag " << f << "\n"; return 2; }
  }
  if (sync) {
    SyncOptions so;
    so.spool_dir = spool;
    so.tracking_uri = uri;
    so.max_wait = std::chrono::milliseconds(static_cast<int64_t>(max_wait_s * 1000));
    return sync_spool(so);
  }

  const auto t0 = std::chrono::steady_clock::now();
  StoreOptions opt;
  opt.offline_ok = offline_ok;
  opt.spool_dir = spool;
  opt.drain_budget = std::chrono::milliseconds(static_cast<int64_t>(drain_s * 1000));
  auto store = open_store(uri, std::filesystem::current_path(), opt);
  if (!store) return fail("open_store", store.error());
  Store& s = **store;
  if (auto r = s.check_writable(); !r) return fail("check_writable", r.error());
  auto exp = s.get_or_create_experiment(experiment);
  if (!exp) return fail("get_or_create_experiment", exp.error());
  NewRun nr;
  nr.experiment_id = *exp;
  nr.run_name = "rw-" + std::to_string(label);
  nr.user_id = "alice";
  nr.start_time_ms = 1700000000000;
  nr.tags = {{"mlflow.user", "alice"}, {"label", std::to_string(label)}};
  auto run = s.create_run(nr);
  if (!run) return fail("create_run", run.error());
  const auto t_run = std::chrono::steady_clock::now();  // the "job" starts here

  std::vector<Param> ps;
  for (long i = 0; i < params; ++i) ps.push_back({"p" + std::to_string(i), "v" + std::to_string(i) + "-" + std::to_string(label)});
  if (auto r = s.log_batch(run->run_id, {}, ps, {}); !r) return fail("log_batch params", r.error());
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Metric> special = {{"special", std::nan(""), 1700000000001, 0},
                                       {"special", inf, 1700000000002, 1},
                                       {"special", -inf, 1700000000003, 2}};
  if (auto r = s.log_batch(run->run_id, special, {}, {}); !r) return fail("log_batch special", r.error());
  std::vector<Metric> ms;
  for (long step = 0; step < points; ++step) {
    ms.push_back({"m", static_cast<double>(label) * 1e6 + static_cast<double>(step), 1700000001000 + step, step});
    if (static_cast<long>(ms.size()) == batch || step == points - 1) {
      if (auto r = s.log_batch(run->run_id, ms, {}, {}); !r) return fail("log_batch", r.error());
      ms.clear();
      if (interval_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
  }
  DatasetInput ds{"train", "abcd1234", "local", R"({"uri": "/data/train.csv"})", "", "", "training"};
  if (auto r = s.log_inputs(*run, std::vector<DatasetInput>{ds}); !r) return fail("log_inputs", r.error());
  if (auto r = s.log_artifact(*run, "hello.txt", "hello " + std::to_string(label) + "\n"); !r)
    return fail("log_artifact", r.error());
  if (auto r = s.update_run(run->run_id, RunStatus::Finished, 1700000009000); !r) return fail("update_run", r.error());
  const double setup_s = std::chrono::duration<double>(t_run - t0).count();
  const double job_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count();

  auto flushed = s.flush(opt.drain_budget);
  auto remote = s.remote_run_id(run->run_id);
  nlohmann::json out = {{"local_run_id", run->run_id},
                        {"remote_run_id", remote ? nlohmann::json(*remote) : nlohmann::json()},
                        {"flush_ok", flushed.has_value()},
                        {"flush_error", flushed ? "" : flushed.error().describe()},
                        {"run_url", s.run_url(*run)},
                        {"setup_s", setup_s},
                        {"job_s", job_s},
                        {"total_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count()}};
  std::cout << out.dump() << std::endl;
  return 0;
}
