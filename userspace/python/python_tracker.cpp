#include "python/python_tracker.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"
#include "python/python_resolver.h"
#include "run/process_scan.h"

namespace bpfpads {
namespace {

constexpr uint64_t kLookEveryNs = 2'000'000;           // while targets are missing: a fit may
                                                       // follow its module's import closely
constexpr uint64_t kIdleLookNs = 100'000'000;
constexpr uint64_t kRetryUnchangedNs = 200'000'000;     // a module half imported: look again
constexpr uint64_t kCandidateForNs = 2'000'000'000;     // a new program shows libpython by then
constexpr int kExitHoldMs = 250;  // what an exiting thread may wait for the reader

bool wanted_module(const PythonTarget& t, const std::string& module) {
  if (t.modules.empty()) return true;
  for (const auto& m : t.modules)
    if (module == m || (module.size() > m.size() && module.compare(0, m.size(), m) == 0 && module[m.size()] == '.'))
      return true;
  return false;
}

bool process_alive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::unique_ptr<PythonTracker> PythonTracker::create(const SharedMaps& maps, std::vector<PythonTarget> targets) {
  return std::unique_ptr<PythonTracker>(new PythonTracker(maps, std::move(targets)));
}

PythonTracker::PythonTracker(const SharedMaps& maps, std::vector<PythonTarget> targets)
    : maps_(maps),
      targets_(std::move(targets)),
      wakeup_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      pairing_([this](uint32_t hook) {
        auto it = target_of_hook_.find(hook);
        return it != target_of_hook_.end() && targets_[it->second].entry;
      }) {
  for (size_t i = 0; i < targets_.size(); ++i) {
    target_of_hook_[targets_[i].hook_id] = i;
    target_notes_.push_back(targets_[i].path + ": no Python process of the job imported it");
  }
  thread_ = std::thread([this] { loop(); });
}

PythonTracker::~PythonTracker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  processes_.clear();  // while what the shield's exit callback uses still exists
}

void PythonTracker::hold_exit() {
  std::unique_lock lock(drain_mu_);
  uint64_t ticket = ++drain_asked_;
  uint64_t one = 1;
  if (write(wakeup_.get(), &one, sizeof(one)) != sizeof(one)) return;
  if (!drain_cv_.wait_for(lock, std::chrono::milliseconds(kExitHoldMs), [&] { return drain_done_ >= ticket; }))
    log::debug("an exiting Python thread went on before its events were read");
}

void PythonTracker::drained() {
  uint64_t count = 0;
  ssize_t ignored = read(wakeup_.get(), &count, sizeof(count));
  (void)ignored;
  std::lock_guard lock(drain_mu_);
  drain_done_ = drain_asked_;
  drain_cv_.notify_all();
}

void PythonTracker::add_process(pid_t pid) {
  std::lock_guard lock(mu_);
  processes_.erase(pid);  // a new program in a process that was Python: its watch is void
  found_.erase(pid);
  exited_.erase(pid);
  candidates_.erase(std::remove_if(candidates_.begin(), candidates_.end(), [&](const Candidate& c) { return c.pid == pid; }),
                    candidates_.end());
  candidates_.push_back({pid, monotonic_ns()});
  cv_.notify_all();
}

void PythonTracker::process_exited(pid_t pid) {
  std::lock_guard lock(mu_);
  exited_.insert(pid);
}

void PythonTracker::note(size_t target, const std::string& text) { target_notes_[target] = targets_[target].path + ": " + text; }

void PythonTracker::loop() {
  // Loaded here, beside the job's start: nothing waits for the verifier (slow in an
  // emulated VM) but a Python process found before it is done.
  auto programs = PythonPrograms::load(maps_);
  std::unique_lock lock(mu_);
  if (programs) {
    programs_ = std::move(*programs);
  } else {
    degradations_.push_back("Python-level hooks are off: " + programs.error().describe());
    log::warning(degradations_.back());
  }
  bool busy = true;
  while (!stop_) {
    // Quick while a program may be starting or a target is missing; then seldom.
    cv_.wait_for(lock, std::chrono::nanoseconds(busy ? kLookEveryNs : kIdleLookNs));
    if (stop_) break;
    if (!programs_) {
      candidates_.clear();
      continue;
    }
    look_at_candidates();
    for (pid_t pid : exited_)  // nothing left to trap: no pause
      if (auto it = processes_.find(pid); it != processes_.end()) {
        it->second->watch->process_exited();
        it->second->watch->remove_all();
        hits_ += it->second->watch->hits();
        processes_.erase(it);
      }
    exited_.clear();
    busy = !candidates_.empty();
    for (auto& [pid, p] : processes_)
      if (p->resolved.size() < targets_.size() || p->constants_offered.empty()) {
        resolve_targets(*p);
        busy = true;
      }
  }
}

void PythonTracker::look_at_candidates() {
  uint64_t now = monotonic_ns();
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    bool drop = !process_alive(it->pid) || now - it->since_ns > kCandidateForNs;
    if (!drop) {
      auto py = find_python(it->pid);
      if (py && !programs_) {
        drop = true;
      } else if (py) {
        auto p = std::make_unique<Process>();
        p->py = *py;
        p->resolver = std::make_unique<PythonResolver>(*py);
        p->watch = std::make_unique<PythonWatch>(*programs_, *py, &shield_);
        found_[it->pid] = *py;
        log::debug("process " + std::to_string(it->pid) + " runs Python " + py->version() + " (" + py->object_path + ")");
        processes_[it->pid] = std::move(p);
        drop = true;
      } else if (process_alive(it->pid) && (py.error().message.rfind("Python ", 0) == 0 ||
                                             py.error().message.rfind("cannot tell the Python version", 0) == 0)) {
        // Python, but not one bpfpads reads (a version without a layout, free-threaded);
        // not a process that ended while we looked (its maps gone), nor one that is
        // not Python.
        degradations_.push_back("Python-level hooks are off in process " + std::to_string(it->pid) + ": " +
                                py.error().describe() + "; native and hardware tracking go on");
        log::warning(degradations_.back());
        drop = true;
      }
    }
    it = drop ? candidates_.erase(it) : it + 1;
  }
}

void PythonTracker::resolve_targets(Process& p) {
  uint64_t now = monotonic_ns();
  auto modules = p.resolver->sys_modules();
  if (!modules) return;
  auto used = p.resolver->objects().memory().read_value<int64_t>(*modules +
                                                                 static_cast<uint64_t>(p.py.layout.dict_ma_used));
  if (!used) return;
  bool all_resolved = p.resolved.size() == targets_.size();
  if (!all_resolved && *used == p.modules_seen && now - p.last_try_ns < kRetryUnchangedNs) return;
  p.modules_seen = *used;
  p.last_try_ns = now;
  std::string where = "process " + std::to_string(p.py.pid) + " (Python " + p.py.version() + ")";

  // First what each target needs: its entry and the returns that carry a value. The
  // returns of a constant (the None of an exception path that swallows the error)
  // come last, once every target has had its turn, into what is left.
  std::vector<UnitRequest> requests;
  std::vector<size_t> owner;
  std::vector<std::string> kind;
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (p.resolved.count(i)) continue;
    const auto& t = targets_[i];
    auto fn = p.resolver->function(t.path);
    if (!fn) {
      note(i, "not found in " + where + " yet: " + fn.error().describe());
      continue;
    }
    // The package's own __version__, where it is a module that has one.
    if (!t.library.empty())
      if (auto version = p.resolver->module_string(t.library, "__version__")) {
        library_versions_[t.library] = *version;
        if (t.library_version && !t.library_version->satisfied_by(*version)) {
          p.resolved.insert(i);
          note(i, "skipped in " + where + ": " + t.library + " " + *version + " does not satisfy " +
                      t.library_version->text());
          continue;
        }
      }
    p.resolved.insert(i);
    auto units = p.resolver->code_units(fn->code);
    if (!units) {
      note(i, "found in " + where + " but its bytecode is unreadable: " + units.error().describe());
      continue;
    }
    if (t.entry) {
      requests.push_back({units->entry, entry_unit(fn->code, t.hook_id)});
      owner.push_back(i);
      kind.push_back("entry");
    }
    bool any_value_return = false;
    for (const auto& r : units->returns)
      any_value_return = any_value_return || !r.constant;
    if (t.exits)
      for (const auto& r : units->returns)
        if (!r.constant || !any_value_return) {
          requests.push_back({r.address, return_unit(fn->code, t.hook_id, *units, r)});
          owner.push_back(i);
          kind.push_back("return");
        }
    note(i, "resolved in " + where + " to " + fn->qualname + " (" + fn->filename + ":" +
                std::to_string(fn->first_line) + ")");
  }
  if (p.resolved.size() == targets_.size() && p.constants_offered.empty()) {
    p.constants_offered.insert(0);  // once
    for (size_t i = 0; i < targets_.size(); ++i) {
      const auto& t = targets_[i];
      if (!t.exits) continue;
      auto fn = p.resolver->function(t.path);
      if (!fn) continue;
      auto units = p.resolver->code_units(fn->code);
      if (!units) continue;
      bool any_value_return = false;
      for (const auto& r : units->returns) any_value_return = any_value_return || !r.constant;
      if (!any_value_return) continue;  // its constant returns were asked for above
      for (const auto& r : units->returns)
        if (r.constant) {
          requests.push_back({r.address, return_unit(fn->code, t.hook_id, *units, r)});
          owner.push_back(i);
          kind.push_back("constant return");
        }
    }
  }
  if (requests.empty()) return;
  uint64_t held_before = p.watch->held_ns();
  auto outcome = p.watch->add(requests);
  held_ns_ += p.watch->held_ns() - held_before;
  log::debug("Python watchpoints placed in process " + std::to_string(p.py.pid) + " " +
             std::to_string((monotonic_ns() - now) / 1000) + " us after the look began");
  std::map<size_t, std::pair<std::vector<std::string>, std::vector<std::string>>> summary;  // watched, left out
  for (size_t k = 0; k < requests.size(); ++k)
    (outcome[k].empty() ? summary[owner[k]].first : summary[owner[k]].second).push_back(outcome[k].empty() ? kind[k] : kind[k] + " (" + outcome[k] + ")");
  for (auto& [i, s] : summary) {
    std::string text = target_notes_[i].substr(targets_[i].path.size() + 2);
    if (!s.first.empty()) {
      text += "; watched:";
      for (const auto& w : s.first) text += " " + w;
    }
    if (!s.second.empty()) {
      text += "; not watched:";
      for (const auto& w : s.second) text += " " + w;
    }
    note(i, text);
    log::debug(target_notes_[i]);
  }
}

CallDecoder* PythonTracker::decoder_for(uint32_t tgid) {
  if (auto it = decoders_.find(tgid); it != decoders_.end()) return it->second.get();
  std::lock_guard lock(mu_);
  auto found = found_.find(static_cast<pid_t>(tgid));
  if (found == found_.end()) return nullptr;
  if (auto stat = task_stat_of(static_cast<pid_t>(tgid))) parent_of_[tgid] = static_cast<uint32_t>(stat->ppid);
  return decoders_.emplace(tgid, std::make_unique<CallDecoder>(found->second)).first->second.get();
}

bool PythonTracker::inside_a_parents_call(uint32_t tgid) {
  auto it = parent_of_.find(tgid);
  for (int hops = 0; it != parent_of_.end() && hops < 8; ++hops) {
    uint32_t parent = it->second;
    if (pairing_.has_open_call(parent)) return true;
    it = parent_of_.find(parent);
    if (it == parent_of_.end()) {  // a process between them that is not Python (a shell)
      auto stat = task_stat_of(static_cast<pid_t>(parent));
      if (!stat || stat->ppid <= 1) return false;
      it = parent_of_.emplace(parent, static_cast<uint32_t>(stat->ppid)).first;
    }
  }
  return false;
}

void PythonTracker::on_event(const PythonCallEvent& e, const Emit& emit) {
  auto target = target_of_hook_.find(e.hook_id);
  if (target == target_of_hook_.end()) return;
  CallDecoder* decoder = decoder_for(e.tgid);
  if (!decoder) return;
  // The interpreter reads its code outside the eval loop too (3.11 quickens a code
  // object by reading every unit): not a call, not a return.
  if (!decoder->process().fetched_by_eval_loop(e.ip)) {
    ++ignored_hits_;
    return;
  }
  auto send = [&](std::vector<PairedCall> paired, uint64_t now_ns) {
    for (auto& pc : paired) {
      const PythonCallEvent& first = pc.entry ? *pc.entry : *pc.exit;
      auto target = target_of_hook_.find(first.hook_id);
      PythonCallDone done;
      const PythonCallEvent& any = pc.entry ? *pc.entry : *pc.exit;
      done.hook_id = any.hook_id;
      done.tgid = any.tgid;
      done.tid = any.tid;
      if (pc.entry) {
        auto it = at_entry_.find(pc.user);
        if (it != at_entry_.end()) {
          done.info = std::move(it->second);
          at_entry_.erase(it);
        }
        done.entry_ns = pc.entry->ts_ns;
      } else {
        bool nested = pc.exit->depth > 0 || inside_a_parents_call(pc.exit->tgid);
        done.info = decoder->describe(*pc.exit, !nested);
        done.info.nested = nested;
      }
      if (target != target_of_hook_.end() && !wanted_module(targets_[target->second], done.info.module)) {
        ++filtered_;  // another function behind the same wrapper
        if (log::level() == log::Level::Debug)  // per call: no strings built unless asked
          log::debug("python call of " + done.info.function + " (module " + done.info.module + ") left out");
        continue;
      }
      if (pc.exit) decoder->add_return(*pc.exit, done.info);
      done.info.end = pc.end;
      done.end_ns = pc.exit ? pc.exit->ts_ns : now_ns;
      ++calls_;
      values_gone_ += done.info.gone;
      if (log::level() == log::Level::Debug)
        log::debug("python call " + done.info.function + " (module " + done.info.module + ")" +
                   (done.info.return_text ? " returned " + *done.info.return_text : ""));
      emit(done);
    }
  };
  if (e.is_return) {
    send(pairing_.on_return(e), e.ts_ns);
    return;
  }
  bool accepted = false;
  uint64_t id = next_id_++;
  auto ended = pairing_.on_entry(e, id, accepted);
  send(std::move(ended), e.ts_ns);
  if (!accepted) return;
  bool nested = e.depth > 0 || inside_a_parents_call(e.tgid);
  PythonCallInfo info = decoder->describe(e, !nested);
  info.nested = nested;
  // Hyperparameters as the call begins, while its instance is surely alive (read once
  // the call is over, a temporary's memory may hold the next estimator already); a
  // read the fit's new attributes disturb is retried, then left out as gone.
  if (targets_[target->second].params && !info.nested) decoder->add_params(info);
  at_entry_[id] = std::move(info);
}

void PythonTracker::finish(const Emit& emit) {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [pid, p] : processes_) {  // watchpoints out (inside a pause where it lives), shield released
    p->watch->remove_all();
    hits_ += p->watch->hits();
  }
  processes_.clear();
  uint64_t now = monotonic_ns();
  for (auto& pc : pairing_.finish()) {
    PythonCallDone done;
    done.hook_id = pc.entry->hook_id;
    done.tgid = pc.entry->tgid;
    done.tid = pc.entry->tid;
    done.entry_ns = pc.entry->ts_ns;
    done.end_ns = now;
    if (auto it = at_entry_.find(pc.user); it != at_entry_.end()) done.info = std::move(it->second);
    // Still in progress where its process lives on (attach); else it ended unseen, by
    // an exception most likely.
    done.info.end = process_alive(static_cast<pid_t>(done.tgid)) ? PythonCallInfo::End::Running
                                                                  : PythonCallInfo::End::Unseen;
    values_gone_ += done.info.gone;
    ++calls_;
    emit(done);
  }
  at_entry_.clear();
}

std::vector<std::string> PythonTracker::target_notes() const {
  std::lock_guard lock(mu_);
  return target_notes_;
}

std::string PythonTracker::library_version(const std::string& library) const {
  std::lock_guard lock(mu_);
  auto it = library_versions_.find(library);
  return it == library_versions_.end() ? "" : it->second;
}

std::vector<std::string> PythonTracker::degradations() const {
  std::lock_guard lock(mu_);
  return degradations_;
}

}  // namespace bpfpads
