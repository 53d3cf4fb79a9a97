/* Unit tests for lib/group.c. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "group.h"
#include "t.h"

struct pay {
	long count;
	char tag[8];
};

int main(void)
{
	struct bq_groups *g = bq_groups_new(sizeof(struct pay));
	struct pay *p, *first;
	bool created;
	char key[32];
	int i, ok = 1;

	T_OK(g != NULL, "new");
	first = bq_groups_get(g, "a", 1, &created);
	T_OK(first && created && first->count == 0, "created zeroed");
	first->count = 5;
	p = bq_groups_get(g, "a", 1, &created);
	T_OK(p == first && !created && p->count == 5, "same key same payload");
	/* Keys with embedded NUL-free prefixes differ by length. */
	p = bq_groups_get(g, "ab", 2, &created);
	T_OK(p != first && created, "longer key is another group");
	for (i = 0; i < 5000; i++) {
		bq_snprintf(key, sizeof(key), "k%d", i % 1000);
		p = bq_groups_get(g, key, strlen(key), NULL);
		p->count++;
	}
	T_OK(bq_groups_count(g) == 1002, "1002 groups for 5000 adds");
	T_OK(first->count == 5, "payload pointer stable across growth");
	for (i = 0; i < 1000; i++) {
		bq_snprintf(key, sizeof(key), "k%d", i);
		p = bq_groups_find(g, key, strlen(key));
		if (!p || p->count != 5)
			ok = 0;
	}
	T_OK(ok, "every group counted 5 times");
	T_STREQ(bq_groups_key(g, 0), "a", "insertion order kept (0)");
	T_STREQ(bq_groups_key(g, 2), "k0", "insertion order kept (2)");
	T_OK(bq_groups_find(g, "zz", 2) == NULL, "absent key");
	bq_groups_free(g, NULL);
	return T_DONE();
}
