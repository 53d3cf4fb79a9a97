/*
 * jqfilter: --jq FILTER through libjq 1.6, compiled once per run and only
 * when a filter was given.  Tools normally never call this directly: the
 * record writer (ndjson.h) does.
 *
 * The libjq 1.6 pitfalls (c-style.md 3.4) are handled here and only here:
 *   - jq_init leaves the input and debug callbacks uninitialised: both are
 *     set right after jq_init (input: a callback saying "end of input",
 *     so `inputs` is empty and `input` is a runtime error; debug: `debug` prints ["DEBUG:",value] on stderr
 *     through the redacting logger);
 *   - `import`/`include` abort the process when JQ_LIBRARY_PATH is unset:
 *     it is set to [] (so `import "x" as x;` is an ordinary compile error,
 *     "module not found");
 *   - 1.6 reads $HOME/.jq on every compile, so a user's broken ~/.jq would
 *     break every filter and its definitions would leak in: HOME is pointed
 *     at an empty path while compiling and restored after, so filters mean
 *     the same for every user (bq(7) says ~/.jq is not read);
 *   - libjq is not thread-safe: use a bq_jq from one thread only;
 *   - the `stderr` builtin of 1.6 writes straight to fd 2 (not redacted).
 * Records cross into jq by walking json_t -> jv (no string round trip) and
 * results come back by walking jv -> json_t: integral numbers within
 * +-2^53 become integers, NaN/Inf become null.
 *
 * Ownership: bq_jq_run borrows `rec`; the result handed to the callback is
 * borrowed (json_incref to keep it).  bq_jq_free(NULL) is fine.
 */
#ifndef BQ_JQFILTER_H
#define BQ_JQFILTER_H

#include <jansson.h>
#include <jv.h>
#include <stddef.h>

#include "err.h"

struct bq_jq;

/* bq_jq_run returns this when the filter called `halt` or `halt_error`
 * (output ends; for halt_error the message was printed and err holds
 * status 1 unless the exit code was 0). */
#define BQ_JQ_HALTED 2

/* Compiles filter.  0, or -1 with err = BQ_EXIT_USAGE and jq's message
 * ("bad --jq filter: syntax error, unexpected ..."). */
int bq_jq_compile(struct bq_jq **jq, const char *filter, bq_err *err);
void bq_jq_free(struct bq_jq *jq);

/* Called once per result; return 0 to go on, anything else stops the run
 * and is returned by bq_jq_run. */
typedef int (*bq_jq_result_fn)(void *ctx, json_t *result, bq_err *err);

/* Runs the filter over rec.  Returns 0 when all results were delivered;
 * -1 on a jq runtime error (err: status 1, "jq: error: MESSAGE"; results
 * produced before the error were delivered); BQ_JQ_HALTED; or what the
 * callback returned. */
int bq_jq_run(struct bq_jq *jq, json_t *rec, bq_jq_result_fn fn, void *ctx,
	      bq_err *err);

/* Conversions (exposed for tests).  bq_json_to_jv borrows v and returns an
 * owned jv; bq_jv_to_json consumes j and returns a new reference (NULL
 * only when memory runs out or j is invalid). */
jv bq_json_to_jv(const json_t *v);
json_t *bq_jv_to_json(jv j);

/* "1.6" (libjq has no version API; this is the version built against). */
const char *bq_jq_version(void);

#endif
