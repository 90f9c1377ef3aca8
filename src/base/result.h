// Result<T>: a value or an Error, for every operation that can fail on bad input.
// Not for bugs (those are checks) and not an exception wrapper: nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace masqd {

// An error with a human-readable message. `code` is an optional process exit code
// hint (dnsmasq's: 1 config, 2 network, 3 file system, 4 memory, 5 misc); 0 = unset.
struct Error {
  std::string message;
  int code = 0;
};

inline Error make_error(std::string message, int code = 0) { return Error{std::move(message), code}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}     // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace masqd
