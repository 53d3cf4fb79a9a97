/* Unit tests for lib/reorder.c. */
#include <stdint.h>

#include "reorder.h"
#include "t.h"

int main(void)
{
	struct bq_reorder r;
	uint64_t s[4];
	void *v;
	int vals[4] = { 10, 11, 12, 13 }, i, order_ok = 1;

	T_OK(bq_reorder_init(&r, 3) == 0, "init");
	T_OK(bq_reorder_pop(&r, &v) == 0, "empty pops nothing");
	for (i = 0; i < 3; i++)
		bq_reorder_reserve(&r, &s[i]);
	T_OK(s[0] == 0 && s[2] == 2, "sequence numbers in order");
	T_OK(bq_reorder_full(&r) && bq_reorder_reserve(&r, &s[3]) == -1, "full at cap");
	bq_reorder_complete(&r, s[2], &vals[2]);
	bq_reorder_complete(&r, s[1], NULL);
	T_OK(bq_reorder_pop(&r, &v) == 0, "head not done holds the rest back");
	T_OK(bq_reorder_complete(&r, s[1], &vals[1]) == -1, "double completion refused");
	bq_reorder_complete(&r, s[0], &vals[0]);
	T_OK(bq_reorder_pop(&r, &v) == 1 && v == &vals[0], "first out first");
	T_OK(bq_reorder_pop(&r, &v) == 1 && v == NULL, "NULL value passes through");
	T_OK(!bq_reorder_full(&r) && bq_reorder_reserve(&r, &s[3]) == 0 && s[3] == 3,
	     "room again after pops, numbering continues");
	bq_reorder_complete(&r, s[3], &vals[3]);
	T_OK(bq_reorder_pop(&r, &v) == 1 && v == &vals[2], "third");
	T_OK(bq_reorder_pop(&r, &v) == 1 && v == &vals[3], "fourth wraps the ring");
	T_OK(bq_reorder_complete(&r, 99, NULL) == -1, "unknown seq refused");
	T_OK(bq_reorder_count(&r) == 0, "drained");
	bq_reorder_release(&r, NULL);

	/* Many items completed in reverse within each window come out in order. */
	bq_reorder_init(&r, 8);
	{
		uint64_t next_out = 0, k;
		int round;

		for (round = 0; round < 50; round++) {
			uint64_t seqs[8];

			for (i = 0; i < 8; i++)
				bq_reorder_reserve(&r, &seqs[i]);
			for (i = 7; i >= 0; i--)
				bq_reorder_complete(&r, seqs[i], (void *)(uintptr_t)(seqs[i] + 1));
			while (bq_reorder_pop(&r, &v) == 1) {
				k = (uint64_t)(uintptr_t)v - 1;
				if (k != next_out++)
					order_ok = 0;
			}
		}
		T_OK(order_ok && next_out == 400, "400 items in input order");
	}
	bq_reorder_release(&r, NULL);
	return T_DONE();
}
