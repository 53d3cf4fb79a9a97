/*
 * bodypath: a tiny path language over JSON values, so the per-format tables
 * of invocation bodies (lib/invocation_formats.c) are data, not code.
 *
 * A path is dot-separated segments; each segment is a member name,
 * optionally followed by an iterator:
 *
 *   usage.inputTokens                 object members
 *   messages[].content[].text         "[]" visits every array element
 *   messages[role=user].content       "[k=a|b]" visits elements whose string
 *                                     member k equals a or b (ASCII case
 *                                     insensitive)
 *   amazon-bedrock-invocationMetrics.inputTokenCount   any byte but . [ {
 *   messages[].content{.|[type=text].text}
 *                                     a final group of alternatives, each
 *                                     tried on the same value in turn ("."
 *                                     is the value itself), so matches stay
 *                                     in document order
 *
 * An iterator applied to a value that is not an array treats the value as a
 * one-element array, as jq's `.[]?` promotion would: so
 * "messages[].content[].text" and "messages[].content" together cover a
 * `content` that is either a list of blocks or a plain string.
 *
 * Ownership: everything is borrowed; callbacks receive borrowed values valid
 * for the duration of the call.  No allocation.
 */
#ifndef BQ_BODYPATH_H
#define BQ_BODYPATH_H

#include <stdbool.h>
#include <jansson.h>

/* Called for every value the path reaches, in document order.  Return
 * non-zero to stop the walk early. */
typedef int (*bq_bodypath_cb)(const json_t *v, void *ud);

/* Walks path from root; returns the callback's non-zero value if it stopped
 * the walk, else 0.  A NULL root or path visits nothing. */
int bq_bodypath_each(const json_t *root, const char *path, bq_bodypath_cb cb,
		     void *ud);

/* The first value the path reaches, or NULL (borrowed). */
const json_t *bq_bodypath_first(const json_t *root, const char *path);

/* The first value the path reaches that is a number (integer or real), as
 * an integer; true when found.  Reals are rounded to the nearest integer. */
bool bq_bodypath_int(const json_t *root, const char *path, long long *out);

/* The first value the path reaches that is a non-empty string (borrowed). */
const char *bq_bodypath_str(const json_t *root, const char *path);

#endif
