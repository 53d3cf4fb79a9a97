/*
 * reorder: a bounded reorder buffer.  Work is numbered in input order
 * (bq_reorder_reserve), finishes in any order (bq_reorder_complete), and
 * comes out in input order (bq_reorder_pop).  At most cap items are
 * reserved and not yet popped, so a producer that stops reserving when the
 * buffer is full keeps memory bounded however long its input is, and a
 * slow head item holds back at most cap - 1 finished ones.
 *
 * Ownership: the buffer owns its slot array only; the values are opaque
 * pointers the caller owns (bq_reorder_release hands back none of them:
 * drain with bq_reorder_pop first, or let free_fn free leftovers).
 */
#ifndef BQ_REORDER_H
#define BQ_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bq_reorder_slot {
	void *value;
	bool done;
};

struct bq_reorder {
	struct bq_reorder_slot *slots;
	size_t cap;
	uint64_t head; /* sequence number of the oldest reserved item */
	uint64_t next; /* sequence number the next reserve gets */
};

/* 0, or -1 when memory runs out.  cap < 1 is taken as 1. */
int bq_reorder_init(struct bq_reorder *r, size_t cap);
/* Frees leftover values with free_fn (may be NULL) and the slots. */
void bq_reorder_release(struct bq_reorder *r, void (*free_fn)(void *));

/* Reserved and not yet popped. */
size_t bq_reorder_count(const struct bq_reorder *r);
bool bq_reorder_full(const struct bq_reorder *r);
/* Takes the next sequence number: 0, or -1 when full. */
int bq_reorder_reserve(struct bq_reorder *r, uint64_t *seq);
/* Marks seq finished with value (NULL allowed: "nothing to emit").
 * -1 when seq is not reserved or already complete. */
int bq_reorder_complete(struct bq_reorder *r, uint64_t seq, void *value);
/* 1 with *value when the oldest reserved item is complete (it is then
 * forgotten), 0 when it is not (or nothing is reserved). */
int bq_reorder_pop(struct bq_reorder *r, void **value);

#endif
