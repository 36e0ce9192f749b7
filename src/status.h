// Errors of the core: a code the bindings map to AdaptivePoolError.code, and a message that names
// the argument and the bad value (modelled on PyTorch's own messages).
#pragma once

#include <string>
#include <utility>

namespace adaptive_pool {

enum class ErrorCode : int {
  kOk = 0,
  kRank,        // wrong number of dimensions                         -> 'RANK'
  kShape,       // bad/zero/overflowing shape, data length mismatch   -> 'SHAPE'
  kOutputSize,  // wrong length or negative output_size               -> 'OUTPUT_SIZE'
  kIndex,       // max-backward index outside its plane               -> 'INDEX'
  kMemory,      // allocation failed                                  -> 'MEMORY'
  kArgument,    // any other invalid argument (e.g. thread count)     -> 'ARGUMENT'
};

struct Status {
  ErrorCode code = ErrorCode::kOk;
  std::string message;

  bool ok() const { return code == ErrorCode::kOk; }
  static Status Ok() { return {}; }
  static Status Error(ErrorCode c, std::string m) { return {c, std::move(m)}; }
};

const char* error_code_name(ErrorCode code);  // "RANK", "SHAPE", ... ("OK" for kOk)

}  // namespace adaptive_pool
