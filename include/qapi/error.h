/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h: rich errors for everything a human reads.
 *
 * A function that can fail takes "Error **errp" as its last parameter and,
 * on failure, stores a new Error there with error_setg() (unless errp is
 * NULL, in which case the message is dropped).  It must also signal the
 * failure in its return value (false, NULL or a negative number), so callers
 * rarely need to look at *errp themselves:
 *
 *     if (!foo(arg, errp)) {
 *         return false;
 *     }
 *
 * When a caller does need to look at the error before passing it up, it
 * starts with ERRP_GUARD(); afterwards errp is never NULL and never one of
 * the special values, and "if (*errp)" is safe.
 *
 * Special destinations: &error_abort aborts at the point of failure (for
 * "cannot fail" calls); &error_fatal prints the message and exits(1).
 *
 * Inside the I/O path, use negative errno values instead.
 */
#ifndef QAPI_ERROR_H
#define QAPI_ERROR_H

typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
    ERROR_CLASS__MAX,
} ErrorClass;

/* The human-readable message of @err, without hints. */
const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);

/*
 * Store a new error in *errp.  The message follows printf() format; it is
 * a single sentence with no trailing period or newline.
 */
#define error_setg(errp, fmt, ...)                              \
    error_setg_internal((errp), __FILE__, __LINE__, __func__,   \
                        (fmt), ## __VA_ARGS__)
void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/* As error_setg(), then append ": " and strerror(os_errno). */
#define error_setg_errno(errp, os_errno, fmt, ...)                      \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__,     \
                              (os_errno), (fmt), ## __VA_ARGS__)
void error_setg_errno_internal(Error **errp, const char *fname, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* "Could not open 'filename': strerror(os_errno)" */
#define error_setg_file_open(errp, os_errno, filename)                  \
    error_setg_file_open_internal((errp), __FILE__, __LINE__, __func__, \
                                  (os_errno), (filename))
void error_setg_file_open_internal(Error **errp, const char *src, int line,
                                   const char *func, int os_errno,
                                   const char *filename);

#define error_set(errp, err_class, fmt, ...)                        \
    error_set_internal((errp), __FILE__, __LINE__, __func__,        \
                       (err_class), (fmt), ## __VA_ARGS__)
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* "Parameter 'name' expects type" style helpers, in QEMU's wording. */
#define QERR_INVALID_PARAMETER "Invalid parameter '%s'"
#define QERR_INVALID_PARAMETER_VALUE "Parameter '%s' expects %s"
#define QERR_INVALID_PARAMETER_TYPE "Invalid parameter type for '%s', expected: %s"
#define QERR_MISSING_PARAMETER "Parameter '%s' is missing"
#define QERR_PROPERTY_VALUE_OUT_OF_RANGE \
    "Property %s.%s doesn't take value %" PRId64 " (minimum: %" PRId64 ", maximum: %" PRId64 ")"
#define QERR_DEVICE_IN_USE "Device '%s' is in use"
#define QERR_DEVICE_HAS_NO_MEDIUM "Device '%s' has no medium"
#define QERR_FEATURE_DISABLED "The feature '%s' is not enabled"
#define QERR_UNSUPPORTED "this feature or command is not currently supported"

/*
 * Move @local_err into *dst_errp.  If dst_errp is NULL, free it; if
 * *dst_errp already holds an error, keep the first and free @local_err.
 */
void error_propagate(Error **dst_errp, Error *local_err);
/* error_propagate() then error_prepend() */
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Prefix the message of *errp (no-op when errp or *errp is NULL). */
void error_prepend(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void error_vprepend(Error *const *errp, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

/*
 * Append a hint, printed on its own line(s) after the message by
 * error_report_err() (only for humans; not part of the message).
 * errp must not be &error_fatal: use ERRP_GUARD().
 */
void error_append_hint(Error *const *errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

Error *error_copy(const Error *err);
void error_free(Error *err);
void error_free_or_abort(Error **errp);

/* Print "progname: message\n" plus hints to stderr, then free @err. */
void error_report_err(Error *err);
void warn_report_err(Error *err);
void error_reportf_err(Error *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void warn_reportf_err(Error *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

/*
 * ERRP_GUARD: make errp safe to dereference for the rest of the function.
 * If the caller passed NULL or &error_fatal, a local Error is used and
 * propagated back on return (so hints are kept and fatal errors still
 * exit after the message is complete).
 */
typedef struct ErrorPropagator {
    Error *local_err;
    Error **errp;
} ErrorPropagator;

static inline void error_propagator_cleanup(ErrorPropagator *prop)
{
    error_propagate(prop->errp, prop->local_err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ErrorPropagator, error_propagator_cleanup)

#define ERRP_GUARD()                                                    \
    g_auto(ErrorPropagator) _auto_errp_prop = {.errp = errp};           \
    do {                                                                \
        if (!errp || errp == &error_fatal) {                            \
            errp = &_auto_errp_prop.local_err;                          \
        }                                                               \
    } while (0)

extern Error *error_abort;
extern Error *error_fatal;

#endif /* QAPI_ERROR_H */
