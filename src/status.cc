#include "status.h"

namespace adaptive_pool {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kRank:
      return "RANK";
    case ErrorCode::kShape:
      return "SHAPE";
    case ErrorCode::kOutputSize:
      return "OUTPUT_SIZE";
    case ErrorCode::kIndex:
      return "INDEX";
    case ErrorCode::kMemory:
      return "MEMORY";
    case ErrorCode::kArgument:
      return "ARGUMENT";
  }
  return "UNKNOWN";
}

}  // namespace adaptive_pool
