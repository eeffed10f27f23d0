/*
 * peercred: the kernel's credentials of the process at the other end of a Unix socket.
 *
 * Node has no API for SO_PEERCRED, so this addon exposes exactly one call:
 *   getPeerCredentials(fd: number) -> { pid, uid, gid }
 * The kernel records these when the peer calls connect(), so they cannot be forged by the peer
 * afterwards. Plain N-API (C) keeps it ABI-stable across Node versions.
 */
#ifdef __linux__
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#endif

#include <limits.h>
#include <stdio.h>
#include <node_api.h>

#define CHECK(env, call)                                                    \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), "ERR_PEERCRED", "peercred: N-API call failed"); \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

#ifdef __linux__
static napi_value throw_errno(napi_env env, const char *call, int err) {
  char text[256];
  napi_value message, code, error, errno_value, syscall;
  snprintf(text, sizeof text, "peercred: %s failed: %s (errno %d)", call, strerror(err), err);
  CHECK(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message));
  CHECK(env, napi_create_string_utf8(env, "ERR_PEERCRED", NAPI_AUTO_LENGTH, &code));
  CHECK(env, napi_create_error(env, code, message, &error));
  CHECK(env, napi_create_int32(env, err, &errno_value));
  CHECK(env, napi_set_named_property(env, error, "errno", errno_value));
  CHECK(env, napi_create_string_utf8(env, call, NAPI_AUTO_LENGTH, &syscall));
  CHECK(env, napi_set_named_property(env, error, "syscall", syscall));
  napi_throw(env, error);
  return NULL;
}
#endif

static napi_value get_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  double value;
  int fd;

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_number) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "peercred: fd must be a number");
    return NULL;
  }
  CHECK(env, napi_get_value_double(env, argv[0], &value));
  if (!(value >= 0 && value <= INT_MAX) || value != (double)(int)value) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "peercred: fd must be a non-negative integer");
    return NULL;
  }
  fd = (int)value;

#ifdef __linux__
  {
    struct ucred cred;
    struct sockaddr_un peer;
    int domain = 0;
    socklen_t length = sizeof domain;
    napi_value result, pid, uid, gid;

    /* Other families and unconnected sockets answer SO_PEERCRED with the overflow uid (nobody)
       rather than an error, so check both first. */
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) {
      return throw_errno(env, "getsockopt(SO_DOMAIN)", errno);
    }
    if (domain != AF_UNIX) {
      napi_throw_error(env, "ERR_PEERCRED", "peercred: not a Unix domain socket");
      return NULL;
    }
    length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &length) != 0) {
      return throw_errno(env, "getpeername", errno);
    }
    memset(&cred, 0, sizeof cred);
    length = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
      return throw_errno(env, "getsockopt(SO_PEERCRED)", errno);
    }
    if (length != sizeof cred) {
      return throw_errno(env, "getsockopt(SO_PEERCRED)", EPROTO);
    }
    CHECK(env, napi_create_object(env, &result));
    CHECK(env, napi_create_int32(env, cred.pid, &pid));
    CHECK(env, napi_create_uint32(env, cred.uid, &uid));
    CHECK(env, napi_create_uint32(env, cred.gid, &gid));
    CHECK(env, napi_set_named_property(env, result, "pid", pid));
    CHECK(env, napi_set_named_property(env, result, "uid", uid));
    CHECK(env, napi_set_named_property(env, result, "gid", gid));
    return result;
  }
#else
  (void)fd;
  napi_throw_error(env, "ERR_PEERCRED_UNSUPPORTED", "peercred: SO_PEERCRED is only available on Linux");
  return NULL;
#endif
}

NAPI_MODULE_INIT() {
  napi_value fn;
  CHECK(env, napi_create_function(env, "getPeerCredentials", NAPI_AUTO_LENGTH, get_peer_credentials, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "getPeerCredentials", fn));
  return exports;
}
