/*
 * ordered: puts the bytes of objects fetched concurrently back into
 * submission order, so -j 8 writes exactly what -j 1 writes.
 *
 * Objects are numbered 0, 1, 2... as submitted.  Bytes of the lowest
 * unfinished object (the head) pass straight through to the data callback
 * as they arrive, so the common case copies nothing; bytes of later objects
 * wait in a per-object buffer until every earlier object has ended.  The
 * caller submits object i only while bq_ordered_has_room(o, i): at most
 * `window` objects are then ever held, which bounds memory by window x
 * object size (log objects are stored compressed, so the buffers hold
 * compressed bytes).
 *
 * Callbacks return 0 to go on, 1 to stop quietly, -1 to abort; the first
 * non-zero value is sticky and returned by every later call.
 *
 * Ownership: bq_ordered owns its buffers; data given to bq_ordered_data is
 * copied when it must wait, else passed through during the call.
 */
#ifndef BQ_ORDERED_H
#define BQ_ORDERED_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef int (*bq_ordered_data_fn)(size_t idx, const void *p, size_t n,
				  void *ud);
/* An object is complete; fail is NULL on success, else why it failed (the
 * bytes passed before the failure have been delivered). */
typedef int (*bq_ordered_end_fn)(size_t idx, const bq_err *fail, void *ud);

typedef struct bq_ordered bq_ordered;

/* window >= 1.  0 or -1 (out of memory). */
int bq_ordered_new(bq_ordered **out, size_t window, bq_ordered_data_fn data,
		   bq_ordered_end_fn end, void *ud);
void bq_ordered_free(bq_ordered *o);

/* True when object idx may be submitted now. */
bool bq_ordered_has_room(const bq_ordered *o, size_t idx);
/* Bytes of object idx (idx must have room). */
int bq_ordered_data(bq_ordered *o, size_t idx, const void *p, size_t n);
/* Object idx is finished (fail NULL) or failed. */
int bq_ordered_end(bq_ordered *o, size_t idx, const bq_err *fail);
/* The lowest object not yet ended and delivered. */
size_t bq_ordered_head(const bq_ordered *o);
/* Bytes currently waiting in buffers (for tests and --debug). */
size_t bq_ordered_buffered(const bq_ordered *o);

#endif
