/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qjson.h: conversion between QObjects and JSON text.
 *
 * The parser accepts RFC 8259 JSON plus QEMU's extension of single-quoted
 * strings.  Integers become QNum int64 when they fit, else uint64, else
 * double.  The _jsonf_ forms interpolate %-sequences outside strings
 * (%d %i %u %ld %lld %" PRId64 %" PRIu64 %f %s %p, the last taking a
 * QObject reference) and abort on any error; use them only with
 * literal, known-good templates.
 */
#ifndef QAPI_QMP_QJSON_H
#define QAPI_QMP_QJSON_H

/*
 * Parse exactly one JSON value.  Returns a new reference, or NULL with
 * @errp set on a syntax error ("JSON parse error, ..."), or for empty
 * input ("Expecting a JSON value").
 */
QObject *qobject_from_json(const char *string, Error **errp);

QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);
QObject *qobject_from_jsonf_nofail(const char *string, ...)
    G_GNUC_PRINTF(1, 2);
QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);
QDict *qdict_from_jsonf_nofail(const char *string, ...)
    G_GNUC_PRINTF(1, 2);

/*
 * Serialise @obj.  The compact form uses ", " and ": " separators
 * ({"a": 1, "b": [1, 2]}); the pretty form puts each member on its own
 * line indented by four spaces per level.  Non-ASCII characters and
 * control characters are written as \uXXXX escapes.
 */
GString *qobject_to_json(const QObject *obj);
GString *qobject_to_json_pretty(const QObject *obj, bool pretty);

#endif /* QAPI_QMP_QJSON_H */
