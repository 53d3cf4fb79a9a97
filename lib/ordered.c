#include "ordered.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	bq_buf data;
	bool ended;
	bool failed;
	bq_err why;
};

struct bq_ordered {
	size_t window, head, buffered;
	struct slot *slots;
	bq_ordered_data_fn data;
	bq_ordered_end_fn end;
	void *ud;
	int stop; /* sticky non-zero callback result */
};

int bq_ordered_new(bq_ordered **out, size_t window, bq_ordered_data_fn data,
		   bq_ordered_end_fn end, void *ud)
{
	bq_ordered *o = calloc(1, sizeof(*o));
	size_t i;

	*out = NULL;
	if (!o)
		return -1;
	o->window = window ? window : 1;
	o->slots = calloc(o->window, sizeof(*o->slots));
	if (!o->slots) {
		free(o);
		return -1;
	}
	for (i = 0; i < o->window; i++)
		bq_buf_init(&o->slots[i].data, 0);
	o->data = data;
	o->end = end;
	o->ud = ud;
	*out = o;
	return 0;
}

void bq_ordered_free(bq_ordered *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->window; i++)
		bq_buf_release(&o->slots[i].data);
	free(o->slots);
	free(o);
}

bool bq_ordered_has_room(const bq_ordered *o, size_t idx)
{
	return idx >= o->head && idx - o->head < o->window;
}

size_t bq_ordered_head(const bq_ordered *o)
{
	return o->head;
}

size_t bq_ordered_buffered(const bq_ordered *o)
{
	return o->buffered;
}

static struct slot *slot_of(bq_ordered *o, size_t idx)
{
	return &o->slots[idx % o->window];
}

/* Delivers everything deliverable from the head on. */
static int drain(bq_ordered *o)
{
	for (;;) {
		struct slot *s = slot_of(o, o->head);
		int r;

		if (s->data.len) {
			r = o->data(o->head, s->data.data, s->data.len, o->ud);
			o->buffered -= s->data.len;
			bq_buf_release(&s->data); /* give big buffers back */
			bq_buf_init(&s->data, 0);
			if (r)
				return o->stop = r;
		}
		if (!s->ended)
			return 0;
		r = o->end(o->head, s->failed ? &s->why : NULL, o->ud);
		s->ended = s->failed = false;
		o->head++;
		if (r)
			return o->stop = r;
	}
}

int bq_ordered_data(bq_ordered *o, size_t idx, const void *p, size_t n)
{
	struct slot *s;

	if (o->stop)
		return o->stop;
	if (!bq_ordered_has_room(o, idx))
		return -1;
	if (idx == o->head) {
		int r = o->data(idx, p, n, o->ud);

		return r ? (o->stop = r) : 0;
	}
	s = slot_of(o, idx);
	if (bq_buf_append(&s->data, p, n) < 0)
		return o->stop = -1;
	o->buffered += n;
	return 0;
}

int bq_ordered_end(bq_ordered *o, size_t idx, const bq_err *fail)
{
	struct slot *s;

	if (o->stop)
		return o->stop;
	if (!bq_ordered_has_room(o, idx))
		return -1;
	s = slot_of(o, idx);
	s->ended = true;
	s->failed = fail != NULL;
	if (fail)
		s->why = *fail;
	if (idx != o->head)
		return 0;
	return drain(o);
}
