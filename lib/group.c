/*
 * group: open addressing (linear probing) over indexes into an array of
 * separately allocated entries, so payloads never move when the index
 * grows.
 */
#include "group.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t hash;
	size_t keylen;
	char *key;
	/* payload follows, aligned */
};

struct bq_groups {
	size_t payload_size;
	struct entry **entries;
	size_t n, cap;
	size_t *index; /* slot -> entry number + 1; 0 = empty */
	size_t nslots; /* power of two */
};

#define PAYLOAD_OFFSET ((sizeof(struct entry) + 15) & ~(size_t)15)

static void *payload_of(struct entry *e)
{
	return (char *)e + PAYLOAD_OFFSET;
}

static uint64_t hash_key(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

struct bq_groups *bq_groups_new(size_t payload_size)
{
	struct bq_groups *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->payload_size = payload_size;
	g->nslots = 64;
	g->index = calloc(g->nslots, sizeof(g->index[0]));
	if (!g->index) {
		free(g);
		return NULL;
	}
	return g;
}

void bq_groups_free(struct bq_groups *g, void (*release)(void *payload))
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++) {
		if (release)
			release(payload_of(g->entries[i]));
		free(g->entries[i]->key);
		free(g->entries[i]);
	}
	free(g->entries);
	free(g->index);
	free(g);
}

static size_t *slot_for(const struct bq_groups *g, uint64_t h, const char *key,
			size_t n)
{
	size_t mask = g->nslots - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		size_t *s = &g->index[i];
		struct entry *e;

		if (!*s)
			return s;
		e = g->entries[*s - 1];
		if (e->hash == h && e->keylen == n && memcmp(e->key, key, n) == 0)
			return s;
	}
}

static int grow_index(struct bq_groups *g)
{
	size_t nslots = g->nslots * 2, i;
	size_t *idx = calloc(nslots, sizeof(idx[0]));

	if (!idx)
		return -1;
	free(g->index);
	g->index = idx;
	g->nslots = nslots;
	for (i = 0; i < g->n; i++) {
		struct entry *e = g->entries[i];

		*slot_for(g, e->hash, e->key, e->keylen) = i + 1;
	}
	return 0;
}

void *bq_groups_find(const struct bq_groups *g, const char *key, size_t n)
{
	size_t *s = slot_for(g, hash_key(key, n), key, n);

	return *s ? payload_of(g->entries[*s - 1]) : NULL;
}

void *bq_groups_get(struct bq_groups *g, const char *key, size_t n,
		    bool *created)
{
	uint64_t h = hash_key(key, n);
	size_t *s = slot_for(g, h, key, n);
	struct entry *e;

	if (created)
		*created = false;
	if (*s)
		return payload_of(g->entries[*s - 1]);
	/* Keep the load factor under one half so probes stay short. */
	if ((g->n + 1) * 2 > g->nslots) {
		if (grow_index(g) < 0)
			return NULL;
		s = slot_for(g, h, key, n);
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct entry **es = realloc(g->entries, cap * sizeof(es[0]));

		if (!es)
			return NULL;
		g->entries = es;
		g->cap = cap;
	}
	e = calloc(1, PAYLOAD_OFFSET + g->payload_size);
	if (!e)
		return NULL;
	e->key = malloc(n + 1);
	if (!e->key) {
		free(e);
		return NULL;
	}
	memcpy(e->key, key, n);
	e->key[n] = '\0';
	e->keylen = n;
	e->hash = h;
	g->entries[g->n++] = e;
	*s = g->n;
	if (created)
		*created = true;
	return payload_of(e);
}

size_t bq_groups_count(const struct bq_groups *g)
{
	return g ? g->n : 0;
}

void *bq_groups_at(const struct bq_groups *g, size_t i)
{
	return i < g->n ? payload_of(g->entries[i]) : NULL;
}

const char *bq_groups_key(const struct bq_groups *g, size_t i)
{
	return i < g->n ? g->entries[i]->key : NULL;
}
