// Tenant IDs as Loki (dskit pkg/tenant) accepts them: at most 150 bytes of
// [a-zA-Z0-9!-_.*'()], and neither "." nor "..". Every X-Scope-OrgID goes
// through ValidateTenantId (in ResolveTenant, used by every tenant route and
// the tail), so a tenant ID can never carry quotes, commas, slashes, control
// characters or invalid UTF-8 into keys, paths, logs or /metrics.
#pragma once

#include <string_view>

#include "base/status.h"

namespace lode::server {

inline constexpr size_t kMaxTenantIdLength = 150;

// OK, or InvalidArgument with Loki's message:
//   tenant ID 'x/y' contains unsupported character '/'
//   tenant ID is too long: max 150 characters
//   tenant ID is '.' or '..'
Status ValidateTenantId(std::string_view id);

}  // namespace lode::server
