#include "seenset.h"

#include <stdlib.h>
#include <string.h>

/* Open addressing with linear probing; expiry rebuilds the table, which is
 * O(n) once per poll and keeps lookups free of tombstones. */
struct entry {
	char *id;
	int64_t ts;
	uint64_t h;
};

struct bq_seen {
	struct entry *tab;
	size_t cap; /* power of two */
	size_t n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

bq_seen *bq_seen_new(void)
{
	bq_seen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = 64;
	s->tab = calloc(s->cap, sizeof(*s->tab));
	if (!s->tab) {
		free(s);
		return NULL;
	}
	return s;
}

void bq_seen_free(bq_seen *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->cap; i++)
		free(s->tab[i].id);
	free(s->tab);
	free(s);
}

static struct entry *find(const bq_seen *s, const char *id, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	for (;;) {
		struct entry *e = &s->tab[i];

		if (!e->id || (e->h == h && strcmp(e->id, id) == 0))
			return e;
		i = (i + 1) & (s->cap - 1);
	}
}

/* Moves the live entries into a table of new_cap slots. */
static int rehash(bq_seen *s, size_t new_cap, int64_t before)
{
	struct entry *old = s->tab;
	size_t old_cap = s->cap, i;
	struct entry *tab = calloc(new_cap, sizeof(*tab));

	if (!tab)
		return -1;
	s->tab = tab;
	s->cap = new_cap;
	s->n = 0;
	for (i = 0; i < old_cap; i++) {
		struct entry *e = &old[i];

		if (!e->id)
			continue;
		if (e->ts < before) {
			free(e->id);
			continue;
		}
		*find(s, e->id, e->h) = *e;
		s->n++;
	}
	free(old);
	return 0;
}

int bq_seen_add(bq_seen *s, const char *id, int64_t ts_ms)
{
	uint64_t h = hash(id);
	struct entry *e;

	if ((s->n + 1) * 4 > s->cap * 3 &&
	    rehash(s, s->cap * 2, INT64_MIN) < 0)
		return -1;
	e = find(s, id, h);
	if (e->id)
		return 0;
	e->id = strdup(id);
	if (!e->id)
		return -1;
	e->ts = ts_ms;
	e->h = h;
	s->n++;
	return 1;
}

int bq_seen_has(const bq_seen *s, const char *id)
{
	return find(s, id, hash(id))->id != NULL;
}

void bq_seen_expire(bq_seen *s, int64_t before_ms)
{
	size_t cap = s->cap;

	/* Shrink while a quarter of the table would do, to give memory back
	 * after a burst. */
	while (cap > 64 && s->n * 8 < cap)
		cap /= 2;
	(void)rehash(s, cap, before_ms); /* on failure the old table stays */
}

size_t bq_seen_count(const bq_seen *s)
{
	return s->n;
}
