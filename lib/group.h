/*
 * group: a table of aggregation groups keyed by a canonical string (for
 * example the compact JSON of a group's values), each with a zeroed payload
 * of a fixed size the caller defines.  Lookups are hashed, entries keep
 * their insertion order, and payload pointers stay valid until the table
 * is freed.  Memory grows with the number of groups, never with the number
 * of records added to them.
 *
 * Ownership: the table owns keys and payloads; bq_groups_free calls
 * release (may be NULL) on each payload first, so payloads may own things.
 */
#ifndef BQ_GROUP_H
#define BQ_GROUP_H

#include <stdbool.h>
#include <stddef.h>

struct bq_groups;

/* NULL when memory runs out. */
struct bq_groups *bq_groups_new(size_t payload_size);
void bq_groups_free(struct bq_groups *g, void (*release)(void *payload));

/* The payload of key (n bytes), created zeroed when absent (*created set
 * when non-NULL).  NULL when memory runs out. */
void *bq_groups_get(struct bq_groups *g, const char *key, size_t n,
		    bool *created);
/* The payload of key, or NULL when absent. */
void *bq_groups_find(const struct bq_groups *g, const char *key, size_t n);

size_t bq_groups_count(const struct bq_groups *g);
/* Entry i in insertion order: its payload, and its key (NUL-terminated). */
void *bq_groups_at(const struct bq_groups *g, size_t i);
const char *bq_groups_key(const struct bq_groups *g, size_t i);

#endif
