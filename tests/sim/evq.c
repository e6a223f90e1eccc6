/* evq: binary min-heap of in-flight datagrams; see evq.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "evq.h"

void sim_evq_init(struct sim_evq *q)
{
	*q = (struct sim_evq){0};
}

void sim_evq_free(struct sim_evq *q)
{
	free(q->ev);
	*q = (struct sim_evq){0};
}

static bool before(const struct sim_event *a, const struct sim_event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	return a->seq < b->seq;
}

static void swap(struct sim_event *a, struct sim_event *b)
{
	struct sim_event tmp = *a;

	*a = *b;
	*b = tmp;
}

static void sift_up(struct sim_evq *q, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(&q->ev[i], &q->ev[parent]))
			return;
		swap(&q->ev[i], &q->ev[parent]);
		i = parent;
	}
}

static void sift_down(struct sim_evq *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->n && before(&q->ev[l], &q->ev[m]))
			m = l;
		if (r < q->n && before(&q->ev[r], &q->ev[m]))
			m = r;
		if (m == i)
			return;
		swap(&q->ev[i], &q->ev[m]);
		i = m;
	}
}

int sim_evq_push(struct sim_evq *q, const struct sim_event *ev)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct sim_event *p = realloc(q->ev, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		q->ev = p;
		q->cap = cap;
	}
	q->ev[q->n] = *ev;
	q->ev[q->n].seq = q->next_seq++;
	sift_up(q, q->n++);
	return 0;
}

double sim_evq_peek_time(const struct sim_evq *q)
{
	return q->n ? q->ev[0].t : INFINITY;
}

bool sim_evq_pop(struct sim_evq *q, struct sim_event *out)
{
	if (q->n == 0)
		return false;
	*out = q->ev[0];
	q->ev[0] = q->ev[--q->n];
	if (q->n)
		sift_down(q, 0);
	return true;
}
