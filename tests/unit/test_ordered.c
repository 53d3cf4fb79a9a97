/* ordered: bytes of concurrent objects come out in submission order. */
#include "ordered.h"
#include "buf.h"
#include "t.h"

#include <stdlib.h>

struct sink {
	bq_buf out;
	size_t ends, fails, stop_after_ends;
	int no_marks; /* bytes only: chunk boundaries vary with arrival order */
};

static int on_data(size_t idx, const void *p, size_t n, void *ud)
{
	struct sink *s = ud;

	if (!s->no_marks)
		bq_buf_printf(&s->out, "%zu:", idx);
	bq_buf_append(&s->out, p, n);
	if (!s->no_marks)
		bq_buf_putc(&s->out, ' ');
	return 0;
}

static int on_end(size_t idx, const bq_err *fail, void *ud)
{
	struct sink *s = ud;

	s->ends++;
	s->fails += fail != NULL;
	bq_buf_printf(&s->out, "%zu%s ", idx, fail ? "!" : ".");
	return s->stop_after_ends && s->ends == s->stop_after_ends;
}

/* Ten objects with three chunks each, in a scrambled arrival order; the
 * output must equal the in-order output. */
static void scrambled(unsigned seed, size_t window, bq_buf *got)
{
	struct sink s = { BQ_BUF_INIT, 0, 0, 0, 1 };
	bq_ordered *o;
	size_t chunk[10] = { 0 }, submitted = 0, i, live[10], nlive = 0;

	bq_ordered_new(&o, window, on_data, on_end, &s);
	srand(seed);
	while (s.ends < 10) {
		while (submitted < 10 && bq_ordered_has_room(o, submitted))
			live[nlive++] = submitted++;
		i = (size_t)rand() % nlive;
		{
			size_t idx = live[i];
			char piece[8];

			if (chunk[idx] < 3) {
				snprintf(piece, sizeof(piece), "%c%zu", (char)('a' + idx), chunk[idx]);
				bq_ordered_data(o, idx, piece, strlen(piece));
				chunk[idx]++;
			} else {
				bq_ordered_end(o, idx, NULL);
				live[i] = live[--nlive];
			}
		}
	}
	bq_buf_reset(got);
	/* coalesce "idx:" markers away: only the byte order matters */
	{
		const char *p = bq_buf_cstr(&s.out);

		for (; *p; p++)
			if (*p != ' ')
				bq_buf_putc(got, *p);
	}
	T_OK(bq_ordered_buffered(o) == 0, "seed %u window %zu: nothing left buffered", seed, window);
	bq_ordered_free(o);
	bq_buf_release(&s.out);
}

int main(void)
{
	struct sink s = { BQ_BUF_INIT, 0, 0, 0, 0 };
	bq_ordered *o;
	bq_err fail;
	bq_buf ref = BQ_BUF_INIT, got = BQ_BUF_INIT;
	unsigned seed;

	bq_ordered_new(&o, 3, on_data, on_end, &s);
	T_OK(bq_ordered_has_room(o, 0) && bq_ordered_has_room(o, 2) && !bq_ordered_has_room(o, 3),
	     "room for the window only");
	bq_ordered_data(o, 1, "B1", 2);
	bq_ordered_data(o, 2, "C1", 2);
	T_OK(s.out.len == 0 && bq_ordered_buffered(o) == 4, "later objects wait");
	bq_ordered_data(o, 0, "A1", 2);
	T_STREQ(bq_buf_cstr(&s.out), "0:A1 ", "the head passes straight through");
	bq_ordered_end(o, 2, NULL);
	bq_ordered_end(o, 0, NULL);
	T_STREQ(bq_buf_cstr(&s.out), "0:A1 0. 1:B1 ", "ending the head releases the next object's bytes");
	T_OK(bq_ordered_head(o) == 1 && bq_ordered_has_room(o, 3) && !bq_ordered_has_room(o, 4),
	     "the window slides with the head");
	bq_ordered_data(o, 1, "B2", 2);
	bq_err_clear(&fail);
	bq_fail(&fail, 1, "get failed");
	bq_ordered_end(o, 1, &fail);
	T_STREQ(bq_buf_cstr(&s.out), "0:A1 0. 1:B1 1:B2 1! 2:C1 2. ",
		"a failed object ends in order, the ended ones after it follow");
	T_OK(s.fails == 1 && bq_ordered_head(o) == 3, "one failure, head at 3");
	bq_ordered_free(o);

	for (seed = 1; seed <= 30; seed++) {
		scrambled(seed, seed % 4 + 1, &got);
		if (seed == 1)
			bq_buf_puts(&ref, bq_buf_cstr(&got));
		else if (strcmp(bq_buf_cstr(&got), bq_buf_cstr(&ref)) != 0)
			break;
	}
	T_OK(seed == 31, "30 scrambled arrival orders, windows 1-4: identical output");
	T_STREQ(bq_buf_cstr(&ref),
		"a0a1a20.b0b1b21.c0c1c22.d0d1d23.e0e1e24.f0f1f25.g0g1g26.h0h1h27.i0i1i28.j0j1j29.",
		"and it is submission order");

	bq_buf_reset(&s.out);
	s.ends = 0;
	s.stop_after_ends = 1;
	bq_ordered_new(&o, 2, on_data, on_end, &s);
	bq_ordered_end(o, 1, NULL);
	T_OK(bq_ordered_end(o, 0, NULL) == 1, "a callback's stop is returned");
	T_OK(bq_ordered_data(o, 2, "x", 1) == 1, "and sticks");
	bq_ordered_free(o);
	bq_buf_release(&s.out);
	bq_buf_release(&ref);
	bq_buf_release(&got);
	return T_DONE();
}
