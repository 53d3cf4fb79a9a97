/*
 * seenset: the ids already printed by a follow loop (CloudWatch Logs event
 * ids), each with its event time, so overlapping polls print nothing twice
 * and memory stays bounded: bq_seen_expire() forgets every id older than
 * the start of the next poll's window, since no later poll can return it.
 *
 * Ownership: the set copies the ids it keeps.  Not thread-safe.
 */
#ifndef BQ_SEENSET_H
#define BQ_SEENSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct bq_seen bq_seen;

bq_seen *bq_seen_new(void);
void bq_seen_free(bq_seen *s); /* NULL is fine */
/* 1 when id was new (now remembered with ts_ms), 0 when already there,
 * -1 out of memory. */
int bq_seen_add(bq_seen *s, const char *id, int64_t ts_ms);
int bq_seen_has(const bq_seen *s, const char *id);
/* Forgets ids with ts_ms < before_ms; shrinks the table when it empties. */
void bq_seen_expire(bq_seen *s, int64_t before_ms);
size_t bq_seen_count(const bq_seen *s);

#endif
