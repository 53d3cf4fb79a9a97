/*
 * reorder: a ring of cap slots indexed by sequence number modulo cap.
 */
#include "reorder.h"

#include <stdlib.h>

int bq_reorder_init(struct bq_reorder *r, size_t cap)
{
	if (cap < 1)
		cap = 1;
	r->slots = calloc(cap, sizeof(r->slots[0]));
	r->cap = cap;
	r->head = r->next = 0;
	return r->slots ? 0 : -1;
}

void bq_reorder_release(struct bq_reorder *r, void (*free_fn)(void *))
{
	uint64_t s;

	if (!r->slots)
		return;
	for (s = r->head; s < r->next; s++) {
		struct bq_reorder_slot *sl = &r->slots[s % r->cap];

		if (free_fn && sl->value)
			free_fn(sl->value);
	}
	free(r->slots);
	r->slots = NULL;
	r->head = r->next = 0;
}

size_t bq_reorder_count(const struct bq_reorder *r)
{
	return (size_t)(r->next - r->head);
}

bool bq_reorder_full(const struct bq_reorder *r)
{
	return bq_reorder_count(r) >= r->cap;
}

int bq_reorder_reserve(struct bq_reorder *r, uint64_t *seq)
{
	struct bq_reorder_slot *sl;

	if (bq_reorder_full(r))
		return -1;
	sl = &r->slots[r->next % r->cap];
	sl->value = NULL;
	sl->done = false;
	*seq = r->next++;
	return 0;
}

int bq_reorder_complete(struct bq_reorder *r, uint64_t seq, void *value)
{
	struct bq_reorder_slot *sl;

	if (seq < r->head || seq >= r->next)
		return -1;
	sl = &r->slots[seq % r->cap];
	if (sl->done)
		return -1;
	sl->value = value;
	sl->done = true;
	return 0;
}

int bq_reorder_pop(struct bq_reorder *r, void **value)
{
	struct bq_reorder_slot *sl;

	if (r->head == r->next)
		return 0;
	sl = &r->slots[r->head % r->cap];
	if (!sl->done)
		return 0;
	*value = sl->value;
	sl->value = NULL;
	sl->done = false;
	r->head++;
	return 1;
}
