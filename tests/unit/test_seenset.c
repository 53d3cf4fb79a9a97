/* seenset: follow-mode de-duplication with bounded memory. */
#include "seenset.h"
#include "t.h"

#include <stdio.h>

int main(void)
{
	bq_seen *s = bq_seen_new();
	char id[64];
	int i, dups = 0, fresh = 0;

	T_OK(bq_seen_add(s, "e1", 1000) == 1, "a new id is added");
	T_OK(bq_seen_add(s, "e1", 1000) == 0, "the same id again is a duplicate");
	T_OK(bq_seen_has(s, "e1") && !bq_seen_has(s, "e2"), "membership");
	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "3771%030d", i);
		fresh += bq_seen_add(s, id, i) == 1;
	}
	for (i = 0; i < 100000; i += 7) {
		snprintf(id, sizeof(id), "3771%030d", i);
		dups += bq_seen_add(s, id, i) == 0;
	}
	T_OK(fresh == 100000 && dups == 14286, "100000 ids through growth, re-adds detected");
	bq_seen_expire(s, 99000);
	T_OK(bq_seen_count(s) == 1000, "expiry forgets ids older than the cut (%zu left)", bq_seen_count(s));
	snprintf(id, sizeof(id), "3771%030d", 99500);
	T_OK(bq_seen_has(s, id), "recent ids stay");
	snprintf(id, sizeof(id), "3771%030d", 5);
	T_OK(!bq_seen_has(s, id) && bq_seen_add(s, id, 5) == 1, "an expired id counts as new again");
	/* steady state: a sliding window never grows the table without bound */
	for (i = 0; i < 200000; i++) {
		snprintf(id, sizeof(id), "w%d", i);
		bq_seen_add(s, id, 200000 + i);
		if (i % 1000 == 999)
			bq_seen_expire(s, 200000 + i - 2000);
	}
	T_OK(bq_seen_count(s) <= 3000, "sliding window keeps the set small (%zu)", bq_seen_count(s));
	bq_seen_free(s);
	return T_DONE();
}
