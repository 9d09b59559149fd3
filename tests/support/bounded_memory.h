// Runs a reader in a forked child whose address space is capped at its current size plus a
// margin (setrlimit RLIMIT_AS): a reader that allocates what a file's header claims, before
// checking it against the file's size, fails to allocate there instead of being rejected.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <new>

#include "core/error.h"

namespace descent::testing {

// AddressSanitizer reserves terabytes of address space, so the cap cannot work under it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSpaceIsMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSpaceIsMeaningful = false;
#else
constexpr bool kAddressSpaceIsMeaningful = true;
#endif
#else
constexpr bool kAddressSpaceIsMeaningful = true;
#endif

enum class Outcome { kDataError, kOutOfMemory, kOtherException, kAccepted, kChildFailed };

inline const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kDataError:
      return "DataError";
    case Outcome::kOutOfMemory:
      return "std::bad_alloc (allocated what the header claims)";
    case Outcome::kOtherException:
      return "another exception";
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kChildFailed:
      return "child crashed";
  }
  return "?";
}

// The outcome of `read` in a child limited to its current address space + `margin` bytes.
inline Outcome run_with_memory_cap(const std::function<void()>& read,
                                   std::uint64_t margin = std::uint64_t{64} << 20) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::uint64_t pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const auto cap = static_cast<rlim_t>(pages * ::sysconf(_SC_PAGESIZE) + margin);
    const rlimit limit{cap, cap};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(int(Outcome::kChildFailed));
    Outcome outcome = Outcome::kAccepted;
    try {
      read();
    } catch (const DataError&) {
      outcome = Outcome::kDataError;
    } catch (const std::bad_alloc&) {
      outcome = Outcome::kOutOfMemory;
    } catch (...) {
      outcome = Outcome::kOtherException;
    }
    ::_exit(int(outcome));
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return Outcome::kChildFailed;
  return static_cast<Outcome>(WEXITSTATUS(status));
}

}  // namespace descent::testing
