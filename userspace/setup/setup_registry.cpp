#include <algorithm>
#include <chrono>
#include <exception>
#include <iterator>
#include <numeric>

#include "common/log.h"
#include "setup/setup_function.h"

namespace bpfpads {

namespace {

// Registration order depends on static initialisation across files, which the
// linker decides; sorting by name makes runs comparable.
std::vector<std::size_t> sorted_order(
    const std::vector<std::pair<std::string, SetupFactory>>& factories) {
  std::vector<std::size_t> order(factories.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) {
    return factories[a].first < factories[b].first;
  });
  return order;
}

template <typename T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

void merge_output(SetupOutput& into, SetupOutput& from) {
  move_append(into.tags, from.tags);
  move_append(into.params, from.params);
  move_append(into.artifacts, from.artifacts);
}

}  // namespace

SetupRegistry& SetupRegistry::instance() {
  // A function-local static: registrations run during static initialisation of
  // other files, before any namespace-scope registry would be constructed.
  static SetupRegistry registry;
  return registry;
}

void SetupRegistry::add(std::string name, SetupFactory factory) {
  factories_.emplace_back(std::move(name), std::move(factory));
}

std::vector<std::unique_ptr<SetupFunction>> SetupRegistry::create_all() const {
  std::vector<std::unique_ptr<SetupFunction>> functions;
  for (std::size_t i : sorted_order(factories_)) functions.push_back(factories_[i].second());
  return functions;
}

std::vector<std::string> SetupRegistry::names() const {
  std::vector<std::string> names;
  for (std::size_t i : sorted_order(factories_)) names.push_back(factories_[i].first);
  return names;
}

SetupOutput run_setup_functions(const SetupContext& ctx,
                                const std::vector<std::unique_ptr<SetupFunction>>& functions,
                                std::vector<std::string>& warnings) {
  SetupOutput output;
  for (const auto& function : functions) {
    if (!function) continue;
    std::string name(function->name());
    auto started = std::chrono::steady_clock::now();
    SetupOutput partial;
    try {
      auto result = function->collect(ctx, partial);
      // On an error what was found before it is still true, so it is kept.
      merge_output(output, partial);
      if (!result) warnings.push_back(name + ": " + result.error().describe());
    } catch (const std::exception& e) {
      // After an exception the partial output may be half-written: dropped.
      warnings.push_back(name + ": " + e.what());
    } catch (...) {
      warnings.push_back(name + ": unknown exception");
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    log::debug("setup function " + name + " took " + std::to_string(ms) + " ms");
  }
  return output;
}

SetupOutput run_setup_functions(const SetupContext& ctx, std::vector<std::string>& warnings) {
  std::vector<std::unique_ptr<SetupFunction>> functions;
  try {
    functions = SetupRegistry::instance().create_all();
  } catch (const std::exception& e) {
    warnings.push_back(std::string("setup: cannot create the setup functions: ") + e.what());
    return {};
  }
  return run_setup_functions(ctx, functions, warnings);
}

}  // namespace bpfpads
