// How much more memory this process can allocate: the smaller of the system's MemAvailable
// (/proc/meminfo) and what the address-space limit (RLIMIT_AS, `ulimit -v`) leaves above the
// process's current size. Checked before a large allocation so that a request the machine cannot
// hold is refused with a sentence instead of swapping for minutes or dying on bad_alloc.
#pragma once

#include <cstdint>
#include <optional>

namespace descent {

// Bytes, or nothing when neither figure can be read (not Linux).
std::optional<std::int64_t> available_memory_bytes();

}  // namespace descent
